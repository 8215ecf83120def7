//! Sales metrics over opportunities, activities, leads, costs, CSAT scores and quota figures, with
//! the exact definitions of the domain reference, and leaderboards ranking payees by any of them.
//!
//! [`compute`] takes a [`MetricsRequest`] (a window of dates, a [`Scope`] and a [`Dataset`]) and
//! returns a [`MetricsReport`]. [`leaderboard`] ranks payees by one [`MetricName`].
//!
//! # Conventions
//!
//! - **Windows** are inclusive calendar dates: an item dated `from` or `to` is in the window.
//! - **Scope.** An item belongs to the scope when its payee (an opportunity's `owner`, an
//!   activity's `payee`...) is one of the scope's payees. Items without a payee (a lead without an
//!   owner, a cost or a CSAT score without a payee) belong only to [`Scope::All`].
//! - **"None".** A ratio whose denominator is empty or zero has the value `None` (JSON `null`),
//!   never NaN, infinity, a panic or an error. Every ratio comes with its numerator and denominator
//!   ([`Ratio`]) and every mean or median with its count and total ([`Summary`]), so that a person
//!   can check it.
//! - **Exactness.** Everything is [`Decimal`]; no binary floating point. Sums of money are exact and
//!   never rounded. A ratio is one division, which rust_decimal rounds to the 28 significant digits
//!   of the decimal type; a percentage is computed as `numerator × 100 / denominator`, so it is that
//!   one rounded division too (not a rounded ratio multiplied by 100). Values are not rounded for
//!   display: a caller rounds what it shows.
//! - **Medians** of an even count are the mean of the two middle values.
//! - **Stages** are a snapshot: an opportunity's `stage` is its state when the data was exported.
//!   A won or lost opportunity is placed in time by its `closeDate`; one without a close date is in
//!   no window (counted in [`Exclusions::closed_without_close_date`]).
//! - **Currency.** Amounts are taken to be in one currency; convert before computing.
//! - **Leaderboards** ([`leaderboard`]) rank best first ([`MetricName::higher_is_better`]: lower is
//!   better for cycle length, acquisition cost and response time), with standard competition
//!   ranking ("1224") and ties ordered by payee id; payees whose metric is none come last, unranked.
//!
//! # The metrics
//!
//! | field | definition |
//! |---|---|
//! | `quotaAttainment` | Σ credited / Σ quota × 100 over the scope's [`QuotaFigure`]s (%) |
//! | `payeeAttainment` | each payee's credited / quota × 100 (%) |
//! | `atOrAboveQuota` | payees with credited ≥ quota / payees with a quota above zero × 100 (%) |
//! | `winRateClosed` | won / (won + lost), over opportunities closed in the window (%) |
//! | `winRateAll` | won closed in the window / (won and lost closed in the window + open opportunities *created* in the window) (%) |
//! | `conversionRate` | won closed in the window / qualified leads created in the window (%) |
//! | `averageDealSize` | won revenue / won deals with an amount (money) |
//! | `salesCycleDays` | close − first engagement in days, over won deals closed in the window that have an engaged date |
//! | `customerAcquisitionCost` | costs of the window / won deals closed in the window with `isNewCustomer` (money) |
//! | `leadResponseSeconds` | first response − creation in whole seconds, over leads created in the window that have a response |
//! | `salesGrowth` | (won revenue of the window − of the previous window) / previous × 100 (%) |
//! | `pipelineCoverage` | open pipeline / remaining quota (a multiple: `3` means 3×) |
//! | `weightedPipeline` | Σ amount × probability over open opportunities |
//! | `activities` | activity counts by kind in the window |
//! | `csat` | mean (and median) CSAT score in the window |
//!
//! ```
//! use payplan::metrics::{compute, MetricsRequest};
//! let req = MetricsRequest::from_json(r#"{
//!   "from": "2025-01-01", "to": "2025-03-31",
//!   "data": { "opportunities": [
//!     {"id": "O-1", "owner": "ana", "amount": "1000", "stage": "won", "engagedDate": "2025-01-10", "closeDate": "2025-02-09"},
//!     {"id": "O-2", "owner": "ana", "amount": "3000", "stage": "won", "engagedDate": "2025-01-01", "closeDate": "2025-03-02"},
//!     {"id": "O-3", "owner": "ben", "amount": "500", "stage": "lost", "closeDate": "2025-03-03"},
//!     {"id": "O-4", "owner": "ben", "amount": "8000", "stage": "open", "probability": "0.25"}
//!   ] }
//! }"#).unwrap();
//! let report = compute(&req).unwrap();
//! let d = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
//! // 2 won of 3 closed
//! assert_eq!(report.win_rate_closed.numerator, d("2"));
//! assert_eq!(report.win_rate_closed.denominator, d("3"));
//! assert_eq!(report.average_deal_size.value, Some(d("2000")));
//! // cycles of 30 and 60 days
//! assert_eq!(report.sales_cycle_days.mean, Some(d("45")));
//! assert_eq!(report.weighted_pipeline, d("2000"));
//! // no leads: conversion rate is none, not an error
//! assert_eq!(report.conversion_rate.value, None);
//! ```

use crate::error::{Error, Result};
use crate::money::Checked;
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

/// The state of an opportunity when the data was exported. Won and lost are *closed*.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Stage {
    /// Still being worked (prospecting, engaging, negotiating...).
    Open,
    /// Closed and won.
    Won,
    /// Closed and lost.
    Lost,
}

/// A sales opportunity.
///
/// ```json
/// { "id": "O-1", "owner": "ana", "amount": "12000", "stage": "won", "createdDate": "2025-01-02",
///   "engagedDate": "2025-01-10", "closeDate": "2025-02-14", "isNewCustomer": true }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Opportunity {
    /// Unique id.
    pub id: String,
    /// The payee who owns it.
    pub owner: String,
    /// Value: the won value of a won deal, the expected value of an open one (absent: unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    /// Open, won or lost.
    pub stage: Stage,
    /// When it was created (places an open opportunity in a window for `winRateAll`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<NaiveDate>,
    /// First engagement with the customer (start of the sales cycle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engaged_date: Option<NaiveDate>,
    /// When it was won or lost (for an open one: the expected close, which no metric reads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_date: Option<NaiveDate>,
    /// Probability of winning, from 0 to 1 (for the weighted pipeline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<Decimal>,
    /// Product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Winning it acquires a new customer (for the customer acquisition cost).
    #[serde(default)]
    pub is_new_customer: bool,
}

/// The kind of a sales activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum ActivityKind {
    /// A call.
    Call,
    /// A meeting.
    Meeting,
    /// A proposal sent.
    Proposal,
    /// An email.
    Email,
    /// Anything else.
    Other,
}

/// Activities of one kind by a payee on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Activity {
    /// The payee.
    pub payee: String,
    /// The day.
    pub date: NaiveDate,
    /// What kind of activity.
    pub kind: ActivityKind,
    /// How many (default 1).
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

/// A lead, with date-times (`"2025-01-02T09:30:00"`, no time zone: use one zone for all leads).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Lead {
    /// Unique id.
    pub id: String,
    /// The payee it is assigned to (absent: only in scope `all`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// When the lead came in.
    pub created_at: NaiveDateTime,
    /// When someone first responded (absent: not yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_at: Option<NaiveDateTime>,
    /// Whether the lead was qualified (the denominator of the conversion rate).
    #[serde(default)]
    pub qualified: bool,
}

/// A sales and marketing cost over a period of dates (inclusive). A cost counts in a window when
/// its whole period is inside the window; a period that straddles a window bound is an error
/// (`METRICS_COST_STRADDLES_WINDOW`), because prorating it would be a guess.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cost {
    /// First day.
    pub from: NaiveDate,
    /// Last day (equal to `from` for a cost of one day).
    pub to: NaiveDate,
    /// The amount spent.
    pub amount: Decimal,
    /// The payee it is attributed to (absent: only in scope `all`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payee: Option<String>,
}

/// A customer satisfaction score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CsatScore {
    /// The payee it is about (absent: only in scope `all`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payee: Option<String>,
    /// When it was given.
    pub date: NaiveDate,
    /// The score, on whatever scale the survey uses.
    pub score: Decimal,
}

/// A payee's quota and credited value over the request's window, as taken from their statements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuotaFigure {
    /// The payee.
    pub payee: String,
    /// Quota of the window (zero or more).
    pub quota: Decimal,
    /// Credited value of the window.
    pub credited: Decimal,
}

/// Everything metrics are computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dataset {
    /// Opportunities (unique ids).
    #[serde(default)]
    pub opportunities: Vec<Opportunity>,
    /// Activities.
    #[serde(default)]
    pub activities: Vec<Activity>,
    /// Leads (unique ids).
    #[serde(default)]
    pub leads: Vec<Lead>,
    /// Sales and marketing costs.
    #[serde(default)]
    pub costs: Vec<Cost>,
    /// CSAT scores.
    #[serde(default)]
    pub csat: Vec<CsatScore>,
    /// Quota and credited value per payee for the window (one per payee).
    #[serde(default)]
    pub quotas: Vec<QuotaFigure>,
    /// Team of each payee: payee id → team name.
    #[serde(default)]
    pub teams: BTreeMap<String, String>,
}

