//! The original inside the expanded canvas, at true proportions, with the output size.

use leptos::prelude::*;

use crate::state::WidgetState;

#[component]
pub fn CanvasPreview() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let geometry = move || {
        let picture = state.picture.get()?;
        let size = picture.size;
        let ratios = state.framing.with(|f| f.ratios(size)).ok()?;
        Some((picture.preview_url, size, ratios.canvas(size)))
    };
    move || match geometry() {
        None => {
            view! { <div class="ke-canvas ke-canvas-empty">"Choose a picture to frame it."</div> }
                .into_any()
        }
        Some((url, size, canvas)) => {
            let percent = |part: u32, whole: u32| f64::from(part) * 100.0 / f64::from(whole);
            let frame = format!("aspect-ratio: {} / {}", canvas.width, canvas.height);
            let placed = format!(
                "left: {:.3}%; top: {:.3}%; width: {:.3}%; height: {:.3}%",
                percent(canvas.left_px, canvas.width),
                percent(canvas.top_px, canvas.height),
                percent(size.width, canvas.width),
                percent(size.height, canvas.height)
            );
            view! {
                <figure class="ke-canvas-figure">
                    <div class="ke-canvas" style=frame>
                        <img class="ke-original" src=url alt="Your picture, in place on the new canvas" style=placed />
                    </div>
                    <figcaption class="ke-output-size" data-output-width=canvas.width data-output-height=canvas.height>
                        {format!("Output: {} × {} px", canvas.width, canvas.height)}
                    </figcaption>
                </figure>
            }
            .into_any()
        }
    }
}
