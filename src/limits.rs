//! Limits on the size of what the crate reads and evaluates.
//!
//! Plans are written by people and transactions come from CRM exports: they can be wrong, huge or
//! hostile. Every limit below has a safe default, generous for real plans and data; exceeding one
//! gives [`Error::LimitExceeded`] (code `LIMIT_EXCEEDED`) with the JSON pointer of the first item
//! over the limit and a message naming the limit, instead of memory exhaustion or a run that
//! does not end.
//!
//! | limit | default | checked when | pointer of the error |
//! |---|---|---|---|
//! | [`max_plan_bytes`](Limits::max_plan_bytes) | 16 MiB | reading plan text | `""` |
//! | [`max_inputs_bytes`](Limits::max_inputs_bytes) | 256 MiB | reading inputs, transactions or an operation's request | `""` |
//! | [`max_depth`](Limits::max_depth) | 64 (at most 127) | reading any JSON text | the value that opens one level too many |
//! | [`max_string_bytes`](Limits::max_string_bytes) | 65,536 | reading any JSON text (strings and keys), CSV cells | the string |
//! | [`max_components`](Limits::max_components) | 500 | compiling or validating a plan | `/components/500` |
//! | [`max_bands`](Limits::max_bands) | 1,000 per table | compiling or validating a plan | `/components/3/tiers/1000` |
//! | [`max_payees`](Limits::max_payees) | 100,000 | compiling or validating a plan | `/payees/100000` |
//! | [`max_measures`](Limits::max_measures) | 500 | compiling or validating a plan | `/measures/500` |
//! | [`max_periods`](Limits::max_periods) | 400 | compiling or validating a plan (custom calendars) | `/calendar/periods/400` |
//! | [`max_transactions`](Limits::max_transactions) | 1,000,000 per call | evaluating, opening a session, importing CSV | `/transactions/1000000` |
//! | [`max_cells`](Limits::max_cells) | 10,000,000 | compiling or validating a plan | `""` |
//!
//! [`max_cells`](Limits::max_cells) bounds the state an evaluation keeps for its payees, which
//! every other limit allows to reach gigabytes (100,000 payees × 500 measures × 400 periods): a
//! figure per payee, measure and period (36 bytes each) and a state per payee and component (about
//! 80 bytes), counted as payees × (measures × periods + components) cells. The default allows
//! 100,000 payees with 8 measures by month and 4 components, and keeps the state under 800 MB
//! (WebAssembly has 4 GB and cannot recover when an allocation fails).
//!
//! A "table" for [`max_bands`](Limits::max_bands) is any list inside a component: tier bands,
//! curve points, matrix breaks, rows and columns, milestone levels, MBO objectives, multiplier
//! bands, caps and multipliers.
//!
//! The free functions ([`crate::evaluate`], [`crate::Plan::from_json`], [`crate::Inputs::from_json`],
//! [`crate::validate()`], [`crate::ops::run_json`]) use [`Limits::default`]. To change them, compile
//! with [`crate::CompiledPlan::with_limits`] (or [`crate::CompiledPlan::from_json_with_limits`]):
//! the compiled plan then reads inputs text and evaluates under its limits.
//!
//! ```
//! use payplan::{limits::Limits, CompiledPlan};
//! let small = Limits { max_transactions: 1, ..Limits::default() };
//! let plan = CompiledPlan::from_json_with_limits(payplan::sample::SAMPLE_PLAN_JSON, small).unwrap();
//! let inputs = r#"{"transactions": [
//!   {"id": "A", "owner": "ae-ana", "amount": "1", "closeDate": "2025-01-02"},
//!   {"id": "B", "owner": "ae-ana", "amount": "1", "closeDate": "2025-01-03"}]}"#;
//! let e = plan.evaluate_json(inputs, "Q1").unwrap_err();
//! assert_eq!(e.code(), "LIMIT_EXCEEDED");
//! assert_eq!(e.path(), Some("/transactions/1"));
//! ```

use crate::error::Error;
use crate::inputs::Inputs;
use crate::plan::{ComponentKind, Plan};

