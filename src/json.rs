//! Reading the plan and input documents from JSON, without serde's derived deserializers.
//!
//! The document is parsed into a tree first (by a small parser that reads exactly as
//! `serde_json::Value` does, see `src/jsontext.rs`; the public readers below take a
//! [`serde_json::Value`]); a small reader then walks the tree into the crate's types. The wire format is the one the types' serde attributes describe (they
//! remain the specification, and the JSON Schemas are generated from them): camelCase names,
//! unknown fields refused (except where the types accept them), defaults for absent fields,
//! decimals as strings and dates as `YYYY-MM-DD`.
//!
//! Why not `serde::Deserialize`: the derived code is generic over the deserializer and
//! monomorphized for every type, which made reading the plan the largest part of the WebAssembly
//! module. The reader here is a handful of shared, non-generic helpers (object access, field
//! lookup, the unknown-field check, enum names, decimals, dates, integers, lists, maps) and a short
//! function per type.
//!
//! Every error is an [`Error::Parse`] whose path is the exact JSON pointer of the offending value:
//! the object for a missing field, the field itself for an unknown one.
//!
//! ```
//! let v = serde_json::json!({"transactions": [{"id": "D-1", "amount": "1.5", "closeDate": "2025-02-30"}]});
//! let e = payplan::json::read_inputs(&v).unwrap_err();
//! assert_eq!(e.path(), Some("/transactions/0/closeDate"));
//!
//! let v = serde_json::json!([{"id": "D-1"}]);
//! let e = payplan::json::read_transactions(&v).unwrap_err();
//! assert_eq!(e.path(), Some("/0"));
//! assert!(e.to_string().ends_with("missing field `amount`"));
//! ```
//!
//! Compared with the derived deserializers, the reader is stricter in one respect (everything else
//! it accepts and refuses alike):
//! a decimal string must be written out (`"1000"`, `"-12.50"`, `".5"`, `"+1"`): an exponent
//! (`"1e3"`) is refused, and so is a string with more digits than a decimal holds, which the
//! derived code silently rounded. Dates are read as chrono reads them.

use crate::calendar::{Calendar, PeriodDef, PeriodType};
use crate::error::{Error, Result};
use crate::inputs::{
    ClosedComponent, ClosedStatement, Detail, Event, Inputs, MetricValue, OpeningBalance, Options, Score, Split,
    Transaction,
};
use crate::jsontext::{Obj, Value};
use crate::limits::Limits;
use crate::money::{RoundingMode, RoundingPolicy, RoundingStage};
use crate::plan::*;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

#[cfg(feature = "batch-kernel")]
mod typed;

type ReadFn<T> = fn(&mut Reader, &Value) -> R<T>;

/// The reader's failure. The error itself is kept in the [`Reader`]: a zero-sized failure keeps the
/// code that passes it up through every field of every type short (it is most of the module).
struct Fail;
type R<T> = std::result::Result<T, Fail>;

/// Reads a plan from a parsed JSON document.
pub fn read_plan(value: &serde_json::Value) -> Result<Plan> {
    Reader::new("plan").run(&Value::from_serde(value), plan)
}

/// Reads inputs from a parsed JSON document.
pub fn read_inputs(value: &serde_json::Value) -> Result<Inputs> {
    Reader::new("inputs").run(&Value::from_serde(value), inputs)
}

/// Reads transactions from a parsed JSON document: an array of transactions, or an object
/// `{"transactions": [...]}`.
pub fn read_transactions(value: &serde_json::Value) -> Result<Vec<Transaction>> {
    Reader::new("transactions").run(&Value::from_serde(value), transactions_doc)
}

/// Reads a plan from JSON text, under `limits` (text size, nesting, string lengths).
pub(crate) fn plan_from_text(text: &str, limits: &Limits) -> Result<Plan> {
    Limits::check_text("plan", text, limits.max_plan_bytes, "max_plan_bytes")?;
    Reader::new("plan").run(&parse("plan", text, limits)?, plan)
}

/// Reads inputs from JSON text, under `limits`.
pub(crate) fn inputs_from_text(text: &str, limits: &Limits) -> Result<Inputs> {
    Limits::check_text("inputs", text, limits.max_inputs_bytes, "max_inputs_bytes")?;
    // the usual document, its transactions straight from the text
    #[cfg(feature = "batch-kernel")]
    if let Some(inputs) = typed::inputs(text, limits) {
        return Ok(inputs);
    }
    Reader::new("inputs").run(&parse("inputs", text, limits)?, inputs)
}

/// [`inputs_from_text`] with the transactions read into columns, when the document is written in
/// the usual way (`None`: read it with [`inputs_from_text`], which gives every error).
#[cfg(feature = "batch-kernel")]
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub(crate) fn inputs_columns_from_text(
    text: &str,
    limits: &Limits,
) -> Result<Option<(Inputs, crate::columns::TransactionColumns)>> {
    Limits::check_text("inputs", text, limits.max_inputs_bytes, "max_inputs_bytes")?;
    Ok(typed::inputs_columns(text, limits))
}

/// See [`TransactionColumns::from_wire`](crate::columns::TransactionColumns::from_wire).
#[cfg(feature = "batch-kernel")]
pub(crate) fn columns_wire(doc: &str, refs: &[u32], limits: &Limits) -> Option<crate::columns::TransactionColumns> {
    typed::columns_wire(doc, refs, limits)
}

/// [`inputs_from_text`] through the tree (its fallback, for the tests of the typed reader).
#[cfg(all(test, feature = "batch-kernel"))]
fn inputs_from_tree(text: &str, limits: &Limits) -> Result<Inputs> {
    Reader::new("inputs").run(&parse("inputs", text, limits)?, inputs)
}

/// Reads transactions from JSON text (see [`read_transactions`]), under `limits`.
pub(crate) fn transactions_from_text(text: &str, limits: &Limits) -> Result<Vec<Transaction>> {
    Limits::check_text("transactions", text, limits.max_inputs_bytes, "max_inputs_bytes")?;
    // the usual document, its transactions straight from the text
    #[cfg(feature = "batch-kernel")]
    let txns = match typed::transactions_doc(text, limits) {
        Some(txns) => txns,
        None => transactions_from_tree(text, limits)?,
    };
    #[cfg(not(feature = "batch-kernel"))]
    let txns = transactions_from_tree(text, limits)?;
    if txns.len() > limits.max_transactions {
        let list = if text.trim_start().starts_with('{') { "/transactions" } else { "" };
        return Err(crate::limits::exceeded(list, limits.max_transactions, "max_transactions", "transactions"));
    }
    Ok(txns)
}

/// The transactions of a transactions document through the tree: any document, and every error.
fn transactions_from_tree(text: &str, limits: &Limits) -> Result<Vec<Transaction>> {
    Reader::new("transactions").run(&parse("transactions", text, limits)?, transactions_doc)
}

fn transactions_doc(r: &mut Reader, value: &Value) -> R<Vec<Transaction>> {
    if value.is_object() {
        let o = r.object(value, &["transactions"])?;
        r.req(o, "transactions", transactions)
    } else {
        transactions(r, value)
    }
}

/// The names of the limits in JSON (camelCase, as the JavaScript package writes them).
const LIMIT_NAMES: [&str; 11] = [
    "maxPlanBytes",
    "maxInputsBytes",
    "maxDepth",
    "maxStringBytes",
    "maxComponents",
    "maxBands",
    "maxPayees",
    "maxMeasures",
    "maxPeriods",
    "maxTransactions",
    "maxCells",
];

/// Reads limits from JSON text (see [`Limits::from_json`]).
pub(crate) fn limits_from_text(text: &str) -> Result<Limits> {
    let defaults = Limits::default();
    Limits::check_text("limits", text, defaults.max_inputs_bytes, "max_inputs_bytes")?;
    Reader::new("limits").run(&parse("limits", text, &defaults)?, limits)
}

fn limits(r: &mut Reader, v: &Value) -> R<Limits> {
    let o = r.object(v, &LIMIT_NAMES)?;
    let mut l = Limits::default();
    let [plan, inputs, depth, string, components, bands, payees, measures, periods, transactions, cells] = LIMIT_NAMES;
    for (key, field) in [
        (plan, &mut l.max_plan_bytes),
        (inputs, &mut l.max_inputs_bytes),
        (string, &mut l.max_string_bytes),
        (components, &mut l.max_components),
        (bands, &mut l.max_bands),
        (payees, &mut l.max_payees),
        (measures, &mut l.max_measures),
        (periods, &mut l.max_periods),
        (transactions, &mut l.max_transactions),
        (cells, &mut l.max_cells),
    ] {
        if let Some(n) = r.opt(o, key, count)? {
            *field = n;
        }
    }
    if let Some(d) = r.opt(o, depth, count)? {
        match u32::try_from(d) {
            Ok(d) if d <= crate::limits::HARD_MAX_DEPTH => l.max_depth = d,
            _ => {
                r.enter(depth);
                return Err(r.fail(format!(
                    "invalid value: integer `{d}`, expected at most 127 (the parser's deepest nesting)"
                )));
            }
        }
    }
    Ok(l)
}

