//! "Anchor": the nine places the picture can be snapped to in its frame, in a 3×3 grid. A leaf:
//! `value` is the anchor the picture is at (none when it was dragged in between).
//!
//! The arrow keys move across the grid as it looks (Up from "Centre left" goes to "Top left"),
//! not in the radios' reading order as a browser's radio group would.

use crate::i18n::{en, t};
use kling_expand_core::geometry::Anchor;
use leptos::prelude::*;
use web_sys::KeyboardEvent;

use crate::browser;
use crate::model::framing::anchor_label;

/// The cell an arrow key moves to from cell `from` (reading order), if the key is an arrow.
pub fn grid_step(from: usize, key: &str) -> Option<usize> {
    let (row, column) = (from / 3, from % 3);
    let (row, column) = match key {
        "ArrowUp" => (row.checked_sub(1)?, column),
        "ArrowDown" => (row + 1, column),
        "ArrowLeft" => (row, column.checked_sub(1)?),
        "ArrowRight" => (row, column + 1),
        _ => return None,
    };
    (row < 3 && column < 3).then_some(row * 3 + column)
}

#[component]
pub fn AnchorPicker(
    /// The radio group's name (and the prefix of each radio's id), unique on the page.
    name: String,
    value: impl Fn() -> Option<Anchor> + Copy + Send + Sync + 'static,
    on_change: impl Fn(Anchor) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let cells = Anchor::ALL
        .into_iter()
        .enumerate()
        .map(|(i, anchor)| {
            let prefix = name.clone();
            let on_key = move |ev: KeyboardEvent| {
                let Some(to) = grid_step(i, &ev.key()) else {
                    // At the grid's edge an arrow does nothing (the browser would wrap).
                    if ev.key().starts_with("Arrow") {
                        ev.prevent_default();
                    }
                    return;
                };
                ev.prevent_default();
                on_change(Anchor::ALL[to]);
                browser::focus_now(&format!("{prefix}-{to}"));
            };
            view! {
                <label class="ke-anchor-cell" title=t(anchor_label(anchor))>
                    <input
                        type="radio"
                        id=format!("{name}-{i}")
                        name=name.clone()
                        value=anchor.as_str()
                        aria-label=t(anchor_label(anchor))
                        prop:checked=move || value() == Some(anchor)
                        on:change=move |_| on_change(anchor)
                        on:keydown=on_key
                    />
                    <span aria-hidden="true"></span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="ke-anchor" role="radiogroup">
            <legend>{t(en::ANCHOR)}</legend>
            <div class="ke-anchor-grid">{cells}</div>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_follow_the_grid_not_the_reading_order() {
        // 3 is "Centre left": Up is "Top left" (0), not "Top right" (2).
        assert_eq!(grid_step(3, "ArrowUp"), Some(0));
        assert_eq!(grid_step(3, "ArrowDown"), Some(6));
        assert_eq!(grid_step(3, "ArrowRight"), Some(4));
        assert_eq!(grid_step(3, "ArrowLeft"), None);
        assert_eq!(grid_step(8, "ArrowDown"), None);
        assert_eq!(grid_step(2, "ArrowRight"), None);
        assert_eq!(grid_step(4, "Enter"), None);
    }
}
