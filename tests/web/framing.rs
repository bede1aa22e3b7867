//! Framing the expansion: presets, canvas area, anchor, sides in pixels, handles, undo; and the
//! framing's leaf controls mounted on their own.

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
    host.query_selector(&format!("[aria-label='{name}']"))
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

fn output_aspect(host: &HtmlElement) -> Option<f64> {
    output_size(host).map(|(w, h)| f64::from(w) / f64::from(h))
}

fn within_half_percent(actual: f64, wanted: f64) -> bool {
    (actual / wanted - 1.0).abs() <= 0.005
}

#[wasm_bindgen_test]
async fn every_preset_gives_the_smallest_canvas_of_its_shape_even_on_a_portrait() {
    let host = host();
    let _widget = mount_app(&host);
    choose(&host, &png(300, 450).await, "tall.png");
    eventually("the output size", || output_size(&host).is_some()).await;
    let presets: [(&str, f64); 6] = [
        ("1:1", 1.0),
        ("4:3", 4.0 / 3.0),
        ("3:4", 3.0 / 4.0),
        ("3:2", 1.5),
        ("16:9", 16.0 / 9.0),
        ("9:16", 9.0 / 16.0),
    ];
    for (label, wanted) in presets {
        aspect_radio(&host, label).click();
        eventually(&format!("a {label} canvas"), || {
            output_aspect(&host).is_some_and(|a| within_half_percent(a, wanted))
        })
        .await;
        let (w, h) = output_size(&host).unwrap();
        // The smallest canvas of that shape: one side of the picture is not extended.
        assert!(w == 300 || h == 450, "{label}: {w}x{h}");
        assert!(w >= 300 && h >= 450, "{label}: contains the picture");
        assert!(
            aspect_radio(&host, label).checked(),
            "{label} stays checked"
        );
        assert!(
            text_of(&host, ".ke-note p").is_empty(),
            "{label}: nothing refused"
        );
    }
    // "More room" keeps the shape.
    let area = control(&host, "Canvas area");
    area.set_value("3");
    dispatch(&area, "input");
    eventually("a bigger 16:9 canvas", || {
        output_size(&host).is_some_and(|(w, h)| f64::from(w * h) / 135_000.0 > 2.95)
    })
    .await;
    assert!(within_half_percent(
        output_aspect(&host).unwrap(),
        9.0 / 16.0
    ));
    // Only what Kling cannot do is refused: 21:9 around a 2:3 picture needs 3.5× its area.
    aspect_radio(&host, "21:9").click();
    eventually("the limit explained", || {
        text_of(&host, ".ke-note p").contains("×3.5 its area, 0.5 over Kling's limit of ×3")
    })
    .await;
    assert!(
        button(&host, "Use 2:1 instead").is_some(),
        "the exact limit offered"
    );
}

#[wasm_bindgen_test]
async fn sides_are_whole_pixels_and_a_typed_side_moves_only_that_side() {
    let (host, _widget) = framed().await;
    let top = control(&host, "Top");
    assert_eq!(top.step(), "1");
    assert!(top.check_validity(), "every field valid as shown");
    let before = ratios(&host);
    commit(&top, "100");
    eventually("top is 100 px", || ratio(&host, "Top") == "100").await;
    eventually("the ratio sent follows", || {
        top.get_attribute("data-ratio").as_deref() == Some("0.2083")
    })
    .await;
    let after = ratios(&host);
    assert_eq!(after[1..], before[1..], "the other sides do not move");
    let (_, h) = output_size(&host).unwrap();
    assert_eq!(h, HEIGHT + 100 + before[1].parse::<u32>().unwrap());
    for side in ["Top", "Bottom", "Left", "Right"] {
        assert!(control(&host, side).check_validity(), "{side} valid");
    }
}

#[wasm_bindgen_test]
async fn invalid_pixels_are_marked_explained_and_not_used() {
    let (host, _widget) = framed().await;
    let left = control(&host, "Left");
    let before = output_size(&host);
    commit(&left, "-3");
    eventually("marked invalid", || {
        left.get_attribute("aria-invalid").as_deref() == Some("true")
    })
    .await;
    let note = document()
        .get_element_by_id(&left.get_attribute("aria-describedby").unwrap())
        .unwrap();
    assert!(note.text_content().unwrap().contains("negative"));
    assert_eq!(output_size(&host), before, "nothing changed");
    commit(&left, "40");
    eventually("valid again", || {
        left.get_attribute("aria-invalid").as_deref() == Some("false")
    })
    .await;
    // W and H of Custom too.
    commit(&control(&host, "W"), "0");
    eventually("W marked", || {
        control(&host, "W").get_attribute("aria-invalid").as_deref() == Some("true")
    })
    .await;
    assert!(text_of(&host, ".ke-aspect").contains("above 0"));
    assert!(!aspect_radio(&host, "Custom").checked(), "a 0 is not taken");
}