impl Dataset {
    /// Every payee id the dataset mentions (owners, activity and score payees, quota figures, team
    /// members), sorted.
    pub fn payees(&self) -> Vec<String> {
        let mut s: BTreeSet<&str> = BTreeSet::new();
        s.extend(self.opportunities.iter().map(|o| o.owner.as_str()));
        s.extend(self.activities.iter().map(|a| a.payee.as_str()));
        s.extend(self.leads.iter().filter_map(|l| l.owner.as_deref()));
        s.extend(self.costs.iter().filter_map(|c| c.payee.as_deref()));
        s.extend(self.csat.iter().filter_map(|c| c.payee.as_deref()));
        s.extend(self.quotas.iter().map(|q| q.payee.as_str()));
        s.extend(self.teams.keys().map(String::as_str));
        s.into_iter().map(String::from).collect()
    }
}

/// Whose metrics: one payee, the members of a team (by [`Dataset::teams`]), or everything.
///
/// On the wire: `"all"`, `{"payee": "ana"}` or `{"team": "East"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "MetricsScope"))]
#[serde(rename_all = "camelCase")]
pub enum Scope {
    /// Every item, including those without a payee.
    #[default]
    All,
    /// One payee's items.
    Payee(String),
    /// The items of the payees whose team is this one.
    Team(String),
}

/// A request for metrics: a window, a scope, optionally a previous window (for growth) and the
/// remaining quota (for coverage), and the data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricsRequest {
    /// First day of the window.
    pub from: NaiveDate,
    /// Last day of the window (inclusive).
    pub to: NaiveDate,
    /// Whose metrics (default `"all"`).
    #[serde(default)]
    pub scope: Scope,
    /// First day of the previous window, for sales growth (with `previousTo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_from: Option<NaiveDate>,
    /// Last day of the previous window (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_to: Option<NaiveDate>,
    /// Quota still to reach, for pipeline coverage. Absent: the sum over the scope's quota figures
    /// of `max(quota − credited, 0)`, or none when the scope has no quota figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_quota: Option<Decimal>,
    /// The data.
    pub data: Dataset,
}

impl MetricsRequest {
    /// Parses a request from JSON text (errors carry the JSON pointer of the problem).
    pub fn from_json(text: &str) -> Result<MetricsRequest> {
        crate::json::parse_serde("metrics request", text)
    }
}

// ---------------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------------

/// A ratio with what it was computed from: `value = numerator / denominator` (× 100 for a
/// percentage), `None` when the denominator is zero.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Ratio {
    /// The ratio, or `None` ("none") when the denominator is zero.
    pub value: Option<Decimal>,
    /// What was divided.
    pub numerator: Decimal,
    /// What it was divided by (a count or an amount).
    pub denominator: Decimal,
}

impl Ratio {
    fn new(numerator: Decimal, denominator: Decimal, ctx: &str) -> Result<Ratio> {
        let value = if denominator.is_zero() { None } else { Some(numerator.div_c(denominator, ctx)?) };
        Ok(Ratio { value, numerator, denominator })
    }

    fn percent(numerator: Decimal, denominator: Decimal, ctx: &str) -> Result<Ratio> {
        let value = if denominator.is_zero() {
            None
        } else {
            Some(numerator.mul_c(Decimal::ONE_HUNDRED, ctx)?.div_c(denominator, ctx)?)
        };
        Ok(Ratio { value, numerator, denominator })
    }

    fn counts(numerator: u64, denominator: u64, ctx: &str) -> Result<Ratio> {
        Ratio::percent(Decimal::from(numerator), Decimal::from(denominator), ctx)
    }
}

/// Mean and median of a list of values, with the count and total to check them. Both are `None`
/// for an empty list; the median of an even count is the mean of the two middle values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// How many values.
    pub count: u64,
    /// Their sum.
    pub total: Decimal,
    /// `total / count`.
    pub mean: Option<Decimal>,
    /// The middle value (or the mean of the two middle values).
    pub median: Option<Decimal>,
}

impl Summary {
    /// Summarizes `values` (in any order).
    ///
    /// ```
    /// use payplan::metrics::Summary;
    /// use rust_decimal::Decimal;
    /// let s = Summary::of(vec![Decimal::from(7), Decimal::from(1), Decimal::from(4), Decimal::from(2)], "x").unwrap();
    /// assert_eq!(s.mean, Some("3.5".parse().unwrap()));
    /// assert_eq!(s.median, Some(Decimal::from(3))); // (2 + 4) / 2
    /// assert_eq!(Summary::of(vec![], "x").unwrap().median, None);
    /// ```
    pub fn of(mut values: Vec<Decimal>, ctx: &str) -> Result<Summary> {
        values.sort();
        let count = values.len() as u64;
        let total = crate::money::sum_c(values.iter().copied(), ctx)?;
        let mean = if count == 0 { None } else { Some(total.div_c(Decimal::from(count), ctx)?) };
        let mid = values.len() / 2;
        let median = if values.len() % 2 == 1 {
            values.get(mid).copied()
        } else {
            match (mid.checked_sub(1).and_then(|i| values.get(i)), values.get(mid)) {
                (Some(a), Some(b)) => Some(a.add_c(*b, ctx)?.div_c(Decimal::TWO, ctx)?),
                _ => None,
            }
        };
        Ok(Summary { count, total, mean, median })
    }
}

/// One payee's quota attainment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PayeeAttainment {
    /// The payee.
    pub payee: String,
    /// credited / quota × 100 (%); `None` for a zero quota.
    pub attainment: Ratio,
}

/// Sales growth between the previous window and the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Growth {
    /// (current − previous) / previous × 100 (%); `None` without a previous window or when the
    /// previous revenue is zero.
    pub value: Option<Decimal>,
    /// Won revenue of the window.
    pub current: Decimal,
    /// Won revenue of the previous window (`None` without a previous window).
    pub previous: Option<Decimal>,
}

/// Activity counts by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ActivityCounts {
    /// Calls.
    pub calls: u64,
    /// Meetings.
    pub meetings: u64,
    /// Proposals.
    pub proposals: u64,
    /// Emails.
    pub emails: u64,
    /// Other activities.
    pub other: u64,
    /// All of them.
    pub total: u64,
}

/// Items that a metric could not use, counted so that nothing is dropped silently.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Exclusions {
    /// Won or lost opportunities in scope without a close date: in no window.
    pub closed_without_close_date: u64,
    /// Won deals of the window without an amount: in the win rates, not in revenue or deal size.
    pub won_without_amount: u64,
    /// Won deals of the window without an engaged date: not in the sales cycle.
    pub won_without_engaged_date: u64,
    /// Open opportunities without an amount: count as zero pipeline.
    pub open_without_amount: u64,
    /// Open opportunities with an amount but no probability: not in the weighted pipeline.
    pub open_without_probability: u64,
    /// Open opportunities without a created date: not in `winRateAll`.
    pub open_without_created_date: u64,
    /// Leads of the window not yet responded to: not in the response time.
    pub leads_without_response: u64,
}

/// Every metric of a scope over a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetricsReport {
    /// First day of the window.
    pub from: NaiveDate,
    /// Last day of the window.
    pub to: NaiveDate,
    /// The scope.
    pub scope: Scope,
    /// The scope's payees (for scope `all`: every payee of the dataset).
    pub payees: Vec<String>,
    /// Σ credited / Σ quota × 100 over the scope's quota figures (%).
    pub quota_attainment: Ratio,
    /// Each payee's attainment, by payee id.
    pub payee_attainment: Vec<PayeeAttainment>,
    /// Payees at or above quota / payees with a quota above zero × 100 (%).
    pub at_or_above_quota: Ratio,
    /// Won deals closed in the window.
    pub won_deals: u64,
    /// Lost deals closed in the window.
    pub lost_deals: u64,
    /// Open opportunities created in the window.
    pub open_created: u64,
    /// Sum of the amounts of the won deals closed in the window.
    pub won_revenue: Decimal,
    /// won / (won + lost) over opportunities closed in the window (%).
    pub win_rate_closed: Ratio,
    /// won / (won + lost + open opportunities created in the window) (%).
    pub win_rate_all: Ratio,
    /// won deals / qualified leads created in the window (%).
    pub conversion_rate: Ratio,
    /// won revenue / won deals with an amount.
    pub average_deal_size: Ratio,
    /// Days from first engagement to close of the won deals closed in the window.
    pub sales_cycle_days: Summary,
    /// Costs of the window / new customers won in the window.
    pub customer_acquisition_cost: Ratio,
    /// Seconds from creation to first response of the leads created in the window.
    pub lead_response_seconds: Summary,
    /// Won revenue growth over the previous window (%).
    pub sales_growth: Growth,
    /// Sum of the amounts of the open opportunities (a snapshot, whatever their dates).
    pub open_pipeline: Decimal,
    /// The remaining quota coverage is measured against.
    pub remaining_quota: Option<Decimal>,
    /// open pipeline / remaining quota (a multiple).
    pub pipeline_coverage: Ratio,
    /// Σ amount × probability over the open opportunities.
    pub weighted_pipeline: Decimal,
    /// Activities in the window, by kind.
    pub activities: ActivityCounts,
    /// CSAT scores given in the window.
    pub csat: Summary,
    /// Items the metrics could not use.
    pub exclusions: Exclusions,
}

