//! Number formatting for people and for the wire, without `core::fmt`'s float machinery
//! (which would add about 15 KB to the widget's wasm for a handful of calls).

/// The exact binary value of `value`, correctly rounded to `decimals` decimals (at most 9)
/// with ties to even: the same digits as Rust's `format!("{value:.decimals$}")` and Python's
/// `f"{value:.{decimals}f}"`, including the sign of a negative value that rounds to zero.
/// Values of 2^60 or more, and non-finite values, are outside what this crate formats and
/// come out as `"∞"` / `"NaN"`.
pub fn fixed(value: f64, decimals: u32) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    let decimals = decimals.min(9);
    let negative = value.is_sign_negative();
    let magnitude = value.abs();
    if magnitude >= (1u64 << 60) as f64 {
        return if negative {
            "-∞".to_owned()
        } else {
            "∞".to_owned()
        };
    }
    let bits = magnitude.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    // magnitude = mantissa × 2^power, exactly.
    let (mantissa, power) = if exponent == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), exponent - 1075)
    };
    let scale = 10u128.pow(decimals);
    let scaled = u128::from(mantissa) * scale;
    let units = if power >= 0 {
        scaled << power
    } else {
        let shift = power.unsigned_abs();
        if shift >= 128 {
            0
        } else {
            let whole = scaled >> shift;
            let rest = scaled - (whole << shift);
            let half = 1u128 << (shift - 1);
            if rest > half || (rest == half && whole & 1 == 1) {
                whole + 1
            } else {
                whole
            }
        }
    };
    let mut text = String::new();
    if negative {
        text.push('-');
    }
    // Both parts fit in u64 (the whole part is below 2^60, the decimals below 10^9), whose
    // formatting the wasm has anyway; u128's would add about 1 KB of its own.
    text.push_str(&((units / scale) as u64).to_string());
    if decimals > 0 {
        let digits = ((units % scale) as u64).to_string();
        text.push('.');
        for _ in digits.len()..decimals as usize {
            text.push('0');
        }
        text.push_str(&digits);
    }
    text
}

/// `value` with at most `decimals` decimals, trailing zeros removed: `16`, `1.78`, `2.5`.
pub(crate) fn decimal(value: f64, decimals: usize) -> String {
    let mut text = fixed(value, decimals as u32);
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

/// A sentence for people, kept as its parts so that it can be said in another language: each
/// part an English template — which is also the part's key in a locale pack — with `{0}`…`{9}`
/// where its arguments go. `Display` gives the English sentence.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sentence(pub Vec<(&'static str, Vec<String>)>);

impl Sentence {
    /// A sentence of one part.
    pub fn new(template: &'static str, args: Vec<String>) -> Self {
        Sentence(vec![(template, args)])
    }

    /// This sentence followed by another part.
    pub fn and(mut self, template: &'static str, args: Vec<String>) -> Self {
        self.0.push((template, args));
        self
    }

    /// The sentence with each template first passed through `translate`.
    pub fn render(&self, translate: impl Fn(&'static str) -> Option<String>) -> String {
        let mut out = String::new();
        for (template, args) in &self.0 {
            match translate(template) {
                Some(own) => out.push_str(&fill(&own, args)),
                None => out.push_str(&fill(template, args)),
            }
        }
        out
    }
}

impl core::fmt::Display for Sentence {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.render(|_| None))
    }
}

/// `template` with `{0}`…`{9}` replaced by `args` (a placeholder without an argument stays as
/// it is; any other brace is kept).
pub fn fill(template: &str, args: &[String]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let bytes = after.as_bytes();
        let arg = (bytes.len() >= 3 && bytes[2] == b'}' && bytes[1].is_ascii_digit())
            .then(|| usize::from(bytes[1] - b'0'))
            .and_then(|i| args.get(i));
        match arg {
            Some(value) => {
                out.push_str(value);
                rest = &after[3..];
            }
            None => {
                out.push('{');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `text` split around the first `marker`, which must begin and end with an ASCII character
/// (so that both halves end on character boundaries). A plain byte search, as `str::split_once`
/// with a `&str` pattern would add core's two-way searcher to the widget's wasm (2 KB raw) for a
/// few short texts.
pub fn split_around<'a>(text: &'a str, marker: &str) -> Option<(&'a str, &'a str)> {
    debug_assert!(
        marker.starts_with(|c: char| c.is_ascii()) && marker.ends_with(|c: char| c.is_ascii())
    );
    let at = text
        .as_bytes()
        .windows(marker.len())
        .position(|window| window == marker.as_bytes())?;
    Some((&text[..at], &text[at + marker.len()..]))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    #[test]
    fn split_around_finds_the_first_marker_only() {
        use super::split_around;
        assert_eq!(
            split_around("a\"k\":1,\"k\":2", "\"k\":"),
            Some(("a", "1,\"k\":2"))
        );
        assert_eq!(split_around("é\"k\":ü", "\"k\":"), Some(("é", "ü")));
        assert_eq!(split_around("abc", "\"k\":"), None);
        assert_eq!(split_around("", "\"k\":"), None);
    }

    proptest! {
        #[test]
        fn fixed_prints_the_digits_core_fmt_prints(
            value in prop_oneof![
                -1.0e6f64..1.0e6,
                -3.0f64..3.0,
                (0u32..100_000).prop_map(|n| f64::from(n) / 10_000.0),
                (0u32..1_000).prop_map(|n| f64::from(n) / 8.0),
            ],
            decimals in 0u32..7,
        ) {
            prop_assert_eq!(fixed(value, decimals), format!("{value:.*}", decimals as usize));
        }
    }

    #[test]
    fn fixed_rounds_exact_ties_to_even_and_keeps_a_negative_zero_sign() {
        assert_eq!(fixed(0.125, 2), "0.12");
        assert_eq!(fixed(0.375, 2), "0.38");
        assert_eq!(fixed(2.5, 0), "2");
        assert_eq!(fixed(0.00005, 4), "0.0001");
        assert_eq!(fixed(-0.00001, 4), "-0.0000");
        assert_eq!(fixed(1e-300, 3), "0.000");
        assert_eq!(fixed(0.6547, 4), "0.6547");
        assert_eq!(fixed(123456.5, 0), "123456");
    }

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

    #[test]
    fn fills_placeholders_in_any_order() {
        let args = ["a".to_owned(), "b".to_owned()];
        assert_eq!(
            fill("{1} then {0}, {2} and {x}", &args),
            "b then a, {2} and {x}"
        );
        let sentence = Sentence::new("One {0}.", vec!["x".into()]).and(" Two.", vec![]);
        assert_eq!(sentence.to_string(), "One x. Two.");
        let own = |t: &str| (t == " Two.").then(|| " 二。".to_owned());
        assert_eq!(sentence.render(own), "One x. 二。");
    }
}
