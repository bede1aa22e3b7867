//! A handle on each edge of the canvas preview: drag it (mouse, pen, touch) or focus it and use
//! the arrow keys to set that side by hand. Each is a `role="slider"` named "Top edge", …
//!
//! Keys: the arrow pointing away from the picture grows the side, the opposite one shrinks it
//! (the other two arrows work as on any slider: up and right grow); Shift steps by 0.1 instead
//! of 0.01, as do Page Up / Page Down; Home sets 0 and End the most the other sides allow.

use kling_expand_core::geometry::Side;
use leptos::html::Div;
use leptos::prelude::*;
use web_sys::{KeyboardEvent, PointerEvent};

use crate::model::framing::{LARGE_STEP, STEP};
use crate::state::WidgetState;

#[component]
pub fn CanvasHandles() -> impl IntoView {
    view! {
        <EdgeHandle side=Side::Up />
        <EdgeHandle side=Side::Down />
        <EdgeHandle side=Side::Left />
        <EdgeHandle side=Side::Right />
    }
}

/// A drag in progress: where it started and how many screen pixels one ratio unit spans.
#[derive(Clone, Copy)]
struct Drag {
    pointer: i32,
    start: f64,
    from: f64,
    px_per_unit: f64,
}

fn edge_label(side: Side) -> &'static str {
    match side {
        Side::Up => "Top edge",
        Side::Down => "Bottom edge",
        Side::Left => "Left edge",
        Side::Right => "Right edge",
    }
}

/// What a key does to the side, or `None` for keys the handle leaves alone.
enum KeyAction {
    Step(f64),
    To(f64),
}

fn key_action(side: Side, key: &str, shift: bool, max: f64) -> Option<KeyAction> {
    let step = if shift { LARGE_STEP } else { STEP };
    let (outward, inward) = match side {
        Side::Up => ("ArrowUp", "ArrowDown"),
        Side::Down => ("ArrowDown", "ArrowUp"),
        Side::Left => ("ArrowLeft", "ArrowRight"),
        Side::Right => ("ArrowRight", "ArrowLeft"),
    };
    Some(match key {
        k if k == outward => KeyAction::Step(step),
        k if k == inward => KeyAction::Step(-step),
        "ArrowUp" | "ArrowRight" => KeyAction::Step(step),
        "ArrowDown" | "ArrowLeft" => KeyAction::Step(-step),
        "PageUp" => KeyAction::Step(LARGE_STEP),
        "PageDown" => KeyAction::Step(-LARGE_STEP),
        "Home" => KeyAction::To(0.0),
        "End" => KeyAction::To(max),
        _ => return None,
    })
}

#[component]
fn EdgeHandle(side: Side) -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let handle = NodeRef::<Div>::new();
    let drag = StoredValue::new(None::<Drag>);
    let vertical = side.is_vertical();
    let size = move || state.picture.with(|p| p.as_ref().map(|p| p.size));
    let value = move || {
        size()
            .map(|s| state.framing.with(|f| f.shown(s).get(side)))
            .unwrap_or(0.0)
    };
    let max = move || {
        size()
            .map(|s| state.framing.with(|f| f.side_max(s, side)))
            .unwrap_or(0.0)
    };
    let value_text = move || {
        let Some(s) = size() else {
            return String::new();
        };
        let c = state.framing.with(|f| f.shown(s)).canvas(s);
        let px = match side {
            Side::Up => c.top_px,
            Side::Down => c.bottom_px,
            Side::Left => c.left_px,
            Side::Right => c.right_px,
        };
        format!(
            "{:.4} × the picture's {}, {px} px",
            value(),
            side.dimension()
        )
    };
    let capped_here = move || {
        state
            .framing
            .with(|f| f.capped.is_some_and(|cap| cap.side == side))
            .then(|| state.id(&format!("cap-{side}")))
    };
    let set = move |to: f64| {
        if let Some(s) = size() {
            state.framing.update(|f| f.edit_side(s, side, to));
        }
    };

    let on_key = move |ev: KeyboardEvent| {
        let Some(s) = size() else { return };
        let Some(action) = key_action(side, &ev.key(), ev.shift_key(), max()) else {
            return;
        };
        ev.prevent_default();
        match action {
            KeyAction::Step(delta) => state.framing.update(|f| f.step_side(s, side, delta)),
            KeyAction::To(to) => set(to),
        }
    };

    let along = move |ev: &PointerEvent| {
        f64::from(if vertical {
            ev.client_y()
        } else {
            ev.client_x()
        })
    };
    let on_down = move |ev: PointerEvent| {
        if !ev.is_primary() || ev.button() != 0 {
            return;
        }
        let (Some(s), Some(el)) = (size(), handle.get_untracked()) else {
            return;
        };
        ev.prevent_default();
        let _ = el.focus();
        // Keeps the moves coming to this handle even when the pointer leaves it.
        let _ = el.set_pointer_capture(ev.pointer_id());
        let canvas = state.framing.with_untracked(|f| f.shown(s)).canvas(s);
        let frame = el.parent_element();
        let (frame_px, canvas_px, picture_px) = if vertical {
            (
                frame.map_or(0, |f| f.client_height()),
                canvas.height,
                s.height,
            )
        } else {
            (frame.map_or(0, |f| f.client_width()), canvas.width, s.width)
        };
        // Measured once: the preview rescales as the canvas grows, the drag should not.
        let px_per_unit = f64::from(frame_px) / f64::from(canvas_px) * f64::from(picture_px);
        if px_per_unit > 0.0 {
            drag.set_value(Some(Drag {
                pointer: ev.pointer_id(),
                start: along(&ev),
                from: value(),
                px_per_unit,
            }));
        }
    };
    let on_move = move |ev: PointerEvent| {
        let Some(d) = drag.get_value().filter(|d| d.pointer == ev.pointer_id()) else {
            return;
        };
        let moved = (along(&ev) - d.start) / d.px_per_unit;
        let outward = match side {
            Side::Up | Side::Left => -moved,
            Side::Down | Side::Right => moved,
        };
        set((d.from + outward).max(0.0));
    };
    let on_end = move |_: PointerEvent| drag.set_value(None);

    view! {
        <div
            node_ref=handle
            class=format!("ke-handle ke-handle-{side}")
            role="slider"
            tabindex="0"
            aria-label=edge_label(side)
            aria-orientation=if vertical { "vertical" } else { "horizontal" }
            aria-valuemin="0"
            aria-valuemax=move || format!("{:.4}", max())
            aria-valuenow=move || format!("{:.4}", value())
            aria-valuetext=value_text
            aria-describedby=capped_here
            on:keydown=on_key
            on:pointerdown=on_down
            on:pointermove=on_move
            on:pointerup=on_end
            on:pointercancel=on_end
            on:lostpointercapture=on_end
        ></div>
    }
}
