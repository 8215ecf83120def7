//! A small JSON parser for the plan and input documents, in place of `serde_json::Value`: the
//! value type, its deserializer and its map are a large part of the WebAssembly module, and the
//! reader (`crate::json`) needs only a tree to walk.
//!
//! It accepts and refuses exactly what `serde_json::from_str::<serde_json::Value>` does, and a
//! refusal carries the same message, line and column (the tests compare the two on many valid and
//! broken documents): the same grammar, the same depth limit (128), the same numbers (integers as
//! `u64`/`i64`, others as `f64` computed as serde_json computes them, without its
//! `float_roundtrip` feature), objects with their keys sorted and a repeated key keeping its last
//! value.

use crate::small::{permute, sort_indices};
use std::borrow::Cow;
use std::fmt;

/// A parsed JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Bool(bool),
    Number(Number),
    /// A string: borrowed from the document when it has no escapes (no allocation).
    String(Cow<'a, str>),
    Array(Vec<Value<'a>>),
    Object(Obj<'a>),
}

/// A JSON number, as serde_json keeps it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Number {
    PosInt(u64),
    NegInt(i64),
    Float(f64),
}

/// A JSON object: its entries sorted by key, keys unique.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Obj<'a>(Vec<(Cow<'a, str>, Value<'a>)>);

impl<'a> Obj<'a> {
    pub(crate) const fn new() -> Self {
        Obj(Vec::new())
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Value<'a>> {
        let i = self.0.binary_search_by(|(k, _)| k.as_ref().cmp(key)).ok()?;
        self.0.get(i).map(|(_, v)| v)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Value<'a>)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_ref())
    }

    /// From entries in document order: sorted by key, the last of a repeated key kept.
    pub(crate) fn from_entries(mut entries: Vec<(Cow<'a, str>, Value<'a>)>) -> Self {
        if entries.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0)) {
            return Obj(entries);
        }
        // a stable sort by key: in place for the usual few keys, by index beyond
        if entries.len() <= 16 {
            for i in 1..entries.len() {
                let mut j = i;
                while j > 0 && matches!((entries.get(j - 1), entries.get(j)), (Some(a), Some(b)) if a.0 > b.0) {
                    entries.swap(j - 1, j);
                    j -= 1;
                }
            }
        } else {
            let mut order: Vec<usize> = (0..entries.len()).collect();
            sort_indices(&mut order, &|a, b| entries.get(a).map(|e| &e.0).cmp(&entries.get(b).map(|e| &e.0)));
            permute(&mut entries, &order);
        }
        if entries.windows(2).all(|w| matches!(w, [a, b] if a.0 != b.0)) {
            return Obj(entries);
        }
        // a repeated key keeps its last value
        let mut out: Vec<(Cow<'a, str>, Value<'a>)> = Vec::with_capacity(entries.len());
        for entry in entries {
            match out.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => out.push(entry),
            }
        }
        Obj(out)
    }
}

impl<'a> Value<'a> {
    pub(crate) fn as_array(&self) -> Option<&Vec<Value<'a>>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub(crate) fn as_object(&self) -> Option<&Obj<'a>> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    pub(crate) fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The same tree as a `serde_json::Value` (for the public readers that take one).
    pub(crate) fn from_serde(v: &serde_json::Value) -> Value<'static> {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => Number::PosInt(u),
                (None, Some(i)) => Number::NegInt(i),
                _ => Number::Float(n.as_f64().unwrap_or_default()),
            }),
            serde_json::Value::String(s) => Value::String(Cow::Owned(s.clone())),
            serde_json::Value::Array(a) => Value::Array(a.iter().map(Value::from_serde).collect()),
            serde_json::Value::Object(o) => {
                Value::Object(Obj(o.iter().map(|(k, v)| (Cow::Owned(k.clone()), Value::from_serde(v))).collect()))
            }
        }
    }
}

impl Number {
    pub(crate) fn is_f64(&self) -> bool {
        matches!(self, Number::Float(_))
    }

    pub(crate) fn as_u64(&self) -> Option<u64> {
        match self {
            Number::PosInt(u) => Some(*u),
            _ => None,
        }
    }
}

impl fmt::Display for Number {
    /// As serde_json writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::PosInt(u) => write!(f, "{u}"),
            Number::NegInt(i) => write!(f, "{i}"),
            Number::Float(x) => match serde_json::Number::from_f64(*x) {
                Some(n) => write!(f, "{n}"),
                // parsed numbers are finite
                None => f.write_str("null"),
            },
        }
    }
}

