//! The original inside the expanded canvas, at true proportions: the new area checkered, the
//! original outlined and draggable, a handle on each edge and corner, and the output size in
//! pixels. Without a picture, a place to click or drop one.
//!
//! The elements stay in place while the framing changes (only styles, attributes and text follow
//! it), so a handle being dragged or operated by keyboard keeps its pointer capture and focus.
//!
//! Styles are set through the CSSOM (`prop:style`, which the browser forwards to `style.cssText`),
//! never as a `style` attribute: a page whose CSP says `style-src 'self'` allows the one and
//! refuses the other.

use crate::i18n::{en, t};
use kling_expand_core::text::fixed;
use leptos::prelude::*;

use crate::components::canvas_handles::{placement_style, CanvasHandle, Frozen, Grip};
use crate::state::{Part, WidgetState};

#[component]
pub fn CanvasPreview() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let has_picture = move || state.size.get().is_some();
    // While a handle is dragged, the scale and the picture's place on screen hold still.
    let frozen = RwSignal::new(None::<Frozen>);
    let sendable = move || state.ratios.with(|r| matches!(r, Some(Ok(_))));
    let frame_style = move || {
        let c = state.canvas.get()?;
        Some(match frozen.get() {
            Some(f) => format!(
                "position: absolute; max-width: none; left: {}px; top: {}px; width: {}px; height: {}px",
                fixed(f.x - f64::from(c.left_px) * f.scale, 2),
                fixed(f.y - f64::from(c.top_px) * f.scale, 2),
                fixed(f64::from(c.width) * f.scale, 2),
                fixed(f64::from(c.height) * f.scale, 2)
            ),
            // As wide as the column allows, but never taller than --ke-preview-height.
            None => format!(
                "aspect-ratio: {w} / {h}; width: min(100%, calc(var(--ke-preview-height) * {w} / {h}))",
                w = c.width,
                h = c.height
            ),
        })
    };
    let placed = move || {
        let (c, size) = state.canvas.get().zip(state.size.get())?;
        Some(placement_style(&c, size))
    };
    let output = move || state.canvas.get().filter(|_| sendable());
    let url = move || {
        state
            .picture
            .with(|p| p.as_ref().map(|p| p.preview_url.clone()))
    };
    let number = move |n: u32| state.strings.with_value(|s| s.number(f64::from(n), 0));
    let handles = Grip::ALL
        .into_iter()
        .map(|grip| view! { <CanvasHandle grip frozen /> })
        .collect_view();
    view! {
        // A label for the "Image" input: a click here chooses a file; a drop is taken by the
        // widget's root.
        <label class="ke-canvas ke-canvas-empty" for=state.id(Part::FileInput) hidden=has_picture>
            {t(en::CHOOSE_OR_DROP)}
        </label>
        <figure class="ke-canvas-figure" hidden=move || !has_picture()>
            <div class="ke-stage">
                <div class="ke-frame" class:ke-frame-blocked=move || !sendable() prop:style=move || frame_style().unwrap_or_default()>
                    <div class="ke-canvas">
                        // Only while there is a picture: "no .ke-original" means "nothing framed".
                        {move || {
                            has_picture()
                                .then(|| {
                                    view! {
                                        <img
                                            class="ke-original"
                                            src=url
                                            alt=t(en::YOUR_PICTURE_IN_PLACE)
                                            draggable="false"
                                            prop:style=move || placed().unwrap_or_default()
                                        />
                                    }
                                })
                        }}
                    </div>
                    {handles}
                </div>
            </div>
            <figcaption class="ke-output-size">
                <span
                    id=state.id(Part::OutputSize)
                    aria-live="polite"
                    data-output-width=move || output().map(|c| c.width)
                    data-output-height=move || output().map(|c| c.height)
                >
                    {move || match output() {
                        Some(c) => state.fill(
                            en::OUTPUT_SIZE,
                            &[number(c.width), number(c.height)],
                        ),
                        None => state.t(en::NO_OUTPUT),
                    }}
                </span>
                <span class="ke-legend">
                    <span class="ke-swatch-new" aria-hidden="true"></span>
                    {t(en::NEW_AREA)}
                    <span class="ke-swatch-original" aria-hidden="true"></span>
                    {t(en::YOUR_PICTURE)}
                </span>
            </figcaption>
        </figure>
    }
}
