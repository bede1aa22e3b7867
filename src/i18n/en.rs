//! Every string the widget shows, in English: the one table. A locale pack (`locales/*.json`)
//! maps these same strings to its own; `{0}`, `{1}`… are filled in order of the arguments
//! and may move within a translation. (`scripts/check-locales.mjs` checks that every pack has
//! every string of this file and the core's sentences.)

// ── the picture ──
pub const IMAGE: &str = "Image";
pub const PICKER_HINT: &str =
    "PNG or JPEG, at least 300 px a side, up to 10 MB. Drop or paste one anywhere here, or give its address.";
pub const FACTS: &str = "{0} · {1} × {2} px";
pub const IMAGE_URL: &str = "Image URL";
pub const LOAD: &str = "Load";
pub const LOADING_PICTURE: &str = "Loading the picture…";
pub const CHOOSE_OR_DROP: &str = "Choose a picture to frame it, or drop one here.";
pub const YOUR_PICTURE_IN_PLACE: &str = "Your picture, in place on the new canvas";
pub const OUTPUT_SIZE: &str = "Output: {0} × {1} px";
pub const NO_OUTPUT: &str = "No output: this framing cannot be sent (see the note).";
pub const NEW_AREA: &str = "new area";
pub const YOUR_PICTURE: &str = "your picture";
pub const BEFORE_SENDING: &str = "Before sending";
pub const UNDO: &str = "Undo";
pub const MEGABYTES: &str = "{0} MB";
pub const KILOBYTES: &str = "{0} KB";
pub const PREPARING: &str = "Wait a moment: the picture is being prepared for sending.";

// ── framing ──
pub const ASPECT_RATIO: &str = "Aspect ratio";
pub const ORIGINAL: &str = "Original";
pub const CUSTOM: &str = "Custom";
pub const WIDTH_SHORT: &str = "W";
pub const HEIGHT_SHORT: &str = "H";
pub const FREE: &str = "Free";
pub const FREE_HINT: &str = " — the sides are set by hand. Choose a shape to go back.";
pub const CANVAS_AREA: &str = "Canvas area";
pub const SMALLEST_CANVAS: &str = "the smallest {0} canvas";
pub const USE_INSTEAD: &str = "Use {0} instead";
pub const ANCHOR: &str = "Anchor";
pub const TOP_LEFT: &str = "Top left";
pub const TOP_CENTRE: &str = "Top centre";
pub const TOP_RIGHT: &str = "Top right";
pub const CENTRE_LEFT: &str = "Centre left";
pub const CENTRE: &str = "Centre";
pub const CENTRE_RIGHT: &str = "Centre right";
pub const BOTTOM_LEFT: &str = "Bottom left";
pub const BOTTOM_CENTRE: &str = "Bottom centre";
pub const BOTTOM_RIGHT: &str = "Bottom right";
pub const EXPANSION_PER_SIDE: &str = "Expansion per side";
pub const TOP: &str = "Top";
pub const BOTTOM: &str = "Bottom";
pub const LEFT: &str = "Left";
pub const RIGHT: &str = "Right";
pub const SIDES_HINT: &str = "Pixels added on each side. Typing a value sets that side by hand.";
pub const PX_RATIO_HEIGHT: &str = "px · {0}× height";
pub const PX_RATIO_WIDTH: &str = "px · {0}× width";
pub const FRAMING_HISTORY: &str = "Framing history";
pub const UNDO_FRAMING: &str = "Undo framing";
pub const REDO_FRAMING: &str = "Redo framing";
pub const RESET_FRAMING: &str = "Reset framing";
pub const CAP_AREA: &str =
    "At most {0} px: the canvas may be at most 3× the picture's area. Reduce another side to go further.";
pub const CAP_SIDE_HEIGHT: &str =
    "At most {0} px: one side may add at most 2× the picture's height.";
pub const CAP_SIDE_WIDTH: &str = "At most {0} px: one side may add at most 2× the picture's width.";
pub const ENTER_WHOLE_PIXELS_OR_MORE: &str = "Enter a whole number of pixels, 0 or more.";
pub const ENTER_PIXELS: &str = "Enter a number of pixels.";
pub const SIDE_NEGATIVE: &str =
    "A side cannot be negative: that would cut into the picture. Enter 0 or more.";
pub const ENTER_WHOLE_PIXELS: &str = "Enter whole pixels.";
pub const SHAPE_SIDE: &str = "W and H must be numbers above 0, such as 16 and 9.";

