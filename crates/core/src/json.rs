//! A small JSON value with its parser and writer, for the providers' answers, the create bodies
//! and the widget's saved state.
//!
//! The widget's wasm carries this instead of serde_json (10 KB brotli less, measured on the
//! release bundle: no `BTreeMap`, no serde visitors, no `io::Error` strings, no
//! decimal-to-float tables), and it reads and writes the same documents serde_json does (its
//! tests use serde_json as the oracle):
//! - The grammar is RFC 8259's, as strictly as serde_json reads it: no trailing commas, no
//!   leading zeros, no lone surrogates, no raw control characters in strings, nothing after the
//!   value but whitespace, numbers that overflow a double refused, at most [`MAX_DEPTH`] arrays
//!   and objects inside one another.
//! - A number keeps the text it was written with: an integer keeps its digits whatever its size
//!   (a numeric task id) and reads exactly by [`Value::as_i64`] / [`Value::as_u64`] when it
//!   fits; a double is
//!   made on demand by [`Value::as_f64`] without `str::parse::<f64>`'s tables: within an ulp in
//!   general, exactly for every number with at most 15 digits and for every number written by a
//!   shortest-round-trip writer (this one, serde_json's, JavaScript's).
//! - An object keeps its members in the order they came, and a key's value is its last one, as
//!   with serde_json (a repeated key is kept as written, so that reading stays linear in the
//!   text whatever an answer holds); the writer writes the members in that order, compactly,
//!   escaping as serde_json does.

use core::fmt;
use core::ops::Index;

/// Arrays and objects nested deeper than this (counting the outermost) are refused, as
/// serde_json refuses them: the parser's recursion and the value's drop stay bounded.
pub const MAX_DEPTH: usize = 127;

/// A JSON value.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Value>),
    Object(Map),
}

/// A JSON number, as the text of a JSON number literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Number(String);

/// A JSON object: its members in order; where a key repeats, its last value counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Map(Vec<(String, Value)>);

static NULL: Value = Value::Null;

impl Value {
    /// Reads a whole JSON document.
    pub fn parse(text: &str) -> Result<Value, ParseError> {
        let mut parser = Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
        };
        let value = parser.value()?;
        parser.skip_whitespace();
        if parser.pos == parser.bytes.len() {
            Ok(value)
        } else {
            Err(parser.error(ErrorKind::TrailingCharacters))
        }
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        match self {
            Value::Object(map) => map.get_mut(key),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// A number written as an integer that fits an `i64` (as serde_json's `as_i64`).
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number()?.as_i64()
    }

    /// A number written as an integer that fits a `u64` (as serde_json's `as_u64`).
    pub fn as_u64(&self) -> Option<u64> {
        self.as_number()?.as_u64()
    }

    /// Any number, as the nearest double (see the module's notes on precision).
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().map(Number::as_f64)
    }
}

impl Number {
    /// The number's text as written (or as [`Value::from`] wrote it).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn is_integer(&self) -> bool {
        !self.0.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
    }

    pub fn as_i64(&self) -> Option<i64> {
        // serde_json reads "-0" as the double -0.0, not as an integer.
        if !self.is_integer() || self.0 == "-0" {
            return None;
        }
        self.0.parse().ok()
    }

    pub fn as_u64(&self) -> Option<u64> {
        if !self.is_integer() {
            return None;
        }
        self.0.parse().ok()
    }

    pub fn as_f64(&self) -> f64 {
        parse_f64(&self.0)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Map {
    pub fn new() -> Map {
        Map(Vec::new())
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.0
            .iter_mut()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Sets `key` to `value`: in place if the key is there, else at the end.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Value>) {
        let key = key.into();
        let value = value.into();
        match self.get_mut(&key) {
            Some(slot) => *slot = value,
            None => self.0.push((key, value)),
        }
    }

    /// Takes the key's value out (every member with that key).
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let mut value = None;
        self.0.retain_mut(|(k, v)| {
            if k != key {
                return true;
            }
            value = Some(core::mem::take(v));
            false
        });
        value
    }

    /// The members as written (a repeated key included).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Map {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Map {
        let mut map = Map::new();
        for (key, value) in iter {
            map.insert(key, value);
        }
        map
    }
}

/// `value["key"]`: the member, or `null` when there is none or `value` is not an object.
impl Index<&str> for Value {
    type Output = Value;

    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Value {
        Value::String(s.clone())
    }
}

/// The shortest text that reads back as the same double; `null` for NaN and the infinities,
/// as serde_json does.
impl From<f64> for Value {
    fn from(x: f64) -> Value {
        if x.is_finite() {
            Value::Number(Number(zmij::Buffer::new().format_finite(x).to_owned()))
        } else {
            Value::Null
        }
    }
}

