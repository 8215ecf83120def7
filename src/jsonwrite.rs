//! A small compact-JSON writer for the crate's output: the evaluation (`crate::statement`), the
//! diagnostics and errors (`crate::error`) and the periods. It writes exactly the bytes that
//! `serde_json::to_string` writes for these types' derived `Serialize` (the tests compare the two
//! on every golden vector and on generated evaluations), without serde's serializer: that code,
//! monomorphized for every type, was about 17 KB of the WebAssembly module.
//!
//! What it reproduces of serde_json and of the types' serde attributes:
//! - strings: `"` and `\` escaped with a backslash, `\b \t \n \f \r` as such, the other control
//!   characters as `\u00xx` (lowercase hexadecimal), everything else (DEL and non-ASCII) raw;
//! - [`Decimal`]: a string of its digits (rust_decimal's `serde-str`: `-` when the sign is negative,
//!   even for zero; the scale's trailing zeros kept);
//! - [`NaiveDate`]: a string `YYYY-MM-DD` (chrono's `Debug`, a signed year outside 0..=9999);
//! - `Option` as `null` (fields with `skip_serializing_if` are left out by the callers instead), a
//!   `BTreeMap` as an object in key order.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A value that writes itself as compact JSON.
pub(crate) trait WriteJson {
    /// Appends the JSON text of `self` to `out`.
    fn write_json(&self, out: &mut String);
}

/// The compact JSON text of `value`.
pub(crate) fn to_string<T: WriteJson + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    value.write_json(&mut out);
    out
}

/// An object being written: `{`, then `"key":value` pairs separated by commas, then `}`.
pub(crate) struct Obj<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> Obj<'a> {
    /// Opens an object.
    pub(crate) fn new(out: &'a mut String) -> Self {
        out.push('{');
        Obj { out, empty: true }
    }

    /// Writes a key (a name that needs no escaping) and returns the text to write its value to.
    pub(crate) fn key(&mut self, key: &str) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
        self.out
    }

    /// Writes a member. (Inlined, as `some`: at each member a call to `key` and one to the value's
    /// writer; a copy per value type, shared by the evaluation's and the session's writers, was
    /// larger in the WebAssembly module.)
    #[inline(always)]
    pub(crate) fn field<T: WriteJson + ?Sized>(&mut self, key: &str, value: &T) -> &mut Self {
        value.write_json(self.key(key));
        self
    }

    /// Writes a member when the value is there (serde's `skip_serializing_if = "Option::is_none"`).
    #[inline(always)]
    pub(crate) fn some<T: WriteJson>(&mut self, key: &str, value: &Option<T>) -> &mut Self {
        if let Some(v) = value {
            self.field(key, v);
        }
        self
    }

    /// Closes the object.
    pub(crate) fn end(&mut self) {
        self.out.push('}');
    }
}

/// Writes `s` as a JSON string, escaped as serde_json escapes it.
pub(crate) fn string(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
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
        // `i` is at an ASCII byte and `start` just after one: both are character boundaries
        out.push_str(s.get(start..i).unwrap_or_default());
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b & 0xf));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

fn hex_digit(d: u8) -> char {
    char::from_digit(u32::from(d), 16).unwrap_or('0')
}

/// Writes an unsigned integer.
pub(crate) fn uint(out: &mut String, mut n: u64) {
    // the digits, least significant first
    let mut digits = [b'0'; 20];
    let mut len = 0;
    while n > 0 {
        if let Some(d) = digits.get_mut(len) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        len += 1;
    }
    for &d in digits.get(..len.max(1)).unwrap_or_default().iter().rev() {
        out.push(char::from(d));
    }
}

/// Writes a decimal as rust_decimal's `serde-str` does: a string of its `Display` form.
pub(crate) fn decimal(out: &mut String, d: &Decimal) {
    out.push('"');
    push_decimal(out, *d);
    out.push('"');
}

/// Appends `d` as its `Display` writes it (sign, digits, as many decimals as its scale; `-` for a
/// negative zero too), without the formatting machinery when the mantissa fits 64 bits.
pub(crate) fn push_decimal(out: &mut String, d: Decimal) {
    let parts = d.unpack();
    if parts.hi != 0 {
        let _ = write!(out, "{d}");
        return;
    }
    let mut m = u64::from(parts.mid) << 32 | u64::from(parts.lo);
    let scale = parts.scale as usize;
    // 20 digits of a u64, up to 28 leading zeros after the point, the point and the sign, from the
    // end
    let mut buf = [0u8; 64];
    let mut i = buf.len();
    let mut put = |c: u8| {
        i = i.saturating_sub(1);
        if let Some(x) = buf.get_mut(i) {
            *x = c;
        }
    };
    let mut digits = 0;
    while m > 0 || digits <= scale {
        if digits == scale && scale > 0 {
            put(b'.');
        }
        put(b'0' + (m % 10) as u8);
        m /= 10;
        digits += 1;
    }
    if parts.negative {
        put(b'-');
    }
    out.push_str(std::str::from_utf8(buf.get(i..).unwrap_or_default()).unwrap_or_default());
}

