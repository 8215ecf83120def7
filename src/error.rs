//! The one error type of the crate, with stable machine codes.
//!
//! Every failure that input can cause is an [`Error`]; nothing reachable from input panics. Each error
//! has a stable [`Error::code`] (a program may match on it), an optional JSON-pointer
//! [`Error::path`] into the document where it applies, and a `Display` message written for a person.
//!
//! Plan problems are not reported one at a time: [`crate::validate()`] returns every problem as a
//! [`Diagnostic`], and evaluation refuses a plan with errors by returning [`Error::InvalidPlan`]
//! carrying all of them.

use crate::jsonwrite::{Obj, WriteJson};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    /// The plan cannot be evaluated until this is fixed.
    Error,
    /// The plan can be evaluated, but this is probably not what the author meant.
    Warning,
}

/// One problem found in a plan or an input, with where it is and what to do about it.
///
/// ```
/// use payplan::{Diagnostic, Severity};
/// let d = Diagnostic::error("TIER_GAP", "/components/0/tiers/1/from", "band 1 starts at 1.2 but band 0 ends at 1.0");
/// assert_eq!(d.severity, Severity::Error);
/// assert_eq!(d.to_string(), "error TIER_GAP at /components/0/tiers/1/from: band 1 starts at 1.2 but band 0 ends at 1.0");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    /// Stable machine code, `SCREAMING_SNAKE_CASE` (for example `TIER_OVERLAP`).
    pub code: String,
    /// Error or warning.
    pub severity: Severity,
    /// JSON pointer (RFC 6901) into the plan document, for example `/components/2/tiers/1/from`.
    pub path: String,
    /// What is wrong, in words a plan author understands.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic of severity [`Severity::Error`].
    pub fn error(code: &str, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code: code.to_string(), severity: Severity::Error, path: path.into(), message: message.into() }
    }

    /// A diagnostic of severity [`Severity::Warning`].
    pub fn warning(code: &str, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code: code.to_string(), severity: Severity::Warning, path: path.into(), message: message.into() }
    }
}

impl WriteJson for Severity {
    fn write_json(&self, out: &mut String) {
        out.push_str(match self {
            Severity::Error => "\"error\"",
            Severity::Warning => "\"warning\"",
        });
    }
}

/// What the derived `Serialize` writes (see `crate::jsonwrite`).
impl WriteJson for Diagnostic {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("code", &self.code)
            .field("severity", &self.severity)
            .field("path", &self.path)
            .field("message", &self.message)
            .end();
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev} {} at {}: {}", self.code, self.path, self.message)
    }
}

/// Every error the crate returns.
///
/// Match on [`Error::code`] rather than on the variants when a stable contract is needed: codes never
/// change meaning, variants may gain fields.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The document is not JSON, or not of the expected shape (a missing field, a number where a
    /// decimal string is required, an unknown enum value...).
    #[error("{what} could not be read at {path}: {message}")]
    Parse {
        /// Which document: "plan", "inputs", "transactions"...
        what: String,
        /// JSON pointer to the offending value ("" for the whole document).
        path: String,
        /// The parser's explanation.
        message: String,
    },
    /// The plan has errors; all of them are listed.
    #[error("the plan has {} error(s); the first is {}", .diagnostics.iter().filter(|d| d.severity == Severity::Error).count(), first_error(.diagnostics))]
    InvalidPlan {
        /// Every problem found, errors and warnings.
        diagnostics: Vec<Diagnostic>,
    },
    /// The requested period is not one of the plan's periods.
    #[error("period `{period}` is not a period of this plan (known periods: {known})")]
    UnknownPeriod {
        /// The requested id.
        period: String,
        /// The plan's period ids, comma separated.
        known: String,
    },
    /// A decimal computation exceeded the range of the decimal type (about 7.9e28).
    #[error("arithmetic overflow while computing {context}: the amounts are too large")]
    Overflow {
        /// What was being computed.
        context: String,
    },
    /// In strict mode, a transaction that would have been rejected aborts the run.
    #[error("transaction `{transaction}` rejected ({reason_code}): {message}")]
    TransactionRejected {
        /// The transaction id.
        transaction: String,
        /// The rejection's code (for example `UNKNOWN_CURRENCY`).
        reason_code: String,
        /// JSON pointer into the inputs.
        path: String,
        /// Why.
        message: String,
    },
    /// An input (not the plan) is inconsistent, for example a closed statement for an unknown payee.
    #[error("invalid input at {path}: {message}")]
    InvalidInput {
        /// Stable code of the problem.
        code: String,
        /// JSON pointer into the inputs.
        path: String,
        /// Why.
        message: String,
    },
    /// A configured limit was exceeded (document size, count of items...).
    #[error("limit exceeded at {path}: {message}")]
    LimitExceeded {
        /// JSON pointer to the place.
        path: String,
        /// Which limit and its value.
        message: String,
    },
}