macro_rules! from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Value {
                Value::Number(Number(n.to_string()))
            }
        }
    )*};
}
from_integer!(u8, u16, u32, u64, usize, i32, i64);

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Value {
        value.map_or(Value::Null, Into::into)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::Array(items)
    }
}

impl From<Map> for Value {
    fn from(map: Map) -> Value {
        Value::Object(map)
    }
}

impl core::str::FromStr for Value {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Value, ParseError> {
        Value::parse(text)
    }
}

/// Compact JSON, strings escaped as serde_json escapes them.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(true) => f.write_str("true"),
            Value::Bool(false) => f.write_str("false"),
            Value::Number(n) => f.write_str(&n.0),
            Value::String(s) => write_string(f, s),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    item.fmt(f)?;
                }
                f.write_str("]")
            }
            Value::Object(map) => {
                f.write_str("{")?;
                for (i, (key, value)) in map.0.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_string(f, key)?;
                    f.write_str(":")?;
                    value.fmt(f)?;
                }
                f.write_str("}")
            }
        }
    }
}

fn write_string(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    f.write_str("\"")?;
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        f.write_str(&s[start..i])?;
        if short.is_empty() {
            let code = [
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 15)],
            ];
            f.write_str(core::str::from_utf8(&code).unwrap_or_default())?;
        } else {
            f.write_str(short)?;
        }
        start = i + 1;
    }
    f.write_str(&s[start..])?;
    f.write_str("\"")
}

/// Why a text is not a JSON document, and where (a byte offset).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ErrorKind,
    pub offset: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    UnexpectedEnd,
    ExpectedValue,
    ExpectedComma,
    ExpectedColon,
    ExpectedKey,
    InvalidNumber,
    NumberOutOfRange,
    InvalidEscape,
    LoneSurrogate,
    ControlCharacter,
    TooDeep,
    TrailingCharacters,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ErrorKind::UnexpectedEnd => "the text ends early",
            ErrorKind::ExpectedValue => "a value was expected",
            ErrorKind::ExpectedComma => "a comma or a closing bracket was expected",
            ErrorKind::ExpectedColon => "a colon was expected",
            ErrorKind::ExpectedKey => "a quoted key was expected",
            ErrorKind::InvalidNumber => "a number is malformed",
            ErrorKind::NumberOutOfRange => "a number is too large",
            ErrorKind::InvalidEscape => "a string has an invalid escape",
            ErrorKind::LoneSurrogate => "a string has a lone surrogate",
            ErrorKind::ControlCharacter => "a string has an unescaped control character",
            ErrorKind::TooDeep => "arrays and objects are nested too deeply",
            ErrorKind::TrailingCharacters => "there is more after the value",
        };
        f.write_str("not JSON: ")?;
        f.write_str(what)?;
        f.write_str(" at byte ")?;
        f.write_str(&self.offset.to_string())
    }
}