/// A count or size: a non-negative integer, where one beyond the machine's `usize` (on 32-bit
/// WebAssembly, above 4,294,967,295) is no limit.
fn count(r: &mut Reader, v: &Value) -> R<usize> {
    const EXPECTED: &str = "a non-negative integer";
    match v {
        Value::Number(n) if !n.is_f64() => match n.as_u64() {
            Some(n) => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
            None => Err(r.fail(format!("invalid value: integer `{n}`, expected {EXPECTED}"))),
        },
        _ => Err(r.invalid_type(v, EXPECTED)),
    }
}

/// Reads one transaction from JSON text (what a preview session takes).
pub(crate) fn transaction_from_text(text: &str) -> Result<Transaction> {
    let limits = Limits::default();
    Limits::check_text("transaction", text, limits.max_inputs_bytes, "max_inputs_bytes")?;
    Reader::new("transaction").run(&parse("transaction", text, &limits)?, transaction)
}

/// Parses JSON text into a value (`crate::jsontext`, which reads as serde_json does). A syntax
/// error carries the pointer of where the parser stopped and the line and column; nesting deeper
/// or a string longer than `limits` allow is [`Error::LimitExceeded`] at the same pointer.
fn parse<'t>(what: &str, text: &'t str, limits: &Limits) -> Result<Value<'t>> {
    crate::jsontext::parse_limited(text, limits.max_depth, limits.max_string_bytes).map_err(|e| {
        let path = crate::error::pointer_at(text, e.line, e.column);
        let at = format!("(line {}, column {})", e.line, e.column);
        match e.message {
            crate::jsontext::DEPTH_LIMIT => Error::LimitExceeded {
                path,
                message: format!(
                    "the {what} document is nested more than {} levels deep (the limit `max_depth`) {at}",
                    limits.max_depth.min(crate::limits::HARD_MAX_DEPTH)
                ),
            },
            crate::jsontext::STRING_LIMIT => Error::LimitExceeded {
                path,
                message: format!(
                    "a string of the {what} is longer than {} bytes (the limit `max_string_bytes`) {at}",
                    limits.max_string_bytes
                ),
            },
            message => Error::Parse { what: what.to_string(), path, message: format!("{message} {at}") },
        }
    })
}

/// Parses JSON text straight into a serde-derived type (the requests of the metrics, quota and
/// territory modules); an error carries the JSON pointer of where the parser stopped.
pub(crate) fn parse_serde<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    let limits = Limits::default();
    Limits::check_text(what, text, limits.max_inputs_bytes, "max_inputs_bytes")?;
    serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        // serde_json appends " at line L column C"; the pointer says it better
        let message = match message.rfind(" at line ") {
            Some(i) if e.line() > 0 => message.get(..i).unwrap_or_default().to_string(),
            _ => message,
        };
        let message = message.replace(
            "expected a Decimal type representing a fixed-point number",
            &format!("expected {DECIMAL_EXPECTED}"),
        );
        let path = if e.line() > 0 { crate::error::pointer_at(text, e.line(), e.column()) } else { String::new() };
        if message.starts_with(crate::jsontext::DEPTH_LIMIT) {
            return Error::LimitExceeded {
                path,
                message: format!(
                    "the {what} document is nested more than 127 levels deep (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            };
        }
        Error::Parse {
            what: what.to_string(),
            path,
            message: format!("{message} (line {}, column {})", e.line(), e.column()),
        }
    })
}

/// Appends `/key` to a JSON pointer, escaping `~` and `/`.
fn push_token(path: &mut String, key: &str) {
    path.push('/');
    for c in key.chars() {
        match c {
            '~' => path.push_str("~0"),
            '/' => path.push_str("~1"),
            c => path.push(c),
        }
    }
}

/// The reader: which document, and the JSON pointer of a failure (built as the failure returns:
/// `path` holds what the failing level itself adds, see [`Reader::at`]).
struct Reader {
    what: &'static str,
    path: String,
    /// The error of the failure, once there is one.
    error: Option<Error>,
}

const DECIMAL_EXPECTED: &str = "a decimal string such as \"1250.00\" (JSON numbers are refused so that no amount passes through binary floating point)";
const DATE_EXPECTED: &str = "a date string YYYY-MM-DD such as \"2025-03-31\"";

impl Reader {
    fn new(what: &'static str) -> Self {
        Reader { what, path: String::new(), error: None }
    }

    /// Reads `v` with `f`; the error of a failure.
    fn run<T>(mut self, v: &Value, f: ReadFn<T>) -> Result<T> {
        f(&mut self, v).map_err(|Fail| self.take_error())
    }

    #[inline(never)]
    fn take_error(&mut self) -> Error {
        self.error.take().unwrap_or_else(|| self.error_at("could not be read".to_string()))
    }

    fn error_at(&self, message: String) -> Error {
        Error::Parse { what: self.what.to_string(), path: self.path.clone(), message }
    }

    /// Fails with `message` at the current path.
    #[inline(never)]
    fn fail(&mut self, message: String) -> Fail {
        self.error = Some(self.error_at(message));
        Fail
    }

    #[inline(never)]
    fn invalid_type(&mut self, v: &Value, expected: &str) -> Fail {
        self.fail(format!("invalid type: {}, expected {expected}", unexpected(v)))
    }

    /// Appends a key to the path; returns the length to truncate back to.
    #[inline(never)]
    fn enter(&mut self, key: &str) -> usize {
        let n = self.path.len();
        push_token(&mut self.path, key);
        n
    }

    /// Reads `v` (the value at `key` of the current value) with `f`.
    ///
    /// The path is built only on failure: reading succeeds without touching it, and a failure
    /// deeper down has each level put its key in front of the error's path as it returns.
    fn at<T>(&mut self, key: &str, v: &Value, f: ReadFn<T>) -> R<T> {
        f(self, v).map_err(|Fail| self.prefix(key))
    }

    /// Puts `/key` (escaped as a JSON pointer token) in front of the failure's path.
    #[cold]
    #[inline(never)]
    fn prefix(&mut self, key: &str) -> Fail {
        if let Some(Error::Parse { path, .. }) = &mut self.error {
            let mut p = String::with_capacity(key.len() + 1 + path.len());
            push_token(&mut p, key);
            p.push_str(path);
            *path = p;
        }
        Fail
    }

