//! The widget's components in a real headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use kling_expand::state::WidgetState;
use kling_expand::{App, WidgetConfig};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Blob, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh element in the page for one widget.
fn host() -> HtmlElement {
    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    host
}

/// A real PNG of the given size, encoded by the browser.
async fn png(width: u32, height: u32) -> Blob {
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
fn choose(host: &HtmlElement, blob: &Blob, name: &str) {
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
async fn eventually(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..150 {
        if condition() {
            return;
        }
        kling_expand::browser::timer::sleep_ms(20).await;
    }
    panic!("timed out waiting for: {what}");
}

fn text_of(host: &HtmlElement, selector: &str) -> String {
    host.query_selector(selector)
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

fn output_size(host: &HtmlElement) -> Option<(u32, u32)> {
    let caption = host.query_selector(".ke-output-size").unwrap()?;
    let read = |name: &str| caption.get_attribute(name)?.parse().ok();
    Some((read("data-output-width")?, read("data-output-height")?))
}

fn mount_app(
    host: &HtmlElement,
) -> leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable> {
    leptos::mount::mount_to(
        host.clone(),
        || view! { <App config=WidgetConfig::default() /> },
    )
}

#[wasm_bindgen_test]
async fn a_chosen_png_is_shown_with_its_size_and_framed_by_the_preset() {
    let host = host();
    let _widget = mount_app(&host);
    choose(&host, &png(640, 480).await, "harbour.png");
    eventually("the picture's size in the hint", || {
        text_of(&host, ".ke-hint").contains("640 × 480 px")
    })
    .await;
    let preview: HtmlElement = host
        .query_selector(".ke-original")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(
        preview.get_attribute("src").unwrap().starts_with("blob:"),
        "shown from an object URL"
    );

    let sixteen_nine: HtmlInputElement = host
        .query_selector("input[type=radio][value='16:9']")
        .unwrap()
        .unwrap()
        .unchecked_into();
    sixteen_nine.click();
    eventually("a 16:9 canvas", || {
        output_size(&host)
            .is_some_and(|(w, h)| (f64::from(w) / f64::from(h) - 16.0 / 9.0).abs() < 0.01)
    })
    .await;
    let (width, height) = output_size(&host).unwrap();
    assert!(
        width > 640 && height >= 480,
        "the canvas contains the picture: {width}x{height}"
    );
}

#[wasm_bindgen_test]
async fn a_picture_under_300_px_is_refused_with_its_size_and_what_to_do() {
    let host = host();
    let _widget = mount_app(&host);
    choose(&host, &png(280, 420).await, "tiny.png");
    eventually("an alert", || {
        host.query_selector("[role=alert]").unwrap().is_some()
    })
    .await;
    let alert = text_of(&host, "[role=alert]");
    assert!(alert.contains("280 × 420"), "{alert}");
    assert!(alert.contains("300"), "{alert}");
    assert!(
        host.query_selector(".ke-original").unwrap().is_none(),
        "nothing is framed"
    );
}

#[wasm_bindgen_test]
async fn results_are_a_list_named_results_with_numbered_pictures() {
    let host = host();
    let state = WidgetState::new(WidgetConfig::default());
    let _widget = leptos::mount::mount_to(host.clone(), move || {
        provide_context(state);
        view! { <kling_expand::components::ResultsList /> }
    });
    assert!(
        host.query_selector("[aria-label=Results]")
            .unwrap()
            .is_none(),
        "no list before results"
    );
    let image = |index: u32| kling_expand_core::ResultImage {
        index,
        url: format!("https://cdn.example.test/{index}.png"),
        watermark_url: None,
        width: None,
        height: None,
    };
    state.results.set(vec![image(0), image(1)]);
    eventually("two results", || {
        host.query_selector_all("[aria-label=Results] img")
            .unwrap()
            .length()
            == 2
    })
    .await;
    let alts: Vec<String> = (0..2)
        .map(|i| {
            let img: web_sys::Element = host
                .query_selector_all("[aria-label=Results] img")
                .unwrap()
                .item(i)
                .unwrap()
                .unchecked_into();
            img.get_attribute("alt").unwrap()
        })
        .collect();
    assert_eq!(alts, ["Result 1", "Result 2"]);
    assert!(text_of(&host, ".ke-results").contains("30 days"));
}

#[wasm_bindgen_test]
async fn an_unknown_dialect_on_the_host_is_explained_to_the_page_author() {
    let host = host();
    host.set_attribute("data-kling-expand", "").unwrap();
    host.set_attribute("data-dialect", "midjourney").unwrap();
    kling_expand::mount_all();
    eventually("an alert", || {
        host.query_selector("[role=alert]").unwrap().is_some()
    })
    .await;
    assert!(text_of(&host, "[role=alert]").contains("midjourney"));
    // The widget still works with the default dialect.
    assert!(host.query_selector("input[type=file]").unwrap().is_some());
}