impl std::error::Error for ParseError {}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, kind: ErrorKind) -> ParseError {
        ParseError {
            kind,
            offset: self.pos,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// After whitespace, the next byte (consumed), or the end's error.
    fn next_token(&mut self) -> Result<u8, ParseError> {
        self.skip_whitespace();
        let b = self.peek().ok_or(self.error(ErrorKind::UnexpectedEnd))?;
        self.pos += 1;
        Ok(b)
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        let b = self.next_token()?;
        match b {
            b'n' => self.literal(b"ull", Value::Null),
            b't' => self.literal(b"rue", Value::Bool(true)),
            b'f' => self.literal(b"alse", Value::Bool(false)),
            b'"' => self.string().map(Value::String),
            b'-' | b'0'..=b'9' => {
                self.pos -= 1;
                self.number()
            }
            b'[' => {
                self.enter()?;
                let mut items = Vec::new();
                self.skip_whitespace();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                } else {
                    loop {
                        items.push(self.value()?);
                        match self.next_token()? {
                            b',' => {}
                            b']' => break,
                            _ => return Err(self.back(ErrorKind::ExpectedComma)),
                        }
                    }
                }
                self.depth -= 1;
                Ok(Value::Array(items))
            }
            b'{' => {
                self.enter()?;
                let mut map = Map::new();
                self.skip_whitespace();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        if self.next_token()? != b'"' {
                            return Err(self.back(ErrorKind::ExpectedKey));
                        }
                        let key = self.string()?;
                        if self.next_token()? != b':' {
                            return Err(self.back(ErrorKind::ExpectedColon));
                        }
                        let value = self.value()?;
                        map.0.push((key, value));
                        match self.next_token()? {
                            b',' => {}
                            b'}' => break,
                            _ => return Err(self.back(ErrorKind::ExpectedComma)),
                        }
                    }
                }
                self.depth -= 1;
                Ok(Value::Object(map))
            }
            _ => Err(self.back(ErrorKind::ExpectedValue)),
        }
    }

    /// The error at the byte just consumed.
    fn back(&mut self, kind: ErrorKind) -> ParseError {
        self.pos -= 1;
        self.error(kind)
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.back(ErrorKind::TooDeep));
        }
        Ok(())
    }

    fn literal(&mut self, rest: &[u8], value: Value) -> Result<Value, ParseError> {
        for &expected in rest {
            match self.peek() {
                None => return Err(self.error(ErrorKind::UnexpectedEnd)),
                Some(b) if b == expected => self.pos += 1,
                Some(_) => return Err(self.error(ErrorKind::ExpectedValue)),
            }
        }
        Ok(value)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        let int_digits = self.digits();
        if int_digits == 0 {
            return Err(self.number_error());
        }
        if int_digits > 1 && self.bytes[int_start] == b'0' {
            self.pos = int_start + 1;
            return Err(self.error(ErrorKind::InvalidNumber));
        }
        let mut plain = int_digits <= 19;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.number_error());
            }
            plain = false;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.number_error());
            }
            plain = false;
        }
        let text = &self.text[start..self.pos];
        if !plain && !parse_f64(text).is_finite() {
            return Err(ParseError {
                kind: ErrorKind::NumberOutOfRange,
                offset: start,
            });
        }
        Ok(Value::Number(Number(text.to_owned())))
    }

    fn number_error(&self) -> ParseError {
        self.error(if self.peek().is_none() {
            ErrorKind::UnexpectedEnd
        } else {
            ErrorKind::InvalidNumber
        })
    }

    /// The rest of a string whose opening quote is consumed.
    fn string(&mut self) -> Result<String, ParseError> {
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // `start` and `pos` sit next to ASCII bytes or at the end: both are char boundaries.
            out.push_str(&self.text[start..self.pos]);
            match self.peek() {
                None => return Err(self.error(ErrorKind::UnexpectedEnd)),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => return Err(self.error(ErrorKind::ControlCharacter)),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), ParseError> {
        let b = self.peek().ok_or(self.error(ErrorKind::UnexpectedEnd))?;
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                let code = match first {
                    0xD800..=0xDBFF => {
                        if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                            return Err(self.error(self.end_or(ErrorKind::LoneSurrogate)));
                        }
                        self.pos += 2;
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return Err(self.error(ErrorKind::LoneSurrogate));
                        }
                        0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err(self.error(ErrorKind::LoneSurrogate)),
                    other => other,
                };
                char::from_u32(code).ok_or(self.error(ErrorKind::InvalidEscape))?
            }
            _ => return Err(self.back(ErrorKind::InvalidEscape)),
        };
        out.push(c);
        Ok(())
    }

    fn end_or(&self, kind: ErrorKind) -> ErrorKind {
        if self.pos >= self.bytes.len() {
            ErrorKind::UnexpectedEnd
        } else {
            kind
        }
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut code = 0;
        for _ in 0..4 {
            let b = self.peek().ok_or(self.error(ErrorKind::UnexpectedEnd))?;
            let digit = char::from(b)
                .to_digit(16)
                .ok_or(self.error(ErrorKind::InvalidEscape))?;
            code = code * 16 + digit;
            self.pos += 1;
        }
        Ok(code)
    }
}

/// Exact powers of ten as doubles (10^22 is the last one a double holds exactly).
const POWERS: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The digits of a JSON number: sign, up to 19 significant digits as an integer, and the power
/// of ten that scales them (digits past the 19th are dropped: they move a double by less than
/// an ulp's tenth).
fn decimal(text: &str) -> (bool, u64, i64) {
    let bytes = text.as_bytes();
    let negative = bytes.first() == Some(&b'-');
    let mut mantissa: u64 = 0;
    let mut significant = 0;
    let mut exponent: i64 = 0;
    let mut in_fraction = false;
    let mut i = usize::from(negative);
    while let Some(&b) = bytes.get(i) {
        match b {
            b'0'..=b'9' => {
                if significant < 19 {
                    if mantissa > 0 || b != b'0' {
                        significant += 1;
                    }
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                    if in_fraction {
                        exponent -= 1;
                    }
                } else if !in_fraction {
                    exponent += 1;
                }
            }
            b'.' => in_fraction = true,
            _ => break,
        }
        i += 1;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        let minus = bytes.get(i) == Some(&b'-');
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let mut explicit: i64 = 0;
        while let Some(&b) = bytes.get(i) {
            // Past a million the answer is 0 or infinity whatever the digits.
            explicit = (explicit * 10 + i64::from(b - b'0')).min(1_000_000);
            i += 1;
        }
        exponent += if minus { -explicit } else { explicit };
    }
    (negative, mantissa, exponent)
}