/// A syntax error: serde_json's message, and the line and column (1-based line, column counted as
/// serde_json counts it).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SyntaxError {
    pub message: &'static str,
    pub line: usize,
    pub column: usize,
}

/// Parses a JSON document.
#[cfg(test)]
pub(crate) fn parse(text: &str) -> Result<Value<'_>, SyntaxError> {
    parse_limited(text, 127, usize::MAX)
}

/// The message of a document nested deeper than the limit (serde_json's).
pub(crate) const DEPTH_LIMIT: &str = "recursion limit exceeded";
/// The message of a string longer than the limit.
pub(crate) const STRING_LIMIT: &str = "string longer than the limit";

/// Parses a JSON document nested at most `max_depth` levels (at most 127, serde_json's limit) with
/// strings and keys of at most `max_string` bytes. Past a limit, the error's message is
/// [`DEPTH_LIMIT`] or [`STRING_LIMIT`].
pub(crate) fn parse_limited(text: &str, max_depth: u32, max_string: usize) -> Result<Value<'_>, SyntaxError> {
    let mut p = Parser::new(text, max_depth, max_string);
    let v = p.value().map_err(|(message, at)| p.position(message, at))?;
    match p.whitespace() {
        Some(_) => Err(p.position("trailing characters", p.peek_at())),
        None => Ok(v),
    }
}

const EOF_VALUE: &str = "EOF while parsing a value";
const EOF_LIST: &str = "EOF while parsing a list";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EOF_STRING: &str = "EOF while parsing a string";
const INVALID_NUMBER: &str = "invalid number";
const OUT_OF_RANGE: &str = "number out of range";
const TRAILING_COMMA: &str = "trailing comma";
const KEY_MUST_BE_A_STRING: &str = "key must be a string";
const INVALID_ESCAPE: &str = "invalid escape";
const LONE_SURROGATE: &str = "lone leading surrogate in hex escape";

/// A failure: the message and the byte index its position is computed from.
type Fail = (&'static str, usize);
type R<T> = Result<T, Fail>;

/// The parser. Besides [`parse_limited`], a reader that reads a part of a document straight into
/// its types moves it (`crate::json::typed`): [`Parser::whitespace`], [`Parser::bump`],
/// [`Parser::open`], [`Parser::close`], [`Parser::string`], [`Parser::ident`] and [`Parser::value`]
/// check the grammar and the limits as the tree does.
pub(crate) struct Parser<'a> {
    text: &'a str,
    s: &'a [u8],
    i: usize,
    /// Nesting levels left before the limit.
    depth: u32,
    /// Longest string, in bytes.
    max_string: usize,
}

/// The length of the run of bytes at the start of `s` other than `"`, `\\` and control characters.
#[inline]
fn plain_len(s: &[u8]) -> usize {
    let skip = match plain_words(s) {
        Ok(found) => return found,
        Err(skip) => skip,
    };
    let rest = s.get(skip..).unwrap_or_default();
    skip + rest.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(rest.len())
}

/// [`plain_len`] eight bytes at a time: `Ok` with the length when a word of `s` has a byte that is
/// not plain, else `Err` with the length of the whole words, for the rest to be read byte by byte
/// (feature `batch-kernel`; the browser's WebAssembly module has no room for it and reads every
/// byte one by one).
#[cfg(feature = "batch-kernel")]
#[inline]
fn plain_words(s: &[u8]) -> Result<usize, usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut n = 0;
    for chunk in s.chunks_exact(8) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let w = u64::from_le_bytes(bytes);
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        // the high bit of each byte that is zero, or below 0x20 (exact up to the first such byte:
        // a borrow only sets bits above it, and the first is what is wanted)
        let found = (quote.wrapping_sub(ONES) & !quote
            | backslash.wrapping_sub(ONES) & !backslash
            | w.wrapping_sub(ONES * 0x20) & !w)
            & HIGH;
        if found != 0 {
            return Ok(n + (found.trailing_zeros() / 8) as usize);
        }
        n += 8;
    }
    Err(n)
}

#[cfg(not(feature = "batch-kernel"))]
fn plain_words(_: &[u8]) -> Result<usize, usize> {
    Err(0)
}

/// `a * 10 + b` would exceed `c` (serde_json's test).
fn overflows(a: u64, b: u64, c: u64) -> bool {
    a >= c / 10 && (a > c / 10 || b > c % 10)
}

