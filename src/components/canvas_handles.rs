//! What can be grabbed on the canvas preview: the picture itself (to place it in its frame), a
//! handle on each edge and each corner (to set those sides by hand). Each is a focusable
//! `role="slider"` with keyboard equivalents, and works with a mouse, a pen or a finger.
//!
//! A handle follows the pointer exactly: while it is dragged the preview keeps its scale and the
//! picture stays where it was on screen (see [`Frozen`]), so the edge moves with the pointer
//! instead of the whole frame re-zooming. With Alt, the opposite side moves by as much
//! (symmetric edits). A dragged picture is pulled onto the nine anchors when it comes close.
//!
//! Keys: on an edge, the arrow pointing away from the picture grows that side by a pixel (Shift
//! or Page Up / Page Down: 10), the opposite arrow shrinks it, Home sets 0 and End the most the
//! other sides allow; on a corner, the horizontal arrows move its left or right side and the
//! vertical ones its top or bottom; on the picture, the arrows move it.

use crate::i18n::en;
use kling_expand_core::geometry::{Canvas, Position, Side, Size};
use kling_expand_core::text::fixed;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent, PointerEvent};

use crate::actions::framing::{edit_framing, gesture};
use crate::components::framing_panel::side_px;
use crate::model::framing::{Edit, LARGE_STEP_PX, SNAP, STEP_PX};
use crate::state::WidgetState;

/// The preview's scale and the picture's place in the stage, held still during a drag.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frozen {
    /// Screen pixels per picture pixel.
    pub scale: f64,
    /// The picture's top-left corner in the stage, in screen pixels.
    pub x: f64,
    pub y: f64,
}

/// What a handle moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grip {
    Edge(Side),
    /// A vertical side and a horizontal one.
    Corner(Side, Side),
    Picture,
}

impl Grip {
    pub const ALL: [Grip; 9] = [
        Grip::Picture,
        Grip::Edge(Side::Up),
        Grip::Edge(Side::Down),
        Grip::Edge(Side::Left),
        Grip::Edge(Side::Right),
        Grip::Corner(Side::Up, Side::Left),
        Grip::Corner(Side::Up, Side::Right),
        Grip::Corner(Side::Down, Side::Left),
        Grip::Corner(Side::Down, Side::Right),
    ];

    /// The handle's accessible name.
    pub fn label(self) -> &'static str {
        match self {
            Grip::Picture => en::PICTURE_POSITION,
            Grip::Edge(Side::Up) => en::TOP_EDGE,
            Grip::Edge(Side::Down) => en::BOTTOM_EDGE,
            Grip::Edge(Side::Left) => en::LEFT_EDGE,
            Grip::Edge(Side::Right) => en::RIGHT_EDGE,
            Grip::Corner(Side::Up, Side::Left) => en::TOP_LEFT_CORNER,
            Grip::Corner(Side::Up, _) => en::TOP_RIGHT_CORNER,
            Grip::Corner(_, Side::Left) => en::BOTTOM_LEFT_CORNER,
            Grip::Corner(..) => en::BOTTOM_RIGHT_CORNER,
        }
    }

    fn class(self) -> String {
        match self {
            Grip::Picture => "ke-picture-grip".into(),
            Grip::Edge(side) => format!("ke-handle ke-handle-{side}"),
            Grip::Corner(v, h) => format!("ke-handle ke-corner ke-corner-{v}-{h}"),
        }
    }

    fn sides(self) -> Vec<Side> {
        match self {
            Grip::Edge(side) => vec![side],
            Grip::Corner(v, h) => vec![v, h],
            Grip::Picture => Vec::new(),
        }
    }
}

/// How far a side grows when the pointer moved (`dx`, `dy`) picture pixels.
fn outward(side: Side, dx: f64, dy: f64) -> f64 {
    match side {
        Side::Up => -dy,
        Side::Down => dy,
        Side::Left => -dx,
        Side::Right => dx,
    }
}

/// The move (`dx`, `dy`) that grows `side` by `amount`.
fn toward(side: Side, amount: f64) -> (f64, f64) {
    match side {
        Side::Up => (0.0, -amount),
        Side::Down => (0.0, amount),
        Side::Left => (-amount, 0.0),
        Side::Right => (amount, 0.0),
    }
}

