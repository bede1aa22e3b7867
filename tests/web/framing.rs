//! Framing the expansion: presets, canvas area, anchor, free edits, edge handles, and choices
//! that cannot work.

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

use crate::support::*;

const WIDTH: u32 = 640;
const HEIGHT: u32 = 480;

/// A widget with a 640×480 picture, framed with the defaults.
async fn framed() -> (
    HtmlElement,
    leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable>,
) {
    let host = host();
    let widget = mount_app(&host);
    choose(&host, &png(WIDTH, HEIGHT).await, "harbour.png");
    eventually("the output size", || output_size(&host).is_some()).await;
    (host, widget)
}

/// The control named `name` by its <label> (wrapping it, or pointing at it with `for`), or by
/// its aria-label.
fn control(host: &HtmlElement, name: &str) -> HtmlInputElement {
    let labels = host.query_selector_all("label").unwrap();
    for i in 0..labels.length() {
        let label: Element = labels.item(i).unwrap().unchecked_into();
        if label.text_content().unwrap_or_default().trim() != name {
            continue;
        }
        let found = match label.get_attribute("for") {
            Some(id) => document().get_element_by_id(&id),
            None => label.query_selector("input").unwrap(),
        };
        return found.expect("labelled control").unchecked_into();
    }
    host.query_selector(&format!("input[aria-label='{name}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no control named {name}"))
        .unchecked_into()
}

fn aspect_radio(host: &HtmlElement, label: &str) -> HtmlInputElement {
    host.query_selector(&format!(".ke-aspect input[type=radio][value='{label}']"))
        .unwrap()
        .unwrap()
        .unchecked_into()
}

fn handle(host: &HtmlElement, name: &str) -> HtmlElement {
    host.query_selector(&format!("[role=slider][aria-label='{name}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no handle {name}"))
        .unchecked_into()
}

fn button(host: &HtmlElement, text: &str) -> Option<web_sys::HtmlButtonElement> {
    let buttons = host.query_selector_all("button").unwrap();
    (0..buttons.length())
        .map(|i| buttons.item(i).unwrap())
        .find(|b| b.text_content().unwrap_or_default().trim() == text)
        .map(JsCast::unchecked_into)
}

fn dispatch(target: &Element, event: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    target
        .dispatch_event(&web_sys::Event::new_with_event_init_dict(event, &init).unwrap())
        .unwrap();
}

/// Types `value` into a number field and commits it, as leaving the field does.
fn commit(input: &HtmlInputElement, value: &str) {
    input.set_value(value);
    dispatch(input, "input");
    dispatch(input, "change");
}