// ---------------------------------------------------------------------------------------------
// Computation
// ---------------------------------------------------------------------------------------------

fn invalid(code: &str, path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::InvalidInput { code: code.to_string(), path: path.into(), message: message.into() }
}

/// Checks a request before computing ([`compute`] and [`leaderboard`] call it). Every error is an
/// [`Error::InvalidInput`] with the JSON pointer of the offending value and one of these codes:
///
/// - `METRICS_INVALID_WINDOW`: a window (or a cost period) ends before it starts, or only one of
///   `previousFrom` and `previousTo` is given;
/// - `METRICS_UNKNOWN_TEAM`: the scope names a team no payee is in;
/// - `METRICS_DUPLICATE_ID`: two opportunities or two leads share an id;
/// - `METRICS_INVALID_PROBABILITY`: a probability outside 0..=1;
/// - `METRICS_DATE_ORDER`: a won or lost opportunity closes before its first engagement, or a lead
///   is answered before it came in (the whole dataset is checked, not only the window);
/// - `METRICS_COST_STRADDLES_WINDOW`: a cost period partly inside the window or previous window;
/// - `METRICS_DUPLICATE_QUOTA`, `METRICS_NEGATIVE_QUOTA`: two quota figures for a payee, a negative
///   quota or remaining quota.
///
/// An unknown payee in a [`Scope::Payee`] is not an error: the payee has no data, and the metrics
/// are none or zero.
pub fn check(req: &MetricsRequest) -> Result<()> {
    if req.from > req.to {
        return Err(invalid(
            "METRICS_INVALID_WINDOW",
            "/to",
            format!("the window ends ({}) before it starts ({})", req.to, req.from),
        ));
    }
    match (req.previous_from, req.previous_to) {
        (Some(f), Some(t)) if f > t => {
            return Err(invalid(
                "METRICS_INVALID_WINDOW",
                "/previousTo",
                format!("the previous window ends ({t}) before it starts ({f})"),
            ))
        }
        (Some(_), None) => {
            return Err(invalid("METRICS_INVALID_WINDOW", "/previousTo", "previousFrom is given without previousTo"))
        }
        (None, Some(_)) => {
            return Err(invalid("METRICS_INVALID_WINDOW", "/previousFrom", "previousTo is given without previousFrom"))
        }
        _ => {}
    }
    if let Some(r) = req.remaining_quota {
        if r.is_sign_negative() && !r.is_zero() {
            return Err(invalid(
                "METRICS_NEGATIVE_QUOTA",
                "/remainingQuota",
                format!("remaining quota {r} is negative"),
            ));
        }
    }
    if let Scope::Team(team) = &req.scope {
        if !req.data.teams.values().any(|t| t == team) {
            return Err(invalid("METRICS_UNKNOWN_TEAM", "/scope/team", format!("no payee is in team `{team}`")));
        }
    }
    let data = &req.data;
    let mut ids = BTreeSet::new();
    for (i, o) in data.opportunities.iter().enumerate() {
        let at = format!("/data/opportunities/{i}");
        if !ids.insert(o.id.as_str()) {
            return Err(invalid(
                "METRICS_DUPLICATE_ID",
                format!("{at}/id"),
                format!("opportunity id `{}` is repeated", o.id),
            ));
        }
        if let Some(p) = o.probability {
            if p < Decimal::ZERO || p > Decimal::ONE {
                return Err(invalid(
                    "METRICS_INVALID_PROBABILITY",
                    format!("{at}/probability"),
                    format!("probability {p} of `{}` is not between 0 and 1", o.id),
                ));
            }
        }
        if let (Some(e), Some(c)) = (o.engaged_date, o.close_date) {
            if c < e && o.stage != Stage::Open {
                return Err(invalid(
                    "METRICS_DATE_ORDER",
                    format!("{at}/closeDate"),
                    format!("`{}` closes ({c}) before its first engagement ({e})", o.id),
                ));
            }
        }
    }
    let mut ids = BTreeSet::new();
    for (i, l) in data.leads.iter().enumerate() {
        let at = format!("/data/leads/{i}");
        if !ids.insert(l.id.as_str()) {
            return Err(invalid("METRICS_DUPLICATE_ID", format!("{at}/id"), format!("lead id `{}` is repeated", l.id)));
        }
        if let Some(r) = l.first_response_at {
            if r < l.created_at {
                return Err(invalid(
                    "METRICS_DATE_ORDER",
                    format!("{at}/firstResponseAt"),
                    format!("lead `{}` is answered ({r}) before it came in ({})", l.id, l.created_at),
                ));
            }
        }
    }
    for (i, c) in data.costs.iter().enumerate() {
        let at = format!("/data/costs/{i}");
        if c.from > c.to {
            return Err(invalid(
                "METRICS_INVALID_WINDOW",
                format!("{at}/to"),
                format!("the cost period ends ({}) before it starts ({})", c.to, c.from),
            ));
        }
        for (f, t, name) in windows(req) {
            let inside = c.from >= f && c.to <= t;
            let outside = c.to < f || c.from > t;
            if !inside && !outside {
                return Err(invalid(
                    "METRICS_COST_STRADDLES_WINDOW",
                    at,
                    format!(
                        "the cost period {}..{} straddles the {name} {f}..{t}; split the cost at the window's bounds",
                        c.from, c.to
                    ),
                ));
            }
        }
    }
    let mut payees = BTreeSet::new();
    for (i, q) in data.quotas.iter().enumerate() {
        let at = format!("/data/quotas/{i}");
        if !payees.insert(q.payee.as_str()) {
            return Err(invalid(
                "METRICS_DUPLICATE_QUOTA",
                format!("{at}/payee"),
                format!("payee `{}` has two quota figures", q.payee),
            ));
        }
        if q.quota.is_sign_negative() && !q.quota.is_zero() {
            return Err(invalid(
                "METRICS_NEGATIVE_QUOTA",
                format!("{at}/quota"),
                format!("quota {} of `{}` is negative", q.quota, q.payee),
            ));
        }
    }
    Ok(())
}

/// The window, and the previous window when there is one.
fn windows(req: &MetricsRequest) -> Vec<(NaiveDate, NaiveDate, &'static str)> {
    let mut w = vec![(req.from, req.to, "window")];
    if let (Some(f), Some(t)) = (req.previous_from, req.previous_to) {
        w.push((f, t, "previous window"));
    }
    w
}

/// Which payees a computation covers.
enum Members<'a> {
    All,
    Some(BTreeSet<&'a str>),
}

impl Members<'_> {
    fn has(&self, payee: Option<&str>) -> bool {
        match self {
            Members::All => true,
            Members::Some(s) => payee.is_some_and(|p| s.contains(p)),
        }
    }
}

fn members<'a>(data: &'a Dataset, scope: &'a Scope) -> Members<'a> {
    match scope {
        Scope::All => Members::All,
        Scope::Payee(p) => Members::Some([p.as_str()].into_iter().collect()),
        Scope::Team(team) => {
            Members::Some(data.teams.iter().filter(|(_, t)| *t == team).map(|(p, _)| p.as_str()).collect())
        }
    }
}

fn within(d: NaiveDate, from: NaiveDate, to: NaiveDate) -> bool {
    from <= d && d <= to
}

