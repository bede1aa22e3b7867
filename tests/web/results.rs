//! The results list.

use kling_expand::state::WidgetState;
use kling_expand::WidgetConfig;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use crate::support::*;

#[wasm_bindgen_test]
async fn results_are_a_list_named_results_with_numbered_pictures() {
    let host = host();
    let state = WidgetState::new(WidgetConfig::default());
    let _widget = leptos::mount::mount_to(host.clone(), move || {
        provide_context(state);
        view! { <kling_expand::components::ResultsList /> }
    });
    let section = || host.query_selector(".ke-results").unwrap().unwrap();
    assert!(
        section().has_attribute("hidden"),
        "no results shown before there are any"
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
    assert!(!section().has_attribute("hidden"), "the results are shown");
    assert!(text_of(&host, ".ke-results").contains("30 days"));
}