impl<'a> Parser<'a> {
    /// A parser at the start of `text`, for documents nested at most `max_depth` levels (at most
    /// 127) with strings and keys of at most `max_string` bytes.
    pub(crate) fn new(text: &'a str, max_depth: u32, max_string: usize) -> Self {
        Parser { text, s: text.as_bytes(), i: 0, depth: max_depth.min(127) + 1, max_string }
    }

    /// Runs `f` with strings of up to `max_string` bytes allowed (one long string of a document
    /// whose other strings keep the parser's limit).
    #[cfg(feature = "batch-kernel")]
    pub(crate) fn with_string_limit<T>(&mut self, max_string: usize, f: impl FnOnce(&mut Self) -> T) -> T {
        let keep = std::mem::replace(&mut self.max_string, max_string);
        let out = f(self);
        self.max_string = keep;
        out
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn peek_or_null(&self) -> u8 {
        self.peek().unwrap_or(0)
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek();
        if c.is_some() {
            self.i += 1;
        }
        c
    }

    /// An error at the byte just read.
    fn error(&self, message: &'static str) -> Fail {
        (message, self.i)
    }

    fn peek_at(&self) -> usize {
        self.s.len().min(self.i + 1)
    }

    /// An error at the byte peeked at.
    fn peek_error(&self, message: &'static str) -> Fail {
        (message, self.peek_at())
    }

    fn position(&self, message: &'static str, at: usize) -> SyntaxError {
        let before = self.s.get(..at).unwrap_or(self.s);
        let start_of_line = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        let line = 1 + before.iter().take(start_of_line).filter(|&&b| b == b'\n').count();
        SyntaxError { message, line, column: at - start_of_line }
    }

    /// Moves past the byte peeked at.
    #[cfg(feature = "batch-kernel")]
    pub(crate) fn bump(&mut self) {
        self.i += 1;
    }

    /// Opens the array or object `open` (`[` or `{`) after whitespace, within the nesting limit
    /// (`false`, the parser moved or not, otherwise).
    #[cfg(feature = "batch-kernel")]
    pub(crate) fn open(&mut self, open: u8) -> bool {
        if self.whitespace() != Some(open) || self.depth <= 1 {
            return false;
        }
        self.depth -= 1;
        self.i += 1;
        true
    }

    /// After an item of what [`Parser::open`] opened, and whitespace: `Some(true)` past the
    /// closing `close` (`]` or `}`), `Some(false)` past a comma, `None` otherwise. (After a comma
    /// the caller reads an item, which refuses a closing bracket: no trailing comma is read.)
    #[cfg(feature = "batch-kernel")]
    pub(crate) fn close(&mut self, close: u8) -> Option<bool> {
        let c = self.whitespace()?;
        self.i += 1;
        if c == close {
            self.depth += 1;
            return Some(true);
        }
        (c == b',').then_some(false)
    }

    /// Whitespace; the byte after it.
    pub(crate) fn whitespace(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.i += 1;
        }
        self.peek()
    }