/// Writes a date as chrono's serde does: a string `YYYY-MM-DD`.
pub(crate) fn date(out: &mut String, d: NaiveDate) {
    out.push('"');
    let year = d.year();
    match u32::try_from(year) {
        Ok(y) if y <= 9999 => {
            two_digits(out, y / 100);
            two_digits(out, y % 100);
            out.push('-');
            two_digits(out, d.month());
            out.push('-');
            two_digits(out, d.day());
        }
        // outside 0..=9999 chrono writes a signed year of at least four digits
        _ => {
            let _ = write!(out, "{d}");
        }
    }
    out.push('"');
}

fn two_digits(out: &mut String, n: u32) {
    out.push(char::from(b'0' + (n / 10 % 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
}

impl WriteJson for str {
    fn write_json(&self, out: &mut String) {
        string(out, self);
    }
}

impl WriteJson for String {
    fn write_json(&self, out: &mut String) {
        string(out, self);
    }
}

impl WriteJson for Decimal {
    fn write_json(&self, out: &mut String) {
        decimal(out, self);
    }
}

impl WriteJson for NaiveDate {
    fn write_json(&self, out: &mut String) {
        date(out, *self);
    }
}

impl WriteJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl WriteJson for u32 {
    fn write_json(&self, out: &mut String) {
        uint(out, u64::from(*self));
    }
}

impl WriteJson for u64 {
    fn write_json(&self, out: &mut String) {
        uint(out, *self);
    }
}

impl WriteJson for usize {
    fn write_json(&self, out: &mut String) {
        uint(out, *self as u64);
    }
}

impl<T: WriteJson + ?Sized> WriteJson for &T {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

impl<T: WriteJson> WriteJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(v) => v.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: WriteJson> WriteJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            v.write_json(out);
        }
        out.push(']');
    }
}

impl<T: WriteJson> WriteJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

impl<T: WriteJson> WriteJson for BTreeMap<String, T> {
    fn write_json(&self, out: &mut String) {
        out.push('{');
        for (i, (k, v)) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            string(out, k);
            out.push(':');
            v.write_json(out);
        }
        out.push('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn serde<T: serde::Serialize + ?Sized>(v: &T) -> String {
        serde_json::to_string(v).unwrap()
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let all: String = (0u32..0x80).filter_map(char::from_u32).collect();
        for s in ["", "plain", "q\"uo\\te", "tab\there\nnew\rcr\u{8}\u{c}", "\u{0}\u{1f}\u{7f}", "é€😀 \u{2028}", &all]
        {
            assert_eq!(to_string(s), serde(s), "{s:?}");
        }
    }

    #[test]
    fn decimals_dates_and_integers_are_written_as_serde_writes_them() {
        for s in [
            "0",
            "0.00",
            "-0",
            "-0.000",
            "1",
            "-1.5",
            "0.0001",
            "123456.789",
            "-0.5",
            "1e-28",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "7.9228162514264337593543950335",
            "100",
            "1.10",
        ] {
            let d = if s.contains('e') { Decimal::from_scientific(s).unwrap() } else { Decimal::from_str(s).unwrap() };
            assert_eq!(to_string(&d), serde(&d), "{s}");
        }
        assert_eq!(to_string(&-Decimal::ZERO), serde(&-Decimal::ZERO));
        for (y, m, d) in
            [(2025, 1, 31), (1, 2, 3), (0, 12, 31), (9999, 12, 31), (10000, 1, 1), (-1, 6, 15), (-262_000, 1, 1)]
        {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(to_string(&date), serde(&date), "{date:?}");
        }
        for n in [0u64, 1, 9, 10, 99, 100, 12345, u64::MAX] {
            assert_eq!(to_string(&n), serde(&n));
        }
        assert_eq!(to_string(&usize::MAX), serde(&usize::MAX));
        assert_eq!(to_string(&u32::MAX), serde(&u32::MAX));
    }

    proptest! {
        #[test]
        fn any_string_decimal_and_integer(s in ".*", bytes in proptest::collection::vec(0u8..0x80, 0..40), lo: u32, mid: u32, hi: u32, neg: bool, scale in 0u32..=28, n: u64) {
            prop_assert_eq!(to_string(s.as_str()), serde(&s));
            let ascii = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(to_string(ascii.as_str()), serde(&ascii));
            let d = Decimal::from_parts(lo, mid, hi, neg, scale);
            prop_assert_eq!(to_string(&d), serde(&d));
            prop_assert_eq!(to_string(&n), serde(&n));
            let map: BTreeMap<String, Decimal> = [(s.clone(), d), (ascii.clone(), -d)].into_iter().collect();
            prop_assert_eq!(to_string(&map), serde(&map));
            let opt: Vec<Option<Decimal>> = vec![Some(d), None];
            prop_assert_eq!(to_string(&opt), serde(&opt));
        }
    }
}