/// The sides' new pixels for a move of (`dx`, `dy`) from `start`; with `symmetric`, the
/// opposite sides move by as much. As ratios, in wire order, `None` for sides kept.
pub fn dragged_sides(
    start: &Canvas,
    original: Size,
    sides: &[Side],
    dx: f64,
    dy: f64,
    symmetric: bool,
) -> [Option<f64>; 4] {
    let mut out = [None; 4];
    for &side in sides {
        let grow = outward(side, dx, dy);
        let moved = if symmetric {
            vec![side, side.opposite()]
        } else {
            vec![side]
        };
        for s in moved {
            let base = if s.is_vertical() {
                original.height
            } else {
                original.width
            };
            let px = (f64::from(side_px(start, s)) + grow).max(0.0);
            out[Side::ALL.iter().position(|x| *x == s).unwrap_or(0)] =
                Some(px / f64::from(base.max(1)));
        }
    }
    out
}

/// Where the picture goes when dragged (`dx`, `dy`) picture pixels from `start`, pulled onto
/// the nine anchors when within [`SNAP`]; an axis without room keeps `now`.
pub fn dragged_position(
    start: &Canvas,
    original: Size,
    dx: f64,
    dy: f64,
    now: Position,
) -> Position {
    moved_position(start, original, dx, dy, now).snapped(SNAP)
}

/// Where the picture is once moved (`dx`, `dy`) picture pixels from where it is in `start`;
/// an axis without room keeps `now`.
fn moved_position(start: &Canvas, original: Size, dx: f64, dy: f64, now: Position) -> Position {
    let share = |before: u32, total: u32, delta: f64, keep: f64| {
        if total == 0 {
            keep
        } else {
            (f64::from(before) + delta) / f64::from(total)
        }
    };
    Position {
        x: share(start.left_px, start.width - original.width, dx, now.x),
        y: share(start.top_px, start.height - original.height, dy, now.y),
    }
}

/// A drag in progress.
#[derive(Clone, Copy)]
struct Drag {
    pointer: i32,
    x: f64,
    y: f64,
    start: Canvas,
    scale: f64,
}