    /// A value, as the tree.
    pub(crate) fn value(&mut self) -> R<Value<'a>> {
        let Some(c) = self.whitespace() else {
            return Err(self.peek_error(EOF_VALUE));
        };
        match c {
            b'n' => {
                self.i += 1;
                self.ident(b"ull").map(|()| Value::Null)
            }
            b't' => {
                self.i += 1;
                self.ident(b"rue").map(|()| Value::Bool(true))
            }
            b'f' => {
                self.i += 1;
                self.ident(b"alse").map(|()| Value::Bool(false))
            }
            b'-' => {
                self.i += 1;
                self.integer(false).map(Value::Number)
            }
            b'0'..=b'9' => self.integer(true).map(Value::Number),
            b'"' => {
                self.i += 1;
                self.string().map(Value::String)
            }
            b'[' | b'{' => {
                self.depth -= 1;
                if self.depth == 0 {
                    return Err(self.peek_error(DEPTH_LIMIT));
                }
                self.i += 1;
                let out = if c == b'[' { self.array() } else { self.object() };
                self.depth += 1;
                // the closing bracket, which `array` and `object` stop at
                self.i += 1;
                out
            }
            _ => Err(self.peek_error("expected value")),
        }
    }

    pub(crate) fn ident(&mut self, rest: &[u8]) -> R<()> {
        for &expected in rest {
            match self.next() {
                None => return Err(self.error(EOF_VALUE)),
                Some(c) if c != expected => return Err(self.error("expected ident")),
                Some(_) => {}
            }
        }
        Ok(())
    }

    fn array(&mut self) -> R<Value<'a>> {
        let mut items = Vec::new();
        let mut first = true;
        loop {
            match self.whitespace() {
                None => return Err(self.peek_error(EOF_LIST)),
                Some(b']') => return Ok(Value::Array(items)),
                Some(_) if first => first = false,
                Some(b',') => {
                    self.i += 1;
                    match self.whitespace() {
                        Some(b']') => return Err(self.peek_error(TRAILING_COMMA)),
                        Some(_) => {}
                        None => return Err(self.peek_error(EOF_VALUE)),
                    }
                }
                Some(_) => return Err(self.peek_error("expected `,` or `]`")),
            }
            items.push(self.value()?);
        }
    }

    fn object(&mut self) -> R<Value<'a>> {
        // room for the usual object's entries at once (a transaction's) where there is room for
        // the code: feature `batch-kernel`, not the browser's WebAssembly module
        #[cfg(feature = "batch-kernel")]
        let mut entries = Vec::with_capacity(8);
        #[cfg(not(feature = "batch-kernel"))]
        let mut entries = Vec::new();
        let mut first = true;
        loop {
            match self.whitespace() {
                None => return Err(self.peek_error(EOF_OBJECT)),
                Some(b'}') => return Ok(Value::Object(Obj::from_entries(entries))),
                Some(c) if first => {
                    first = false;
                    if c != b'"' {
                        return Err(self.peek_error(KEY_MUST_BE_A_STRING));
                    }
                }
                Some(b',') => {
                    self.i += 1;
                    match self.whitespace() {
                        Some(b'"') => {}
                        Some(b'}') => return Err(self.peek_error(TRAILING_COMMA)),
                        Some(_) => return Err(self.peek_error(KEY_MUST_BE_A_STRING)),
                        None => return Err(self.peek_error(EOF_VALUE)),
                    }
                }
                Some(_) => return Err(self.peek_error("expected `,` or `}`")),
            }
            self.i += 1;
            let key = self.string()?;
            match self.whitespace() {
                Some(b':') => self.i += 1,
                Some(_) => return Err(self.peek_error("expected `:`")),
                None => return Err(self.peek_error(EOF_OBJECT)),
            }
            entries.push((key, self.value()?));
        }
    }

    /// A string, after its opening quote: borrowed from the text when it has no escape.
    #[cfg(feature = "batch-kernel")]
    #[inline]
    pub(crate) fn string(&mut self) -> R<Cow<'a, str>> {
        // the usual string, without an escape: borrowed at once (feature `batch-kernel`: no room
        // for this in the browser's WebAssembly module)
        let start = self.i;
        let end = start + plain_len(self.s.get(start..).unwrap_or_default());
        if self.s.get(end) == Some(&b'"') && end - start <= self.max_string {
            // (between two ASCII bytes, so on character boundaries)
            if let Some(run) = self.text.get(start..end) {
                self.i = end + 1;
                return Ok(Cow::Borrowed(run));
            }
        }
        self.string_in_general()
    }

    #[cfg(not(feature = "batch-kernel"))]
    pub(crate) fn string(&mut self) -> R<Cow<'a, str>> {
        self.string_in_general()
    }

    /// [`Parser::string`] in general: escapes, errors.
    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn string_in_general(&mut self) -> R<Cow<'a, str>> {
        let mut out: Option<String> = None;
        loop {
            let start = self.i;
            // the run of plain characters
            self.i = start + plain_len(self.s.get(start..).unwrap_or_default());
            // (the run ends at an ASCII byte or at the end, so on a character boundary)
            let run = self.text.get(start..self.i).unwrap_or_default();
            let len = match &mut out {
                None => run.len(),
                Some(o) => {
                    o.push_str(run);
                    o.len()
                }
            };
            if len > self.max_string {
                return Err(self.error(STRING_LIMIT));
            }
            match self.next() {
                None => return Err(self.error(EOF_STRING)),
                Some(b'"') => {
                    return Ok(match out {
                        None => Cow::Borrowed(run),
                        Some(o) => Cow::Owned(o),
                    })
                }
                Some(b'\\') => {
                    let o = out.get_or_insert_with(|| run.to_string());
                    self.escape(o)?;
                }
                Some(_) => return Err(self.error("control character (\\u0000-\\u001F) found while parsing a string")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> R<()> {
        let c = self.next().ok_or_else(|| self.error(EOF_STRING))?;
        let plain = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => return self.unicode_escape(out),
            _ => return Err(self.error(INVALID_ESCAPE)),
        };
        out.push(char::from(plain));
        Ok(())
    }

    fn hex4(&mut self) -> R<u32> {
        let Some(digits) = self.s.get(self.i..self.i + 4) else {
            self.i = self.s.len();
            return Err(self.error(EOF_STRING));
        };
        self.i += 4;
        let mut n = 0u32;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.error(INVALID_ESCAPE)),
            };
            n = n * 16 + u32::from(v);
        }
        Ok(n)
    }

    fn unicode_escape(&mut self, out: &mut String) -> R<()> {
        let n = self.hex4()?;
        if (0xDC00..=0xDFFF).contains(&n) {
            return Err(self.error(LONE_SURROGATE));
        }
        let code = if (0xD800..=0xDBFF).contains(&n) {
            for expected in [b'\\', b'u'] {
                match self.peek() {
                    None => return Err(self.error(EOF_STRING)),
                    Some(c) if c == expected => self.i += 1,
                    Some(_) => {
                        self.i += 1;
                        return Err(self.error("unexpected end of hex escape"));
                    }
                }
            }
            let n2 = self.hex4()?;
            if !(0xDC00..=0xDFFF).contains(&n2) {
                return Err(self.error(LONE_SURROGATE));
            }
            (((n - 0xD800) << 10) | (n2 - 0xDC00)) + 0x1_0000
        } else {
            n
        };
        out.push(char::from_u32(code).ok_or_else(|| self.error(INVALID_ESCAPE))?);
        Ok(())
    }

    /// A number, after its sign.
    fn integer(&mut self, positive: bool) -> R<Number> {
        match self.next() {
            None => Err(self.error(EOF_VALUE)),
            Some(b'0') => {
                if self.peek_or_null().is_ascii_digit() {
                    Err(self.peek_error(INVALID_NUMBER))
                } else {
                    self.number(positive, 0)
                }
            }
            Some(c @ b'1'..=b'9') => {
                let mut significand = u64::from(c - b'0');
                loop {
                    let c = self.peek_or_null();
                    if !c.is_ascii_digit() {
                        return self.number(positive, significand);
                    }
                    let digit = u64::from(c - b'0');
                    if overflows(significand, digit, u64::MAX) {
                        return self.long_integer(positive, significand).map(Number::Float);
                    }
                    self.i += 1;
                    significand = significand * 10 + digit;
                }
            }
            Some(_) => Err(self.error(INVALID_NUMBER)),
        }
    }

    fn number(&mut self, positive: bool, significand: u64) -> R<Number> {
        Ok(match self.peek_or_null() {
            b'.' => Number::Float(self.decimal(positive, significand, 0)?),
            b'e' | b'E' => Number::Float(self.exponent(positive, significand, 0)?),
            _ if positive => Number::PosInt(significand),
            _ => {
                let neg = (significand as i64).wrapping_neg();
                if neg >= 0 {
                    Number::Float(-(significand as f64))
                } else {
                    Number::NegInt(neg)
                }
            }
        })
    }

    fn long_integer(&mut self, positive: bool, significand: u64) -> R<f64> {
        let mut exponent = 0i32;
        loop {
            match self.peek_or_null() {
                b'0'..=b'9' => {
                    self.i += 1;
                    exponent = exponent.saturating_add(1);
                }
                b'.' => return self.decimal(positive, significand, exponent),
                b'e' | b'E' => return self.exponent(positive, significand, exponent),
                _ => return self.f64_from_parts(positive, significand, exponent),
            }
        }
    }

    fn decimal(&mut self, positive: bool, mut significand: u64, before: i32) -> R<f64> {
        self.i += 1;
        let mut after = 0i32;
        while let c @ b'0'..=b'9' = self.peek_or_null() {
            let digit = u64::from(c - b'0');
            if overflows(significand, digit, u64::MAX) {
                // further digits are ignored
                while self.peek_or_null().is_ascii_digit() {
                    self.i += 1;
                }
                return match self.peek_or_null() {
                    b'e' | b'E' => self.exponent(positive, significand, before + after),
                    _ => self.f64_from_parts(positive, significand, before + after),
                };
            }
            self.i += 1;
            significand = significand * 10 + digit;
            after -= 1;
        }
        if after == 0 {
            return Err(match self.peek() {
                Some(_) => self.peek_error(INVALID_NUMBER),
                None => self.peek_error(EOF_VALUE),
            });
        }
        match self.peek_or_null() {
            b'e' | b'E' => self.exponent(positive, significand, before + after),
            _ => self.f64_from_parts(positive, significand, before + after),
        }
    }

    fn exponent(&mut self, positive: bool, significand: u64, start: i32) -> R<f64> {
        self.i += 1;
        let positive_exp = match self.peek_or_null() {
            b'+' => {
                self.i += 1;
                true
            }
            b'-' => {
                self.i += 1;
                false
            }
            _ => true,
        };
        let mut exp = match self.next() {
            None => return Err(self.error(EOF_VALUE)),
            Some(c @ b'0'..=b'9') => i32::from(c - b'0'),
            Some(_) => return Err(self.error(INVALID_NUMBER)),
        };
        while let c @ b'0'..=b'9' = self.peek_or_null() {
            self.i += 1;
            let digit = i32::from(c - b'0');
            if exp >= i32::MAX / 10 && (exp > i32::MAX / 10 || digit > i32::MAX % 10) {
                if significand != 0 && positive_exp {
                    return Err(self.error(OUT_OF_RANGE));
                }
                while self.peek_or_null().is_ascii_digit() {
                    self.i += 1;
                }
                return Ok(if positive { 0.0 } else { -0.0 });
            }
            exp = exp * 10 + digit;
        }
        let exp = if positive_exp { start.saturating_add(exp) } else { start.saturating_sub(exp) };
        self.f64_from_parts(positive, significand, exp)
    }

    fn f64_from_parts(&self, positive: bool, significand: u64, mut exponent: i32) -> R<f64> {
        let mut f = significand as f64;
        loop {
            match POW10.get(exponent.unsigned_abs() as usize) {
                Some(&pow) => {
                    if exponent >= 0 {
                        f *= pow;
                        if f.is_infinite() {
                            return Err(self.error(OUT_OF_RANGE));
                        }
                    } else {
                        f /= pow;
                    }
                    break;
                }
                None => {
                    if f == 0.0 {
                        break;
                    }
                    if exponent >= 0 {
                        return Err(self.error(OUT_OF_RANGE));
                    }
                    f /= 1e308;
                    exponent += 308;
                }
            }
        }
        Ok(if positive { f } else { -f })
    }
}