    /// The object `v`, refusing any key not in `allowed`. Like the derived code, an empty array
    /// stands for an empty object.
    fn object<'v>(&mut self, v: &'v Value<'v>, allowed: &[&str]) -> R<&'v Obj<'v>> {
        static EMPTY: Obj = Obj::new();
        if v.as_array().is_some_and(Vec::is_empty) {
            return Ok(&EMPTY);
        }
        let o = self.any_object(v)?;
        if let Some(k) = o.keys().find(|k| !allowed.contains(k)) {
            self.enter(k);
            let expected = match allowed {
                [] => "there are no fields".to_string(),
                [one] => format!("expected `{one}`"),
                _ => format!("expected one of {}", names(allowed)),
            };
            return Err(self.fail(format!("unknown field `{k}`, {expected}")));
        }
        Ok(o)
    }

    /// The fields `allowed` of the object `v`, in the order of `allowed` (one pass over the
    /// object instead of a search per field), refusing any other key as [`Reader::object`] does.
    fn fields<'v>(&mut self, v: &'v Value<'v>, allowed: &[&str], out: &mut [Option<&'v Value<'v>>]) -> R<()> {
        if v.as_array().is_some_and(Vec::is_empty) {
            return Ok(());
        }
        let o = self.any_object(v)?;
        for (k, value) in o.iter() {
            match allowed.iter().position(|a| *a == k) {
                Some(i) => {
                    if let Some(slot) = out.get_mut(i) {
                        *slot = Some(value);
                    }
                }
                None => {
                    // the same error as `object`
                    self.object(v, allowed)?;
                }
            }
        }
        Ok(())
    }

    /// A required field found by [`Reader::fields`].
    fn req_in<T>(&mut self, slot: Option<&Value>, key: &str, f: ReadFn<T>) -> R<T> {
        match slot {
            Some(v) => self.at(key, v, f),
            None => Err(self.missing(key)),
        }
    }

    /// An optional field found by [`Reader::fields`]: absent or `null` is `None`.
    fn opt_in<T>(&mut self, slot: Option<&Value>, key: &str, f: ReadFn<T>) -> R<Option<T>> {
        match slot {
            None | Some(Value::Null) => Ok(None),
            Some(v) => self.at(key, v, f).map(Some),
        }
    }

    /// The object `v`, with any keys.
    fn any_object<'v>(&mut self, v: &'v Value<'v>) -> R<&'v Obj<'v>> {
        v.as_object().ok_or_else(|| self.invalid_type(v, "an object"))
    }

    #[inline(never)]
    fn missing(&mut self, key: &str) -> Fail {
        self.fail(format!("missing field `{key}`"))
    }

    /// A required field.
    #[inline(never)]
    fn req<T>(&mut self, o: &Obj, key: &str, f: ReadFn<T>) -> R<T> {
        match o.get(key) {
            Some(v) => self.at(key, v, f),
            None => Err(self.missing(key)),
        }
    }

    /// An optional field: absent or `null` is `None`.
    #[inline(never)]
    fn opt<T>(&mut self, o: &Obj, key: &str, f: ReadFn<T>) -> R<Option<T>> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => self.at(key, v, f).map(Some),
        }
    }

    /// A field with a default for when it is absent (`null` is not absent).
    #[inline(never)]
    fn or<T>(&mut self, o: &Obj, key: &str, f: ReadFn<T>, default: T) -> R<T> {
        match o.get(key) {
            None => Ok(default),
            Some(v) => self.at(key, v, f),
        }
    }

    /// A field whose default is `T::default()`.
    #[inline(never)]
    fn def<T: Default>(&mut self, o: &Obj, key: &str, f: ReadFn<T>) -> R<T> {
        // (not through `or`: a default made only when needed needs no dropping)
        match o.get(key) {
            None => Ok(T::default()),
            Some(v) => self.at(key, v, f),
        }
    }

    /// The index of `v` among the enum's variant `names`: a string, or (as serde accepts) an
    /// object `{"name": null}`.
    fn unit_variant(&mut self, v: &Value, names: &[&'static str]) -> R<usize> {
        let (i, name, inner) = self.variant(v, names)?;
        match inner {
            None | Some(Value::Null) => Ok(i),
            Some(inner) => {
                self.enter(name);
                Err(self.invalid_type(inner, "null (a variant without a value)"))
            }
        }
    }

    /// An externally tagged variant: `"name"` or `{"name": value}`; returns the index, the name
    /// and the value.
    fn variant<'v>(
        &mut self,
        v: &'v Value<'v>,
        names: &[&'static str],
    ) -> R<(usize, &'static str, Option<&'v Value<'v>>)> {
        let (name, inner) = match v {
            Value::String(s) => (s.as_ref(), None),
            Value::Object(o) if o.len() == 1 => match o.iter().next() {
                Some((k, inner)) => (k, Some(inner)),
                None => return Err(self.invalid_type(v, "a string")),
            },
            Value::Object(o) => {
                return Err(self.fail(format!(
                    "invalid value: map with {} entries, expected a string or an object with a single key, one of {}",
                    o.len(),
                    names_list(names)
                )))
            }
            _ => return Err(self.invalid_type(v, &names_list(names))),
        };
        match names.iter().position(|n| *n == name) {
            Some(i) => Ok((i, names.get(i).copied().unwrap_or_default(), inner)),
            None => {
                if inner.is_some() {
                    self.enter(name);
                }
                Err(self.fail(format!("unknown variant `{name}`, expected {}", names_list(names))))
            }
        }
    }

    /// The value of an externally tagged variant that carries one.
    fn payload<'v>(&mut self, v: &'v Value<'v>, name: &str, inner: Option<&'v Value<'v>>) -> R<&'v Value<'v>> {
        inner.ok_or_else(|| self.invalid_type(v, &format!("an object {{\"{name}\": ...}}")))
    }

    /// The index of an internally tagged object's `type` among `names`.
    fn tag(&mut self, o: &Obj, names: &[&str]) -> R<usize> {
        let v = o.get("type").ok_or_else(|| self.missing("type"))?;
        let n = self.enter("type");
        let s = v.as_str().ok_or_else(|| self.invalid_type(v, &names_list(names)))?;
        let i = names
            .iter()
            .position(|n| *n == s)
            .ok_or_else(|| self.fail(format!("unknown variant `{s}`, expected {}", names_list(names))))?;
        self.path.truncate(n);
        Ok(i)
    }

    fn string(&mut self, v: &Value) -> R<String> {
        v.as_str().map(str::to_string).ok_or_else(|| self.invalid_type(v, "a string"))
    }

    fn bool(&mut self, v: &Value) -> R<bool> {
        v.as_bool().ok_or_else(|| self.invalid_type(v, "a boolean"))
    }

    fn u32(&mut self, v: &Value) -> R<u32> {
        let Value::Number(n) = v else {
            return Err(self.invalid_type(v, "an integer from 0 to 4294967295"));
        };
        if n.is_f64() {
            return Err(self.invalid_type(v, "an integer from 0 to 4294967295"));
        }
        n.as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| self.fail(format!("invalid value: integer `{n}`, expected an integer from 0 to 4294967295")))
    }

    /// A decimal string, written out (an optional sign, digits, a point): `Decimal::from_str_exact`.
    fn decimal(&mut self, v: &Value) -> R<Decimal> {
        let s = v.as_str().ok_or_else(|| self.invalid_type(v, DECIMAL_EXPECTED))?;
        #[cfg(feature = "batch-kernel")]
        if let Some(d) = plain_decimal(s) {
            return Ok(d);
        }
        let hint = if s.contains(['e', 'E']) && !s.is_empty() {
            " (write the number out, without an exponent)"
        } else if s.contains(',') {
            " (use . as the decimal separator and no thousands separators)"
        } else {
            ""
        };
        match Decimal::from_str_exact(s) {
            Ok(d) if hint.is_empty() => Ok(d),
            Err(rust_decimal::Error::Underflow) | Err(rust_decimal::Error::ExceedsMaximumPossibleValue) => Err(self
                .fail(format!(
                    "invalid value: string {s:?}, expected a decimal with at most 28 digits after the point"
                ))),
            // (every overflow message of rust_decimal starts so; a prefix needs no substring search)
            Err(rust_decimal::Error::ErrorString(m)) if m.starts_with("Invalid decimal: overflow") => Err(self.fail(
                format!("invalid value: string {s:?}, expected a decimal no larger than 79228162514264337593543950335"),
            )),
            _ => {
                Err(self
                    .fail(format!("invalid value: string {s:?}, expected a decimal string such as \"1250.00\"{hint}")))
            }
        }
    }

    /// A date `YYYY-MM-DD`, as chrono reads it (which also takes extended years such as
    /// `+262142-06-01`, and one-digit months and days).
    fn date(&mut self, v: &Value) -> R<NaiveDate> {
        let s = v.as_str().ok_or_else(|| self.invalid_type(v, DATE_EXPECTED))?;
        parse_date(s).map_err(|e| self.fail(format!("invalid value: string {s:?}, expected {DATE_EXPECTED} ({e})")))
    }

    /// Calls `f` on each item of the list `v`, with the path at the item. (Not generic: what is
    /// generic in reading a list is only the push into its vector.)
    #[inline(never)]
    fn items(&mut self, v: &Value, f: &mut dyn FnMut(&mut Reader, &Value) -> R<()>) -> R<()> {
        let items = v.as_array().ok_or_else(|| self.invalid_type(v, "a list"))?;
        for (i, item) in items.iter().enumerate() {
            if let Err(Fail) = f(self, item) {
                return Err(self.prefix(&i.to_string()));
            }
        }
        Ok(())
    }

    /// A list, each item read with `f`.
    fn list<T>(&mut self, v: &Value, f: ReadFn<T>) -> R<Vec<T>> {
        let mut out = Vec::new();
        self.items(v, &mut |r, item| {
            out.push(f(r, item)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Calls `f` on each entry of the object `v`, with the path at the entry.
    #[inline(never)]
    fn entries(&mut self, v: &Value, f: &mut dyn FnMut(&mut Reader, &str, &Value) -> R<()>) -> R<()> {
        let o = v.as_object().ok_or_else(|| self.invalid_type(v, "an object (a map)"))?;
        for (k, item) in o.iter() {
            if let Err(Fail) = f(self, k, item) {
                return Err(self.prefix(k));
            }
        }
        Ok(())
    }

    /// An object read as a map from its keys to values read with `f`.
    fn map<T>(&mut self, v: &Value, f: ReadFn<T>) -> R<BTreeMap<String, T>> {
        let mut out = BTreeMap::new();
        self.entries(v, &mut |r, k, item| {
            out.insert(k.to_string(), f(r, item)?);
            Ok(())
        })?;
        Ok(out)
    }
}

/// The usual decimal string, digits with an optional `-` and point and at most 18 digits, read at
/// once: the very decimal (value, scale and sign, `-0` included) that `Decimal::from_str_exact`
/// makes of it; `None` for anything else. Feature `batch-kernel` (the browser's WebAssembly module
/// has no room for it).
#[cfg(feature = "batch-kernel")]
pub(crate) fn plain_decimal(s: &str) -> Option<Decimal> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (mut n, mut count, mut scale, mut point) = (0i64, 0u32, 0u32, false);
    for c in digits.bytes() {
        match c {
            b'0'..=b'9' if count < 18 => {
                n = n * 10 + i64::from(c - b'0');
                count += 1;
                scale += u32::from(point);
            }
            b'.' if !point && count > 0 => point = true,
            _ => return None,
        }
    }
    if count == 0 || (point && scale == 0) {
        return None;
    }
    Decimal::try_new(if negative { -n } else { n }, scale).ok()
}

/// A date as chrono's `NaiveDate::from_str` reads it (the same dates accepted, the same error
/// messages), without chrono's general format parser, which is large in WebAssembly: an optional
/// sign and a year (four digits at most without a sign), `-`, a month and `-`, a day (one or two
/// digits each), whitespace allowed before each number and each `-` and at the end.
pub(crate) fn parse_date(s: &str) -> std::result::Result<NaiveDate, &'static str> {
    const OUT_OF_RANGE: &str = "input is out of range";
    const INVALID: &str = "input contains invalid characters";
    const TOO_SHORT: &str = "premature end of input";
    // the usual form, `YYYY-MM-DD`, read at once (the same date or error as below; feature
    // `batch-kernel`, as the browser's WebAssembly module has no room for it)
    #[cfg(feature = "batch-kernel")]
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *s.as_bytes() {
        if [y0, y1, y2, y3, m0, m1, d0, d1].iter().all(u8::is_ascii_digit) {
            let n = |a: u8, b: u8| u32::from(a - b'0') * 10 + u32::from(b - b'0');
            let year = n(y0, y1) * 100 + n(y2, y3);
            return NaiveDate::from_ymd_opt(year as i32, n(m0, m1), n(d0, d1)).ok_or(OUT_OF_RANGE);
        }
    }
    /// Up to `max` digits (at least one): the rest and the value.
    fn number(s: &str, max: usize) -> std::result::Result<(&str, i64), &'static str> {
        let digits = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
        if s.is_empty() {
            return Err(TOO_SHORT);
        }
        if digits == 0 {
            return Err(INVALID);
        }
        let mut n = 0i64;
        for c in s.bytes().take(digits) {
            n = n.checked_mul(10).and_then(|n| n.checked_add(i64::from(c - b'0'))).ok_or(OUT_OF_RANGE)?;
        }
        Ok((s.get(digits..).unwrap_or_default(), n))
    }
    /// Whitespace, then `-`.
    fn dash(s: &str) -> std::result::Result<&str, &'static str> {
        let s = s.trim_start();
        match s.strip_prefix('-') {
            Some(rest) => Ok(rest),
            None if s.is_empty() => Err(TOO_SHORT),
            None => Err(INVALID),
        }
    }
    let s = s.trim_start();
    let (s, year) = if let Some(rest) = s.strip_prefix('-') {
        let (s, v) = number(rest, usize::MAX)?;
        (s, -v)
    } else if let Some(rest) = s.strip_prefix('+') {
        number(rest, usize::MAX)?
    } else {
        number(s, 4)?
    };
    let year = i32::try_from(year).map_err(|_| OUT_OF_RANGE)?;
    let (s, month) = number(dash(s)?.trim_start(), 2)?;
    if !(1..=12).contains(&month) {
        return Err(OUT_OF_RANGE);
    }
    let (s, day) = number(dash(s)?.trim_start(), 2)?;
    if !(1..=31).contains(&day) {
        return Err(OUT_OF_RANGE);
    }
    if !s.trim_start().is_empty() {
        return Err("trailing input");
    }
    let (Ok(month), Ok(day)) = (u32::try_from(month), u32::try_from(day)) else {
        return Err(OUT_OF_RANGE);
    };
    NaiveDate::from_ymd_opt(year, month, day).ok_or(OUT_OF_RANGE)
}