#[wasm_bindgen_test]
async fn hand_set_sides_survive_an_anchor_and_undo_brings_them_back() {
    let (host, _widget) = framed().await;
    commit(&control(&host, "Top"), "200");
    commit(&control(&host, "Left"), "10");
    eventually("hand-set", || {
        output_size(&host).is_some_and(|(w, h)| h >= HEIGHT + 200 && w < 906)
    })
    .await;
    let hand_set = ratios(&host);
    let size = output_size(&host);
    let centre = control(&host, "Centre");
    centre.set_checked(true);
    dispatch(&centre, "change");
    eventually("placed in the centre", || ratio(&host, "Left") != "10").await;
    assert_eq!(output_size(&host), size, "the canvas keeps its size");
    button(&host, "Reset framing").unwrap().click();
    eventually("reset", || {
        ratios(&host) != hand_set && ratio(&host, "Top") != "200"
    })
    .await;
    button(&host, "Undo framing").unwrap().click();
    button(&host, "Undo framing").unwrap().click();
    eventually("undo brings the sides back", || ratios(&host) == hand_set).await;
    button(&host, "Redo framing").unwrap().click();
    eventually("redo", || ratios(&host) != hand_set).await;
}

#[wasm_bindgen_test]
async fn arrow_keys_on_an_edge_and_on_the_picture_move_them_by_a_pixel() {
    let (host, _widget) = framed().await;
    let right = handle(&host, "Right edge");
    let before: u32 = ratio(&host, "Right").parse().unwrap();
    for _ in 0..3 {
        press(&right, "ArrowRight", false);
    }
    press(&right, "ArrowRight", true);
    eventually("13 px more on the right", || {
        ratio(&host, "Right").parse::<u32>().ok() == Some(before + 13)
    })
    .await;
    assert_eq!(
        right.get_attribute("aria-valuenow"),
        Some((before + 13).to_string())
    );
    let picture = handle(&host, "Picture position");
    let left: u32 = ratio(&host, "Left").parse().unwrap();
    press(&picture, "ArrowLeft", true);
    eventually("the picture moved 10 px left", || {
        ratio(&host, "Left").parse::<u32>().ok() == Some(left - 10)
    })
    .await;
    let corner = handle(&host, "Bottom left corner");
    let bottom: u32 = ratio(&host, "Bottom").parse().unwrap();
    press(&corner, "ArrowDown", false);
    eventually("the corner's bottom grew", || {
        ratio(&host, "Bottom").parse::<u32>().ok() == Some(bottom + 1)
    })
    .await;
}

/// A leaf mounted on its own, with a value and a callback and no widget around it.
#[wasm_bindgen_test]
async fn the_anchor_picker_alone_moves_across_its_grid_with_the_arrows() {
    use kling_expand::components::AnchorPicker;
    use kling_expand_core::geometry::Anchor;
    use leptos::prelude::*;
    let host = host();
    let chosen = RwSignal::new(Some(Anchor::Left));
    let _mounted = leptos::mount::mount_to(host.clone(), move || {
        view! {
            <AnchorPicker
                name="test-anchor".to_owned()
                value=move || chosen.get()
                on_change=move |a| chosen.set(Some(a))
            />
        }
    });
    let centre_left = control(&host, "Centre left");
    assert!(centre_left.checked());
    press(&centre_left, "ArrowUp", false);
    eventually("Up goes to Top left", || {
        chosen.get_untracked() == Some(Anchor::TopLeft)
    })
    .await;
    eventually("Top left checked", || control(&host, "Top left").checked()).await;
    assert_eq!(
        document()
            .active_element()
            .unwrap()
            .get_attribute("aria-label")
            .as_deref(),
        Some("Top left")
    );
    press(&control(&host, "Top left"), "ArrowLeft", false);
    assert_eq!(
        chosen.get_untracked(),
        Some(Anchor::TopLeft),
        "the grid's edge"
    );
}

#[wasm_bindgen_test]
async fn a_side_field_alone_reports_whole_pixels_only() {
    use kling_expand::components::SideField;
    use kling_expand_core::geometry::Side;
    use leptos::prelude::*;
    let host = host();
    let got = RwSignal::new(None::<u32>);
    let _mounted = leptos::mount::mount_to(host.clone(), move || {
        view! {
            <SideField
                side=Side::Left
                id="test-left".to_owned()
                note_id="test-left-note".to_owned()
                value=move || got.get().or(Some(0))
                ratio=|| 0.0
                max=|| 1280
                note=|| None
                on_change=move |px| got.set(Some(px))
            />
        }
    });
    let field = control(&host, "Left");
    commit(&field, "1.5");
    assert_eq!(got.get_untracked(), None);
    eventually("marked invalid", || {
        field.get_attribute("aria-invalid").as_deref() == Some("true")
    })
    .await;
    commit(&field, "64");
    assert_eq!(got.get_untracked(), Some(64));
}
