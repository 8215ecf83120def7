//! What an evaluation takes besides the plan: transactions, the statements of closed periods,
//! MBO scores, metrics, events and opening balances.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A participant's share of a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Split {
    /// The payee.
    pub payee: String,
    /// Percentage of the transaction.
    pub percent: Decimal,
}

/// A deal, order line or invoice.
///
/// ```json
/// { "id": "D-1001", "owner": "ae-1", "amount": "12000.00", "currency": "USD",
///   "closeDate": "2025-02-14", "product": "Platform", "type": "new" }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Transaction {
    /// Unique id.
    pub id: String,
    /// The payee who owns it (direct crediting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Amount in `currency` (negative for a credit memo).
    pub amount: Decimal,
    /// ISO currency code (default: the plan currency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Units (for per-unit rates and quantity measures; default 1, or 0 for a negative amount).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Decimal>,
    /// Close date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_date: Option<NaiveDate>,
    /// Booking date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_date: Option<NaiveDate>,
    /// Invoice date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_date: Option<NaiveDate>,
    /// Date the customer paid (releases `onPayment` holdbacks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_date: Option<NaiveDate>,
    /// Date it was cancelled or refunded (triggers clawbacks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_date: Option<NaiveDate>,
    /// Amount refunded, for proportional clawbacks (default: the whole amount).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_amount: Option<Decimal>,
    /// Product name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Transaction type (`new`, `renewal`, `upsell`...).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Participants and their percentages, for split rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub splits: Vec<Split>,
    /// Free attributes for filters.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

/// A score of an MBO objective for a payee and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Score {
    /// The payee.
    pub payee: String,
    /// The period id.
    pub period: String,
    /// The objective id.
    pub objective: String,
    /// The result, in the objective's units.
    pub value: Decimal,
}

/// A value supplied from outside the plan (a corporate attainment, a team score), for a period and
/// optionally one payee (absent: everyone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricValue {
    /// Metric id, as named by indicators.
    pub metric: String,
    /// Period id.
    pub period: String,
    /// The payee it is for (absent: all payees).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payee: Option<String>,
    /// The value.
    pub value: Decimal,
}

impl Inputs {
    /// The value of metric `metric` for `payee` in `period`: the payee's own value, else the value
    /// given for all payees (`None` when neither is given).
    pub fn metric_value(&self, metric: &str, period: &str, payee: &str) -> Option<Decimal> {
        let at = |v: &&MetricValue| v.metric == metric && v.period == period;
        let own = self.metrics.iter().filter(at).find(|v| v.payee.as_deref() == Some(payee));
        own.or_else(|| self.metrics.iter().filter(at).find(|v| v.payee.is_none())).map(|v| v.value)
    }
}

/// A dated event (for holdbacks released on an event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Event {
    /// Event id.
    pub id: String,
    /// When it happened.
    pub date: NaiveDate,
}

/// Balances brought into the plan year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OpeningBalance {
    /// The payee.
    pub payee: String,
    /// Recoverable draw balance owed at the start of the year.
    #[serde(default)]
    pub draw_balance: Decimal,
}

/// What was paid for a closed period: a statement as produced earlier (any extra fields of a full
/// statement are ignored). Only `payee`, `period`, `payout` and the component amounts are read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ClosedStatement {
    /// The payee.
    pub payee: String,
    /// The closed period.
    pub period: String,
    /// What was paid.
    pub payout: Decimal,
    /// Component amounts paid, for the breakdown of the adjustment.
    #[serde(default)]
    pub components: Vec<ClosedComponent>,
}

/// A component amount on a closed statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ClosedComponent {
    /// Component id.
    pub component: String,
    /// Amount paid.
    pub amount: Decimal,
}

/// Evaluation options.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Options {
    /// Abort on the first rejected transaction instead of listing it.
    #[serde(default)]
    pub strict: bool,
    /// How much of each statement to write (default `full`).
    #[serde(default, skip_serializing_if = "Detail::is_full")]
    pub detail: Detail,
}

/// How much of each statement an evaluation writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Detail {
    /// Everything: credit lines, pay lines with band breakdowns and traces.
    #[default]
    Full,
    /// The figures without the per-line detail: statements without credit lines and pay lines
    /// (`credits` and every component's `lines` are empty). Every amount, measure, step,
    /// adjustment, payout, balance and the accounting are the same as with `full`; a payroll run
    /// or a batch of many statements is several times faster and its output much smaller.
    Summary,
}

impl Detail {
    /// Whether this is [`Detail::Full`].
    pub fn is_full(&self) -> bool {
        *self == Detail::Full
    }
}

/// Everything an evaluation takes besides the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Inputs {
    /// Transactions of the plan year (earlier periods' transactions give year-to-date figures).
    #[serde(default)]
    pub transactions: Vec<Transaction>,
    /// Statements of closed periods as paid: re-evaluating them gives prior-period adjustments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closed_statements: Vec<ClosedStatement>,
    /// MBO objective results.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scores: Vec<Score>,
    /// Metrics for indicators.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<MetricValue>,
    /// Events for holdback releases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    /// Balances at the start of the year.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opening_balances: Vec<OpeningBalance>,
    /// Options.
    #[serde(default)]
    pub options: Options,
}

impl Inputs {
    /// Parses inputs from JSON text. Shape errors carry the JSON pointer of the offending value.
    pub fn from_json(text: &str) -> crate::Result<Inputs> {
        crate::json::inputs_from_text(text, &crate::limits::Limits::default())
    }

    /// [`Inputs::from_json`] under other [`Limits`](crate::limits::Limits) than the defaults (the
    /// text's size, nesting and string lengths; the count of transactions is checked when they are
    /// evaluated).
    pub fn from_json_with_limits(text: &str, limits: &crate::limits::Limits) -> crate::Result<Inputs> {
        crate::json::inputs_from_text(text, limits)
    }
}