/// How serde names a value in "invalid type" messages.
fn unexpected(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_f64() => format!("floating point `{n}`"),
        Value::Number(n) => format!("integer `{n}`"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "sequence".to_string(),
        Value::Object(_) => "map".to_string(),
    }
}

/// `` `a`, `b` `` for a message.
fn names(list: &[&str]) -> String {
    list.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// "one of `a`, `b`" (or "`a`").
fn names_list(list: &[&str]) -> String {
    match list {
        [one] => format!("`{one}`"),
        _ => format!("one of {}", names(list)),
    }
}

// ---- shared value readers, as function pointers ----

fn string(r: &mut Reader, v: &Value) -> R<String> {
    r.string(v)
}
fn decimal(r: &mut Reader, v: &Value) -> R<Decimal> {
    r.decimal(v)
}
fn date(r: &mut Reader, v: &Value) -> R<NaiveDate> {
    r.date(v)
}
fn u32(r: &mut Reader, v: &Value) -> R<u32> {
    r.u32(v)
}
fn strings(r: &mut Reader, v: &Value) -> R<Vec<String>> {
    r.list(v, string)
}
fn decimals(r: &mut Reader, v: &Value) -> R<Vec<Decimal>> {
    r.list(v, decimal)
}
fn decimal_map(r: &mut Reader, v: &Value) -> R<BTreeMap<String, Decimal>> {
    r.map(v, decimal)
}

/// A unit enum: the variant named by `v`, from `names` and the matching `values`.
fn choice<T: Copy>(r: &mut Reader, v: &Value, names: &[&'static str], values: &[T]) -> R<T> {
    let i = r.unit_variant(v, names)?;
    values.get(i).copied().ok_or_else(|| r.fail("unknown variant".to_string()))
}

macro_rules! unit_enum {
    ($fn:ident, $ty:ty, [$($name:literal => $variant:expr),+ $(,)?]) => {
        fn $fn(r: &mut Reader, v: &Value) -> R<$ty> {
            choice(r, v, &[$($name),+], &[$($variant),+])
        }
    };
}

unit_enum!(fx_date, FxDate, ["creditDate" => FxDate::CreditDate, "periodEnd" => FxDate::PeriodEnd]);
unit_enum!(measure_kind, MeasureKind, [
    "amount" => MeasureKind::Amount, "quantity" => MeasureKind::Quantity, "count" => MeasureKind::Count,
]);
unit_enum!(proration, Proration, [
    "calendarDays" => Proration::CalendarDays, "businessDays" => Proration::BusinessDays, "none" => Proration::None,
]);
unit_enum!(date_field, DateField, [
    "close" => DateField::Close, "booking" => DateField::Booking, "invoice" => DateField::Invoice,
    "payment" => DateField::Payment,
]);
unit_enum!(basis, Basis, ["attainment" => Basis::Attainment, "value" => Basis::Value]);
unit_enum!(tier_method, TierMethod, [
    "marginal" => TierMethod::Marginal, "retroactive" => TierMethod::Retroactive,
    "interpolated" => TierMethod::Interpolated,
]);
unit_enum!(scope, Scope, [
    "transaction" => Scope::Transaction, "period" => Scope::Period, "yearToDate" => Scope::YearToDate,
]);
unit_enum!(bounds, Bounds, ["halfOpen" => Bounds::HalfOpen, "inclusiveUpper" => Bounds::InclusiveUpper]);
unit_enum!(curve_output, CurveOutput, [
    "percentOfCredit" => CurveOutput::PercentOfCredit,
    "fractionOfTargetIncentive" => CurveOutput::FractionOfTargetIncentive,
]);
unit_enum!(whose, Whose, ["payee" => Whose::Payee, "manager" => Whose::Manager]);
unit_enum!(pay_from, PayFrom, ["firstDollar" => PayFrom::FirstDollar, "threshold" => PayFrom::Threshold]);
unit_enum!(cap_per, CapPer, ["transaction" => CapPer::Transaction, "period" => CapPer::Period, "year" => CapPer::Year]);
unit_enum!(excess, Excess, ["forfeit" => Excess::Forfeit, "carryForward" => Excess::CarryForward]);
unit_enum!(draw_kind, DrawKind, [
    "nonRecoverable" => DrawKind::NonRecoverable, "recoverable" => DrawKind::Recoverable,
]);
unit_enum!(clawback_mode, ClawbackMode, ["full" => ClawbackMode::Full, "proportional" => ClawbackMode::Proportional]);
unit_enum!(clawback_attainment, ClawbackAttainment, [
    "keep" => ClawbackAttainment::Keep, "reduce" => ClawbackAttainment::Reduce,
]);
unit_enum!(rounding_mode, RoundingMode, [
    "halfEven" => RoundingMode::HalfEven, "halfUp" => RoundingMode::HalfUp, "halfDown" => RoundingMode::HalfDown,
    "down" => RoundingMode::Down, "up" => RoundingMode::Up, "floor" => RoundingMode::Floor,
    "ceiling" => RoundingMode::Ceiling,
]);
unit_enum!(rounding_stage, RoundingStage, ["line" => RoundingStage::Line, "total" => RoundingStage::Total]);
unit_enum!(detail, Detail, ["full" => Detail::Full, "summary" => Detail::Summary]);
unit_enum!(period_type, PeriodType, [
    "month" => PeriodType::Month, "quarter" => PeriodType::Quarter, "half" => PeriodType::Half,
    "year" => PeriodType::Year, "custom" => PeriodType::Custom,
]);

// ---- the plan ----

fn plan(r: &mut Reader, v: &Value) -> R<Plan> {
    let o = r.object(
        v,
        &[
            "schemaVersion",
            "id",
            "name",
            "version",
            "currency",
            "currencies",
            "fx",
            "rounding",
            "calendar",
            "payees",
            "measures",
            "quotas",
            "crediting",
            "components",
            "payments",
        ],
    )?;
    Ok(Plan {
        schema_version: r.req(o, "schemaVersion", u32)?,
        id: r.req(o, "id", string)?,
        name: r.opt(o, "name", string)?,
        version: r.opt(o, "version", string)?,
        currency: r.req(o, "currency", string)?,
        currencies: r.def(o, "currencies", |r, v| r.list(v, currency_def))?,
        fx: r.opt(o, "fx", fx_table)?,
        rounding: r.def(o, "rounding", rounding)?,
        calendar: r.req(o, "calendar", calendar)?,
        payees: r.req(o, "payees", |r, v| r.list(v, payee))?,
        measures: r.req(o, "measures", |r, v| r.list(v, measure))?,
        quotas: r.def(o, "quotas", |r, v| r.list(v, quota))?,
        crediting: r.req(o, "crediting", crediting)?,
        components: r.req(o, "components", |r, v| r.list(v, component))?,
        payments: r.def(o, "payments", payments)?,
    })
}

fn currency_def(r: &mut Reader, v: &Value) -> R<CurrencyDef> {
    let o = r.object(v, &["code", "minorUnits"])?;
    Ok(CurrencyDef { code: r.req(o, "code", string)?, minor_units: r.req(o, "minorUnits", u32)? })
}

fn fx_table(r: &mut Reader, v: &Value) -> R<FxTable> {
    let o = r.object(v, &["base", "rateDate", "rates"])?;
    Ok(FxTable {
        base: r.req(o, "base", string)?,
        rate_date: r.def(o, "rateDate", fx_date)?,
        rates: r.req(o, "rates", |r, v| r.list(v, fx_rate))?,
    })
}

fn fx_rate(r: &mut Reader, v: &Value) -> R<FxRate> {
    let o = r.object(v, &["currency", "rate", "from", "to"])?;
    Ok(FxRate {
        currency: r.req(o, "currency", string)?,
        rate: r.req(o, "rate", decimal)?,
        from: r.req(o, "from", date)?,
        to: r.opt(o, "to", date)?,
    })
}

fn rounding(r: &mut Reader, v: &Value) -> R<RoundingPolicy> {
    let o = r.object(v, &["scale", "mode", "stage"])?;
    Ok(RoundingPolicy {
        scale: r.opt(o, "scale", u32)?,
        mode: r.def(o, "mode", rounding_mode)?,
        stage: r.def(o, "stage", rounding_stage)?,
    })
}

fn calendar(r: &mut Reader, v: &Value) -> R<Calendar> {
    let o = r.object(v, &["yearStart", "periodType", "periods", "holidays"])?;
    Ok(Calendar {
        year_start: r.req(o, "yearStart", date)?,
        period_type: r.req(o, "periodType", period_type)?,
        periods: r.def(o, "periods", |r, v| r.list(v, period_def))?,
        holidays: r.def(o, "holidays", |r, v| r.list(v, date))?,
    })
}

fn period_def(r: &mut Reader, v: &Value) -> R<PeriodDef> {
    let o = r.object(v, &["id", "start", "end"])?;
    Ok(PeriodDef { id: r.req(o, "id", string)?, start: r.req(o, "start", date)?, end: r.req(o, "end", date)? })
}

fn payee(r: &mut Reader, v: &Value) -> R<Payee> {
    let o = r.object(v, &["id", "name", "role", "start", "end", "reportsTo", "targetIncentive"])?;
    Ok(Payee {
        id: r.req(o, "id", string)?,
        name: r.opt(o, "name", string)?,
        role: r.req(o, "role", string)?,
        start: r.opt(o, "start", date)?,
        end: r.opt(o, "end", date)?,
        reports_to: r.def(o, "reportsTo", |r, v| r.list(v, reporting))?,
        target_incentive: r.opt(o, "targetIncentive", decimal)?,
    })
}

fn reporting(r: &mut Reader, v: &Value) -> R<Reporting> {
    let o = r.object(v, &["manager", "from", "to"])?;
    Ok(Reporting { manager: r.req(o, "manager", string)?, from: r.opt(o, "from", date)?, to: r.opt(o, "to", date)? })
}

fn measure(r: &mut Reader, v: &Value) -> R<Measure> {
    let o = r.object(v, &["id", "kind", "filter"])?;
    Ok(Measure {
        id: r.req(o, "id", string)?,
        kind: r.def(o, "kind", measure_kind)?,
        filter: r.def(o, "filter", filter)?,
    })
}

fn filter(r: &mut Reader, v: &Value) -> R<Filter> {
    let o = r.object(v, &["products", "types", "regions", "attributes", "rules", "exclude"])?;
    Ok(Filter {
        products: r.opt(o, "products", strings)?,
        types: r.opt(o, "types", strings)?,
        regions: r.opt(o, "regions", strings)?,
        attributes: r.def(o, "attributes", |r, v| r.map(v, strings))?,
        rules: r.opt(o, "rules", strings)?,
        exclude: r.opt(o, "exclude", |r, v| filter(r, v).map(Box::new))?,
    })
}

fn quota(r: &mut Reader, v: &Value) -> R<Quota> {
    let o = r.object(v, &["payee", "measure", "annual", "seasonality", "periods", "proration", "ramp"])?;
    Ok(Quota {
        payee: r.req(o, "payee", string)?,
        measure: r.req(o, "measure", string)?,
        annual: r.opt(o, "annual", decimal)?,
        seasonality: r.opt(o, "seasonality", decimal_map)?,
        periods: r.opt(o, "periods", decimal_map)?,
        proration: r.def(o, "proration", proration)?,
        ramp: r.def(o, "ramp", decimals)?,
    })
}

fn crediting(r: &mut Reader, v: &Value) -> R<Crediting> {
    let o = r.object(v, &["creditDate", "rules"])?;
    Ok(Crediting {
        credit_date: r.def(o, "creditDate", date_field)?,
        rules: r.req(o, "rules", |r, v| r.list(v, credit_rule))?,
    })
}

fn share(r: &mut Reader, v: &Value) -> R<Share> {
    let o = r.object(v, &["payee", "percent"])?;
    Ok(Share { payee: r.req(o, "payee", string)?, percent: r.req(o, "percent", decimal)? })
}

fn credit_rule(r: &mut Reader, v: &Value) -> R<CreditRule> {
    let o = r.any_object(v)?;
    Ok(match r.tag(o, &["direct", "split", "overlay", "rollup"])? {
        0 => {
            r.object(v, &["type", "id", "filter", "percent"])?;
            CreditRule::Direct {
                id: r.req(o, "id", string)?,
                filter: r.def(o, "filter", filter)?,
                percent: r.opt(o, "percent", decimal)?,
            }
        }
        1 => {
            r.object(v, &["type", "id", "filter", "shares", "mustTotal"])?;
            CreditRule::Split {
                id: r.req(o, "id", string)?,
                filter: r.def(o, "filter", filter)?,
                shares: r.def(o, "shares", |r, v| r.list(v, share))?,
                must_total: r.opt(o, "mustTotal", decimal)?,
            }
        }
        2 => {
            r.object(v, &["type", "id", "filter", "payee", "percent"])?;
            CreditRule::Overlay {
                id: r.req(o, "id", string)?,
                filter: r.def(o, "filter", filter)?,
                payee: r.req(o, "payee", string)?,
                percent: r.req(o, "percent", decimal)?,
            }
        }
        _ => {
            r.object(v, &["type", "id", "filter", "levels", "percent", "fromRules"])?;
            CreditRule::Rollup {
                id: r.req(o, "id", string)?,
                filter: r.def(o, "filter", filter)?,
                levels: r.opt(o, "levels", u32)?,
                percent: r.opt(o, "percent", decimal)?,
                from_rules: r.def(o, "fromRules", strings)?,
            }
        }
    })
}

fn rate(r: &mut Reader, v: &Value) -> R<Rate> {
    let (i, name, inner) = r.variant(v, &["percent", "perUnit", "perDeal", "multiplier"])?;
    let inner = r.payload(v, name, inner)?;
    let d = r.at(name, inner, decimal)?;
    Ok(match i {
        0 => Rate::Percent(d),
        1 => Rate::PerUnit(d),
        2 => Rate::PerDeal(d),
        _ => Rate::Multiplier(d),
    })
}

fn tier(r: &mut Reader, v: &Value) -> R<Tier> {
    let o = r.object(v, &["from", "to", "rate"])?;
    Ok(Tier { from: r.req(o, "from", decimal)?, to: r.opt(o, "to", decimal)?, rate: r.req(o, "rate", rate)? })
}

fn curve_point(r: &mut Reader, v: &Value) -> R<CurvePoint> {
    let o = r.object(v, &["x", "y"])?;
    Ok(CurvePoint { x: r.req(o, "x", decimal)?, y: r.req(o, "y", decimal)? })
}

fn indicator(r: &mut Reader, v: &Value) -> R<Indicator> {
    let o = r.object(v, &["measure", "metric", "basis", "of", "scope"])?;
    Ok(Indicator {
        measure: r.opt(o, "measure", string)?,
        metric: r.opt(o, "metric", string)?,
        basis: r.def(o, "basis", basis)?,
        of: r.def(o, "of", whose)?,
        scope: r.def(o, "scope", scope)?,
    })
}

fn gate(r: &mut Reader, v: &Value) -> R<Gate> {
    let o = r.object(v, &["on", "min", "payFrom"])?;
    Ok(Gate {
        on: r.req(o, "on", indicator)?,
        min: r.req(o, "min", decimal)?,
        pay_from: r.def(o, "payFrom", pay_from)?,
    })
}

fn factor_band(r: &mut Reader, v: &Value) -> R<FactorBand> {
    let o = r.object(v, &["from", "to", "factor"])?;
    Ok(FactorBand {
        from: r.req(o, "from", decimal)?,
        to: r.opt(o, "to", decimal)?,
        factor: r.req(o, "factor", decimal)?,
    })
}

fn multiplier(r: &mut Reader, v: &Value) -> R<Multiplier> {
    let o = r.object(v, &["on", "bounds", "bands"])?;
    Ok(Multiplier {
        on: r.req(o, "on", indicator)?,
        bounds: r.def(o, "bounds", bounds)?,
        bands: r.req(o, "bands", |r, v| r.list(v, factor_band))?,
    })
}

fn cap(r: &mut Reader, v: &Value) -> R<Cap> {
    let o = r.object(v, &["amount", "per", "excess"])?;
    Ok(Cap {
        amount: r.req(o, "amount", decimal)?,
        per: r.req(o, "per", cap_per)?,
        excess: r.def(o, "excess", excess)?,
    })
}

fn milestone(r: &mut Reader, v: &Value) -> R<Milestone> {
    let o = r.object(v, &["at", "amount"])?;
    Ok(Milestone { at: r.req(o, "at", decimal)?, amount: r.req(o, "amount", decimal)? })
}

fn window(r: &mut Reader, v: &Value) -> R<Window> {
    let o = r.object(v, &["from", "to"])?;
    Ok(Window { from: r.req(o, "from", date)?, to: r.req(o, "to", date)? })
}

fn objective(r: &mut Reader, v: &Value) -> R<Objective> {
    let o = r.object(v, &["id", "weight", "threshold", "target", "stretch", "atThreshold", "atStretch"])?;
    Ok(Objective {
        id: r.req(o, "id", string)?,
        weight: r.req(o, "weight", decimal)?,
        threshold: r.req(o, "threshold", decimal)?,
        target: r.req(o, "target", decimal)?,
        stretch: r.req(o, "stretch", decimal)?,
        at_threshold: r.opt(o, "atThreshold", decimal)?,
        at_stretch: r.opt(o, "atStretch", decimal)?,
    })
}

fn mbo_target(r: &mut Reader, v: &Value) -> R<MboTarget> {
    let o = r.object(v, &["amount", "fractionOfTargetIncentive"])?;
    Ok(MboTarget {
        amount: r.opt(o, "amount", decimal)?,
        fraction_of_target_incentive: r.opt(o, "fractionOfTargetIncentive", decimal)?,
    })
}

fn axis(r: &mut Reader, v: &Value) -> R<Axis> {
    let o = r.object(v, &["on", "breaks", "bounds"])?;
    Ok(Axis {
        on: r.req(o, "on", indicator)?,
        breaks: r.req(o, "breaks", decimals)?,
        bounds: r.def(o, "bounds", bounds)?,
    })
}

/// A component. Like the derived deserializer (the kind is flattened into the component and its
/// variants do not deny unknown fields), a component ignores fields it does not know.
fn component(r: &mut Reader, v: &Value) -> R<Component> {
    let o = r.any_object(v)?;
    let c = Component {
        id: r.req(o, "id", string)?,
        name: r.opt(o, "name", string)?,
        roles: r.def(o, "roles", strings)?,
        payees: r.def(o, "payees", strings)?,
        kind: component_kind(r, o)?,
        gate: r.opt(o, "gate", gate)?,
        multipliers: r.def(o, "multipliers", |r, v| r.list(v, multiplier))?,
        caps: r.def(o, "caps", |r, v| r.list(v, cap))?,
    };
    // Unknown fields are refused, as everywhere else in the plan: a typo such as `basisCAP` must
    // not drop a cap silently. (The serde derive, through `flatten`, would ignore them.)
    const COMMON: [&str; 8] = ["type", "id", "name", "roles", "payees", "gate", "multipliers", "caps"];
    let own: &[&str] = match &c.kind {
        ComponentKind::Rate { .. } => &["measure", "rate"],
        ComponentKind::Tiered { .. } => {
            &["measure", "basis", "method", "scope", "bounds", "baseRate", "tiers", "points", "output", "basisCap"]
        }
        ComponentKind::Matrix { .. } => &["measure", "rows", "columns", "rates"],
        ComponentKind::Milestone { .. } => &["measure", "basis", "scope", "levels"],
        ComponentKind::Spiff { .. } => &["measure", "filter", "window", "rate"],
        ComponentKind::Mbo { .. } => &["target", "objectives"],
    };
    let allowed: Vec<&str> = COMMON.iter().chain(own.iter()).copied().collect();
    r.object(v, &allowed)?;
    Ok(c)
}

fn component_kind(r: &mut Reader, o: &Obj) -> R<ComponentKind> {
    Ok(match r.tag(o, &["rate", "tiered", "matrix", "milestone", "spiff", "mbo"])? {
        0 => ComponentKind::Rate { measure: r.req(o, "measure", string)?, rate: r.req(o, "rate", rate)? },
        1 => ComponentKind::Tiered {
            measure: r.req(o, "measure", string)?,
            basis: r.def(o, "basis", basis)?,
            method: r.def(o, "method", tier_method)?,
            scope: r.def(o, "scope", scope)?,
            bounds: r.def(o, "bounds", bounds)?,
            base_rate: r.opt(o, "baseRate", rate)?,
            tiers: r.def(o, "tiers", |r, v| r.list(v, tier))?,
            points: r.def(o, "points", |r, v| r.list(v, curve_point))?,
            output: r.def(o, "output", curve_output)?,
            basis_cap: r.opt(o, "basisCap", decimal)?,
        },
        2 => ComponentKind::Matrix {
            measure: r.req(o, "measure", string)?,
            rows: r.req(o, "rows", axis)?,
            columns: r.req(o, "columns", axis)?,
            rates: r.req(o, "rates", |r, v| r.list(v, |r, v| r.list(v, rate)))?,
        },
        3 => ComponentKind::Milestone {
            measure: r.req(o, "measure", string)?,
            basis: r.def(o, "basis", basis)?,
            scope: r.or(o, "scope", scope, Scope::YearToDate)?,
            levels: r.req(o, "levels", |r, v| r.list(v, milestone))?,
        },
        4 => ComponentKind::Spiff {
            measure: r.req(o, "measure", string)?,
            filter: r.def(o, "filter", filter)?,
            window: r.req(o, "window", window)?,
            rate: r.req(o, "rate", rate)?,
        },
        _ => ComponentKind::Mbo {
            target: r.req(o, "target", mbo_target)?,
            objectives: r.req(o, "objectives", |r, v| r.list(v, objective))?,
        },
    })
}

fn payments(r: &mut Reader, v: &Value) -> R<Payments> {
    let o = r.object(v, &["draws", "clawback", "holdbacks"])?;
    Ok(Payments {
        draws: r.def(o, "draws", |r, v| r.list(v, draw))?,
        clawback: r.opt(o, "clawback", clawback)?,
        holdbacks: r.def(o, "holdbacks", |r, v| r.list(v, holdback))?,
    })
}

fn recovery(r: &mut Reader, v: &Value) -> R<Recovery> {
    let o = r.object(v, &["maxAmount", "maxPercent", "delayPeriods"])?;
    Ok(Recovery {
        max_amount: r.opt(o, "maxAmount", decimal)?,
        max_percent: r.opt(o, "maxPercent", decimal)?,
        delay_periods: r.def(o, "delayPeriods", u32)?,
    })
}

fn draw(r: &mut Reader, v: &Value) -> R<Draw> {
    let o = r.object(v, &["id", "roles", "payees", "kind", "amount", "periods", "recovery"])?;
    Ok(Draw {
        id: r.req(o, "id", string)?,
        roles: r.def(o, "roles", strings)?,
        payees: r.def(o, "payees", strings)?,
        kind: r.req(o, "kind", draw_kind)?,
        amount: r.req(o, "amount", decimal)?,
        periods: r.def(o, "periods", strings)?,
        recovery: r.def(o, "recovery", recovery)?,
    })
}

fn clawback(r: &mut Reader, v: &Value) -> R<Clawback> {
    let o = r.object(v, &["windowDays", "mode", "attainment", "components"])?;
    Ok(Clawback {
        window_days: r.req(o, "windowDays", u32)?,
        mode: r.def(o, "mode", clawback_mode)?,
        attainment: r.def(o, "attainment", clawback_attainment)?,
        components: r.def(o, "components", strings)?,
    })
}

fn release(r: &mut Reader, v: &Value) -> R<Release> {
    let (i, name, inner) = r.variant(v, &["onDate", "afterPeriods", "onEvent", "onPayment"])?;
    if i == 3 {
        return match inner {
            None | Some(Value::Null) => Ok(Release::OnPayment),
            Some(inner) => r.at(name, inner, |r, v| Err(r.invalid_type(v, "null (a variant without a value)"))),
        };
    }
    let inner = r.payload(v, name, inner)?;
    Ok(match i {
        0 => Release::OnDate(r.at(name, inner, date)?),
        1 => Release::AfterPeriods(r.at(name, inner, u32)?),
        _ => Release::OnEvent(r.at(name, inner, string)?),
    })
}

fn holdback(r: &mut Reader, v: &Value) -> R<Holdback> {
    let o = r.object(v, &["id", "percent", "components", "release"])?;
    Ok(Holdback {
        id: r.req(o, "id", string)?,
        percent: r.req(o, "percent", decimal)?,
        components: r.def(o, "components", strings)?,
        release: r.req(o, "release", release)?,
    })
}

// ---- the inputs ----

fn inputs(r: &mut Reader, v: &Value) -> R<Inputs> {
    let o = r.object(
        v,
        &["transactions", "closedStatements", "scores", "metrics", "events", "openingBalances", "options"],
    )?;
    Ok(Inputs {
        transactions: r.def(o, "transactions", transactions)?,
        closed_statements: r.def(o, "closedStatements", |r, v| r.list(v, closed_statement))?,
        scores: r.def(o, "scores", |r, v| r.list(v, score))?,
        metrics: r.def(o, "metrics", |r, v| r.list(v, metric_value))?,
        events: r.def(o, "events", |r, v| r.list(v, event))?,
        opening_balances: r.def(o, "openingBalances", |r, v| r.list(v, opening_balance))?,
        options: r.def(o, "options", options)?,
    })
}

fn transactions(r: &mut Reader, v: &Value) -> R<Vec<Transaction>> {
    r.list(v, transaction)
}

fn transaction(r: &mut Reader, v: &Value) -> R<Transaction> {
    let mut slots = [None; 16];
    r.fields(
        v,
        &[
            "id",
            "owner",
            "amount",
            "currency",
            "quantity",
            "closeDate",
            "bookingDate",
            "invoiceDate",
            "paymentDate",
            "cancellationDate",
            "refundAmount",
            "product",
            "type",
            "region",
            "splits",
            "attributes",
        ],
        &mut slots,
    )?;
    let [id, owner, amount, currency, quantity, close, booking, invoice, payment, cancellation, refund, product, kind, region, splits, attributes] =
        slots;
    Ok(Transaction {
        id: r.req_in(id, "id", string)?,
        owner: r.opt_in(owner, "owner", string)?,
        amount: r.req_in(amount, "amount", decimal)?,
        currency: r.opt_in(currency, "currency", string)?,
        quantity: r.opt_in(quantity, "quantity", decimal)?,
        close_date: r.opt_in(close, "closeDate", date)?,
        booking_date: r.opt_in(booking, "bookingDate", date)?,
        invoice_date: r.opt_in(invoice, "invoiceDate", date)?,
        payment_date: r.opt_in(payment, "paymentDate", date)?,
        cancellation_date: r.opt_in(cancellation, "cancellationDate", date)?,
        refund_amount: r.opt_in(refund, "refundAmount", decimal)?,
        product: r.opt_in(product, "product", string)?,
        kind: r.opt_in(kind, "type", string)?,
        region: r.opt_in(region, "region", string)?,
        // (`def`: absent is the default, `null` is read and refused)
        splits: match splits {
            None => Vec::new(),
            Some(v) => r.at("splits", v, |r, v| r.list(v, split))?,
        },
        attributes: match attributes {
            None => BTreeMap::new(),
            Some(v) => r.at("attributes", v, |r, v| r.map(v, string))?,
        },
    })
}

fn split(r: &mut Reader, v: &Value) -> R<Split> {
    let mut slots = [None; 2];
    r.fields(v, &["payee", "percent"], &mut slots)?;
    let [payee, percent] = slots;
    Ok(Split { payee: r.req_in(payee, "payee", string)?, percent: r.req_in(percent, "percent", decimal)? })
}

/// A closed statement: a full statement may be given, so fields it does not read are ignored.
fn closed_statement(r: &mut Reader, v: &Value) -> R<ClosedStatement> {
    let o = r.any_object(v)?;
    Ok(ClosedStatement {
        payee: r.req(o, "payee", string)?,
        period: r.req(o, "period", string)?,
        payout: r.req(o, "payout", decimal)?,
        components: r.def(o, "components", |r, v| r.list(v, closed_component))?,
    })
}

fn closed_component(r: &mut Reader, v: &Value) -> R<ClosedComponent> {
    let o = r.any_object(v)?;
    Ok(ClosedComponent { component: r.req(o, "component", string)?, amount: r.req(o, "amount", decimal)? })
}

fn score(r: &mut Reader, v: &Value) -> R<Score> {
    let o = r.object(v, &["payee", "period", "objective", "value"])?;
    Ok(Score {
        payee: r.req(o, "payee", string)?,
        period: r.req(o, "period", string)?,
        objective: r.req(o, "objective", string)?,
        value: r.req(o, "value", decimal)?,
    })
}

fn metric_value(r: &mut Reader, v: &Value) -> R<MetricValue> {
    let o = r.object(v, &["metric", "period", "payee", "value"])?;
    Ok(MetricValue {
        metric: r.req(o, "metric", string)?,
        period: r.req(o, "period", string)?,
        payee: r.opt(o, "payee", string)?,
        value: r.req(o, "value", decimal)?,
    })
}

fn event(r: &mut Reader, v: &Value) -> R<Event> {
    let o = r.object(v, &["id", "date"])?;
    Ok(Event { id: r.req(o, "id", string)?, date: r.req(o, "date", date)? })
}

fn opening_balance(r: &mut Reader, v: &Value) -> R<OpeningBalance> {
    let o = r.object(v, &["payee", "drawBalance"])?;
    Ok(OpeningBalance { payee: r.req(o, "payee", string)?, draw_balance: r.def(o, "drawBalance", decimal)? })
}

fn options(r: &mut Reader, v: &Value) -> R<Options> {
    let o = r.object(v, &["strict", "detail"])?;
    Ok(Options { strict: r.def(o, "strict", |r, v| r.bool(v))?, detail: r.def(o, "detail", detail)? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "batch-kernel")]
    fn plain_decimals_and_dates_read_as_the_general_path() {
        let mut cases: Vec<String> = [
            "0",
            "00",
            "-0",
            "-0.0",
            "0.0",
            "1",
            "-1",
            "1.",
            ".5",
            "-.5",
            "1.50",
            "-1.50",
            "007.10",
            "12345.67",
            "999999999999999999",
            "9999999999999999999",
            "-999999999999999999",
            "0.000000000000000001",
            "0.0000000000000000001",
            "123456789.123456789",
            "12345678.123456789",
            "1..2",
            "1.2.3",
            "--1",
            "-",
            "",
            "+1",
            "1e3",
            "1,5",
            " 1",
            "1 ",
            "١",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut seed = 7u64;
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let len = 1 + (seed >> 59) as usize;
            let mut x = seed;
            let s: String = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    b"0123456789000.-9"[(x >> 60) as usize] as char
                })
                .collect();
            cases.push(s);
        }
        for s in &cases {
            if let Some(d) = plain_decimal(s) {
                let e = Decimal::from_str_exact(s).unwrap();
                assert_eq!(
                    (d.mantissa(), d.scale(), d.is_sign_negative(), d.to_string()),
                    (e.mantissa(), e.scale(), e.is_sign_negative(), e.to_string()),
                    "{s:?}"
                );
            }
        }
        // dates: the usual form against the general path (a leading space takes the general path)
        for y in ["0000", "0001", "1999", "2024", "2025", "9999", "12a4"] {
            for m in ["00", "01", "02", "09", "12", "13", "1a"] {
                for d in ["00", "01", "28", "29", "30", "31", "32", "3x"] {
                    let usual = format!("{y}-{m}-{d}");
                    assert_eq!(parse_date(&usual), parse_date(&format!(" {usual}")), "{usual}");
                }
            }
        }
    }
    use serde_json::{json, Value};

    fn plan_err(patch: impl FnOnce(&mut Value)) -> (String, String) {
        let mut v: Value = serde_json::from_str(crate::sample::SAMPLE_PLAN_JSON).unwrap();
        patch(&mut v);
        match read_plan(&v).unwrap_err() {
            Error::Parse { what, path, message } => {
                assert_eq!(what, "plan");
                (path, message)
            }
            e => panic!("{e}"),
        }
    }

    fn at<'a>(v: &'a mut Value, p: &str) -> &'a mut Value {
        v.pointer_mut(p).unwrap()
    }

    #[test]
    fn sample_plan_reads_as_with_serde() {
        let v: Value = serde_json::from_str(crate::sample::SAMPLE_PLAN_JSON).unwrap();
        assert_eq!(read_plan(&v).unwrap(), serde_json::from_value::<Plan>(v).unwrap());
    }

    #[test]
    fn missing_field_points_at_the_object() {
        let (path, message) = plan_err(|v| {
            at(v, "/components/0").as_object_mut().unwrap().remove("id");
        });
        assert_eq!((path.as_str(), message.as_str()), ("/components/0", "missing field `id`"));
        let (path, message) = plan_err(|v| {
            at(v, "/crediting/rules/0").as_object_mut().unwrap().remove("type");
        });
        assert_eq!((path.as_str(), message.as_str()), ("/crediting/rules/0", "missing field `type`"));
    }

    #[test]
    fn a_typo_in_a_component_is_refused() {
        // the sample's commission is a tiered table: `basisCAP` is not `basisCap`
        let (path, message) = plan_err(|v| {
            at(v, "/components/0").as_object_mut().unwrap().insert("basisCAP".into(), json!("2.0"));
        });
        assert_eq!(path, "/components/0/basisCAP");
        assert!(message.starts_with("unknown field `basisCAP`, expected one of `type`, `id`"), "{message}");
        assert!(message.contains("`basisCap`"), "{message}");
        // a field of another component type is unknown too
        let (path, _) = plan_err(|v| {
            at(v, "/components/2").as_object_mut().unwrap().insert("tiers".into(), json!([]));
        });
        assert_eq!(path, "/components/2/tiers");
    }

    #[test]
    fn unknown_field_points_at_the_field() {
        let (path, message) = plan_err(|v| {
            at(v, "/calendar").as_object_mut().unwrap().insert("year".into(), json!(1));
        });
        assert_eq!(path, "/calendar/year");
        assert_eq!(message, "unknown field `year`, expected one of `yearStart`, `periodType`, `periods`, `holidays`");
        let (path, message) = plan_err(|v| {
            at(v, "/payments").as_object_mut().unwrap().insert("a~b/c".into(), json!(1));
        });
        assert_eq!(path, "/payments/a~0b~1c");
        assert!(message.starts_with("unknown field `a~b/c`, expected one of `draws`"), "{message}");
        // a credit rule knows the fields of its variant
        let (path, message) = plan_err(|v| {
            at(v, "/crediting/rules/1").as_object_mut().unwrap().insert("shares".into(), json!([]));
        });
        assert_eq!(path, "/crediting/rules/1/shares");
        assert_eq!(
            message,
            "unknown field `shares`, expected one of `type`, `id`, `filter`, `levels`, `percent`, `fromRules`"
        );
    }

    #[test]
    fn wrong_types() {
        let (path, message) = plan_err(|v| *at(v, "/id") = json!(5));
        assert_eq!((path.as_str(), message.as_str()), ("/id", "invalid type: integer `5`, expected a string"));
        let (path, message) = plan_err(|v| *at(v, "/components/0/caps/0/amount") = json!(25000));
        assert_eq!(path, "/components/0/caps/0/amount");
        assert_eq!(
            message,
            "invalid type: integer `25000`, expected a decimal string such as \"1250.00\" (JSON numbers are refused so that no amount passes through binary floating point)"
        );
        let (path, message) = plan_err(|v| *at(v, "/payees") = json!({}));
        assert_eq!((path.as_str(), message.as_str()), ("/payees", "invalid type: map, expected a list"));
        let (path, message) = plan_err(|v| *at(v, "/schemaVersion") = json!(-1));
        assert_eq!(path, "/schemaVersion");
        assert_eq!(message, "invalid value: integer `-1`, expected an integer from 0 to 4294967295");
        let (_, message) = plan_err(|v| *at(v, "/schemaVersion") = json!(1.0));
        assert_eq!(message, "invalid type: floating point `1.0`, expected an integer from 0 to 4294967295");
        let (path, message) = plan_err(|v| *at(v, "/calendar") = json!(null));
        assert_eq!((path.as_str(), message.as_str()), ("/calendar", "invalid type: null, expected an object"));
    }

    #[test]
    fn enums() {
        let (path, message) = plan_err(|v| *at(v, "/calendar/periodType") = json!("week"));
        assert_eq!(path, "/calendar/periodType");
        assert_eq!(message, "unknown variant `week`, expected one of `month`, `quarter`, `half`, `year`, `custom`");
        let (path, message) = plan_err(|v| *at(v, "/components/0/type") = json!("bonus"));
        assert_eq!(path, "/components/0/type");
        assert!(message.starts_with("unknown variant `bonus`, expected one of `rate`, `tiered`"), "{message}");
        let (path, message) = plan_err(|v| *at(v, "/components/0/tiers/0/rate") = json!({"percentage": "5"}));
        assert_eq!(path, "/components/0/tiers/0/rate/percentage");
        assert_eq!(
            message,
            "unknown variant `percentage`, expected one of `percent`, `perUnit`, `perDeal`, `multiplier`"
        );
        let (path, _) = plan_err(|v| *at(v, "/components/0/tiers/0/rate") = json!({"percent": 5}));
        assert_eq!(path, "/components/0/tiers/0/rate/percent");
        let (path, message) = plan_err(|v| *at(v, "/components/0/tiers/0/rate") = json!("percent"));
        assert_eq!(path, "/components/0/tiers/0/rate");
        assert_eq!(message, "invalid type: string \"percent\", expected an object {\"percent\": ...}");
        // serde's form of a unit variant as an object is accepted, as the derive accepts it
        let mut v: Value = serde_json::from_str(crate::sample::SAMPLE_PLAN_JSON).unwrap();
        *at(&mut v, "/calendar/periodType") = json!({"quarter": null});
        assert_eq!(read_plan(&v).unwrap().calendar.period_type, PeriodType::Quarter);
    }

    #[test]
    fn decimals_and_dates() {
        for (s, accepted) in [
            ("1250.00", true),
            ("-0", true),
            ("+1", true),
            (".5", true),
            ("5.", true),
            ("1_000", true),
            ("79228162514264337593543950335", true),
            ("1e3", false),
            ("1,5", false),
            (" 1", false),
            ("", false),
            ("79228162514264337593543950336", false),
            ("0.12345678901234567890123456789", false),
        ] {
            let r = Reader::new("plan").run(&crate::jsontext::Value::from_serde(&json!(s)), decimal);
            assert_eq!(r.is_ok(), accepted, "{s}: {r:?}");
        }
        let e = Reader::new("plan").run(&crate::jsontext::Value::from_serde(&json!("1e3")), decimal).unwrap_err();
        assert!(e.to_string().ends_with("without an exponent)"), "{e}");
        let e = Reader::new("plan")
            .run(&crate::jsontext::Value::from_serde(&json!("0.12345678901234567890123456789")), decimal)
            .unwrap_err();
        assert!(e.to_string().contains("at most 28 digits after the point"), "{e}");
        for big in
            ["79228162514264337593543950336", "-99999999999999999999999999999", "1000000000000000000000000000000.5"]
        {
            let e = Reader::new("plan").run(&crate::jsontext::Value::from_serde(&json!(big)), decimal).unwrap_err();
            assert!(e.to_string().contains("no larger than 79228162514264337593543950335"), "{big}: {e}");
        }
        let (path, message) = plan_err(|v| *at(v, "/calendar/yearStart") = json!("2025-02-30"));
        assert_eq!(path, "/calendar/yearStart");
        assert_eq!(
            message,
            "invalid value: string \"2025-02-30\", expected a date string YYYY-MM-DD such as \"2025-03-31\" (input is out of range)"
        );
        assert!(Reader::new("plan").run(&crate::jsontext::Value::from_serde(&json!("+262142-06-01")), date).is_ok());
    }

    #[test]
    fn dates_read_as_chrono_reads_them() {
        let mut cases: Vec<String> = [
            "2025-03-31",
            "2025-3-1",
            "+2025-03-31",
            "-0001-01-01",
            "+262142-06-01",
            "+262144-06-01",
            "-262144-01-01",
            " 2025-03-31",
            "2025-03-31 ",
            "2025 - 03 - 31",
            "2025-03- 31",
            "2025-03-31x",
            "2025-02-29",
            "2024-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-01-32",
            "2025-01-00",
            "2025",
            "2025-",
            "2025-01",
            "2025-01-",
            "",
            " ",
            "-",
            "+",
            "20250-01-01",
            "02025-01-01",
            "2025-001-01",
            "2025-01-011",
            "99999999999999999999-01-01",
            "+99999999999999999999-01-01",
            "-9223372036854775808-01-01",
            "+2147483648-01-01",
            "2025/01/01",
            "2025-01-01\u{a0}",
            "\u{2003}2025-01-01",
            "2025-\u{e9}1-01",
            "１２３４-01-01",
            "0-1-1",
            "+0-1-1",
            "-0-1-1",
            "2025--01-01",
            "2025-+1-01",
            "2025-01-+1",
            "2025-1-1-",
            "\t2025-01-01\n",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for y in ["2025", "1", "12", "123", "+1", "-5", "9999", "+10000"] {
            for m in ["1", "01", "12", "13", "0", "001", ""] {
                for d in ["1", "01", "28", "29", "30", "31", "32", "", "1 ", "1x"] {
                    cases.push(format!("{y}-{m}-{d}"));
                }
            }
        }
        for c in &cases {
            let expected = c.parse::<NaiveDate>().map_err(|e| e.to_string());
            let got = parse_date(c).map_err(str::to_string);
            assert_eq!(got, expected, "{c:?}");
        }
    }

    #[test]
    fn syntax_errors_keep_line_and_column() {
        let e = crate::Plan::from_json("{\"id\": [1, }").unwrap_err();
        assert_eq!(e.path(), Some("/id/1"));
        assert!(e.to_string().ends_with("(line 1, column 12)"), "{e}");
        let e = crate::Plan::from_json("").unwrap_err();
        assert_eq!(e.path(), Some(""));
    }

    #[test]
    fn inputs_and_transactions() {
        let e = read_inputs(&json!({"scores": 5})).unwrap_err();
        assert_eq!(e.path(), Some("/scores"));
        let e = read_inputs(&json!({"closedStatements": [{"payee": "a", "period": "Q1", "payout": "1", "extra": 1,
            "components": [{"component": "c", "amount": 2}]}]}))
        .unwrap_err();
        assert_eq!(e.path(), Some("/closedStatements/0/components/0/amount"));
        let e = read_transactions(&json!({"transactions": [], "x": 1})).unwrap_err();
        assert_eq!(e.to_string(), "transactions could not be read at /x: unknown field `x`, expected `transactions`");
        let txs = read_transactions(&json!([{"id": "A", "amount": "1", "type": "new", "attributes": {"k": "v"}}]));
        assert_eq!(txs.unwrap()[0].kind.as_deref(), Some("new"));
    }
}