/// Computes every metric of the request's scope over its window.
///
/// Errors: [`Error::InvalidInput`] for an inconsistent request (see [`check`]),
/// [`Error::Overflow`] when sums exceed the decimal range. An empty denominator is never an error:
/// the metric is `None`.
///
/// ```
/// use payplan::metrics::{compute, MetricsRequest};
/// let req = MetricsRequest::from_json(r#"{
///   "from": "2025-04-01", "to": "2025-06-30", "scope": {"team": "East"},
///   "previousFrom": "2025-01-01", "previousTo": "2025-03-31",
///   "data": {
///     "teams": {"ana": "East", "ben": "East", "cy": "West"},
///     "quotas": [
///       {"payee": "ana", "quota": "10000", "credited": "12000"},
///       {"payee": "ben", "quota": "10000", "credited": "6000"},
///       {"payee": "cy", "quota": "10000", "credited": "1000"}
///     ],
///     "opportunities": [
///       {"id": "1", "owner": "ana", "amount": "12000", "stage": "won", "closeDate": "2025-05-01"},
///       {"id": "2", "owner": "ben", "amount": "6000", "stage": "won", "closeDate": "2025-02-01"},
///       {"id": "3", "owner": "ben", "amount": "4000", "stage": "open"}
///     ]
///   }
/// }"#).unwrap();
/// let r = compute(&req).unwrap();
/// let d = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
/// assert_eq!(r.quota_attainment.value, Some(d("90")));   // 18,000 / 20,000
/// assert_eq!(r.at_or_above_quota.value, Some(d("50")));  // ana of ana and ben
/// assert_eq!(r.sales_growth.value, Some(d("100")));      // 12,000 after 6,000
/// assert_eq!(r.remaining_quota, Some(d("4000")));        // ben's 10,000 - 6,000
/// assert_eq!(r.pipeline_coverage.value, Some(d("1")));   // 4,000 open / 4,000
/// ```
pub fn compute(req: &MetricsRequest) -> Result<MetricsReport> {
    check(req)?;
    compute_scope(req, &req.scope, req.remaining_quota)
}

fn compute_scope(req: &MetricsRequest, scope: &Scope, remaining_quota: Option<Decimal>) -> Result<MetricsReport> {
    let data = &req.data;
    let m = members(data, scope);
    let (from, to) = (req.from, req.to);
    let mut ex = Exclusions::default();

    // quota attainment
    let figures: Vec<&QuotaFigure> = data.quotas.iter().filter(|q| m.has(Some(&q.payee))).collect();
    let quota_total = crate::money::sum_c(figures.iter().map(|q| q.quota), "total quota")?;
    let credited_total = crate::money::sum_c(figures.iter().map(|q| q.credited), "total credited")?;
    let quota_attainment = Ratio::percent(credited_total, quota_total, "quota attainment")?;
    let mut payee_attainment = Vec::with_capacity(figures.len());
    let (mut with_quota, mut at_or_above) = (0u64, 0u64);
    for q in &figures {
        if !q.quota.is_zero() {
            with_quota += 1;
            if q.credited >= q.quota {
                at_or_above += 1;
            }
        }
        payee_attainment.push(PayeeAttainment {
            payee: q.payee.clone(),
            attainment: Ratio::percent(q.credited, q.quota, "quota attainment")?,
        });
    }
    payee_attainment.sort_by(|a, b| a.payee.cmp(&b.payee));
    let at_or_above_quota = Ratio::counts(at_or_above, with_quota, "share at or above quota")?;

    // opportunities
    let opps: Vec<&Opportunity> = data.opportunities.iter().filter(|o| m.has(Some(&o.owner))).collect();
    let (mut won, mut lost, mut open_created, mut new_customers, mut won_with_amount) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut won_revenue = Decimal::ZERO;
    let mut cycles = Vec::new();
    let mut open_pipeline = Decimal::ZERO;
    let mut weighted_pipeline = Decimal::ZERO;
    for o in &opps {
        match o.stage {
            Stage::Won | Stage::Lost => {
                let Some(close) = o.close_date else {
                    ex.closed_without_close_date += 1;
                    continue;
                };
                if !within(close, from, to) {
                    continue;
                }
                if o.stage == Stage::Lost {
                    lost += 1;
                    continue;
                }
                won += 1;
                if o.is_new_customer {
                    new_customers += 1;
                }
                match o.amount {
                    Some(a) => {
                        won_revenue = won_revenue.add_c(a, "won revenue")?;
                        won_with_amount += 1;
                    }
                    None => ex.won_without_amount += 1,
                }
                match o.engaged_date {
                    Some(e) => cycles.push(Decimal::from((close - e).num_days())),
                    None => ex.won_without_engaged_date += 1,
                }
            }
            Stage::Open => {
                match o.created_date {
                    Some(c) if within(c, from, to) => open_created += 1,
                    Some(_) => {}
                    None => ex.open_without_created_date += 1,
                }
                match (o.amount, o.probability) {
                    (Some(a), p) => {
                        open_pipeline = open_pipeline.add_c(a, "open pipeline")?;
                        match p {
                            Some(p) => {
                                weighted_pipeline =
                                    weighted_pipeline.add_c(a.mul_c(p, "weighted pipeline")?, "weighted pipeline")?
                            }
                            None => ex.open_without_probability += 1,
                        }
                    }
                    (None, _) => ex.open_without_amount += 1,
                }
            }
        }
    }
    let win_rate_closed = Ratio::counts(won, won + lost, "win rate")?;
    let win_rate_all = Ratio::counts(won, won + lost + open_created, "win rate over all opportunities")?;
    let average_deal_size = Ratio::new(won_revenue, Decimal::from(won_with_amount), "average deal size")?;
    let sales_cycle_days = Summary::of(cycles, "sales cycle length")?;

    // leads
    let mut qualified = 0u64;
    let mut responses = Vec::new();
    for l in data.leads.iter().filter(|l| m.has(l.owner.as_deref()) && within(l.created_at.date(), from, to)) {
        if l.qualified {
            qualified += 1;
        }
        match l.first_response_at {
            Some(r) => responses.push(Decimal::from((r - l.created_at).num_seconds())),
            None => ex.leads_without_response += 1,
        }
    }
    let conversion_rate = Ratio::counts(won, qualified, "conversion rate")?;
    let lead_response_seconds = Summary::of(responses, "lead response time")?;

    // costs
    let costs = crate::money::sum_c(
        data.costs.iter().filter(|c| m.has(c.payee.as_deref()) && c.from >= from && c.to <= to).map(|c| c.amount),
        "sales and marketing cost",
    )?;
    let customer_acquisition_cost = Ratio::new(costs, Decimal::from(new_customers), "customer acquisition cost")?;

    // growth
    let previous = match (req.previous_from, req.previous_to) {
        (Some(pf), Some(pt)) => Some(crate::money::sum_c(
            opps.iter()
                .filter(|o| o.stage == Stage::Won && o.close_date.is_some_and(|c| within(c, pf, pt)))
                .filter_map(|o| o.amount),
            "previous won revenue",
        )?),
        _ => None,
    };
    let growth_value = match previous {
        Some(p) if !p.is_zero() => Some(
            won_revenue
                .sub_c(p, "sales growth")?
                .mul_c(Decimal::ONE_HUNDRED, "sales growth")?
                .div_c(p, "sales growth")?,
        ),
        _ => None,
    };
    let sales_growth = Growth { value: growth_value, current: won_revenue, previous };

    // coverage
    let remaining_quota = match remaining_quota {
        Some(r) => Some(r),
        None if figures.is_empty() => None,
        None => {
            let mut r = Decimal::ZERO;
            for q in figures.iter().filter(|q| q.credited < q.quota) {
                r = r.add_c(q.quota.sub_c(q.credited, "remaining quota")?, "remaining quota")?;
            }
            Some(r)
        }
    };
    let pipeline_coverage = match remaining_quota {
        Some(r) => Ratio::new(open_pipeline, r, "pipeline coverage")?,
        None => Ratio { value: None, numerator: open_pipeline, denominator: Decimal::ZERO },
    };

    // activities
    let mut activities = ActivityCounts::default();
    for a in data.activities.iter().filter(|a| m.has(Some(&a.payee)) && within(a.date, from, to)) {
        let n = u64::from(a.count);
        let slot = match a.kind {
            ActivityKind::Call => &mut activities.calls,
            ActivityKind::Meeting => &mut activities.meetings,
            ActivityKind::Proposal => &mut activities.proposals,
            ActivityKind::Email => &mut activities.emails,
            ActivityKind::Other => &mut activities.other,
        };
        *slot = slot.saturating_add(n);
        activities.total = activities.total.saturating_add(n);
    }

    // CSAT
    let csat = Summary::of(
        data.csat.iter().filter(|c| m.has(c.payee.as_deref()) && within(c.date, from, to)).map(|c| c.score).collect(),
        "CSAT",
    )?;

    let payees = match &m {
        Members::All => data.payees(),
        Members::Some(s) => s.iter().map(|p| p.to_string()).collect(),
    };
    Ok(MetricsReport {
        from,
        to,
        scope: scope.clone(),
        payees,
        quota_attainment,
        payee_attainment,
        at_or_above_quota,
        won_deals: won,
        lost_deals: lost,
        open_created,
        won_revenue,
        win_rate_closed,
        win_rate_all,
        conversion_rate,
        average_deal_size,
        sales_cycle_days,
        customer_acquisition_cost,
        lead_response_seconds,
        sales_growth,
        open_pipeline,
        remaining_quota,
        pipeline_coverage,
        weighted_pipeline,
        activities,
        csat,
        exclusions: ex,
    })
}

// ---------------------------------------------------------------------------------------------
// Leaderboards
// ---------------------------------------------------------------------------------------------

