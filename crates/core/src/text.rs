//! Small number-formatting helpers shared by the user-facing messages.

/// `value` with at most `decimals` decimals, trailing zeros removed: `16`, `1.78`, `2.5`.
pub(crate) fn decimal(value: f64, decimals: usize) -> String {
    let mut text = format!("{value:.decimals$}");
    if text.contains('.') {
        while text.ends_with('0') {
            text.pop();
        }
        if text.ends_with('.') {
            text.pop();
        }
    }
    if text == "-0" {
        text.remove(0);
    }
    text
}

/// A ratio for messages: up to 4 decimals (the wire precision), trailing zeros removed.
pub(crate) fn ratio(value: f64) -> String {
    decimal(value, 4)
}

/// A count with thousands separators: `2,613`.
pub(crate) fn count(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A byte count in MB (1 MB = 1024 × 1024 bytes, as the 10 MB limit is read), 1 decimal.
pub(crate) fn megabytes(bytes: u64) -> String {
    decimal(bytes as f64 / (1024.0 * 1024.0), 1)
}

/// The first letter in upper case (ASCII only: used on this crate's own words, and Unicode
/// case tables would weigh on the wasm).
pub(crate) fn capitalised(word: &str) -> String {
    let mut out = word.to_owned();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(decimal(16.0, 2), "16");
        assert_eq!(decimal(1.777_7, 2), "1.78");
        assert_eq!(decimal(-0.000_01, 2), "0");
        assert_eq!(ratio(0.65), "0.65");
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(2613), "2,613");
        assert_eq!(count(10_485_760), "10,485,760");
        assert_eq!(megabytes(13_002_342), "12.4");
        assert_eq!(capitalised("left"), "Left");
    }
}
