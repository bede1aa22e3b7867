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
    let generation = |source: &str, images: Vec<kling_expand_core::ResultImage>| {
        kling_expand::state::Generation {
            external_task_id: format!("ke-{source}"),
            task_id: Some("t".into()),
            source: source.into(),
            shape: "16:9".into(),
            frame: kling_expand::state::ResultsFrame {
                original: kling_expand_core::Size::new(640, 480),
                ratios: kling_expand_core::Ratios::new(0.0, 0.0, 0.1667, 0.1667),
            },
            status: kling_expand::state::GenerationStatus::Succeeded,
            images,
        }
    };
    state.history.set(vec![
        generation("first.png", vec![image(0)]),
        generation("second.png", vec![image(0)]),
    ]);
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
    // The newest first; names keep the order in which results were made.
    assert_eq!(alts, ["Result 2", "Result 1"]);
    assert!(text_of(&host, ".ke-results").contains("Result 1 · 16:9 · 854 × 480 px · first.png"));
    assert!(!section().has_attribute("hidden"), "the results are shown");
    assert!(text_of(&host, ".ke-results").contains("30 days"));
}