#[component]
pub fn CanvasHandle(grip: Grip, frozen: RwSignal<Option<Frozen>>) -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let drag = StoredValue::new(None::<Drag>);
    let px = move |side: Side| state.canvas.get().map_or(0, |c| side_px(&c, side));
    let base = move |side: Side| {
        state.size.get_untracked().map_or(1, |s| {
            if side.is_vertical() {
                s.height
            } else {
                s.width
            }
        })
    };

    let on_key = move |ev: KeyboardEvent| {
        let key = ev.key();
        let step = if ev.shift_key() {
            LARGE_STEP_PX
        } else {
            STEP_PX
        };
        let (dx, dy) = match key.as_str() {
            "ArrowUp" => (0.0, -step),
            "ArrowDown" => (0.0, step),
            "ArrowLeft" => (-step, 0.0),
            "ArrowRight" => (step, 0.0),
            "PageUp" | "PageDown" => {
                let big = if key == "PageUp" {
                    LARGE_STEP_PX
                } else {
                    -LARGE_STEP_PX
                };
                match grip {
                    Grip::Edge(side) => toward(side, big),
                    _ => return,
                }
            }
            "Home" | "End" => {
                let Grip::Edge(side) = grip else { return };
                ev.prevent_default();
                let value = if key == "Home" {
                    0.0
                } else {
                    state.size.get_untracked().map_or(0.0, |size| {
                        state.framing.get_untracked().side_max(size, side)
                    })
                };
                edit_framing(state, Edit::Side(side, value));
                return;
            }
            _ => return,
        };
        let (Some(size), Some(canvas)) = (state.size.get_untracked(), state.canvas.get_untracked())
        else {
            return;
        };
        ev.prevent_default();
        let edit = match grip {
            Grip::Picture => {
                // Keys place exactly, a pixel at a time: no pull towards the anchors.
                let now = state.framing.get_untracked().placement();
                Edit::Position(moved_position(&canvas, size, dx, dy, now))
            }
            // Keys move only the sides they point along.
            _ => {
                let sides: Vec<Side> = grip
                    .sides()
                    .into_iter()
                    .filter(|s| {
                        if s.is_vertical() {
                            dy != 0.0
                        } else {
                            dx != 0.0
                        }
                    })
                    .collect();
                if sides.is_empty() {
                    return;
                }
                Edit::Sides(dragged_sides(&canvas, size, &sides, dx, dy, ev.alt_key()))
            }
        };
        edit_framing(state, edit);
    };

    let on_down = move |ev: PointerEvent| {
        if !ev.is_primary() || ev.button() != 0 {
            return;
        }
        let (Some(size), Some(start)) = (state.size.get_untracked(), state.canvas.get_untracked())
        else {
            return;
        };
        let Some(el) = ev
            .current_target()
            .and_then(|target| target.dyn_into::<HtmlElement>().ok())
        else {
            return;
        };
        let stage = el.closest(".ke-stage").ok().flatten();
        let picture = stage
            .as_ref()
            .and_then(|s| s.query_selector(".ke-original").ok().flatten());
        let (Some(stage), Some(picture)) = (stage, picture) else {
            return;
        };
        let (stage_box, picture_box) = (
            stage.get_bounding_client_rect(),
            picture.get_bounding_client_rect(),
        );
        let scale = picture_box.width() / f64::from(size.width);
        if scale.is_nan() || scale <= 0.0 {
            return;
        }
        ev.prevent_default();
        let _ = el.focus();
        // Keeps the moves coming to this handle even when the pointer leaves it.
        let _ = el.set_pointer_capture(ev.pointer_id());
        drag.set_value(Some(Drag {
            pointer: ev.pointer_id(),
            x: f64::from(ev.client_x()),
            y: f64::from(ev.client_y()),
            start,
            scale,
        }));
        gesture(state, true);
        if grip != Grip::Picture {
            frozen.set(Some(Frozen {
                scale,
                x: picture_box.left() - stage_box.left(),
                y: picture_box.top() - stage_box.top(),
            }));
        }
    };
    let on_move = move |ev: PointerEvent| {
        let Some(d) = drag.get_value().filter(|d| d.pointer == ev.pointer_id()) else {
            return;
        };
        let Some(size) = state.size.get_untracked() else {
            return;
        };
        let dx = (f64::from(ev.client_x()) - d.x) / d.scale;
        let dy = (f64::from(ev.client_y()) - d.y) / d.scale;
        let edit = match grip {
            Grip::Picture => {
                let now = state.framing.get_untracked().placement();
                Edit::Position(dragged_position(&d.start, size, dx, dy, now))
            }
            _ => Edit::Sides(dragged_sides(
                &d.start,
                size,
                &grip.sides(),
                dx,
                dy,
                ev.alt_key(),
            )),
        };
        edit_framing(state, edit);
    };
    // Follows pointerup and pointercancel alike, since the pointer was captured.
    let on_end = move |_: PointerEvent| {
        if drag.get_value().is_some() {
            drag.set_value(None);
            frozen.set(None);
            gesture(state, false);
        }
    };

    // The slider's value, its most and its words: for an edge its pixels; for a corner its
    // horizontal side's (both are said); for the picture, its distance from the left.
    let now = move || match grip {
        Grip::Edge(side) => px(side),
        Grip::Corner(_, h) => px(h),
        Grip::Picture => px(Side::Left),
    };
    let max = move || match grip {
        Grip::Edge(side) | Grip::Corner(_, side) => base(side) * 2,
        Grip::Picture => px(Side::Left) + px(Side::Right),
    };
    let strings = crate::i18n::strings();
    let text = move || {
        let said = |side: Side| strings.fill(side_words(side), &[px(side).to_string()]);
        match grip {
            Grip::Edge(side) => said(side),
            Grip::Corner(v, h) => format!("{}, {}", said(v), said(h)),
            Grip::Picture => strings.fill(
                en::PLACED_AT,
                &[px(Side::Left).to_string(), px(Side::Up).to_string()],
            ),
        }
    };
    let placed = move || {
        if grip != Grip::Picture {
            return None;
        }
        let (c, s) = state.canvas.get().zip(state.size.get())?;
        Some(placement_style(&c, s))
    };
    view! {
        <div
            class=grip.class()
            role="slider"
            tabindex="0"
            aria-label=crate::i18n::t(grip.label())
            aria-valuemin="0"
            aria-valuemax=move || max().to_string()
            aria-valuenow=move || now().to_string()
            aria-valuetext=text
            // Through the CSSOM (see canvas_preview), which a strict CSP allows.
            prop:style=move || placed().unwrap_or_default()
            on:keydown=on_key
            on:pointerdown=on_down
            on:pointermove=on_move
            on:lostpointercapture=on_end
        ></div>
    }
}

fn side_words(side: Side) -> &'static str {
    match side {
        Side::Up => en::ADDED_TOP,
        Side::Down => en::ADDED_BOTTOM,
        Side::Left => en::ADDED_LEFT,
        Side::Right => en::ADDED_RIGHT,
    }
}

/// Where the original sits in the canvas, as CSS percentages.
pub fn placement_style(c: &Canvas, size: Size) -> String {
    let percent =
        |part: u32, whole: u32| fixed(f64::from(part) * 100.0 / f64::from(whole.max(1)), 3);
    format!(
        "left: {}%; top: {}%; width: {}%; height: {}%",
        percent(c.left_px, c.width),
        percent(c.top_px, c.height),
        percent(size.width, c.width),
        percent(size.height, c.height)
    )
}