/// A metric a [`leaderboard`] ranks by. Each has a better direction ([`MetricName::higher_is_better`]):
/// lower is better for the sales cycle, the customer acquisition cost and the lead response time;
/// higher is better for every other metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum MetricName {
    /// [`MetricsReport::quota_attainment`].
    QuotaAttainment,
    /// [`MetricsReport::win_rate_closed`].
    WinRateClosed,
    /// [`MetricsReport::win_rate_all`].
    WinRateAll,
    /// [`MetricsReport::conversion_rate`].
    ConversionRate,
    /// [`MetricsReport::average_deal_size`].
    AverageDealSize,
    /// [`MetricsReport::won_revenue`].
    WonRevenue,
    /// [`MetricsReport::won_deals`].
    WonDeals,
    /// Mean of [`MetricsReport::sales_cycle_days`] (lower is better).
    SalesCycleMean,
    /// Median of [`MetricsReport::sales_cycle_days`] (lower is better).
    SalesCycleMedian,
    /// [`MetricsReport::customer_acquisition_cost`] (lower is better).
    CustomerAcquisitionCost,
    /// Mean of [`MetricsReport::lead_response_seconds`] (lower is better).
    LeadResponseMean,
    /// Median of [`MetricsReport::lead_response_seconds`] (lower is better).
    LeadResponseMedian,
    /// [`MetricsReport::sales_growth`].
    SalesGrowth,
    /// [`MetricsReport::pipeline_coverage`].
    PipelineCoverage,
    /// [`MetricsReport::open_pipeline`].
    OpenPipeline,
    /// [`MetricsReport::weighted_pipeline`].
    WeightedPipeline,
    /// Total of [`MetricsReport::activities`].
    Activities,
    /// Calls.
    Calls,
    /// Meetings.
    Meetings,
    /// Proposals.
    Proposals,
    /// Emails.
    Emails,
    /// Mean of [`MetricsReport::csat`].
    CsatMean,
}

impl MetricName {
    /// Whether a higher value ranks first.
    ///
    /// ```
    /// use payplan::metrics::MetricName;
    /// assert!(MetricName::WinRateClosed.higher_is_better());
    /// assert!(!MetricName::LeadResponseMedian.higher_is_better());
    /// ```
    pub fn higher_is_better(self) -> bool {
        !matches!(
            self,
            MetricName::SalesCycleMean
                | MetricName::SalesCycleMedian
                | MetricName::CustomerAcquisitionCost
                | MetricName::LeadResponseMean
                | MetricName::LeadResponseMedian
        )
    }

    /// This metric's value in a report (`None` when it is none).
    pub fn value(self, r: &MetricsReport) -> Option<Decimal> {
        match self {
            MetricName::QuotaAttainment => r.quota_attainment.value,
            MetricName::WinRateClosed => r.win_rate_closed.value,
            MetricName::WinRateAll => r.win_rate_all.value,
            MetricName::ConversionRate => r.conversion_rate.value,
            MetricName::AverageDealSize => r.average_deal_size.value,
            MetricName::WonRevenue => Some(r.won_revenue),
            MetricName::WonDeals => Some(Decimal::from(r.won_deals)),
            MetricName::SalesCycleMean => r.sales_cycle_days.mean,
            MetricName::SalesCycleMedian => r.sales_cycle_days.median,
            MetricName::CustomerAcquisitionCost => r.customer_acquisition_cost.value,
            MetricName::LeadResponseMean => r.lead_response_seconds.mean,
            MetricName::LeadResponseMedian => r.lead_response_seconds.median,
            MetricName::SalesGrowth => r.sales_growth.value,
            MetricName::PipelineCoverage => r.pipeline_coverage.value,
            MetricName::OpenPipeline => Some(r.open_pipeline),
            MetricName::WeightedPipeline => Some(r.weighted_pipeline),
            MetricName::Activities => Some(Decimal::from(r.activities.total)),
            MetricName::Calls => Some(Decimal::from(r.activities.calls)),
            MetricName::Meetings => Some(Decimal::from(r.activities.meetings)),
            MetricName::Proposals => Some(Decimal::from(r.activities.proposals)),
            MetricName::Emails => Some(Decimal::from(r.activities.emails)),
            MetricName::CsatMean => r.csat.mean,
        }
    }
}

/// A payee's place on a leaderboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Rank {
    /// 1 for the best; `None` (unranked) when the payee's metric is none.
    pub rank: Option<usize>,
    /// The payee.
    pub payee: String,
    /// The payee's value of the metric.
    pub value: Option<Decimal>,
}