fn first_error(diags: &[Diagnostic]) -> String {
    diags.iter().find(|d| d.severity == Severity::Error).map(|d| d.to_string()).unwrap_or_else(|| "none".to_string())
}

impl Error {
    /// The stable machine code of this error.
    ///
    /// ```
    /// let e = payplan::Error::Overflow { context: "tier pay".into() };
    /// assert_eq!(e.code(), "DECIMAL_OVERFLOW");
    /// ```
    pub fn code(&self) -> &str {
        match self {
            Error::Parse { .. } => "PARSE_ERROR",
            Error::InvalidPlan { .. } => "INVALID_PLAN",
            Error::UnknownPeriod { .. } => "UNKNOWN_PERIOD",
            Error::Overflow { .. } => "DECIMAL_OVERFLOW",
            Error::TransactionRejected { .. } => "TRANSACTION_REJECTED",
            Error::InvalidInput { code, .. } => code,
            Error::LimitExceeded { .. } => "LIMIT_EXCEEDED",
        }
    }

    /// The JSON pointer where the error applies, when there is one.
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::Parse { path, .. }
            | Error::TransactionRejected { path, .. }
            | Error::InvalidInput { path, .. }
            | Error::LimitExceeded { path, .. } => Some(path),
            Error::InvalidPlan { diagnostics } => {
                diagnostics.iter().find(|d| d.severity == Severity::Error).map(|d| d.path.as_str())
            }
            Error::UnknownPeriod { .. } | Error::Overflow { .. } => None,
        }
    }

    /// The diagnostics carried by [`Error::InvalidPlan`]; empty for other errors.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::InvalidPlan { diagnostics } => diagnostics,
            _ => &[],
        }
    }

    /// The error as data: `{ "code", "path", "message", "details" }`, where `details` carries the
    /// variant's fields (the diagnostics of an invalid plan, the known periods...). This is what
    /// the JavaScript package puts on its `PayplanError`.
    ///
    /// ```
    /// let e = payplan::Error::UnknownPeriod { period: "Q9".into(), known: "Q1, Q2".into() };
    /// let v = e.to_json();
    /// assert_eq!(v["code"], "UNKNOWN_PERIOD");
    /// assert_eq!(v["details"]["known"][1], "Q2");
    /// ```
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        let details = match self {
            Error::Parse { what, .. } => json!({ "document": what }),
            Error::InvalidPlan { diagnostics } => json!({ "diagnostics": diagnostics }),
            Error::UnknownPeriod { period, known } => {
                json!({ "period": period, "known": known.split(", ").filter(|s| !s.is_empty()).collect::<Vec<_>>() })
            }
            Error::Overflow { context } => json!({ "context": context }),
            Error::TransactionRejected { transaction, reason_code, .. } => {
                json!({ "transaction": transaction, "reasonCode": reason_code })
            }
            Error::InvalidInput { .. } | Error::LimitExceeded { .. } => json!({}),
        };
        json!({ "code": self.code(), "path": self.path(), "message": self.to_string(), "details": details })
    }

    /// [`Error::to_json`] as compact JSON text, written without building a `serde_json::Value`
    /// (which would bring the value's serializer and map into the WebAssembly module). The bytes
    /// are those of `to_json().to_string()`: keys in the same (sorted) order.
    pub fn to_json_text(&self) -> String {
        let mut out = String::new();
        let mut o = Obj::new(&mut out);
        o.field("code", self.code());
        // the variant's fields, keys sorted
        let mut details = Obj::new(o.key("details"));
        match self {
            Error::Parse { what, .. } => {
                details.field("document", what);
            }
            Error::InvalidPlan { diagnostics } => {
                let list = details.key("diagnostics");
                list.push('[');
                for (i, d) in diagnostics.iter().enumerate() {
                    if i > 0 {
                        list.push(',');
                    }
                    Obj::new(list)
                        .field("code", &d.code)
                        .field("message", &d.message)
                        .field("path", &d.path)
                        .field("severity", &d.severity)
                        .end();
                }
                list.push(']');
            }
            Error::UnknownPeriod { period, known } => {
                let known: Vec<&str> = split_list(known).into_iter().filter(|s| !s.is_empty()).collect();
                details.field("known", &known).field("period", period);
            }
            Error::Overflow { context } => {
                details.field("context", context);
            }
            Error::TransactionRejected { transaction, reason_code, .. } => {
                details.field("reasonCode", reason_code).field("transaction", transaction);
            }
            Error::InvalidInput { .. } | Error::LimitExceeded { .. } => {}
        }
        details.end();
        o.field("message", &self.to_string()).field("path", &self.path()).end();
        out
    }

    pub(crate) fn overflow(context: impl Into<String>) -> Self {
        Error::Overflow { context: context.into() }
    }
}

