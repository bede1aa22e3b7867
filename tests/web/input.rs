//! Taking a picture in.

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

use crate::support::*;

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
