//! The host element's configuration.

use wasm_bindgen_test::*;

use crate::support::*;

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
