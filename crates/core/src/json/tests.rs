//! The core's JSON against serde_json as the oracle: the same documents accepted and refused,
//! the same values read, the same text written.

use proptest::prelude::*;

use super::*;

type Oracle = serde_json::Value;

fn oracle(text: &str) -> Option<Oracle> {
    serde_json::from_str(text).ok()
}

/// Whether `ours` holds what `theirs` holds. Numbers: the same integer readings and the same
/// double (to the bit when `exact`, else within 2 ulps).
fn same(ours: &Value, theirs: &Oracle, exact: bool) -> bool {
    match (ours, theirs) {
        (Value::Null, Oracle::Null) => true,
        (Value::Bool(a), Oracle::Bool(b)) => a == b,
        (Value::String(a), Oracle::String(b)) => a == b,
        (Value::Number(a), Oracle::Number(b)) => {
            let (x, y) = (a.as_f64(), b.as_f64().unwrap());
            let close = if exact {
                x.to_bits() == y.to_bits()
            } else {
                x == y || (x.to_bits() as i64 - y.to_bits() as i64).abs() <= 2
            };
            a.as_i64() == b.as_i64() && a.as_u64() == b.as_u64() && close
        }
        (Value::Array(a), Oracle::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y, exact))
        }
        (Value::Object(a), Oracle::Object(b)) => {
            a.iter().all(|(k, _)| b.contains_key(k))
                && b.iter()
                    .all(|(k, y)| a.get(k).is_some_and(|x| same(x, y, exact)))
        }
        _ => false,
    }
}

/// Accepted by both with the same value, or refused by both. (serde_json's own reading of a
/// decimal is not always the nearest double: doubles are compared within 2 ulps here, and to
/// the bit against the standard library's correctly rounded reading below.)
fn agrees(text: &str) {
    let ours = Value::parse(text);
    match (&ours, oracle(text)) {
        (Ok(value), Some(theirs)) => {
            assert!(
                same(value, &theirs, false),
                "{text:?}: {value:?} vs {theirs:?}"
            )
        }
        (Err(_), None) => {}
        (ours, theirs) => panic!("{text:?}: ours {ours:?}, serde_json {theirs:?}"),
    }
}

#[test]
fn odd_documents_are_taken_and_refused_as_serde_json_does() {
    for text in [
        // Whitespace, empties, trailing text.
        "",
        " ",
        "\t\n\r null \n",
        "{}",
        "[]",
        " [ ] ",
        "{ }",
        "{} x",
        "[] []",
        "nul",
        "nulls",
        "tru",
        "True",
        "\u{feff}{}",
        "\u{a0}1",
        "\x0c1",
        // Commas, colons, keys.
        "[1,]",
        "[,1]",
        "[1 2]",
        "{\"a\":1,}",
        "{,}",
        "{\"a\" 1}",
        "{\"a\":}",
        "{a:1}",
        "{1:1}",
        "{\"a\":1 \"b\":2}",
        "{\"a\":1,\"a\":2}",
        "{\"b\":1,\"a\":[{\"c\":null}]}",
        "[1,[2,[3,{\"x\":[]}]]]",
        // Numbers.
        "0",
        "-0",
        "-0.0",
        "01",
        "-01",
        "1.",
        ".5",
        "-",
        "+1",
        "1e",
        "1e+",
        "1E5",
        "1e-5",
        "1.5e+3",
        "-1.25E-2",
        "0.1495",
        "2.0000",
        "NaN",
        "Infinity",
        "-Infinity",
        "0x10",
        "1_000",
        "9007199254740993",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
        "18446744073709551616",
        "123456789012345678901234567890",
        "1e308",
        "1.7976931348623157e308",
        "1.7976931348623159e308",
        "1e309",
        "1e400",
        "-1e400",
        "1e-400",
        "5e-324",
        "2e-324",
        "4.9406564584124654e-324",
        "2.2250738585072014e-308",
        "1e999999999999999999999",
        "1e-999999999999999999999",
        "0e999999",
        "0.30000000000000004",
        "1.0000000000000002",
        "123.456e-7",
        "0.000000000000000000000000000001",
        // Strings and escapes.
        "\"\"",
        "\"a\\\"b\"",
        "\"\\\\\"",
        "\"\\/\"",
        "\"\\b\\f\\n\\r\\t\"",
        "\"\\u00e9\"",
        "\"\\u00E9\"",
        "\"\\u0000\"",
        "\"\\ud83d\\ude00\"",
        "\"\\uD83D\\uDE00\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "\"\\ud800x\"",
        "\"\\ud800\\\"",
        "\"\\ud800\\ud800\"",
        "\"\\u12\"",
        "\"\\u12g4\"",
        "\"\\x41\"",
        "\"\\a\"",
        "\"\\\"",
        "\"abc",
        "\"\t\"",
        "\"\n\"",
        "\"\u{1f}\"",
        "\"\u{7f}\"",
        "\"é😀\"",
        "\"\\u002\"",
        "\"a\\",
        "'a'",
    ] {
        agrees(text);
    }
}