/// Ranks payees by one metric over the request's window (and previous window, for growth).
///
/// - Each payee is computed as [`Scope::Payee`]; the request's `scope` only chooses the payees
///   when `payees` is empty (scope `all`: every payee of [`Dataset::payees`]; a team: its members).
///   Repeated payee ids are ranked once.
/// - Direction: best first, by [`MetricName::higher_is_better`].
/// - Ties: standard competition ranking ("1224"): equal values share a rank and the next rank
///   skips as many places as were shared. Within a tie, and for unranked payees, the order is by
///   payee id.
/// - Payees whose metric is none come after all ranked payees, with `rank: None`.
/// - The request's `remainingQuota` applies to its scope, not to one payee: each payee's pipeline
///   coverage is measured against their own remaining quota from their quota figure.
///
/// ```
/// use payplan::metrics::{leaderboard, MetricName, MetricsRequest};
/// let req = MetricsRequest::from_json(r#"{"from": "2025-01-01", "to": "2025-12-31", "data": {"quotas": [
///   {"payee": "a", "quota": "100", "credited": "120"},
///   {"payee": "b", "quota": "100", "credited": "90"},
///   {"payee": "c", "quota": "50", "credited": "60"},
///   {"payee": "d", "quota": "0", "credited": "10"}
/// ]}}"#).unwrap();
/// let board = leaderboard(&req, MetricName::QuotaAttainment, &[]).unwrap();
/// let ranks: Vec<_> = board.iter().map(|r| (r.payee.as_str(), r.rank)).collect();
/// // a and c both at 120% share rank 1; b is 3rd; d (zero quota) is unranked
/// assert_eq!(ranks, [("a", Some(1)), ("c", Some(1)), ("b", Some(3)), ("d", None)]);
/// ```
pub fn leaderboard(req: &MetricsRequest, metric: MetricName, payees: &[String]) -> Result<Vec<Rank>> {
    check(req)?;
    let chosen: BTreeSet<String> = if payees.is_empty() {
        match members(&req.data, &req.scope) {
            Members::All => req.data.payees().into_iter().collect(),
            Members::Some(s) => s.into_iter().map(String::from).collect(),
        }
    } else {
        payees.iter().cloned().collect()
    };
    let mut rows = Vec::with_capacity(chosen.len());
    for payee in chosen {
        let scope = Scope::Payee(payee);
        let report = compute_scope(req, &scope, None)?;
        let Scope::Payee(payee) = scope else { continue };
        rows.push(Rank { rank: None, payee, value: metric.value(&report) });
    }
    let higher = metric.higher_is_better();
    // rows are in payee order; a stable sort by value keeps that order within ties
    rows.sort_by(|a, b| match (a.value, b.value) {
        (Some(x), Some(y)) if higher => y.cmp(&x),
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let mut previous: Option<(Decimal, usize)> = None;
    for (i, row) in rows.iter_mut().enumerate() {
        let Some(v) = row.value else { break };
        let rank = match previous {
            Some((pv, pr)) if pv == v => pr,
            _ => i + 1,
        };
        row.rank = Some(rank);
        previous = Some((v, rank));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn opp(id: &str, owner: &str, stage: Stage, amount: &str, close: Option<&str>) -> Opportunity {
        Opportunity {
            id: id.into(),
            owner: owner.into(),
            amount: (!amount.is_empty()).then(|| d(amount)),
            stage,
            created_date: None,
            engaged_date: None,
            close_date: close.map(date),
            probability: None,
            product: None,
            region: None,
            is_new_customer: false,
        }
    }

    fn req(data: Dataset) -> MetricsRequest {
        MetricsRequest {
            from: date("2025-01-01"),
            to: date("2025-03-31"),
            scope: Scope::All,
            previous_from: None,
            previous_to: None,
            remaining_quota: None,
            data,
        }
    }

    fn lead(id: &str, owner: Option<&str>, created: &str, response: Option<&str>, qualified: bool) -> Lead {
        Lead {
            id: id.into(),
            owner: owner.map(String::from),
            created_at: created.parse().unwrap(),
            first_response_at: response.map(|r| r.parse().unwrap()),
            qualified,
        }
    }

    #[test]
    fn no_closed_deals_gives_no_win_rate() {
        let mut o = opp("1", "ana", Stage::Open, "1000", None);
        o.created_date = Some(date("2025-02-01"));
        let r = compute(&req(Dataset { opportunities: vec![o], ..Default::default() })).unwrap();
        assert_eq!(r.win_rate_closed, Ratio { value: None, numerator: d("0"), denominator: d("0") });
        // the variant over all opportunities counts the open one created in the window: 0 / 1
        assert_eq!(r.win_rate_all.value, Some(d("0")));
        assert_eq!(r.average_deal_size.value, None);
        assert_eq!(r.sales_cycle_days.mean, None);
        assert_eq!(r.sales_cycle_days.median, None);
        // an empty dataset: every ratio none, every sum zero, no error
        let r = compute(&req(Dataset::default())).unwrap();
        assert_eq!(r.win_rate_all.value, None);
        assert_eq!(r.quota_attainment.value, None);
        assert_eq!(r.at_or_above_quota.value, None);
        assert_eq!(r.customer_acquisition_cost.value, None);
        assert_eq!(r.csat.mean, None);
        assert_eq!(r.pipeline_coverage.value, None);
        assert_eq!(r.remaining_quota, None);
        assert_eq!(r.weighted_pipeline, d("0"));
    }

    #[test]
    fn win_rates_count_only_the_window() {
        let mut open_in = opp("5", "ana", Stage::Open, "100", None);
        open_in.created_date = Some(date("2025-03-31"));
        let mut open_before = opp("6", "ana", Stage::Open, "100", None);
        open_before.created_date = Some(date("2024-12-31"));
        let data = Dataset {
            opportunities: vec![
                opp("1", "ana", Stage::Won, "100", Some("2025-01-01")),
                opp("2", "ana", Stage::Won, "200", Some("2025-03-31")),
                opp("3", "ana", Stage::Lost, "0", Some("2025-02-15")),
                opp("4", "ana", Stage::Won, "999", Some("2025-04-01")), // after the window
                opp("7", "ana", Stage::Lost, "", None),                 // closed without a date
                open_in,
                open_before,
                opp("8", "ana", Stage::Open, "", None),
            ],
            ..Default::default()
        };
        let r = compute(&req(data)).unwrap();
        // won 2 of 3 closed: 200 / 3 = 66.66...%
        assert_eq!((r.won_deals, r.lost_deals, r.open_created), (2, 1, 1));
        assert_eq!(r.win_rate_closed.numerator, d("2"));
        assert_eq!(r.win_rate_closed.denominator, d("3"));
        assert_eq!(r.win_rate_closed.value, Some(d("66.666666666666666666666666667")));
        // all: 2 / (2 + 1 + 1 open created in the window) = 50%
        assert_eq!(r.win_rate_all.value, Some(d("50")));
        assert_eq!(r.won_revenue, d("300"));
        assert_eq!(r.average_deal_size.value, Some(d("150")));
        assert_eq!(r.open_pipeline, d("200"));
        assert_eq!(r.exclusions.closed_without_close_date, 1);
        assert_eq!(r.exclusions.open_without_created_date, 1);
        assert_eq!(r.exclusions.open_without_amount, 1);
        assert_eq!(r.exclusions.open_without_probability, 2);
    }

    #[test]
    fn won_deal_without_amount_counts_in_win_rate_not_in_deal_size() {
        let data = Dataset {
            opportunities: vec![
                opp("1", "ana", Stage::Won, "", Some("2025-01-10")),
                opp("2", "ana", Stage::Won, "500.50", Some("2025-01-11")),
            ],
            ..Default::default()
        };
        let r = compute(&req(data)).unwrap();
        assert_eq!(r.win_rate_closed.value, Some(d("100")));
        assert_eq!(
            r.average_deal_size,
            Ratio { value: Some(d("500.50")), numerator: d("500.50"), denominator: d("1") }
        );
        assert_eq!(r.exclusions.won_without_amount, 1);
    }

    #[test]
    fn attainment_with_zero_quota_and_share_at_quota() {
        let q = |p: &str, quota: &str, credited: &str| QuotaFigure {
            payee: p.into(),
            quota: d(quota),
            credited: d(credited),
        };
        let data = Dataset {
            quotas: vec![q("b", "200", "200"), q("a", "100", "50"), q("z", "0", "70"), q("c", "300", "450")],
            ..Default::default()
        };
        let r = compute(&req(data.clone())).unwrap();
        // (50 + 200 + 70 + 450) / (100 + 200 + 0 + 300) = 770 / 600 = 128.333...%
        assert_eq!(r.quota_attainment.numerator, d("770"));
        assert_eq!(r.quota_attainment.denominator, d("600"));
        assert_eq!(r.quota_attainment.value, Some(d("128.33333333333333333333333333")));
        let by: Vec<_> = r.payee_attainment.iter().map(|p| (p.payee.as_str(), p.attainment.value)).collect();
        assert_eq!(by, [("a", Some(d("50"))), ("b", Some(d("100"))), ("c", Some(d("150"))), ("z", None)]);
        // b (exactly at quota) and c of a, b, c; z's zero quota is not counted: 2 / 3
        assert_eq!(r.at_or_above_quota.numerator, d("2"));
        assert_eq!(r.at_or_above_quota.denominator, d("3"));
        // remaining quota: a's 50 only (b and c are at or above, z has none)
        assert_eq!(r.remaining_quota, Some(d("50")));

        // one payee with a zero quota: none, not an error
        let mut one = req(data);
        one.scope = Scope::Payee("z".into());
        let r = compute(&one).unwrap();
        assert_eq!(r.payees, ["z"]);
        assert_eq!(r.quota_attainment, Ratio { value: None, numerator: d("70"), denominator: d("0") });
        assert_eq!(r.at_or_above_quota.value, None);
        assert_eq!(r.remaining_quota, Some(d("0")));
        assert_eq!(r.pipeline_coverage.value, None);
    }

    #[test]
    fn one_payee_scope_and_team_scope() {
        let mut data = Dataset {
            opportunities: vec![
                opp("1", "ana", Stage::Won, "100", Some("2025-01-10")),
                opp("2", "ben", Stage::Lost, "0", Some("2025-01-10")),
                opp("3", "cy", Stage::Won, "700", Some("2025-01-10")),
            ],
            leads: vec![
                lead("L1", None, "2025-01-02T09:00:00", None, true),
                lead("L2", Some("ana"), "2025-01-02T09:00:00", None, true),
            ],
            csat: vec![CsatScore { payee: None, date: date("2025-01-05"), score: d("4") }],
            ..Default::default()
        };
        data.teams.insert("ana".into(), "East".into());
        data.teams.insert("ben".into(), "East".into());
        data.teams.insert("cy".into(), "West".into());
        let mut r = req(data);
        r.scope = Scope::Payee("ana".into());
        let ana = compute(&r).unwrap();
        assert_eq!((ana.won_deals, ana.lost_deals, ana.won_revenue), (1, 0, d("100")));
        assert_eq!(ana.conversion_rate.value, Some(d("100"))); // 1 won / 1 qualified lead of ana
        assert_eq!(ana.csat.count, 0); // a score without a payee is only in scope all
        r.scope = Scope::Team("East".into());
        let east = compute(&r).unwrap();
        assert_eq!(east.payees, ["ana", "ben"]);
        assert_eq!((east.won_deals, east.lost_deals), (1, 1));
        assert_eq!(east.win_rate_closed.value, Some(d("50")));
        r.scope = Scope::All;
        let all = compute(&r).unwrap();
        assert_eq!(all.payees, ["ana", "ben", "cy"]);
        assert_eq!(all.won_revenue, d("800"));
        assert_eq!(all.conversion_rate, Ratio { value: Some(d("100")), numerator: d("2"), denominator: d("2") });
        assert_eq!(all.csat.mean, Some(d("4")));
        // an unknown payee has no data: metrics are none, not an error
        r.scope = Scope::Payee("nobody".into());
        assert_eq!(compute(&r).unwrap().win_rate_closed.value, None);
        r.scope = Scope::Team("North".into());
        let e = compute(&r).unwrap_err();
        assert_eq!((e.code(), e.path()), ("METRICS_UNKNOWN_TEAM", Some("/scope/team")));
    }

    #[test]
    fn conversion_with_no_qualified_leads_is_none() {
        let data = Dataset {
            opportunities: vec![opp("1", "ana", Stage::Won, "100", Some("2025-01-10"))],
            leads: vec![
                lead("L1", Some("ana"), "2025-01-02T09:00:00", None, false),
                lead("L2", Some("ana"), "2024-12-31T23:59:59", None, true), // created before the window
            ],
            ..Default::default()
        };
        let r = compute(&req(data)).unwrap();
        assert_eq!(r.conversion_rate, Ratio { value: None, numerator: d("1"), denominator: d("0") });
        assert_eq!(r.exclusions.leads_without_response, 1);
    }

    #[test]
    fn sales_growth_and_previous_zero() {
        let data = Dataset {
            opportunities: vec![
                opp("1", "ana", Stage::Won, "150", Some("2025-02-01")),
                opp("2", "ana", Stage::Won, "120", Some("2024-11-30")),
                opp("3", "ana", Stage::Lost, "0", Some("2024-12-01")),
            ],
            ..Default::default()
        };
        let mut r = req(data);
        // no previous window: growth none, previous none
        let g = compute(&r).unwrap().sales_growth;
        assert_eq!(g, Growth { value: None, current: d("150"), previous: None });
        // previous window Q4 2024: (150 - 120) / 120 x 100 = 25%
        r.previous_from = Some(date("2024-10-01"));
        r.previous_to = Some(date("2024-12-31"));
        assert_eq!(compute(&r).unwrap().sales_growth.value, Some(d("25")));
        // previous window with no won revenue: growth none, previous 0
        r.previous_from = Some(date("2024-12-01"));
        let g = compute(&r).unwrap().sales_growth;
        assert_eq!(g, Growth { value: None, current: d("150"), previous: Some(d("0")) });
        // a decline: previous 150 (the window itself as previous), current 0 in another window
        r.from = date("2025-06-01");
        r.to = date("2025-06-30");
        r.previous_from = Some(date("2025-01-01"));
        r.previous_to = Some(date("2025-03-31"));
        assert_eq!(compute(&r).unwrap().sales_growth.value, Some(d("-100")));
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        let s = Summary::of(vec![d("30"), d("10"), d("20")], "x").unwrap();
        assert_eq!((s.count, s.total, s.mean, s.median), (3, d("60"), Some(d("20")), Some(d("20"))));
        let s = Summary::of(vec![d("1"), d("4"), d("2"), d("10")], "x").unwrap();
        // sorted 1 2 4 10: median (2 + 4) / 2 = 3, mean 17 / 4 = 4.25
        assert_eq!((s.mean, s.median), (Some(d("4.25")), Some(d("3"))));
        let s = Summary::of(vec![d("1"), d("2")], "x").unwrap();
        assert_eq!(s.median, Some(d("1.5")));
        let s = Summary::of(vec![d("7")], "x").unwrap();
        assert_eq!((s.mean, s.median), (Some(d("7")), Some(d("7"))));
        let s = Summary::of(vec![], "x").unwrap();
        assert_eq!((s.count, s.total, s.mean, s.median), (0, d("0"), None, None));
    }

    #[test]
    fn sales_cycle_across_february_29() {
        let w = |id: &str, engaged: &str, close: &str| {
            let mut o = opp(id, "ana", Stage::Won, "1", Some(close));
            o.engaged_date = Some(date(engaged));
            o
        };
        let mut r = req(Dataset {
            opportunities: vec![
                w("leap", "2024-02-28", "2024-03-01"),   // 2 days: Feb 29 exists
                w("common", "2023-02-28", "2023-03-01"), // 1 day
                w("year", "2023-03-01", "2024-03-01"),   // 366 days across Feb 29 2024
                w("same", "2024-02-29", "2024-02-29"),   // 0 days
            ],
            ..Default::default()
        });
        r.from = date("2023-01-01");
        r.to = date("2024-12-31");
        let s = compute(&r).unwrap().sales_cycle_days;
        assert_eq!(s.count, 4);
        assert_eq!(s.total, d("369"));
        assert_eq!(s.mean, Some(d("92.25")));
        // sorted 0 1 2 366: median 1.5
        assert_eq!(s.median, Some(d("1.5")));
        // a won deal without an engaged date is left out and counted
        r.data.opportunities.push(opp("none", "ana", Stage::Won, "1", Some("2024-05-05")));
        let r = compute(&r).unwrap();
        assert_eq!(r.sales_cycle_days.count, 4);
        assert_eq!(r.exclusions.won_without_engaged_date, 1);
    }

    #[test]
    fn lead_response_in_seconds() {
        let data = Dataset {
            leads: vec![
                lead("1", None, "2025-01-02T09:30:00", Some("2025-01-02T09:45:00"), true), // 900 s
                lead("2", None, "2025-01-31T23:59:00", Some("2025-02-01T00:01:30"), false), // 150 s
                lead("3", None, "2025-03-01T08:00:00", Some("2025-03-01T10:00:00"), false), // 7200 s
                lead("4", None, "2025-03-02T08:00:00", None, false),
            ],
            ..Default::default()
        };
        let r = compute(&req(data)).unwrap();
        let s = r.lead_response_seconds;
        assert_eq!((s.count, s.total, s.mean, s.median), (3, d("8250"), Some(d("2750")), Some(d("900"))));
        assert_eq!(r.exclusions.leads_without_response, 1);
    }

    #[test]
    fn customer_acquisition_cost() {
        let mut n1 = opp("1", "ana", Stage::Won, "100", Some("2025-01-10"));
        n1.is_new_customer = true;
        let mut n2 = opp("2", "ana", Stage::Won, "100", Some("2025-02-10"));
        n2.is_new_customer = true;
        let cost = |from: &str, to: &str, amount: &str| Cost {
            from: date(from),
            to: date(to),
            amount: d(amount),
            payee: None,
        };
        let data = Dataset {
            opportunities: vec![n1, n2, opp("3", "ana", Stage::Won, "100", Some("2025-02-11"))],
            costs: vec![
                cost("2025-01-01", "2025-01-31", "1000.10"),
                cost("2025-02-01", "2025-03-31", "2000.20"),
                cost("2025-04-01", "2025-04-30", "9999"), // outside
            ],
            ..Default::default()
        };
        let r = compute(&req(data.clone())).unwrap();
        // 3,000.30 / 2 new customers
        assert_eq!(r.customer_acquisition_cost.value, Some(d("1500.15")));
        assert_eq!(r.customer_acquisition_cost.numerator, d("3000.30"));
        // no new customer: none
        let mut none = data;
        none.opportunities.retain(|o| !o.is_new_customer);
        assert_eq!(compute(&req(none.clone())).unwrap().customer_acquisition_cost.value, None);
        // a cost straddling the window is an error
        none.costs.push(cost("2025-03-15", "2025-04-15", "10"));
        let e = compute(&req(none)).unwrap_err();
        assert_eq!((e.code(), e.path()), ("METRICS_COST_STRADDLES_WINDOW", Some("/data/costs/3")));
    }

    #[test]
    fn pipeline_coverage_and_weighted_pipeline() {
        let p = |id: &str, amount: &str, prob: Option<&str>| {
            let mut o = opp(id, "ana", Stage::Open, amount, None);
            o.probability = prob.map(d);
            o
        };
        let data = Dataset {
            opportunities: vec![p("1", "10000", Some("0.25")), p("2", "5000", Some("0.6")), p("3", "2000", None)],
            quotas: vec![QuotaFigure { payee: "ana".into(), quota: d("20000"), credited: d("14000") }],
            ..Default::default()
        };
        let mut r = req(data);
        let rep = compute(&r).unwrap();
        // 2,500 + 3,000; the opportunity without probability is pipeline but not weighted
        assert_eq!(rep.weighted_pipeline, d("5500"));
        assert_eq!(rep.open_pipeline, d("17000"));
        // remaining quota derived: 20,000 - 14,000 = 6,000; coverage 17,000 / 6,000
        assert_eq!(rep.remaining_quota, Some(d("6000")));
        assert_eq!(rep.pipeline_coverage.value, Some(d("2.8333333333333333333333333333")));
        r.remaining_quota = Some(d("8500"));
        assert_eq!(compute(&r).unwrap().pipeline_coverage.value, Some(d("2")));
        r.remaining_quota = Some(d("0"));
        assert_eq!(compute(&r).unwrap().pipeline_coverage.value, None);
    }

    #[test]
    fn activities_and_csat() {
        let a = |payee: &str, date_: &str, kind: ActivityKind, count: u32| Activity {
            payee: payee.into(),
            date: date(date_),
            kind,
            count,
        };
        let s = |score: &str, date_: &str| CsatScore { payee: Some("ana".into()), date: date(date_), score: d(score) };
        let data = Dataset {
            activities: vec![
                a("ana", "2025-01-02", ActivityKind::Call, 3),
                a("ana", "2025-01-03", ActivityKind::Call, 1),
                a("ana", "2025-01-03", ActivityKind::Meeting, 2),
                a("ana", "2025-02-03", ActivityKind::Proposal, 1),
                a("ana", "2025-02-03", ActivityKind::Email, 5),
                a("ana", "2025-02-03", ActivityKind::Other, 1),
                a("ana", "2025-04-03", ActivityKind::Call, 100),
            ],
            csat: vec![
                s("4", "2025-01-05"),
                s("5", "2025-01-06"),
                s("3", "2025-01-07"),
                s("4.5", "2025-01-08"),
                s("1", "2024-12-31"),
            ],
            ..Default::default()
        };
        let r = compute(&req(data)).unwrap();
        assert_eq!(
            r.activities,
            ActivityCounts { calls: 4, meetings: 2, proposals: 1, emails: 5, other: 1, total: 13 }
        );
        // (4 + 5 + 3 + 4.5) / 4 = 4.125; median (4 + 4.5) / 2 = 4.25
        assert_eq!((r.csat.mean, r.csat.median), (Some(d("4.125")), Some(d("4.25"))));
    }

    #[test]
    fn leaderboard_ties_nones_and_direction() {
        let won = |id: &str, owner: &str, engaged: &str, close: &str| {
            let mut o = opp(id, owner, Stage::Won, "100", Some(close));
            o.engaged_date = Some(date(engaged));
            o
        };
        let data = Dataset {
            opportunities: vec![
                won("1", "dan", "2025-01-01", "2025-01-11"), // dan: 10 days, win rate 100%
                won("2", "ann", "2025-01-01", "2025-01-21"), // ann: 20 days
                opp("3", "ann", Stage::Lost, "0", Some("2025-01-05")), // ann: win rate 50%
                won("4", "bob", "2025-01-01", "2025-01-11"), // bob: 10 days, 100%
                won("5", "cat", "2025-01-01", "2025-01-31"), // cat: 30 days
                opp("6", "cat", Stage::Lost, "0", Some("2025-01-05")),
                opp("7", "eve", Stage::Open, "100", None), // eve: nothing closed
            ],
            ..Default::default()
        };
        let r = req(data);
        let board = leaderboard(&r, MetricName::WinRateClosed, &[]).unwrap();
        let got: Vec<_> = board.iter().map(|b| (b.payee.as_str(), b.rank, b.value)).collect();
        assert_eq!(
            got,
            [
                ("bob", Some(1), Some(d("100"))),
                ("dan", Some(1), Some(d("100"))),
                ("ann", Some(3), Some(d("50"))),
                ("cat", Some(3), Some(d("50"))),
                ("eve", None, None),
            ]
        );
        // lower is better for the sales cycle: 10, 10, 20, 30
        let board = leaderboard(&r, MetricName::SalesCycleMean, &[]).unwrap();
        let got: Vec<_> = board.iter().map(|b| (b.payee.as_str(), b.rank)).collect();
        assert_eq!(got, [("bob", Some(1)), ("dan", Some(1)), ("ann", Some(3)), ("cat", Some(4)), ("eve", None)]);
        // a chosen list, with a repeat and a payee without data
        let names = ["cat".to_string(), "ann".to_string(), "cat".to_string(), "zed".to_string()];
        let board = leaderboard(&r, MetricName::WonRevenue, &names).unwrap();
        let got: Vec<_> = board.iter().map(|b| (b.payee.as_str(), b.rank)).collect();
        // every payee has revenue (zed 0): a count-like metric is never none
        assert_eq!(got, [("ann", Some(1)), ("cat", Some(1)), ("zed", Some(3))]);
        // one payee
        let board = leaderboard(&r, MetricName::WinRateAll, &["dan".to_string()]).unwrap();
        assert_eq!(board, [Rank { rank: Some(1), payee: "dan".into(), value: Some(d("100")) }]);
    }

    #[test]
    fn bad_requests_are_typed_errors() {
        let base = req(Dataset::default());
        let code = |r: &MetricsRequest| {
            let e = compute(r).unwrap_err();
            (e.code().to_string(), e.path().unwrap_or_default().to_string())
        };
        let mut r = base.clone();
        r.to = date("2024-12-31");
        assert_eq!(code(&r), ("METRICS_INVALID_WINDOW".into(), "/to".into()));
        let mut r = base.clone();
        r.previous_from = Some(date("2024-10-01"));
        assert_eq!(code(&r), ("METRICS_INVALID_WINDOW".into(), "/previousTo".into()));
        let mut r = base.clone();
        let mut o = opp("1", "a", Stage::Open, "1", None);
        o.probability = Some(d("1.5"));
        r.data.opportunities = vec![opp("0", "a", Stage::Open, "1", None), o];
        assert_eq!(code(&r), ("METRICS_INVALID_PROBABILITY".into(), "/data/opportunities/1/probability".into()));
        let mut r = base.clone();
        r.data.opportunities = vec![opp("1", "a", Stage::Open, "1", None), opp("1", "b", Stage::Open, "1", None)];
        assert_eq!(code(&r), ("METRICS_DUPLICATE_ID".into(), "/data/opportunities/1/id".into()));
        let mut r = base.clone();
        let mut o = opp("1", "a", Stage::Won, "1", Some("2025-01-01"));
        o.engaged_date = Some(date("2025-01-02"));
        r.data.opportunities = vec![o];
        assert_eq!(code(&r), ("METRICS_DATE_ORDER".into(), "/data/opportunities/0/closeDate".into()));
        let mut r = base.clone();
        r.data.leads = vec![lead("L", None, "2025-01-02T10:00:00", Some("2025-01-02T09:59:59"), false)];
        assert_eq!(code(&r), ("METRICS_DATE_ORDER".into(), "/data/leads/0/firstResponseAt".into()));
        let mut r = base.clone();
        let q = QuotaFigure { payee: "a".into(), quota: d("1"), credited: d("0") };
        r.data.quotas = vec![q.clone(), q];
        assert_eq!(code(&r), ("METRICS_DUPLICATE_QUOTA".into(), "/data/quotas/1/payee".into()));
        let mut r = base;
        r.data.quotas = vec![QuotaFigure { payee: "a".into(), quota: d("-1"), credited: d("0") }];
        assert_eq!(code(&r), ("METRICS_NEGATIVE_QUOTA".into(), "/data/quotas/0/quota".into()));
        // leaderboard checks too
        assert_eq!(leaderboard(&r, MetricName::WonDeals, &[]).unwrap_err().code(), "METRICS_NEGATIVE_QUOTA");
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        let max = Decimal::MAX.to_string();
        let data = Dataset {
            opportunities: vec![
                opp("1", "a", Stage::Won, &max, Some("2025-01-01")),
                opp("2", "a", Stage::Won, &max, Some("2025-01-02")),
            ],
            ..Default::default()
        };
        assert_eq!(compute(&req(data)).unwrap_err().code(), "DECIMAL_OVERFLOW");
        let q = QuotaFigure { payee: "a".into(), quota: d("1"), credited: Decimal::MAX };
        let e = compute(&req(Dataset { quotas: vec![q], ..Default::default() })).unwrap_err();
        assert_eq!(e.code(), "DECIMAL_OVERFLOW");
    }

    #[test]
    fn json_wire_format() {
        let text = r#"{"from": "2025-01-01", "to": "2025-01-31", "scope": {"payee": "ana"},
          "data": {"activities": [{"payee": "ana", "date": "2025-01-05", "kind": "meeting"}],
                   "leads": [{"id": "L", "createdAt": "2025-01-02T09:30:00", "firstResponseAt": "2025-01-02T09:31:00"}]}}"#;
        let r = MetricsRequest::from_json(text).unwrap();
        assert_eq!(r.scope, Scope::Payee("ana".into()));
        assert_eq!(r.data.activities[0].count, 1);
        let report = compute(&r).unwrap();
        assert_eq!(report.activities.meetings, 1);
        let v = serde_json::to_value(&report).unwrap();
        assert_eq!(v["scope"], serde_json::json!({"payee": "ana"}));
        assert_eq!(v["winRateClosed"], serde_json::json!({"value": null, "numerator": "0", "denominator": "0"}));
        assert_eq!(v["leadResponseSeconds"]["count"], 0); // the lead has no owner: not ana's
        let all = MetricsRequest::from_json(&text.replace(r#"{"payee": "ana"}"#, r#""all""#)).unwrap();
        assert_eq!(compute(&all).unwrap().lead_response_seconds.median, Some(d("60")));
        // unknown fields, numbers for decimals and bad enum values are refused with a pointer
        let e = MetricsRequest::from_json(r#"{"from": "2025-01-01", "to": "2025-01-31", "data": {"costs": [{"from": "2025-01-01", "to": "2025-01-31", "amount": 5}]}}"#).unwrap_err();
        assert_eq!((e.code(), e.path()), ("PARSE_ERROR", Some("/data/costs/0/amount")));
        let e = MetricsRequest::from_json(r#"{"from": "2025-01-01", "to": "2025-01-31", "data": {}, "extra": 1}"#)
            .unwrap_err();
        assert_eq!(e.code(), "PARSE_ERROR");
        let e = MetricsRequest::from_json(r#"{"from": "2025-01-01", "to": "2025-01-31", "data": {"opportunities": [{"id": "1", "owner": "a", "stage": "closed"}]}}"#).unwrap_err();
        assert_eq!(e.path(), Some("/data/opportunities/0/stage"));
    }

    #[cfg(feature = "schema")]
    #[test]
    fn schemas_derive() {
        let req = serde_json::to_value(schemars::schema_for!(MetricsRequest)).unwrap();
        assert!(req["properties"]["previousFrom"].is_object());
        assert!(req["$defs"]["Opportunity"]["properties"]["isNewCustomer"].is_object());
        let rep = serde_json::to_value(schemars::schema_for!(MetricsReport)).unwrap();
        assert!(rep["properties"]["winRateClosed"].is_object());
        assert!(rep["properties"]["winRateAll"].is_object());
    }
}
