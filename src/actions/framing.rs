//! The person changes the framing: every control and handle goes through here, and so do Undo,
//! Redo and Reset.

use leptos::prelude::*;

use crate::model::framing::Edit;
use crate::state::WidgetState;

/// Applies one edit to the widget's framing, against the current picture's size, and remembers
/// the framing it replaced for Undo (once per drag: see [`gesture`]).
pub fn edit_framing(state: WidgetState, edit: Edit) {
    let size = state.size.get_untracked();
    let before = state.framing.get_untracked();
    let mut after = before;
    after.apply(size, edit);
    if after == before {
        return;
    }
    if !state.gesture.get_value() {
        state.framing_history.update(|h| h.record(before));
    }
    state.framing.set(after);
}

/// A drag starts (`true`) or ends: its many moves are one step for Undo.
pub fn gesture(state: WidgetState, dragging: bool) {
    if dragging && !state.gesture.get_value() {
        let before = state.framing.get_untracked();
        state.framing_history.update(|h| h.record(before));
    }
    state.gesture.set_value(dragging);
}

/// Undo (`back`) or Redo of the framing.
pub fn undo_framing(state: WidgetState, back: bool) {
    let current = state.framing.get_untracked();
    let mut history = state.framing_history.get_untracked();
    let other = if back {
        history.undo(current)
    } else {
        history.redo(current)
    };
    if let Some(framing) = other {
        state.framing_history.set(history);
        state.framing.set(framing);
    }
}
