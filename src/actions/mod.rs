//! What the widget does when the person acts: load a picture, expand it. These join the pure
//! core to the browser shell and write the results into the widget's state.

pub mod api;
pub mod expand;
pub mod framing;
pub mod host;
pub mod load_picture;
pub mod persist;
pub mod results;
