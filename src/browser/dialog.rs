//! Opening and closing a `<dialog>` by its id (the browser keeps focus inside a modal one).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/browser/glue.js")]
extern "C" {
    /// Shows the dialog with this id as a modal, if it is not open yet.
    #[wasm_bindgen(js_name = show_modal)]
    pub fn show_modal(id: &str);
    /// Closes the dialog with this id (its `close` event follows).
    #[wasm_bindgen(js_name = close_dialog)]
    pub fn close(id: &str);
}
