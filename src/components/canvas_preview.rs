//! The original inside the expanded canvas, at true proportions: the new area checkered, the
//! original outlined, a handle on each edge, and the output size in pixels.
//!
//! The elements stay in place while the framing changes (only styles and attributes follow it),
//! so a handle being dragged or operated by keyboard keeps its pointer capture and focus.

use kling_expand_core::geometry::Ratios;
use leptos::prelude::*;

use crate::components::canvas_handles::CanvasHandles;
use crate::state::WidgetState;

#[component]
pub fn CanvasPreview() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let has_picture = move || state.picture.with(Option::is_some);
    // (picture size, whether the framing can be sent, the canvas shown)
    let geometry = Memo::new(move |_| {
        let size = state.picture.with(|p| p.as_ref().map(|p| p.size))?;
        let ratios = state.framing.with(|f| f.ratios(size));
        let canvas = ratios.as_ref().unwrap_or(&Ratios::ZERO).canvas(size);
        Some((size, ratios.is_ok(), canvas))
    });
    let frame_style = move || {
        let (_, _, c) = geometry.get()?;
        // As wide as the column allows, but never taller than --ke-preview-height.
        Some(format!(
            "aspect-ratio: {w} / {h}; width: min(100%, calc(var(--ke-preview-height) * {w} / {h}))",
            w = c.width,
            h = c.height
        ))
    };
    let placed = move || {
        let (size, _, c) = geometry.get()?;
        let percent = |part: u32, whole: u32| f64::from(part) * 100.0 / f64::from(whole);
        Some(format!(
            "left: {:.3}%; top: {:.3}%; width: {:.3}%; height: {:.3}%",
            percent(c.left_px, c.width),
            percent(c.top_px, c.height),
            percent(size.width, c.width),
            percent(size.height, c.height)
        ))
    };
    let feasible = move || geometry.get().is_some_and(|(_, ok, _)| ok);
    let output = move || geometry.get().filter(|(_, ok, _)| *ok).map(|(_, _, c)| c);
    let url = move || {
        state
            .picture
            .with(|p| p.as_ref().map(|p| p.preview_url.clone()))
    };
    view! {
        <Show
            when=has_picture
            fallback=|| view! { <div class="ke-canvas ke-canvas-empty">"Choose a picture to frame it."</div> }
        >
            <figure class="ke-canvas-figure">
                <div class="ke-stage">
                    <div class="ke-frame" class:ke-frame-blocked=move || !feasible() style=frame_style>
                        <div class="ke-canvas">
                            <img
                                class="ke-original"
                                src=url
                                alt="Your picture, in place on the new canvas"
                                draggable="false"
                                style=placed
                            />
                        </div>
                        <CanvasHandles />
                    </div>
                </div>
                <figcaption
                    class="ke-output-size"
                    data-output-width=move || output().map(|c| c.width)
                    data-output-height=move || output().map(|c| c.height)
                >
                    {move || match output() {
                        Some(c) => format!("Output: {} × {} px", c.width, c.height),
                        None => "No output: this framing cannot be sent (see the note).".to_owned(),
                    }}
                    <span class="ke-legend">
                        <span class="ke-swatch-new" aria-hidden="true"></span>
                        "new area"
                        <span class="ke-swatch-original" aria-hidden="true"></span>
                        "your picture"
                    </span>
                </figcaption>
            </figure>
        </Show>
    }
}
