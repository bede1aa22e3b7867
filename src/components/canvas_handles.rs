//! A handle on each edge of the canvas preview: drag it (mouse, pen, touch) or focus it and use
//! the arrow keys to set that side by hand. Each is a `role="slider"` named "Top edge", …
//!
//! Keys: the arrow pointing away from the picture grows the side, the opposite one shrinks it
//! (the other two arrows work as on any slider: up and right grow); Shift steps by 0.1 instead
//! of 0.01, as do Page Up / Page Down; Home sets 0 and End the most the other sides allow.

use kling_expand_core::geometry::Side;
use kling_expand_core::text::fixed;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent, PointerEvent};

use crate::actions::framing::edit_framing;
use crate::components::ratio_fields::side_px;
use crate::model::framing::{Edit, LARGE_STEP, STEP};
use crate::state::WidgetState;

#[component]
pub fn CanvasHandles() -> impl IntoView {
    view! {
        <EdgeHandle side=Side::Up />
        <EdgeHandle side=Side::Down />
        <EdgeHandle side=Side::Left />
        <EdgeHandle side=Side::Right />
    }
}

/// A drag in progress: where it started and how many screen pixels one ratio unit spans.
#[derive(Clone, Copy)]
struct Drag {
    pointer: i32,
    start: f64,
    from: f64,
    px_per_unit: f64,
}

fn edge_label(side: Side) -> &'static str {
    match side {
        Side::Up => "Top edge",
        Side::Down => "Bottom edge",
        Side::Left => "Left edge",
        Side::Right => "Right edge",
    }
}

/// What a key does to the side, or `None` for keys the handle leaves alone.
fn key_edit(side: Side, key: &str, shift: bool, max: f64) -> Option<Edit> {
    let step = if shift { LARGE_STEP } else { STEP };
    let (outward, inward) = match side {
        Side::Up => ("ArrowUp", "ArrowDown"),
        Side::Down => ("ArrowDown", "ArrowUp"),
        Side::Left => ("ArrowLeft", "ArrowRight"),
        Side::Right => ("ArrowRight", "ArrowLeft"),
    };
    Some(match key {
        k if k == outward => Edit::Step(side, step),
        k if k == inward => Edit::Step(side, -step),
        "ArrowUp" | "ArrowRight" => Edit::Step(side, step),
        "ArrowDown" | "ArrowLeft" => Edit::Step(side, -step),
        "PageUp" => Edit::Step(side, LARGE_STEP),
        "PageDown" => Edit::Step(side, -LARGE_STEP),
        "Home" => Edit::Side(side, 0.0),
        "End" => Edit::Side(side, max),
        _ => return None,
    })
}

#[component]
fn EdgeHandle(side: Side) -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let drag = StoredValue::new(None::<Drag>);
    let vertical = side.is_vertical();
    // (the side's ratio, the most it can be, the pixels it adds), as shown.
    let shown = move || {
        let Some(size) = state.picture_size() else {
            return (0.0, 0.0, 0);
        };
        let framing = state.framing.get();
        let ratios = framing.shown(size);
        (
            ratios.get(side),
            framing.side_max(size, side),
            side_px(ratios.canvas(size), side),
        )
    };

    let on_key = move |ev: KeyboardEvent| {
        let (_, max, _) = shown();
        let Some(edit) = key_edit(side, &ev.key(), ev.shift_key(), max) else {
            return;
        };
        ev.prevent_default();
        edit_framing(state, edit);
    };

    let along = move |ev: &PointerEvent| {
        f64::from(if vertical {
            ev.client_y()
        } else {
            ev.client_x()
        })
    };
    let on_down = move |ev: PointerEvent| {
        if !ev.is_primary() || ev.button() != 0 {
            return;
        }
        let Some(size) = state.picture_size() else {
            return;
        };
        let Some(el) = ev
            .current_target()
            .and_then(|target| target.dyn_into::<HtmlElement>().ok())
        else {
            return;
        };
        ev.prevent_default();
        let _ = el.focus();
        // Keeps the moves coming to this handle even when the pointer leaves it.
        let _ = el.set_pointer_capture(ev.pointer_id());
        let canvas = state.framing.get_untracked().shown(size).canvas(size);
        let frame = el.parent_element();
        let (frame_px, canvas_px, picture_px) = if vertical {
            (
                frame.map_or(0, |f| f.client_height()),
                canvas.height,
                size.height,
            )
        } else {
            (
                frame.map_or(0, |f| f.client_width()),
                canvas.width,
                size.width,
            )
        };
        // Measured once: the preview rescales as the canvas grows, the drag should not.
        let px_per_unit = f64::from(frame_px) / f64::from(canvas_px) * f64::from(picture_px);
        if px_per_unit > 0.0 {
            drag.set_value(Some(Drag {
                pointer: ev.pointer_id(),
                start: along(&ev),
                from: shown().0,
                px_per_unit,
            }));
        }
    };
    let on_move = move |ev: PointerEvent| {
        let Some(d) = drag.get_value().filter(|d| d.pointer == ev.pointer_id()) else {
            return;
        };
        if ev.buttons() == 0 {
            // Released without this handle hearing of it (the capture was refused).
            drag.set_value(None);
            return;
        }
        let moved = (along(&ev) - d.start) / d.px_per_unit;
        let outward = match side {
            Side::Up | Side::Left => -moved,
            Side::Down | Side::Right => moved,
        };
        edit_framing(state, Edit::Side(side, (d.from + outward).max(0.0)));
    };
    // Follows pointerup and pointercancel alike, since the pointer was captured.
    let on_end = move |_: PointerEvent| drag.set_value(None);

    view! {
        <div
            class=format!("ke-handle ke-handle-{side}")
            role="slider"
            tabindex="0"
            aria-label=edge_label(side)
            aria-orientation=if vertical { "vertical" } else { "horizontal" }
            aria-valuemin="0"
            aria-valuemax=move || fixed(shown().1, 4)
            aria-valuenow=move || fixed(shown().0, 4)
            aria-valuetext=move || {
                let (value, _, px) = shown();
                format!("{} × the picture's {}, {px} px", fixed(value, 4), side.dimension())
            }
            aria-describedby=state.id(&format!("cap-{side}"))
            on:keydown=on_key
            on:pointerdown=on_down
            on:pointermove=on_move
            on:lostpointercapture=on_end
        ></div>
    }
}