#[test]
fn odd_numbers_read_as_the_nearest_double() {
    for text in [
        "0",
        "-0",
        "-0.0",
        "1E5",
        "1e-5",
        "1.5e+3",
        "-1.25E-2",
        "0.1495",
        "2.0000",
        "9007199254740993",
        "-9223372036854775809",
        "18446744073709551616",
        "123456789012345678901234567890",
        "1e308",
        "1.7976931348623157e308",
        "5e-324",
        "2e-324",
        "4.9406564584124654e-324",
        "2.2250738585072014e-308",
        "0.30000000000000004",
        "1.0000000000000002",
        "123.456e-7",
        "1e-30",
        "1e23",
        "8.98846567431158e307",
        "0.000000000000000000000000000001",
        "1e-1000",
        "0e999999",
        "1e22",
        "9999999999999999e22",
    ] {
        let ours = parse_f64(text);
        let exact: f64 = text.parse().unwrap();
        assert_eq!(
            ours.to_bits(),
            exact.to_bits(),
            "{text}: {ours:e} vs {exact:e}"
        );
    }
    // Where the normal range ends, rounded twice: the last digit may differ.
    let edge = parse_f64("2.2250738585072011e-308");
    let exact: f64 = "2.2250738585072011e-308".parse().unwrap();
    assert!((edge.to_bits() as i64 - exact.to_bits() as i64).abs() <= 1);
}

#[test]
fn nesting_stops_where_serde_json_stops() {
    for depth in [
        1,
        2,
        100,
        MAX_DEPTH - 1,
        MAX_DEPTH,
        MAX_DEPTH + 1,
        MAX_DEPTH + 2,
        1000,
    ] {
        let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        let mixed = format!(
            "{}{}",
            "[{\"a\":".repeat(depth / 2 + 1),
            "}]".repeat(depth / 2 + 1)
        );
        assert_eq!(Value::parse(&arrays).is_ok(), depth <= MAX_DEPTH, "{depth}");
        assert_eq!(
            Value::parse(&objects).is_ok(),
            depth <= MAX_DEPTH,
            "{depth}"
        );
        for text in [arrays, objects, mixed] {
            agrees(&text);
        }
    }
    // Unclosed, very deep: refused at the limit, without reading further.
    let err = Value::parse(&"[".repeat(100_000)).unwrap_err();
    assert_eq!((err.kind, err.offset), (ErrorKind::TooDeep, MAX_DEPTH));
}

#[test]
fn numbers_keep_their_text_and_read_as_serde_json_reads_them() {
    let read = |text: &str| Value::parse(text).unwrap();
    assert_eq!(
        read("123456789012345678901234567890")
            .as_number()
            .unwrap()
            .as_str(),
        "123456789012345678901234567890",
        "a long numeric id keeps its digits"
    );
    assert_eq!(read("9223372036854775807").as_i64(), Some(i64::MAX));
    assert_eq!(read("18446744073709551615").as_u64(), Some(u64::MAX));
    assert_eq!(read("-5").as_u64(), None);
    assert_eq!(
        read("5.0").as_i64(),
        None,
        "written as a double, as serde_json reads it"
    );
    assert_eq!(read("-0").as_i64(), None, "serde_json reads -0 as a double");
    assert_eq!(read("1E2").as_f64(), Some(100.0));
    assert_eq!(read("1E2").to_string(), "1E2", "written back as it came");
}

