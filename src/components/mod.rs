//! The widget's parts, one per file, named after what the person sees.

mod anchor_picker;
mod area_slider;
mod aspect_picker;
pub mod canvas_handles;
mod canvas_preview;
mod error_alert;
mod expand_button;
mod fixup_list;
mod framing_note;
mod framing_panel;
mod image_picker;
mod image_url_field;
mod progress_status;
mod request_options;
mod result_viewer;
mod results_list;
mod side_field;

pub use anchor_picker::AnchorPicker;
pub use area_slider::AreaSlider;
pub use aspect_picker::AspectPicker;
pub use canvas_preview::CanvasPreview;
pub use error_alert::ErrorAlert;
pub use expand_button::ExpandButton;
pub use fixup_list::FixupList;
pub use framing_note::FramingNote;
pub use framing_panel::FramingPanel;
pub use image_picker::ImagePicker;
pub use image_url_field::ImageUrlField;
pub use progress_status::ProgressStatus;
pub use request_options::RequestOptions;
pub use result_viewer::{open_viewer, ResultViewer};
pub use results_list::ResultsList;
pub use side_field::SideField;