/// The limits; see the [module docs](self) for the defaults and where each is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest plan text, in bytes.
    pub max_plan_bytes: usize,
    /// Largest inputs text (or transactions text, or operation request), in bytes.
    pub max_inputs_bytes: usize,
    /// Deepest nesting of JSON arrays and objects (the parser never goes deeper than 127).
    pub max_depth: u32,
    /// Longest JSON string or object key (after unescaping), or CSV cell, in bytes.
    pub max_string_bytes: usize,
    /// Most components in a plan.
    pub max_components: usize,
    /// Most items in one table of a component (tier bands, curve points, levels...).
    pub max_bands: usize,
    /// Most payees in a plan.
    pub max_payees: usize,
    /// Most measures in a plan.
    pub max_measures: usize,
    /// Most periods of a custom calendar.
    pub max_periods: usize,
    /// Most transactions in one call (an evaluation, a session, a CSV import).
    pub max_transactions: usize,
    /// Most cells of the state an evaluation keeps for the plan's payees: payees × (measures ×
    /// periods + components).
    pub max_cells: usize,
}

/// The deepest nesting the JSON parser supports (serde_json's recursion limit, 128, less one).
pub const HARD_MAX_DEPTH: u32 = 127;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_plan_bytes: 16 << 20,
            max_inputs_bytes: 256 << 20,
            max_depth: 64,
            max_string_bytes: 65_536,
            max_components: 500,
            max_bands: 1_000,
            max_payees: 100_000,
            max_measures: 500,
            max_periods: 400,
            max_transactions: 1_000_000,
            max_cells: 10_000_000,
        }
    }
}

/// The error for a list longer than `limit`: the pointer of its first item over the limit.
pub(crate) fn exceeded(list: &str, limit: usize, name: &str, what: &str) -> Error {
    Error::LimitExceeded {
        path: format!("{list}/{limit}"),
        message: format!("more than {limit} {what} (the limit `{name}`)"),
    }
}

fn check_len(len: usize, list: &str, limit: usize, name: &str, what: &str) -> Result<(), Error> {
    if len > limit {
        Err(exceeded(list, limit, name, what))
    } else {
        Ok(())
    }
}

impl Limits {
    /// Limits without bounds (the parser's nesting depth stays at most [`HARD_MAX_DEPTH`]): for
    /// trusted documents only.
    pub fn unlimited() -> Self {
        Limits {
            max_plan_bytes: usize::MAX,
            max_inputs_bytes: usize::MAX,
            max_depth: HARD_MAX_DEPTH,
            max_string_bytes: usize::MAX,
            max_components: usize::MAX,
            max_bands: usize::MAX,
            max_payees: usize::MAX,
            max_measures: usize::MAX,
            max_periods: usize::MAX,
            max_transactions: usize::MAX,
            max_cells: usize::MAX,
        }
    }

    /// Reads limits from JSON text: an object whose keys are the limits' names in camelCase
    /// (`maxPlanBytes`, `maxInputsBytes`, `maxDepth`, `maxStringBytes`, `maxComponents`,
    /// `maxBands`, `maxPayees`, `maxMeasures`, `maxPeriods`, `maxTransactions`, `maxCells`), each a
    /// non-negative integer; a limit left out keeps its default. A count beyond the machine's
    /// `usize` is no limit; `maxDepth` is at most [`HARD_MAX_DEPTH`]. This is how the
    /// JavaScript package passes `compilePlan(plan, { limits })`.
    ///
    /// Errors: `PARSE_ERROR` with the pointer of an unknown name or a value that is not such an
    /// integer.
    ///
    /// ```
    /// use payplan::limits::Limits;
    /// let l = Limits::from_json(r#"{"maxTransactions": 5000000, "maxDepth": 32}"#).unwrap();
    /// assert_eq!((l.max_transactions, l.max_depth), (5_000_000, 32));
    /// assert_eq!(l.max_payees, Limits::default().max_payees);
    /// let e = Limits::from_json(r#"{"maxTransactions": -1}"#).unwrap_err();
    /// assert_eq!((e.code(), e.path()), ("PARSE_ERROR", Some("/maxTransactions")));
    /// ```
    pub fn from_json(text: &str) -> Result<Limits, Error> {
        crate::json::limits_from_text(text)
    }