#[test]
fn big_numbers_are_refused_only_past_a_double() {
    assert_eq!(
        Value::parse("1e400").unwrap_err().kind,
        ErrorKind::NumberOutOfRange
    );
    assert_eq!(
        Value::parse(&format!("[{}]", "9".repeat(400)))
            .unwrap_err()
            .offset,
        1
    );
    assert_eq!(Value::parse("1e-400").unwrap().as_f64(), Some(0.0));
    assert_eq!(
        Value::parse(&"9".repeat(300)).unwrap().as_f64(),
        Some(1e300)
    );
}

#[test]
fn ratios_written_with_four_decimals_read_back_equal() {
    for k in 0..=30_000u32 {
        let exact = f64::from(k) / 1e4;
        let text = format!("{}.{:04}", k / 10_000, k % 10_000);
        assert_eq!(parse_f64(&text), exact, "{text}");
        assert_eq!(Value::from(exact).as_f64(), Some(exact), "{text}");
        assert_eq!(
            Value::parse(&Value::from(exact).to_string())
                .unwrap()
                .as_f64(),
            Some(exact)
        );
    }
    assert_eq!(Value::from(0.1495).to_string(), "0.1495");
    assert_eq!(Value::from(2.0).to_string(), "2.0");
}

#[test]
fn strings_are_written_as_serde_json_writes_them() {
    let all: String = (0u32..0x80)
        .filter_map(char::from_u32)
        .chain("é😀\u{2028}".chars())
        .collect();
    for text in [all.as_str(), "", "plain", "a\"b\\c/d", "\u{0}\u{1f}\u{7f}"] {
        assert_eq!(
            Value::from(text).to_string(),
            serde_json::to_string(text).unwrap(),
            "{text:?}"
        );
    }
}

