//! What a drop or a paste carries: a file, or failing that an http(s) address (a picture
//! dragged from another page, a copied link).

use web_sys::{DataTransfer, File};

/// The picture a drop or paste brings in.
pub enum Carried {
    File(File),
    Address(String),
}

/// True when the drag carries files or a link, so the widget should accept the drop.
pub fn offers_picture(transfer: &DataTransfer) -> bool {
    transfer.types().iter().any(|kind| {
        kind.as_string()
            .is_some_and(|k| k == "Files" || k == "text/uri-list")
    })
}

/// The first file; else the first http(s) address in the link list or the plain text.
pub fn carried(transfer: &DataTransfer) -> Option<Carried> {
    if let Some(file) = transfer.files().and_then(|files| files.get(0)) {
        return Some(Carried::File(file));
    }
    ["text/uri-list", "text/plain"].iter().find_map(|kind| {
        let text = transfer.get_data(kind).ok()?;
        // A uri-list has one address a line; lines starting with '#' are comments.
        let first = text
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty() && !line.starts_with('#'))?;
        let starts = |p: &str| {
            first
                .get(..p.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(p))
        };
        let web = starts("http://") || starts("https://");
        (web && !first.contains(char::is_whitespace)).then(|| Carried::Address(first.to_owned()))
    })
}
