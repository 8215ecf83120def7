//! The result of an evaluation: one statement per payee for the period, the accounting of every
//! input transaction, and a trace a person can read for every amount.
//!
//! All collections are ordered deterministically (payees in plan order, lines by credit date then
//! transaction id), so the same inputs serialize to the same bytes everywhere.

use crate::calendar::Period;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod write;

/// The whole result of [`crate::evaluate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    /// Output format version (1).
    pub schema_version: u32,
    /// The plan's id.
    pub plan: String,
    /// The plan's version label, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_version: Option<String>,
    /// The period evaluated.
    pub period: Period,
    /// Currency of every amount (the plan currency).
    pub currency: String,
    /// One statement per payee, in plan order.
    pub statements: Vec<Statement>,
    /// Where every input transaction went; the parts add up to the input.
    pub accounting: Accounting,
    /// Transactions that matched no rule, with the reason for each rule.
    pub excluded: Vec<Excluded>,
    /// Transactions that could not be used, with the reason.
    pub rejected: Vec<Rejected>,
}

impl Evaluation {
    /// The statement of one payee.
    pub fn statement(&self, payee: &str) -> Option<&Statement> {
        self.statements.iter().find(|s| s.payee == payee)
    }

    /// Serializes to compact JSON (the canonical byte form used by golden vectors): the same bytes
    /// as `serde_json::to_string(self)`, written without serde (see `src/statement/write.rs`).
    pub fn to_json(&self) -> String {
        crate::jsonwrite::to_string(self)
    }
}

/// A count and amounts per currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Tally {
    /// Number of transactions.
    pub count: u64,
    /// Sum of their amounts, per original currency.
    pub amounts: BTreeMap<String, Decimal>,
}

/// The nothing-lost accounting: every input transaction is credited, excluded or rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Accounting {
    /// Everything given.
    pub input: Tally,
    /// Credited to at least one payee in the plan year up to the end of this period.
    pub credited: Tally,
    /// Of the credited, those credited in this period.
    pub credited_in_period: Tally,
    /// Matched no rule, or fell outside the evaluated range of dates.
    pub excluded: Tally,
    /// Could not be used (bad currency, missing date, bad split...).
    pub rejected: Tally,
    /// Whether credited + excluded + rejected equals input, in count and in every currency.
    pub balanced: bool,
}

/// A transaction that was not credited, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Excluded {
    /// Transaction id.
    pub transaction: String,
    /// Position in the input list.
    pub index: usize,
    /// One reason per rule (or one for a date outside the range).
    pub reasons: Vec<Reason>,
}

/// Why a rule did not take a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    /// Stable code (`FILTER_MISMATCH`, `OUT_OF_RANGE`, `PAYEE_NOT_IN_ROLE`...).
    pub code: String,
    /// JSON pointer into the plan (the filter condition that failed), or empty.
    pub path: String,
    /// In words.
    pub message: String,
}

/// A transaction that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Rejected {
    /// Transaction id.
    pub transaction: String,
    /// Position in the input list.
    pub index: usize,
    /// Stable code (`UNKNOWN_CURRENCY`, `NO_FX_RATE`, `MISSING_CREDIT_DATE`, `SPLIT_TOTAL`,
    /// `UNKNOWN_PAYEE`, `DUPLICATE_TRANSACTION`...).
    pub code: String,
    /// JSON pointer into the inputs (for example `/transactions/3/currency`).
    pub path: String,
    /// In words.
    pub message: String,
}

/// A payee's statement for the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    /// Payee id.
    pub payee: String,
    /// Payee name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Role.
    pub role: String,
    /// Period id.
    pub period: String,
    /// Credit lines of this period.
    pub credits: Vec<CreditLine>,
    /// Measures: value, quota and attainment for the period and year to date.
    pub measures: Vec<MeasureResult>,
    /// Each component's result.
    pub components: Vec<ComponentResult>,
    /// Sum of the component amounts.
    pub earnings: Decimal,
    /// Draws, clawbacks, holdbacks, prior-period adjustments.
    pub adjustments: Vec<Adjustment>,
    /// What is paid: earnings plus adjustments (rounded by the plan's policy).
    pub payout: Decimal,
    /// Balances after this period.
    pub balances: Balances,
    /// Things the payee's administrator should know (a zero quota, a missing score...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Note>,
}

