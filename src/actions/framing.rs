//! The person changes the framing: every control and handle goes through here.

use leptos::prelude::*;

use crate::model::framing::Edit;
use crate::state::WidgetState;

/// Applies one edit to the widget's framing, against the current picture's size.
pub fn edit_framing(state: WidgetState, edit: Edit) {
    let size = state.picture.with_untracked(|p| p.as_ref().map(|p| p.size));
    state.framing.update(|f| f.apply(size, edit));
}