#[test]
fn objects_keep_their_order_and_the_last_repeated_key() {
    let text = r#"{"b":1,"a":2,"b":3}"#;
    let mut value = Value::parse(text).unwrap();
    assert_eq!(value.to_string(), text, "written as it came");
    assert_eq!(
        value["b"].as_i64(),
        Some(3),
        "the last value counts, as with serde_json"
    );
    assert_eq!(
        serde_json::from_str::<Oracle>(&value.to_string()).unwrap(),
        oracle(text).unwrap()
    );
    if let Value::Object(map) = &mut value {
        assert_eq!(map.remove("b"), Some(Value::from(3u32)));
        assert_eq!(map.get("b"), None);
    }
    assert_eq!(value.to_string(), r#"{"a":2}"#);
    // Many members, repeated or not: read in linear time.
    let many = format!(
        "{{{}\"k0\":true}}",
        (0..200_000)
            .map(|i| format!("\"k{i}\":{i},"))
            .collect::<String>()
    );
    let read = Value::parse(&many).unwrap();
    assert_eq!(read["k0"], Value::Bool(true));
    assert_eq!(read["k199999"].as_u64(), Some(199_999));
    assert!(value["missing"]["deeper"].is_null());
    assert!(Value::from(1u32)["a"].is_null());
    let mut map: Map = [("x", Value::from(1u32)), ("y", Value::Null)]
        .into_iter()
        .collect();
    assert_eq!(map.remove("x"), Some(Value::from(1u32)));
    assert_eq!(Value::from(map).to_string(), r#"{"y":null}"#);
    assert_eq!(Value::from(f64::NAN), Value::Null);
    assert_eq!(Value::from(Some("s")).to_string(), "\"s\"");
    assert_eq!(Value::from(None::<u32>).to_string(), "null");
}

#[test]
fn errors_say_what_and_where() {
    let err = Value::parse("{\"a\": [1, 2,]}").unwrap_err();
    assert_eq!((err.kind, err.offset), (ErrorKind::ExpectedValue, 12));
    assert_eq!(err.to_string(), "not JSON: a value was expected at byte 12");
    assert_eq!(
        Value::parse("\"\\ud800\"").unwrap_err().kind,
        ErrorKind::LoneSurrogate
    );
    assert_eq!(
        Value::parse("[1").unwrap_err().kind,
        ErrorKind::UnexpectedEnd
    );
    assert_eq!(
        Value::parse("01").unwrap_err().kind,
        ErrorKind::InvalidNumber
    );
    assert_eq!(
        Value::parse("1 2").unwrap_err().kind,
        ErrorKind::TrailingCharacters
    );
}

/// Arbitrary JSON, strings with any characters (escapes, controls, astral planes).
fn oracle_value() -> impl Strategy<Value = Oracle> {
    let leaf = prop_oneof![
        Just(Oracle::Null),
        any::<bool>().prop_map(Oracle::Bool),
        any::<i64>().prop_map(Oracle::from),
        any::<u64>().prop_map(Oracle::from),
        any::<f64>().prop_map(Oracle::from),
        (0u32..100_000).prop_map(|k| Oracle::from(f64::from(k) / 1e4)),
        any::<String>().prop_map(Oracle::String),
        "[\\\\\"\u{0}-\u{1f}a\u{7f}é😀]{0,6}".prop_map(Oracle::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Oracle::Array),
            prop::collection::vec((any::<String>(), inner), 0..5)
                .prop_map(|members| Oracle::Object(members.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// serde_json's text reads as the same value, exactly (floats included), and is written
    /// back byte for byte (serde_json's keys come sorted, and this writer keeps their order).
    #[test]
    fn serde_json_text_reads_exactly_and_writes_back_the_same(value in oracle_value()) {
        let text = serde_json::to_string(&value).unwrap();
        let ours = Value::parse(&text).unwrap();
        prop_assert!(same(&ours, &value, true), "{}", text);
        prop_assert_eq!(ours.to_string(), text);
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        prop_assert_eq!(Value::parse(&pretty).unwrap(), ours);
    }

    /// Every double written by this writer reads back to the bit.
    #[test]
    fn every_double_reads_back_exactly(bits in any::<u64>()) {
        let x = f64::from_bits(bits);
        prop_assume!(x.is_finite());
        let text = Value::from(x).to_string();
        prop_assert_eq!(&text, &serde_json::to_string(&x).unwrap());
        prop_assert_eq!(parse_f64(&text).to_bits(), x.to_bits(), "{}", text);
    }

    /// Any decimal literal (up to 25 digits, any exponent) is read within an ulp or two of the
    /// correctly rounded double, and accepted or refused as serde_json does.
    #[test]
    fn any_decimal_is_within_a_last_digit(
        negative in any::<bool>(),
        digits in "[0-9]{1,25}",
        fraction in prop::option::of("[0-9]{1,12}"),
        exponent in prop::option::of(-340i32..320),
    ) {
        let int = digits.trim_start_matches('0');
        let int = if int.is_empty() { "0" } else { int };
        let mut text = format!("{}{int}", if negative { "-" } else { "" });
        if let Some(fraction) = fraction {
            text.push('.');
            text.push_str(&fraction);
        }
        if let Some(exponent) = exponent {
            text.push_str(&format!("e{exponent}"));
        }
        let ours = Value::parse(&text);
        match oracle(&text) {
            Some(theirs) => {
                let ours = ours.unwrap();
                prop_assert!(same(&ours, &theirs, false), "{}: {:?} vs {:?}", text, ours, theirs);
                let (x, exact) = (ours.as_f64().unwrap(), text.parse::<f64>().unwrap());
                prop_assert!(
                    (x.to_bits() as i64 - exact.to_bits() as i64).abs() <= 1,
                    "{}: {:e} vs {:e}", text, x, exact
                );
            }
            None => prop_assert!(ours.is_err(), "{}", text),
        }
    }

    /// Any text: accepted or refused as serde_json does, never a panic.
    #[test]
    fn any_text_is_judged_as_serde_json_judges_it(text in "[\\[\\]{}\",:0-9eE.+\\-a-z\\\\ ]{0,24}") {
        let ours = Value::parse(&text);
        match oracle(&text) {
            Some(theirs) => prop_assert!(same(&ours.unwrap(), &theirs, false), "{}", text),
            None => prop_assert!(ours.is_err(), "{}", text),
        }
    }
}
