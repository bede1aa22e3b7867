//! The framing controls, wired to the widget: the shape, the area, the note, where the picture
//! sits, each side in pixels, and Undo, Redo and Reset of the framing. The leaves below take a
//! value and a change callback; this is the one place that connects them to the widget state.

use crate::i18n::{en, t};
use kling_expand_core::geometry::{Aspect, Limit, Side};
use leptos::prelude::*;

use crate::actions::framing::{edit_framing, undo_framing};
use crate::components::{AnchorPicker, AreaSlider, AspectPicker, FramingNote, SideField};
use crate::model::framing::{cap_note, Edit};
use crate::state::{Part, WidgetState};

#[component]
pub fn FramingPanel() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let framing = state.framing;
    let refusal = move || state.ratios.get().and_then(Result::err);
    let area_hint = move || {
        let f = framing.get();
        let size = state.size.get()?;
        let smallest = kling_expand_core::min_multiplier(size, f.aspect(size));
        (!f.is_free() && smallest > 1.0 && f.area(Some(size)) <= smallest + 1e-9)
            .then(|| state.fill(en::SMALLEST_CANVAS, &[f.aspect(size).to_string()]))
    };
    let side_field = move |side: Side| {
        let base = move || {
            state.size.get().map_or(0, |s| {
                if side.is_vertical() {
                    s.height
                } else {
                    s.width
                }
            })
        };
        view! {
            <SideField
                side
                id=state.id(Part::SideField(side))
                note_id=state.id(Part::SideNote(side))
                value=move || state.canvas.get().map(|c| side_px(&c, side))
                ratio=move || {
                    state.ratios.get().and_then(Result::ok).map_or(0.0, |r| r.get(side))
                }
                max=move || base() * 2
                note=move || {
                    framing
                        .get()
                        .capped
                        .filter(|c| c.side == side)
                        .map(|c| state.strings.with_value(|s| cap_note(s, &c, base())))
                }
                on_change=move |px: u32| {
                    let base = base();
                    if base > 0 {
                        edit_framing(state, Edit::Side(side, f64::from(px) / f64::from(base)));
                    }
                }
            />
        }
    };
    let undo = move |back: bool| {
        view! {
            <button
                type="button"
                disabled=move || {
                    state.framing_history.with(|h| if back { !h.can_undo() } else { !h.can_redo() })
                }
                on:click=move |_| undo_framing(state, back)
            >
                {t(if back { en::UNDO_FRAMING } else { en::REDO_FRAMING })}
            </button>
        }
    };
    view! {
        <AspectPicker
            name=state.id(Part::AspectGroup)
            note_id=state.id(Part::CustomNote)
            value=move || framing.with(|f| (!f.is_free()).then_some(f.preset))
            custom=move || framing.with(|f| f.custom)
            on_preset=move |p| edit_framing(state, Edit::Preset(p))
            on_custom=move |a: Aspect| edit_framing(state, Edit::Custom(a))
        />
        <AreaSlider
            id=state.id(Part::Area)
            value=move || framing.with(|f| f.area(state.size.get()))
            hint=area_hint
            on_change=move |m| edit_framing(state, Edit::Multiplier(m))
        />
        <FramingNote
            id=state.id(Part::FramingNote)
            text=move || refusal().map(|r| state.strings.with_value(|s| s.say(&r.sentence())))
            offer=move || {
                refusal().filter(|r| r.blocked_by == Limit::MaxArea).and_then(|r| r.nearest)
            }
            on_take=move |a: Aspect| edit_framing(state, Edit::Custom(a))
        />
        <div class="ke-placement">
            <AnchorPicker
                name=state.id(Part::AnchorGroup)
                value=move || framing.with(|f| f.placement().anchor())
                on_change=move |a: kling_expand_core::Anchor| {
                    edit_framing(state, Edit::Position(a.position()))
                }
            />
            <fieldset class="ke-ratios">
                <legend>{t(en::EXPANSION_PER_SIDE)}</legend>
                {side_field(Side::Up)}
                {side_field(Side::Down)}
                {side_field(Side::Left)}
                {side_field(Side::Right)}
                <p class="ke-hint ke-ratios-hint">
                    {t(en::SIDES_HINT)}
                </p>
            </fieldset>
        </div>
        <div class="ke-history" role="group" aria-label=t(en::FRAMING_HISTORY)>
            {undo(true)}
            {undo(false)}
            <button type="button" on:click=move |_| edit_framing(state, Edit::Reset)>
                {t(en::RESET_FRAMING)}
            </button>
        </div>
    }
}

/// The pixels a side adds.
pub(crate) fn side_px(canvas: &kling_expand_core::geometry::Canvas, side: Side) -> u32 {
    match side {
        Side::Up => canvas.top_px,
        Side::Down => canvas.bottom_px,
        Side::Left => canvas.left_px,
        Side::Right => canvas.right_px,
    }
}