impl Statement {
    /// The result of one component.
    pub fn component(&self, id: &str) -> Option<&ComponentResult> {
        self.components.iter().find(|c| c.component == id)
    }

    /// The figures of one measure.
    pub fn measure(&self, id: &str) -> Option<&MeasureResult> {
        self.measures.iter().find(|m| m.measure == id)
    }
}

/// A warning on a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Note {
    /// Stable code.
    pub code: String,
    /// In words.
    pub message: String,
}

/// Credit given to a payee for a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreditLine {
    /// Transaction id.
    pub transaction: String,
    /// The crediting rule.
    pub rule: String,
    /// Percentage of the transaction credited.
    pub share: Decimal,
    /// Credited amount in the plan currency.
    pub amount: Decimal,
    /// Credited units.
    pub quantity: Decimal,
    /// Credited deals (the share as a fraction).
    pub deals: Decimal,
    /// The credit date.
    pub credit_date: NaiveDate,
    /// Original amount and currency, and the rate used, when converted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fx: Option<FxNote>,
    /// A negative line taking a cancelled transaction out of attainment.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reversal: bool,
    /// How the credit came about.
    pub trace: String,
}

/// A currency conversion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct FxNote {
    /// Original amount.
    pub amount: Decimal,
    /// Original currency.
    pub currency: String,
    /// Plan-currency units per original unit.
    pub rate: Decimal,
    /// The date that picked the rate.
    pub rate_date: NaiveDate,
}

/// Value, quota and attainment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    /// Measure value.
    pub value: Decimal,
    /// Quota (after proration and ramp); absent when the payee has no quota on the measure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<Decimal>,
    /// value / quota; absent (explicitly "none") when there is no quota or it is zero.
    pub attainment: Option<Decimal>,
}

/// A measure's figures on a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MeasureResult {
    /// Measure id.
    pub measure: String,
    /// This period.
    pub period: Figures,
    /// Plan year to date (cumulative value over cumulative quota).
    pub year_to_date: Figures,
}

/// A component's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ComponentResult {
    /// Component id.
    pub component: String,
    /// Component type (`rate`, `tiered`, `matrix`, `milestone`, `spiff`, `mbo`).
    #[serde(rename = "type")]
    pub kind: String,
    /// What the component pays this period.
    pub amount: Decimal,
    /// Pay per credit line with its band breakdown.
    pub lines: Vec<PayLine>,
    /// Steps applied to the lines' sum: gate, true-up, multiplier, caps, bonuses.
    pub steps: Vec<Step>,
    /// The component's explanation, in order.
    pub trace: Vec<String>,
}

/// Pay for one credit line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PayLine {
    /// Transaction id.
    pub transaction: String,
    /// Credited amount of the line.
    pub credit: Decimal,
    /// Slices of the line in each band.
    pub bands: Vec<BandSlice>,
    /// Pay for the line.
    pub amount: Decimal,
    /// Explanation.
    pub trace: String,
}

/// The part of a line that fell in one band.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct BandSlice {
    /// Band index in the table (from 0).
    pub band: usize,
    /// Credit in the band.
    pub credit: Decimal,
    /// The rate, as written (`8%`, `50 per unit`, `1.5 x 8%`).
    pub rate: String,
    /// Pay for the slice.
    pub amount: Decimal,
}

/// A step applied to a component's pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// `gate`, `trueUp`, `multiplier`, `cap`, `carryForwardPaid`, `milestone`, `objective`, `curve`.
    pub kind: String,
    /// The change it made (0 for a passed gate).
    pub amount: Decimal,
    /// Explanation.
    pub trace: String,
}

/// An adjustment to earnings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Adjustment {
    /// `clawback`, `holdback`, `holdbackRelease`, `drawTopUp`, `drawRecovery`, `priorPeriod`.
    pub kind: String,
    /// The component concerned, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// The transaction concerned, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction: Option<String>,
    /// The period concerned (for prior-period adjustments and releases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// Amount (negative reduces the payout).
    pub amount: Decimal,
    /// Explanation.
    pub trace: String,
}

/// Balances carried after the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Balances {
    /// Recoverable draw still owed by the payee.
    pub draw_balance: Decimal,
    /// Pay held back and not yet released.
    pub held_back: Decimal,
    /// Pay above caps carried forward and not yet paid.
    pub carried_forward: Decimal,
}