/// `s.split(", ")`, by a byte scan (a substring search is large in WebAssembly).
fn split_list(s: &str) -> Vec<&str> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i + 1 < bytes.len() {
        if bytes.get(i..i + 2) == Some(b", ") {
            out.push(s.get(start..i).unwrap_or_default());
            i += 2;
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(s.get(start..).unwrap_or_default());
    out
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The JSON pointer of the value being read at `line` and `column` (1-based, as serde_json counts
/// them) of a JSON text: the keys and indices of the containers open at that position.
///
/// ```
/// let text = "{\"components\": [{\"caps\": [{\"amount\": 25000}]}]}";
/// assert_eq!(payplan::error::pointer_at(text, 1, 42), "/components/0/caps/0/amount");
/// assert_eq!(payplan::error::pointer_at("[1, 2, {\"a\": x}]", 1, 14), "/2/a");
/// ```
pub fn pointer_at(text: &str, line: usize, column: usize) -> String {
    // byte offset of the position
    let mut offset = 0usize;
    for (n, l) in text.split_inclusive('\n').enumerate() {
        if n + 1 == line {
            offset += column.min(l.len());
            break;
        }
        offset += l.len();
    }
    enum Frame {
        Object { key: Option<String>, want_key: bool },
        Array { index: usize },
    }
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0usize;
    while i < bytes.len() && i < offset {
        match bytes.get(i).copied().unwrap_or(b' ') {
            b'{' => stack.push(Frame::Object { key: None, want_key: true }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                if i + 1 < offset {
                    stack.pop();
                } else if let Some(Frame::Object { key, .. }) = stack.last_mut() {
                    // the parser stopped at the end of an object (a missing field): point at it
                    *key = None;
                }
            }
            b':' => {
                if let Some(Frame::Object { want_key, .. }) = stack.last_mut() {
                    *want_key = false;
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { want_key, .. }) => *want_key = true,
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            b'"' => {
                // read the string, honouring escapes
                let start = i + 1;
                let mut j = start;
                let mut raw = Vec::new();
                while j < bytes.len() {
                    match bytes.get(j).copied().unwrap_or(b'"') {
                        b'\\' => {
                            if let Some(&c) = bytes.get(j + 1) {
                                raw.push(match c {
                                    b'n' => b'\n',
                                    b't' => b'\t',
                                    other => other,
                                });
                            }
                            j += 2;
                        }
                        b'"' => break,
                        c => {
                            raw.push(c);
                            j += 1;
                        }
                    }
                }
                if let Some(Frame::Object { key, want_key: true }) = stack.last_mut() {
                    *key = Some(String::from_utf8_lossy(&raw).into_owned());
                }
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    let mut out = String::new();
    for f in &stack {
        match f {
            Frame::Object { key: Some(k), .. } => {
                out.push('/');
                out.push_str(&k.replace('~', "~0").replace('/', "~1"));
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => {
                out.push('/');
                out.push_str(&index.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_from_positions() {
        let text = "{\n  \"payees\": [\n    {\"id\": \"a\"},\n    {\"id\": 5}\n  ]\n}";
        // the parser stops after `5` on line 4
        assert_eq!(pointer_at(text, 4, 12), "/payees/1/id");
        assert_eq!(pointer_at("{\"a~b/c\": [true, {\"x\": nul", 1, 26), "/a~0b~1c/1/x");
        assert_eq!(pointer_at("{ not json", 1, 3), "");
        assert_eq!(pointer_at("", 1, 1), "");
    }

    #[test]
    fn json_text_is_the_json_value_written_out() {
        let errors = [
            Error::Parse { what: "plan".into(), path: "/a~0b".into(), message: "bad \"x\"\n".into() },
            Error::InvalidPlan {
                diagnostics: vec![
                    Diagnostic::warning("W", "/x", "just a warning"),
                    Diagnostic::error("TIER_GAP", "/components/0/tiers/1/from", "gap é \u{1}"),
                ],
            },
            Error::InvalidPlan { diagnostics: vec![] },
            Error::UnknownPeriod { period: "Q9".into(), known: "Q1, Q2".into() },
            Error::UnknownPeriod { period: "Q9".into(), known: "".into() },
            Error::UnknownPeriod { period: "Q9".into(), known: ", a,, b, , c, ,d,".into() },
            Error::Overflow { context: "tier pay".into() },
            Error::TransactionRejected {
                transaction: "T-1".into(),
                reason_code: "UNKNOWN_CURRENCY".into(),
                path: "/transactions/0/currency".into(),
                message: "no".into(),
            },
            Error::InvalidInput { code: "X".into(), path: "/p".into(), message: "m".into() },
            Error::LimitExceeded { path: "".into(), message: "m".into() },
        ];
        for e in &errors {
            assert_eq!(e.to_json_text(), e.to_json().to_string());
            let diagnostics = e.diagnostics();
            assert_eq!(crate::jsonwrite::to_string(diagnostics), serde_json::to_string(diagnostics).unwrap());
        }
        for s in ["", ",", ", ", ",,  ,", "a, b", "a,, b", "a, , b, ", " , ,, ,"] {
            assert_eq!(split_list(s), s.split(", ").collect::<Vec<_>>(), "{s:?}");
        }
    }

    #[test]
    fn invalid_plan_message_names_first_error() {
        let e = Error::InvalidPlan {
            diagnostics: vec![
                Diagnostic::warning("W", "/x", "just a warning"),
                Diagnostic::error("TIER_GAP", "/components/0/tiers/1/from", "gap"),
            ],
        };
        assert_eq!(e.code(), "INVALID_PLAN");
        assert_eq!(e.path(), Some("/components/0/tiers/1/from"));
        assert_eq!(
            e.to_string(),
            "the plan has 1 error(s); the first is error TIER_GAP at /components/0/tiers/1/from: gap"
        );
    }
}