// ── the handles on the preview ──
pub const PICTURE_POSITION: &str = "Picture position";
pub const TOP_EDGE: &str = "Top edge";
pub const BOTTOM_EDGE: &str = "Bottom edge";
pub const LEFT_EDGE: &str = "Left edge";
pub const RIGHT_EDGE: &str = "Right edge";
pub const TOP_LEFT_CORNER: &str = "Top left corner";
pub const TOP_RIGHT_CORNER: &str = "Top right corner";
pub const BOTTOM_LEFT_CORNER: &str = "Bottom left corner";
pub const BOTTOM_RIGHT_CORNER: &str = "Bottom right corner";
pub const ADDED_TOP: &str = "{0} px added at the top";
pub const ADDED_BOTTOM: &str = "{0} px added at the bottom";
pub const ADDED_LEFT: &str = "{0} px added on the left";
pub const ADDED_RIGHT: &str = "{0} px added on the right";
pub const PLACED_AT: &str = "{0} px from the left, {1} px from the top";

// ── the request ──
pub const REQUEST: &str = "Request";
pub const PROMPT: &str = "Prompt";
pub const PROMPT_PLACEHOLDER: &str = "Optional: what the new area should show";
pub const IMAGES: &str = "Images";
pub const WATERMARK: &str = "Watermark";
pub const EXPAND: &str = "Expand";
pub const CANCEL: &str = "Cancel";
pub const CHOOSE_FIRST: &str = "Choose, drop or paste a picture first.";
pub const FRAMING_REFUSED: &str = "The framing cannot be sent as chosen (see above).";
pub const NO_GROWTH: &str =
    "The canvas is the picture's own size: widen the frame on at least one side.";

// ── progress ──
pub const SENDING: &str = "Sending the picture…";
pub const FINDING: &str = "Checking whether the provider made the task…";
pub const SUBMITTED: &str = "Submitted, waiting to start…";
pub const PROCESSING: &str = "Processing…";
pub const DONE_ONE: &str = "Done in {0}: {1} picture.";
pub const DONE_MANY: &str = "Done in {0}: {1} pictures.";
pub const STOPPED_WATCHING: &str =
    "Stopped watching. The task may still finish at the provider and be billed: Check again in Results.";
pub const SECONDS: &str = "{0} s";
pub const MINUTES_SECONDS: &str = "{0} min {1} s";
pub const RETRY: &str = "Retry";

// ── results ──
pub const RESULTS: &str = "Results";
pub const NOT_FINISHED: &str = "Not finished";
pub const RESULT_N: &str = "Result {0}";
pub const RESULT_N_LARGER: &str = "Result {0}, larger";
pub const VIEW_LARGER: &str = "View larger";
pub const RESULT_GONE: &str =
    "{0} could not be loaded: its link no longer answers. Results are kept for 30 days.";
pub const CAPTION: &str = "{0} · {1}";
pub const GENERATION_CAPTION: &str = "{0} · {1} × {2} px · {3}";
pub const DOWNLOAD: &str = "Download";
pub const COPY_LINK: &str = "Copy link";
pub const EXPAND_AGAIN: &str = "Expand again";
pub const UNFINISHED: &str =
    "{0}: not finished. It may still finish at the provider, and be billed. ";
pub const CHECK_AGAIN: &str = "Check again";
pub const LINKS_EXPIRE: &str =
    "Result links expire after 30 days: download the pictures you want to keep.";
pub const PREVIOUS: &str = "Previous";
pub const NEXT: &str = "Next";
pub const N_OF_TOTAL: &str = "{0} of {1}";
pub const BEFORE_AFTER: &str = "Before/after";
pub const CLOSE: &str = "Close";
pub const NOT_SAVED: &str = "Result {0} could not be saved ({1}).";
pub const LINK_COPIED: &str = "Link to result {0} copied.";
pub const NOT_COPIED: &str = "Could not copy the link ({0}); it is: {1}";
pub const NOW_THE_PICTURE: &str = "Result {0} is now the picture to expand.";
pub const NOT_TAKEN: &str = "Could not take the result";
pub const NOT_DOWNLOADED: &str =
    "Result {0} could not be downloaded ({1}). Save it and choose it as a file instead.";

// ── the page's author ──
pub const WIDGET_CONFIGURATION: &str = "Widget configuration";