/// The double nearest to a JSON number literal, without `str::parse::<f64>` (whose tables cost
/// the widget's wasm about 11 KB). An integer that fits a `u64`, or a mantissa of up to 2^53
/// with a power of ten up to 22, is one correctly rounded operation. Otherwise the digits are
/// scaled in 64-bit fixed point (a relative error under 2^-58, so the one rounding to a double
/// is almost always right) and the result moved to the neighbour whose shortest text is the
/// literal when there is one: whatever a shortest-round-trip writer wrote reads back exactly.
fn parse_f64(text: &str) -> f64 {
    if let Ok(n) = text.parse::<u64>() {
        return n as f64;
    }
    let (negative, mantissa, exponent) = decimal(text);
    let magnitude = if mantissa == 0 || exponent < -343 {
        0.0
    } else if exponent > 310 {
        f64::INFINITY
    } else if mantissa <= 1 << 53 && exponent.unsigned_abs() <= 22 {
        let power = POWERS[exponent.unsigned_abs() as usize];
        if exponent >= 0 {
            mantissa as f64 * power
        } else {
            mantissa as f64 / power
        }
    } else {
        nearest_written(scale(mantissa, exponent as i32), mantissa, exponent)
    };
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

/// A positive number `m × 2^e` with the top bit of `m` set.
#[derive(Clone, Copy)]
struct Wide {
    m: u64,
    e: i32,
}

impl Wide {
    fn new(m: u64) -> Wide {
        let shift = m.leading_zeros();
        Wide {
            m: m << shift,
            e: -(shift as i32),
        }
    }

    /// The product, its low bits dropped.
    fn times(self, other: Wide) -> Wide {
        let product = u128::from(self.m) * u128::from(other.m);
        let shift = if product >> 127 == 1 { 64 } else { 63 };
        Wide {
            m: (product >> shift) as u64,
            e: self.e + other.e + shift,
        }
    }
}

/// 10^19, exactly.
const TEN_19: Wide = Wide {
    m: 10_000_000_000_000_000_000,
    e: 0,
};
/// 10^-19, to 64 bits.
const TENTH_19: Wide = Wide {
    m: 0xec1e_4a7d_b695_61a5,
    e: -127,
};

/// `mantissa × 10^exponent`, for |exponent| up to a few hundred.
fn scale(mantissa: u64, mut exponent: i32) -> f64 {
    let mut value = Wide::new(mantissa);
    while exponent >= 19 {
        value = value.times(TEN_19);
        exponent -= 19;
    }
    while exponent < 0 {
        value = value.times(TENTH_19);
        exponent += 19;
    }
    if exponent > 0 {
        value = value.times(Wide::new(10u64.pow(exponent as u32)));
    }
    // One rounding to 53 bits, then exact powers of two (two of them below the normal range).
    let x = value.m as f64;
    if value.e < -1022 {
        x * power_of_two(-1022) * power_of_two((value.e + 1022).max(-1022))
    } else {
        x * power_of_two(value.e.min(1023))
    }
}

/// 2^k for k in -1022..=1023.
fn power_of_two(k: i32) -> f64 {
    f64::from_bits(((1023 + k) as u64) << 52)
}

/// `guess` or a neighbour whose shortest text has these digits.
fn nearest_written(guess: f64, mantissa: u64, exponent: i64) -> f64 {
    if !guess.is_finite() || guess == 0.0 {
        return guess;
    }
    let wanted = normalized(mantissa, exponent);
    let mut buffer = zmij::Buffer::new();
    let mut below = guess;
    let mut above = guess;
    for step in 0..=2 {
        if step > 0 {
            below = below.next_down();
            above = above.next_up();
        }
        for candidate in [below, above] {
            let (_, m, e) = decimal(buffer.format_finite(candidate));
            if normalized(m, e) == wanted {
                return candidate;
            }
        }
    }
    guess
}

/// Digits without trailing zeros, and the exponent that goes with them.
fn normalized(mut mantissa: u64, mut exponent: i64) -> (u64, i64) {
    while mantissa != 0 && mantissa.is_multiple_of(10) {
        mantissa /= 10;
        exponent += 1;
    }
    (mantissa, exponent)
}

#[cfg(test)]
mod tests;
