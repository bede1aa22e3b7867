//! The original inside the expanded canvas, at true proportions: the new area checkered, the
//! original outlined, a handle on each edge, and the output size in pixels.
//!
//! The elements stay in place while the framing changes (only styles, attributes and text follow
//! it), so a handle being dragged or operated by keyboard keeps its pointer capture and focus;
//! it also keeps the widget's code small.

use kling_expand_core::geometry::{Canvas, Ratios, Size};
use kling_expand_core::text::fixed;
use leptos::prelude::*;

use crate::components::canvas_handles::CanvasHandles;
use crate::state::WidgetState;

#[component]
pub fn CanvasPreview() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let has_picture = move || state.picture_size().is_some();
    // The picture's size, the canvas shown, and whether it can be sent.
    let geometry = move || -> Option<(Size, Canvas, bool)> {
        let size = state.picture_size()?;
        let ratios = state.framing.get().ratios(size);
        let canvas = ratios.unwrap_or(Ratios::ZERO).canvas(size);
        Some((size, canvas, ratios.is_ok()))
    };
    let frame_style = move || {
        let (_, c, _) = geometry()?;
        // As wide as the column allows, but never taller than --ke-preview-height.
        Some(format!(
            "aspect-ratio: {w} / {h}; width: min(100%, calc(var(--ke-preview-height) * {w} / {h}))",
            w = c.width,
            h = c.height
        ))
    };
    let placed = move || {
        let (size, c, _) = geometry()?;
        let percent = |part: u32, whole: u32| fixed(f64::from(part) * 100.0 / f64::from(whole), 3);
        Some(format!(
            "left: {}%; top: {}%; width: {}%; height: {}%",
            percent(c.left_px, c.width),
            percent(c.top_px, c.height),
            percent(size.width, c.width),
            percent(size.height, c.height)
        ))
    };
    let output = move || geometry().filter(|g| g.2).map(|g| g.1);
    let url = move || {
        state
            .picture
            .with(|p| p.as_ref().map(|p| p.preview_url.clone()))
    };
    view! {
        <div class="ke-canvas ke-canvas-empty" hidden=has_picture>
            "Choose a picture to frame it."
        </div>
        <figure class="ke-canvas-figure" hidden=move || !has_picture()>
            <div class="ke-stage">
                <div class="ke-frame" class:ke-frame-blocked=move || output().is_none() style=frame_style>
                    <div class="ke-canvas">
                        // Only while there is a picture: "no .ke-original" means "nothing framed".
                        {move || {
                            has_picture()
                                .then(|| {
                                    view! {
                                        <img
                                            class="ke-original"
                                            src=url
                                            alt="Your picture, in place on the new canvas"
                                            draggable="false"
                                            style=placed
                                        />
                                    }
                                })
                        }}
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
    }
}