/// Powers of ten as serde_json uses them (each literal rounded correctly by the compiler).
#[rustfmt::skip]
static POW10: [f64; 309] = [
    1e000, 1e001, 1e002, 1e003, 1e004, 1e005, 1e006, 1e007, 1e008, 1e009,
    1e010, 1e011, 1e012, 1e013, 1e014, 1e015, 1e016, 1e017, 1e018, 1e019,
    1e020, 1e021, 1e022, 1e023, 1e024, 1e025, 1e026, 1e027, 1e028, 1e029,
    1e030, 1e031, 1e032, 1e033, 1e034, 1e035, 1e036, 1e037, 1e038, 1e039,
    1e040, 1e041, 1e042, 1e043, 1e044, 1e045, 1e046, 1e047, 1e048, 1e049,
    1e050, 1e051, 1e052, 1e053, 1e054, 1e055, 1e056, 1e057, 1e058, 1e059,
    1e060, 1e061, 1e062, 1e063, 1e064, 1e065, 1e066, 1e067, 1e068, 1e069,
    1e070, 1e071, 1e072, 1e073, 1e074, 1e075, 1e076, 1e077, 1e078, 1e079,
    1e080, 1e081, 1e082, 1e083, 1e084, 1e085, 1e086, 1e087, 1e088, 1e089,
    1e090, 1e091, 1e092, 1e093, 1e094, 1e095, 1e096, 1e097, 1e098, 1e099,
    1e100, 1e101, 1e102, 1e103, 1e104, 1e105, 1e106, 1e107, 1e108, 1e109,
    1e110, 1e111, 1e112, 1e113, 1e114, 1e115, 1e116, 1e117, 1e118, 1e119,
    1e120, 1e121, 1e122, 1e123, 1e124, 1e125, 1e126, 1e127, 1e128, 1e129,
    1e130, 1e131, 1e132, 1e133, 1e134, 1e135, 1e136, 1e137, 1e138, 1e139,
    1e140, 1e141, 1e142, 1e143, 1e144, 1e145, 1e146, 1e147, 1e148, 1e149,
    1e150, 1e151, 1e152, 1e153, 1e154, 1e155, 1e156, 1e157, 1e158, 1e159,
    1e160, 1e161, 1e162, 1e163, 1e164, 1e165, 1e166, 1e167, 1e168, 1e169,
    1e170, 1e171, 1e172, 1e173, 1e174, 1e175, 1e176, 1e177, 1e178, 1e179,
    1e180, 1e181, 1e182, 1e183, 1e184, 1e185, 1e186, 1e187, 1e188, 1e189,
    1e190, 1e191, 1e192, 1e193, 1e194, 1e195, 1e196, 1e197, 1e198, 1e199,
    1e200, 1e201, 1e202, 1e203, 1e204, 1e205, 1e206, 1e207, 1e208, 1e209,
    1e210, 1e211, 1e212, 1e213, 1e214, 1e215, 1e216, 1e217, 1e218, 1e219,
    1e220, 1e221, 1e222, 1e223, 1e224, 1e225, 1e226, 1e227, 1e228, 1e229,
    1e230, 1e231, 1e232, 1e233, 1e234, 1e235, 1e236, 1e237, 1e238, 1e239,
    1e240, 1e241, 1e242, 1e243, 1e244, 1e245, 1e246, 1e247, 1e248, 1e249,
    1e250, 1e251, 1e252, 1e253, 1e254, 1e255, 1e256, 1e257, 1e258, 1e259,
    1e260, 1e261, 1e262, 1e263, 1e264, 1e265, 1e266, 1e267, 1e268, 1e269,
    1e270, 1e271, 1e272, 1e273, 1e274, 1e275, 1e276, 1e277, 1e278, 1e279,
    1e280, 1e281, 1e282, 1e283, 1e284, 1e285, 1e286, 1e287, 1e288, 1e289,
    1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298, 1e299,
    1e300, 1e301, 1e302, 1e303, 1e304, 1e305, 1e306, 1e307, 1e308,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde_json makes of `text`: the value, or the message, line and column.
    fn serde(text: &str) -> Result<Value<'static>, SyntaxError> {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) => Ok(Value::from_serde(&v)),
            Err(e) => {
                let m = e.to_string();
                let m = m.get(..m.rfind(" at line ").unwrap()).unwrap().to_string();
                Err(SyntaxError { message: Box::leak(m.into_boxed_str()), line: e.line(), column: e.column() })
            }
        }
    }

    fn check(text: &str) {
        let ours = parse(text);
        let theirs = serde(text);
        match (&ours, &theirs) {
            (Ok(Value::Number(Number::Float(a))), Ok(Value::Number(Number::Float(b)))) => {
                assert_eq!(a.to_bits(), b.to_bits(), "{text:?}")
            }
            _ => assert_eq!(ours, theirs, "{text:?}"),
        }
        if let Ok(Value::Number(n)) = &ours {
            let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(n.to_string(), theirs.to_string(), "{text:?}");
        }
    }

    #[test]
    fn reads_as_serde_json_reads() {
        let mut cases: Vec<String> = [
            "",
            " ",
            "null",
            "nul",
            "nulx",
            "true",
            "tru",
            "false",
            "falsy",
            "n",
            "x",
            "[",
            "]",
            "{",
            "}",
            "[1,]",
            "[1 2]",
            "[,1]",
            "[1,,2]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{\"a\":}",
            "{1:2}",
            "{\"a\":1 \"b\":2}",
            "{,}",
            "{\"a\":1,\"a\":2}",
            "{\"b\":1,\"a\":2,\"c\":[{}],\"a\":3}",
            "[] x",
            "[]\n\n x",
            "\"abc",
            "\"a\\\"b\"",
            "\"\\u00e9\\n\\t\\/\\b\\f\\r\\\\\"",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\u12G4\"",
            "\"\\ud800\"",
            "\"\\ud800\\n\"",
            "\"\\ud800\\u0041\"",
            "\"\\udc00\"",
            "\"\\ud83d\\ude00\"",
            "\"\\ud83d",
            "\"\\ud83d\\",
            "\"\\ud83d\\u",
            "\"a\u{1}b\"",
            "\"tab\there\"",
            "\"é ✓ 😀\"",
            "0",
            "-0",
            "00",
            "01",
            "-",
            "-a",
            "1.",
            "1.x",
            "1.5",
            "-1.5",
            ".5",
            "1e",
            "1e+",
            "1e-",
            "1ex",
            "1e5",
            "1E5",
            "1e-5",
            "1e308",
            "1e309",
            "2e308",
            "-1e309",
            "1e-400",
            "0e999999999999",
            "1e2147483647",
            "1e2147483648",
            "1e-2147483649",
            "0.0000000000000000000000000000001e-300",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "123456789012345678901234567890",
            "1234567890123456789012.5e3",
            "0.1234567890123456789012345",
            "3.141592653589793238462643383279",
            "1.7976931348623157e308",
            "4.9e-324",
            "2.2250738585072014e-308",
            "9007199254740993",
            "-9007199254740993.0",
            "1.0",
            "100",
            "1e2",
            "[1.0, -0.0, 1e-7, 123.456e10]",
            "{\"a\": [1, {\"b\": null}], \"c\": \"d\"}\n",
            "\n\n  {\n \"a\": tru }",
            "[\"\\u0000\"]",
            "\u{feff}1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for n in [3, 15, 16, 17, 40] {
            let keys: Vec<String> = (0..n).map(|i| format!("\"k{}\": {i}", (i * 7) % (n / 2 + 1))).collect();
            cases.push(format!("{{{}}}", keys.join(", ")));
        }
        for depth in [126, 127, 128, 129] {
            cases.push("[".repeat(depth) + &"]".repeat(depth));
            cases.push("{\"a\":".repeat(depth) + "1" + &"}".repeat(depth));
        }
        // every prefix and some mutations of real documents
        let doc = crate::sample::SAMPLE_PLAN_JSON;
        let bytes = doc.as_bytes();
        let mut seed = 12345u64;
        for i in (0..doc.len()).step_by(7) {
            if doc.is_char_boundary(i) {
                cases.push(doc[..i].to_string());
            }
        }
        let specials = [b'"', b'\\', b',', b':', b'[', b']', b'{', b'}', b'1', b'e', b'.', b'-', b' ', b'\n', 1u8];
        for _ in 0..3000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let pos = (seed >> 33) as usize % bytes.len();
            let c = specials[(seed >> 20) as usize % specials.len()];
            let mut b = bytes.to_vec();
            match (seed >> 10) % 3 {
                0 => b[pos] = c,
                1 => b.insert(pos, c),
                _ => {
                    b.remove(pos);
                }
            }
            if let Ok(s) = String::from_utf8(b) {
                cases.push(s);
            }
        }
        for c in &cases {
            check(c);
        }
    }

    #[test]
    fn plain_len_finds_the_first_special_byte() {
        let naive = |s: &[u8]| s.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(s.len());
        let mut seed = 99u64;
        let alphabet = [b'a', b'"', b'\\', 0, 0x1f, 0x20, 0x21, 0x7f, 0x80, 0xff, b'!', b'#', b'[', b']', 0x5b, 0x5d];
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let len = (seed >> 58) as usize;
            let mut s = Vec::with_capacity(len);
            let mut x = seed;
            for _ in 0..len {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                // mostly plain bytes, sometimes a special one
                let c =
                    if (x >> 60) < 13 { (x >> 33) as u8 | 0x20 } else { alphabet[(x >> 40) as usize % alphabet.len()] };
                s.push(c);
            }
            assert_eq!(plain_len(&s), naive(&s), "{s:?}");
        }
    }

    #[test]
    fn string_limit() {
        for limit in 0..12 {
            for len in 0..14 {
                let plain = "é".repeat(len / 2) + &"x".repeat(len % 2);
                let escaped = "\\u00e9".repeat(len / 2) + &"\\n".repeat(len % 2);
                for doc in [format!("\"{plain}\""), format!("{{\"{plain}\": 1}}"), format!("[\"{escaped}\"]")] {
                    let r = parse_limited(&doc, 127, limit);
                    assert_eq!(r.is_ok(), len <= limit, "{doc} under {limit}: {r:?}");
                    if let Err(e) = r {
                        assert_eq!(e.message, STRING_LIMIT, "{doc}");
                    }
                }
            }
        }
    }

    #[test]
    fn objects_sorted_last_key_wins() {
        let Value::Object(o) = parse("{\"b\":1,\"a\":2,\"b\":3}").unwrap() else { panic!() };
        assert_eq!(o.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(o.get("b"), Some(&Value::Number(Number::PosInt(3))));
        assert_eq!(o.get("c"), None);
    }
}