    /// Checks a text's size against `limit` (`max_plan_bytes` or `max_inputs_bytes`).
    pub(crate) fn check_text(what: &str, text: &str, limit: usize, name: &str) -> Result<(), Error> {
        if text.len() > limit {
            Err(Error::LimitExceeded {
                path: String::new(),
                message: format!("the {what} text is {} bytes, more than {limit} (the limit `{name}`)", text.len()),
            })
        } else {
            Ok(())
        }
    }

    /// Checks the counts of a plan: payees, measures, components, the tables of each component,
    /// the periods of a custom calendar and the cells of an evaluation's state.
    pub fn check_plan(&self, plan: &Plan) -> Result<(), Error> {
        let (payees, measures, components) = (plan.payees.len(), plan.measures.len(), plan.components.len());
        check_len(payees, "/payees", self.max_payees, "max_payees", "payees")?;
        check_len(measures, "/measures", self.max_measures, "max_measures", "measures")?;
        check_len(components, "/components", self.max_components, "max_components", "components")?;
        check_len(plan.calendar.periods.len(), "/calendar/periods", self.max_periods, "max_periods", "periods")?;
        let periods = plan.calendar.periods().len();
        let cells = measures.saturating_mul(periods).saturating_add(components).saturating_mul(payees);
        if cells > self.max_cells {
            return Err(Error::LimitExceeded {
                path: String::new(),
                message: format!(
                    "{cells} cells of state per evaluation (payees × (measures × periods + components)), more \
                     than {} (the limit `max_cells`)",
                    self.max_cells
                ),
            });
        }
        let bands = |len: usize, list: String| check_len(len, &list, self.max_bands, "max_bands", "items in a table");
        for (i, c) in plan.components.iter().enumerate() {
            let at = format!("/components/{i}");
            bands(c.caps.len(), format!("{at}/caps"))?;
            bands(c.multipliers.len(), format!("{at}/multipliers"))?;
            for (k, m) in c.multipliers.iter().enumerate() {
                bands(m.bands.len(), format!("{at}/multipliers/{k}/bands"))?;
            }
            match &c.kind {
                ComponentKind::Tiered { tiers, points, .. } => {
                    bands(tiers.len(), format!("{at}/tiers"))?;
                    bands(points.len(), format!("{at}/points"))?;
                }
                ComponentKind::Matrix { rows, columns, rates, .. } => {
                    bands(rows.breaks.len(), format!("{at}/rows/breaks"))?;
                    bands(columns.breaks.len(), format!("{at}/columns/breaks"))?;
                    bands(rates.len(), format!("{at}/rates"))?;
                    for (r, row) in rates.iter().enumerate() {
                        bands(row.len(), format!("{at}/rates/{r}"))?;
                    }
                }
                ComponentKind::Milestone { levels, .. } => bands(levels.len(), format!("{at}/levels"))?,
                ComponentKind::Mbo { objectives, .. } => bands(objectives.len(), format!("{at}/objectives"))?,
                ComponentKind::Rate { .. } | ComponentKind::Spiff { .. } => {}
            }
        }
        Ok(())
    }

    /// Checks the counts of inputs: the transactions of one call.
    pub fn check_inputs(&self, inputs: &Inputs) -> Result<(), Error> {
        self.check_count(inputs.transactions.len())
    }

    /// Checks a count of transactions against `max_transactions`.
    pub fn check_count(&self, transactions: usize) -> Result<(), Error> {
        check_len(transactions, "/transactions", self.max_transactions, "max_transactions", "transactions")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_unlimited() {
        let d = Limits::default();
        assert_eq!(d.max_bands, 1_000);
        assert!(d.max_depth <= HARD_MAX_DEPTH);
        let e = Limits::check_text("plan", "12345", 4, "max_plan_bytes").unwrap_err();
        assert_eq!(e.code(), "LIMIT_EXCEEDED");
        assert_eq!(e.path(), Some(""));
        assert!(Limits::unlimited().check_inputs(&Inputs::default()).is_ok());
    }
}
