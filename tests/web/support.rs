//! Helpers shared by the browser tests: a host element, real encoded pictures, waiting.

use kling_expand::{App, WidgetConfig};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, HtmlElement, HtmlInputElement};

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh element in the page for one widget.
pub fn host() -> HtmlElement {
    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    host
}

/// A real PNG of the given size, encoded by the browser.
pub async fn png(width: u32, height: u32) -> Blob {
    let canvas = web_sys::OffscreenCanvas::new(width, height).unwrap();
    let context: web_sys::OffscreenCanvasRenderingContext2d =
        canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    context.set_fill_style_str("#3a6ea5");
    context.fill_rect(0.0, 0.0, f64::from(width), f64::from(height));
    let blob = JsFuture::from(canvas.convert_to_blob().unwrap())
        .await
        .unwrap();
    blob.unchecked_into()
}

/// Chooses a file in the widget's "Image" input the way the browser does after a pick.
pub fn choose(host: &HtmlElement, blob: &Blob, name: &str) {
    let file = web_sys::File::new_with_blob_sequence(&js_sys::Array::of1(blob), name).unwrap();
    let transfer = web_sys::DataTransfer::new().unwrap();
    transfer.items().add_with_file(&file).unwrap();
    let input: HtmlInputElement = host
        .query_selector("input[type=file]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    input.set_files(transfer.files().as_ref());
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
}

/// Waits (up to ~3 s) until `condition` holds, letting the browser and the reactive system run.
pub async fn eventually(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..150 {
        if condition() {
            return;
        }
        kling_expand::browser::timer::sleep_ms(20).await;
    }
    panic!("timed out waiting for: {what}");
}

pub fn text_of(host: &HtmlElement, selector: &str) -> String {
    host.query_selector(selector)
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

pub fn output_size(host: &HtmlElement) -> Option<(u32, u32)> {
    let caption = host.query_selector(".ke-output-size > span").unwrap()?;
    let read = |name: &str| caption.get_attribute(name)?.parse().ok();
    Some((read("data-output-width")?, read("data-output-height")?))
}

/// Mounts a whole widget with the default configuration; unmounts when dropped.
pub fn mount_app(
    host: &HtmlElement,
) -> leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable> {
    leptos::mount::mount_to(
        host.clone(),
        || view! { <App config=WidgetConfig::default() /> },
    )
}