fn press(target: &HtmlElement, key: &str, shift: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

fn ratio(host: &HtmlElement, name: &str) -> String {
    control(host, name).value()
}

fn ratios(host: &HtmlElement) -> [String; 4] {
    ["Top", "Bottom", "Left", "Right"].map(|name| ratio(host, name))
}

/// The cap notes that say something, with their ids.
fn cap_notes(host: &HtmlElement) -> Vec<(String, String)> {
    let notes = host.query_selector_all(".ke-cap").unwrap();
    (0..notes.length())
        .map(|i| notes.item(i).unwrap().unchecked_into::<Element>())
        .map(|note| (note.id(), note.text_content().unwrap_or_default()))
        .filter(|(_, text)| !text.is_empty())
        .collect()
}

fn output_aspect(host: &HtmlElement) -> Option<f64> {
    output_size(host).map(|(w, h)| f64::from(w) / f64::from(h))
}

fn within_half_percent(actual: f64, wanted: f64) -> bool {
    (actual / wanted - 1.0).abs() <= 0.005
}

#[wasm_bindgen_test]
async fn every_preset_gives_the_output_its_shape() {
    let (host, _widget) = framed().await;
    // At 3× every preset fits around a 4:3 picture (9:16 needs 2.38×).
    let area = control(&host, "Canvas area");
    area.set_value("3");
    dispatch(&area, "input");
    let presets: [(&str, f64); 9] = [
        ("1:1", 1.0),
        ("4:3", 4.0 / 3.0),
        ("3:4", 3.0 / 4.0),
        ("3:2", 1.5),
        ("2:3", 2.0 / 3.0),
        ("16:9", 16.0 / 9.0),
        ("9:16", 9.0 / 16.0),
        ("21:9", 21.0 / 9.0),
        ("Original", 4.0 / 3.0),
    ];
    for (label, wanted) in presets {
        aspect_radio(&host, label).click();
        eventually(&format!("a {label} canvas"), || {
            output_aspect(&host).is_some_and(|a| within_half_percent(a, wanted))
        })
        .await;
        let (w, h) = output_size(&host).unwrap();
        assert!(
            w >= WIDTH && h >= HEIGHT,
            "{label}: {w}x{h} contains the picture"
        );
        let area = f64::from(w) * f64::from(h) / f64::from(WIDTH * HEIGHT);
        assert!((area - 3.0).abs() < 0.02, "{label}: area {area}");
        assert!(
            aspect_radio(&host, label).checked(),
            "{label} stays checked"
        );
    }

    commit(&control(&host, "W"), "5");
    commit(&control(&host, "H"), "4");
    eventually("a 5:4 canvas from Custom", || {
        output_aspect(&host).is_some_and(|a| within_half_percent(a, 1.25))
    })
    .await;
    assert!(aspect_radio(&host, "Custom").checked());
}

#[wasm_bindgen_test]
async fn the_canvas_area_slider_sets_the_output_area_and_shows_it() {
    let (host, _widget) = framed().await;
    assert_eq!(text_of(&host, ".ke-area-value"), "2.0×");
    let area = control(&host, "Canvas area");
    assert_eq!(area.type_(), "range");
    assert_eq!((area.min(), area.max()), ("1".to_owned(), "3".to_owned()));
    for (value, shown, wanted) in [("3", "3.0×", 3.0), ("1.5", "1.5×", 1.5)] {
        area.set_value(value);
        dispatch(&area, "input");
        eventually(&format!("the slider at {shown}"), || {
            text_of(&host, ".ke-area-value") == shown
        })
        .await;
        assert_eq!(area.get_attribute("aria-valuetext").as_deref(), Some(shown));
        let (w, h) = output_size(&host).unwrap();
        let got = f64::from(w) * f64::from(h) / f64::from(WIDTH * HEIGHT);
        assert!(
            (got / wanted - 1.0).abs() < 0.01,
            "{w}x{h} is {got}× for {wanted}×"
        );
        assert!(within_half_percent(f64::from(w) / f64::from(h), 4.0 / 3.0));
    }
}

#[wasm_bindgen_test]
async fn the_anchor_keeps_the_picture_against_its_edges() {
    let (host, _widget) = framed().await;
    aspect_radio(&host, "16:9").click();
    eventually("a 16:9 canvas", || {
        output_aspect(&host).is_some_and(|a| within_half_percent(a, 16.0 / 9.0))
    })
    .await;
    let anchors = host
        .query_selector_all(".ke-anchor input[type=radio]")
        .unwrap();
    assert_eq!(anchors.length(), 9, "a 3×3 grid");

    control(&host, "Centre left").click();
    eventually("Left at 0", || ratio(&host, "Left") == "0.0000").await;
    assert!(ratio(&host, "Right").parse::<f64>().unwrap() > 0.0);
    let (w, _) = output_size(&host).unwrap();
    assert!(within_half_percent(
        output_aspect(&host).unwrap(),
        16.0 / 9.0
    ));
    assert!(w > WIDTH);

    control(&host, "Bottom right").click();
    eventually("Bottom and Right at 0", || {
        ratio(&host, "Right") == "0.0000" && ratio(&host, "Bottom") == "0.0000"
    })
    .await;
    assert!(ratio(&host, "Left").parse::<f64>().unwrap() > 0.0);
    assert!(control(&host, "Bottom right").checked());
}

#[wasm_bindgen_test]
async fn editing_one_side_changes_only_that_side_and_leaves_the_preset() {
    let (host, _widget) = framed().await;
    aspect_radio(&host, "16:9").click();
    eventually("a 16:9 canvas", || {
        output_aspect(&host).is_some_and(|a| within_half_percent(a, 16.0 / 9.0))
    })
    .await;
    let before = ratios(&host);
    let (w, h) = output_size(&host).unwrap();

    commit(&control(&host, "Top"), "0.3");
    eventually("Top at 0.3000", || ratio(&host, "Top") == "0.3000").await;
    let after = ratios(&host);
    assert_eq!(after[1..], before[1..], "the other sides do not move");
    let old_top = (before[0].parse::<f64>().unwrap() * f64::from(HEIGHT)).round() as u32;
    assert_eq!(
        output_size(&host).unwrap(),
        (w, h - old_top + 144),
        "the canvas grows by round(0.3 × 480) px at the top"
    );
    let checked = host
        .query_selector(".ke-aspect input[type=radio]:checked")
        .unwrap();
    assert!(checked.is_none(), "no preset claims the free sides");
    assert!(host
        .query_selector(".ke-free:not([hidden])")
        .unwrap()
        .is_some());
    assert!(text_of(&host, ".ke-free").contains("Free"));

    aspect_radio(&host, "1:1").click();
    eventually("a square canvas", || {
        output_aspect(&host).is_some_and(|a| within_half_percent(a, 1.0))
    })
    .await;
    assert!(aspect_radio(&host, "1:1").checked());
    assert!(host.query_selector(".ke-free[hidden]").unwrap().is_some());
}

#[wasm_bindgen_test]
async fn a_side_past_the_area_limit_is_capped_and_says_so_beside_it() {
    let (host, _widget) = framed().await;
    let top = control(&host, "Top");
    commit(&top, "5");
    eventually("a cap note", || !cap_notes(&host).is_empty()).await;
    let notes = cap_notes(&host);
    assert_eq!(notes.len(), 1, "only beside the edited side: {notes:?}");
    let (note_id, note) = notes[0].clone();
    let shown = ratio(&host, "Top");
    assert_eq!(
        note,
        format!(
            "Capped at {shown}: the canvas may be at most 3× the picture's area. Reduce another \
             side to go further."
        )
    );
    assert_eq!(top.get_attribute("aria-describedby"), Some(note_id));
    let (w, h) = output_size(&host).unwrap();
    let area = f64::from(w) * f64::from(h) / f64::from(WIDTH * HEIGHT);
    assert!(area <= 3.0 + 0.01, "{w}x{h}");
    assert!(area > 2.98, "the side took all the room there was: {area}");

    commit(&top, "0.1");
    eventually("the note goes once a value fits", || {
        cap_notes(&host).is_empty()
    })
    .await;
}

#[wasm_bindgen_test]
async fn arrow_keys_on_an_edge_handle_move_that_side() {
    let (host, _widget) = framed().await;
    let right = handle(&host, "Right edge");
    assert_eq!(right.tab_index(), 0, "focusable");
    for name in ["Top edge", "Bottom edge", "Left edge"] {
        handle(&host, name);
    }
    right.focus().unwrap();
    let start: f64 = ratio(&host, "Right").parse().unwrap();
    let left_before = ratio(&host, "Left");

    press(&right, "ArrowRight", false);
    let expected = format!("{:.4}", start + 0.01);
    eventually("Right one step out", || ratio(&host, "Right") == expected).await;
    assert_eq!(right.get_attribute("aria-valuenow"), Some(expected.clone()));

    press(&right, "ArrowRight", true);
    let expected = format!("{:.4}", start + 0.11);
    eventually("Right a large step out", || {
        ratio(&host, "Right") == expected
    })
    .await;

    press(&right, "ArrowLeft", false);
    let expected = format!("{:.4}", start + 0.10);
    eventually("Right one step in", || ratio(&host, "Right") == expected).await;

    press(&right, "End", false);
    eventually("Right at its most", || {
        right.get_attribute("aria-valuenow") == right.get_attribute("aria-valuemax")
    })
    .await;
    assert_eq!(
        ratio(&host, "Left"),
        left_before,
        "only the right side moved"
    );
    let (w, h) = output_size(&host).unwrap();
    assert!(f64::from(w) * f64::from(h) / f64::from(WIDTH * HEIGHT) <= 3.01);

    press(&right, "Home", false);
    eventually("Right at 0", || ratio(&host, "Right") == "0.0000").await;
    press(&right, "ArrowLeft", false);
    assert_eq!(ratio(&host, "Right"), "0.0000");
    assert_eq!(
        document()
            .active_element()
            .map(|e| e.get_attribute("aria-label")),
        Some(Some("Right edge".to_owned())),
        "the handle keeps the focus while the canvas changes"
    );
}

#[wasm_bindgen_test]
async fn an_impossible_choice_is_explained_kept_and_only_expand_is_disabled() {
    let (host, _widget) = framed().await;
    let expand = button(&host, "Expand").unwrap();
    eventually("Expand enabled", || !expand.disabled()).await;

    // 9:16 around a 4:3 picture needs 2.38× its area; the slider is at 2.0×.
    aspect_radio(&host, "9:16").click();
    eventually("a note", || {
        host.query_selector("[role=note]:not([hidden])")
            .unwrap()
            .is_some()
    })
    .await;
    let note = text_of(&host, "[role=note] p");
    assert!(note.contains("9:16"), "{note}");
    assert!(note.contains("at least ×2.38"), "{note}");
    assert!(expand.disabled(), "Expand is disabled");
    assert!(aspect_radio(&host, "9:16").checked(), "the choice is kept");
    assert_eq!(
        text_of(&host, ".ke-area-value"),
        "2.0×",
        "nothing changed silently"
    );
    let area = control(&host, "Canvas area");
    assert!(!area.disabled() && !aspect_radio(&host, "1:1").disabled());
    let described = area.get_attribute("aria-describedby").unwrap();
    assert!(document()
        .get_element_by_id(&described)
        .unwrap()
        .text_content()
        .unwrap()
        .contains("at least ×2.38"));
    assert_eq!(output_size(&host), None, "no output size is claimed");

    button(&host, "Use 2.38× instead")
        .expect("the nearest feasible area is offered")
        .click();
    eventually("a 9:16 canvas", || {
        output_aspect(&host).is_some_and(|a| within_half_percent(a, 9.0 / 16.0))
    })
    .await;
    assert!(host
        .query_selector("[role=note]:not([hidden])")
        .unwrap()
        .is_none());
    assert_eq!(text_of(&host, ".ke-area-value"), "2.38×");
    eventually("Expand enabled again", || !expand.disabled()).await;
}
