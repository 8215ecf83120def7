//! The plan document: a versioned JSON format, described by the serde attributes of these types
//! and read by [`crate::json`].
//!
//! A plan holds everything that describes how people are paid: the calendar, the payees and their
//! hierarchy, the measures and quotas, the crediting rules, the pay components and the payment
//! rules. Numbers are decimal strings (`"0.08"`, `"250000"`); a JSON number where a decimal is
//! expected is refused, so nothing passes through binary floating point. Dates are `YYYY-MM-DD`.
//!
//! Conventions used throughout:
//! - **rates** are explicit about their unit: `{"percent": "8"}` is 8% of credit,
//!   `{"perUnit": "50"}`, `{"perDeal": "500"}`, `{"multiplier": "1.5"}` (of the table's `baseRate`);
//! - **attainment** is a ratio: `"1.0"` is 100% of quota, `"1.25"` is 125%;
//! - **percent** fields (`percent`, split shares) are percentages: `"60"` is 60%.
//!
//! See `examples/plans/` and the README for annotated plans; [`crate::validate()`] checks a plan.

use crate::calendar::Calendar;
use crate::money::RoundingPolicy;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The plan format version this crate reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// A compensation plan document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Plan {
    /// Format version; must be 1.
    pub schema_version: u32,
    /// Plan identifier.
    pub id: String,
    /// Human name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Plan version label (for example `2025.2`), echoed on statements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Calculation and payout currency (ISO 4217); quotas and payouts are in it.
    pub currency: String,
    /// Currencies not in the built-in ISO table, or overriding its minor units.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub currencies: Vec<CurrencyDef>,
    /// Exchange rates for transactions in other currencies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fx: Option<FxTable>,
    /// Rounding policy (scale, mode, stage).
    #[serde(default)]
    pub rounding: RoundingPolicy,
    /// The plan year and its periods.
    pub calendar: Calendar,
    /// The people paid by this plan.
    pub payees: Vec<Payee>,
    /// What is measured (sums of credit): the bases of quotas, tiers, gates and bonuses.
    pub measures: Vec<Measure>,
    /// Quotas per payee and measure.
    #[serde(default)]
    pub quotas: Vec<Quota>,
    /// How transactions become credit for payees.
    pub crediting: Crediting,
    /// The pay components, evaluated in order.
    pub components: Vec<Component>,
    /// Draws, clawbacks and holdbacks.
    #[serde(default)]
    pub payments: Payments,
}

/// A currency the plan declares (or whose minor units it overrides).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CurrencyDef {
    /// Three-letter code.
    pub code: String,
    /// Digits after the decimal point.
    pub minor_units: u32,
}

/// Exchange rates, effective-dated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FxTable {
    /// The currency rates are quoted against: one unit of `currency` is worth `rate` units of `base`.
    /// Conversion between two non-base currencies goes through the base.
    pub base: String,
    /// Which date picks the rate.
    #[serde(default)]
    pub rate_date: FxDate,
    /// The rates.
    pub rates: Vec<FxRate>,
}

/// Which date picks an exchange rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum FxDate {
    /// The transaction's credit date (default).
    #[default]
    CreditDate,
    /// The last day of the period the credit falls in.
    PeriodEnd,
}

/// One exchange rate valid from `from` to `to` (inclusive; open-ended when `to` is absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FxRate {
    /// The quoted currency.
    pub currency: String,
    /// Units of the base currency for one unit of `currency`.
    pub rate: Decimal,
    /// First day the rate applies.
    pub from: NaiveDate,
    /// Last day the rate applies; absent means until the next rate or forever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
}

/// A person paid by the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Payee {
    /// Identifier used by transactions (`owner`, `splits`) and quotas.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Role; components and payment rules select payees by role.
    pub role: String,
    /// First day in role (default: the plan year's first day). Quotas are prorated from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveDate>,
    /// Last day in role (default: none). Quotas are prorated to it; later credit is not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
    /// Managers over time, for roll-up crediting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reports_to: Vec<Reporting>,
    /// Annual target incentive (the variable pay at 100% attainment), used by payout curves and MBO
    /// components expressed as a fraction of it. A period's target incentive is the annual amount
    /// divided by the number of periods, prorated by calendar days in role (ramps do not apply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_incentive: Option<Decimal>,
}

/// An effective-dated reporting line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reporting {
    /// The manager's payee id.
    pub manager: String,
    /// First day (default: always).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Last day, inclusive (default: open).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
}

/// What a measure adds up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum MeasureKind {
    /// Credited amount in the plan currency (default).
    #[default]
    Amount,
    /// Credited units (`quantity` of transactions, times the credit share).
    Quantity,
    /// Credited deals (each credit line counts its share: 1 for full credit, 0.5 for a 50% split; a
    /// credit memo, a transaction with a negative amount, counts no deal).
    Count,
}

/// A measure: the sum of a payee's credit lines that pass a filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Measure {
    /// Identifier referenced by quotas and components.
    pub id: String,
    /// Amount, quantity or count.
    #[serde(default)]
    pub kind: MeasureKind,
    /// Which credit lines count.
    #[serde(default, skip_serializing_if = "Filter::is_empty")]
    pub filter: Filter,
}

/// Conditions on a transaction or credit line. All listed conditions must hold; a list matches when
/// the value is one of its entries. `exclude` removes what matches it.
///
/// ```json
/// { "products": ["GTX Pro", "GTX Plus Pro"], "types": ["new"], "exclude": { "regions": ["Internal"] } }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Filter {
    /// Product names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<String>>,
    /// Transaction types (`new`, `renewal`, `upsell`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub types: Option<Vec<String>>,
    /// Regions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<String>>,
    /// Free attributes: attribute name to accepted values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, Vec<String>>,
    /// Crediting rules whose lines count (for measures and components only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<String>>,
    /// Anything matching this is left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<Box<Filter>>,
}

impl Filter {
    /// Whether the filter looks at the transaction itself (products, types, regions, attributes or
    /// exclusions); a filter that does not is decided by the crediting rule alone.
    pub fn reads_transaction(&self) -> bool {
        self.products.is_some()
            || self.types.is_some()
            || self.regions.is_some()
            || !self.attributes.is_empty()
            || self.exclude.is_some()
    }

    /// Whether the filter has no condition (matches everything).
    pub fn is_empty(&self) -> bool {
        self == &Filter::default()
    }
}

/// How a quota is spread or prorated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Proration {
    /// By calendar days in role (default).
    #[default]
    CalendarDays,
    /// By business days in role (weekdays less the calendar's holidays).
    BusinessDays,
    /// No proration: the full period quota applies whatever the days in role.
    None,
}

/// A quota for one payee and measure: per period, or annual spread over the periods.
///
/// ```json
/// { "payee": "ae-1", "measure": "bookings", "annual": "1000000", "ramp": ["0.25", "0.5", "0.75"] }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Quota {
    /// The payee.
    pub payee: String,
    /// The measure it is a quota on.
    pub measure: String,
    /// Annual quota, spread over the periods equally or by `seasonality`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual: Option<Decimal>,
    /// Weights per period id for spreading `annual` (normalized; need not add to 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seasonality: Option<BTreeMap<String, Decimal>>,
    /// Full quota per period id (instead of `annual`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periods: Option<BTreeMap<String, Decimal>>,
    /// Proration for days out of role in a period.
    #[serde(default)]
    pub proration: Proration,
    /// Fraction of full quota by month of tenure (month 0 is the first month); 1 after the list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ramp: Vec<Decimal>,
}

/// Which transaction date is the credit date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum DateField {
    /// `closeDate` (default).
    #[default]
    Close,
    /// `bookingDate`.
    Booking,
    /// `invoiceDate`.
    Invoice,
    /// `paymentDate`.
    Payment,
}

/// Crediting: how transactions become credit lines for payees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Crediting {
    /// The date that decides the period of a credit.
    #[serde(default)]
    pub credit_date: DateField,
    /// The rules; each transaction is offered to every rule.
    pub rules: Vec<CreditRule>,
}

/// A fixed share for a split rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Share {
    /// The payee credited.
    pub payee: String,
    /// Percentage of the transaction credited.
    pub percent: Decimal,
}

/// A crediting rule. Every rule sees every transaction that passes its filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
pub enum CreditRule {
    /// The transaction's `owner` is credited `percent` (default 100).
    Direct {
        /// Rule id.
        id: String,
        /// Which transactions.
        #[serde(default, skip_serializing_if = "Filter::is_empty")]
        filter: Filter,
        /// Percentage credited (default 100).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        percent: Option<Decimal>,
    },
    /// The transaction's participants are credited: the rule's fixed `shares` when given, otherwise
    /// the transaction's own `splits`, otherwise the owner at 100%. When `mustTotal` is set, the
    /// percentages must add up to it (a transaction whose splits do not is rejected); overlays that
    /// exceed 100% are allowed by leaving it out.
    Split {
        /// Rule id.
        id: String,
        /// Which transactions.
        #[serde(default, skip_serializing_if = "Filter::is_empty")]
        filter: Filter,
        /// Fixed shares (a team-selling arrangement).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        shares: Vec<Share>,
        /// Required total of the percentages, usually `"100"`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        must_total: Option<Decimal>,
    },
    /// A named payee (an overlay: a sales engineer, a specialist) is credited `percent` of every
    /// matching transaction, on top of the other rules.
    Overlay {
        /// Rule id.
        id: String,
        /// Which transactions.
        #[serde(default, skip_serializing_if = "Filter::is_empty")]
        filter: Filter,
        /// The payee credited.
        payee: String,
        /// Percentage credited.
        percent: Decimal,
    },
    /// Managers are credited for the credit of the people below them, by the reporting lines in
    /// force on the credit date.
    Rollup {
        /// Rule id.
        id: String,
        /// Which transactions.
        #[serde(default, skip_serializing_if = "Filter::is_empty")]
        filter: Filter,
        /// How many levels up (default: all).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        levels: Option<u32>,
        /// Percentage of the team member's credit (default 100).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        percent: Option<Decimal>,
        /// Rules whose lines roll up (default: every non-roll-up rule).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        from_rules: Vec<String>,
    },
}

impl CreditRule {
    /// The rule's id.
    pub fn id(&self) -> &str {
        match self {
            CreditRule::Direct { id, .. }
            | CreditRule::Split { id, .. }
            | CreditRule::Overlay { id, .. }
            | CreditRule::Rollup { id, .. } => id,
        }
    }

    /// The rule's filter.
    pub fn filter(&self) -> &Filter {
        match self {
            CreditRule::Direct { filter, .. }
            | CreditRule::Split { filter, .. }
            | CreditRule::Overlay { filter, .. }
            | CreditRule::Rollup { filter, .. } => filter,
        }
    }
}

/// A rate: what is paid for a slice of credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Rate {
    /// A percentage of the credited amount: `{"percent": "8"}` pays 8%.
    Percent(Decimal),
    /// A fixed amount per credited unit.
    PerUnit(Decimal),
    /// A fixed amount per credited deal (times the credit share).
    PerDeal(Decimal),
    /// A multiple of the table's `baseRate` (an accelerator above 1, a decelerator below 1).
    Multiplier(Decimal),
}

/// The value a tier table, gate or bonus is measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Basis {
    /// Measure value divided by quota (a ratio: `1.0` is 100%). Default.
    #[default]
    Attainment,
    /// The measure's value itself (amount, units or deals).
    Value,
}

/// How a tier table pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum TierMethod {
    /// Each slice of the basis is paid at its own band's rate ("stepped", "incremental"). Default.
    #[default]
    Marginal,
    /// The whole basis is paid at the rate of the highest band reached ("full tier").
    Retroactive,
    /// Payout is linear between the points of a curve.
    Interpolated,
}

/// Over what a tier table accumulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Scope {
    /// Each credit line on its own (deal-size bands).
    Transaction,
    /// Bands restart each period. Default.
    #[default]
    Period,
    /// Cumulative over the plan year; each period pays year-to-date earnings minus what earlier
    /// periods earned.
    YearToDate,
}

/// How a value exactly on a band bound is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Bounds {
    /// `[from, to)`: a value on a bound takes the higher band. Default.
    #[default]
    HalfOpen,
    /// `(from, to]`: a value on a bound stays in the lower band.
    InclusiveUpper,
}

/// A band of a tier table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tier {
    /// Lower bound of the band (basis units).
    pub from: Decimal,
    /// Upper bound; absent for the last, open band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Decimal>,
    /// The band's rate.
    pub rate: Rate,
}

/// A point of a payout curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CurvePoint {
    /// Basis value (attainment ratio or measure value).
    pub x: Decimal,
    /// Output at `x` (see [`CurveOutput`]).
    pub y: Decimal,
}

/// What a payout curve's `y` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum CurveOutput {
    /// `y` is a percentage rate applied to the credited amount (default).
    #[default]
    PercentOfCredit,
    /// `y` is a fraction of the payee's target incentive for the period (`1.0` pays 100% of target).
    FractionOfTargetIncentive,
}

/// Whose measure an indicator reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Whose {
    /// The payee's own (default).
    #[default]
    Payee,
    /// The payee's manager's (at period end): a team measure when the manager has roll-up credit.
    Manager,
}

/// A value a gate, multiplier or table axis is decided by: a measure (as attainment or value, of the
/// payee or their manager, for the period or year to date), or a metric supplied with the inputs
/// (a corporate attainment, a scorecard result).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Indicator {
    /// A measure id (give this or `metric`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<String>,
    /// An input metric id (give this or `measure`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// Attainment (default) or value, for a measure.
    #[serde(default)]
    pub basis: Basis,
    /// Whose measure.
    #[serde(default)]
    pub of: Whose,
    /// Period (default) or year to date; `transaction` is not allowed here.
    #[serde(default)]
    pub scope: Scope,
}

/// Where pay starts once a gate is passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum PayFrom {
    /// Everything is paid once the gate is passed (default).
    #[default]
    FirstDollar,
    /// Only the basis above the threshold is paid (the gate's indicator must be the component's own
    /// measure and basis).
    Threshold,
}

/// A threshold below which a component pays nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Gate {
    /// What is compared with `min`.
    pub on: Indicator,
    /// The threshold; the gate is passed when the indicator is at or above it.
    pub min: Decimal,
    /// First dollar or above threshold.
    #[serde(default)]
    pub pay_from: PayFrom,
}

/// A factor band of a multiplier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FactorBand {
    /// Lower bound.
    pub from: Decimal,
    /// Upper bound (absent: open).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Decimal>,
    /// Factor applied to the component's pay.
    pub factor: Decimal,
}

/// An accelerator or decelerator: the component's pay is multiplied by the factor of the band the
/// indicator falls in (1 outside every band).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Multiplier {
    /// What decides the band.
    pub on: Indicator,
    /// Bound placement.
    #[serde(default)]
    pub bounds: Bounds,
    /// The bands.
    pub bands: Vec<FactorBand>,
}

/// What a money cap applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum CapPer {
    /// Each credit line's pay.
    Transaction,
    /// The component's pay in a period.
    Period,
    /// The component's pay over the plan year.
    Year,
}

/// What happens to pay above a cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Excess {
    /// Lost (default).
    #[default]
    Forfeit,
    /// Kept as a balance and paid in later periods while there is room under the cap.
    CarryForward,
}

/// A cap on a component's pay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cap {
    /// The most that is paid, in the plan currency.
    pub amount: Decimal,
    /// Per transaction, period or year.
    pub per: CapPer,
    /// Forfeit or carry forward (carry forward applies to period and year caps).
    #[serde(default)]
    pub excess: Excess,
}

/// A level of a milestone bonus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Milestone {
    /// The basis level that triggers it.
    pub at: Decimal,
    /// The bonus.
    pub amount: Decimal,
}

/// A date window (inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Window {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

/// An MBO objective, scored against threshold, target and stretch levels.
///
/// A result below `threshold` scores 0; from `threshold` to `target` the score rises linearly from
/// `atThreshold` to 1; from `target` to `stretch` from 1 to `atStretch`; above `stretch` it stays
/// at `atStretch`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Objective {
    /// Objective id; scores in the inputs name it.
    pub id: String,
    /// Weight (the weights of a scorecard must add up to 1).
    pub weight: Decimal,
    /// Lowest result that scores.
    pub threshold: Decimal,
    /// Result that scores 1.
    pub target: Decimal,
    /// Result that scores `atStretch`.
    pub stretch: Decimal,
    /// Score at threshold (default 0.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_threshold: Option<Decimal>,
    /// Score at stretch (default 1.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_stretch: Option<Decimal>,
}

/// The payout at 100% of an MBO scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MboTarget {
    /// A fixed amount per period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    /// A fraction of the payee's period target incentive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction_of_target_incentive: Option<Decimal>,
}

/// A two-dimensional table axis: breakpoints on an indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Axis {
    /// What is looked up.
    pub on: Indicator,
    /// Ascending lower bounds of the rows (or columns); a value below the first takes the first.
    pub breaks: Vec<Decimal>,
    /// Bound placement.
    #[serde(default)]
    pub bounds: Bounds,
}

/// What a component computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ComponentKind {
    /// A flat rate on every credit line of the measure.
    Rate {
        /// The measure whose credit lines are paid.
        measure: String,
        /// The rate.
        rate: Rate,
    },
    /// A tier table (marginal, retroactive or interpolated).
    Tiered {
        /// The measure whose credit lines are paid and whose value places them in bands.
        measure: String,
        /// Attainment or value.
        #[serde(default)]
        basis: Basis,
        /// Marginal, retroactive or interpolated.
        #[serde(default)]
        method: TierMethod,
        /// Transaction, period or year to date.
        #[serde(default)]
        scope: Scope,
        /// Bound placement.
        #[serde(default)]
        bounds: Bounds,
        /// The rate `multiplier` rates multiply.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        base_rate: Option<Rate>,
        /// The bands (marginal and retroactive).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tiers: Vec<Tier>,
        /// The curve (interpolated).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        points: Vec<CurvePoint>,
        /// What the curve's `y` means (interpolated).
        #[serde(default)]
        output: CurveOutput,
        /// The basis is capped here for payout (for example attainment `"2.0"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        basis_cap: Option<Decimal>,
    },
    /// A rate looked up in a two-dimensional table by two indicators (for example corporate and
    /// team attainment) at period end, applied to every credit line of the measure.
    Matrix {
        /// The measure whose credit lines are paid.
        measure: String,
        /// Row indicator.
        rows: Axis,
        /// Column indicator.
        columns: Axis,
        /// `rates[row][column]`.
        rates: Vec<Vec<Rate>>,
    },
    /// Fixed bonuses paid once, in the period the basis first reaches each level.
    Milestone {
        /// The measure.
        measure: String,
        /// Attainment (default) or value.
        #[serde(default)]
        basis: Basis,
        /// Year to date (default: once a year) or period (once a period).
        #[serde(default = "default_ytd")]
        scope: Scope,
        /// The levels.
        levels: Vec<Milestone>,
    },
    /// A special incentive: a rate on each credit line of the measure that passes the filter and
    /// whose credit date is in the window.
    Spiff {
        /// The measure whose credit lines are considered.
        measure: String,
        /// Which lines qualify.
        #[serde(default, skip_serializing_if = "Filter::is_empty")]
        filter: Filter,
        /// The dates.
        window: Window,
        /// What is paid per qualifying line.
        rate: Rate,
    },
    /// An MBO scorecard: weighted objectives scored from the inputs' `scores`.
    Mbo {
        /// Payout at a score of 1.
        target: MboTarget,
        /// The objectives.
        objectives: Vec<Objective>,
    },
}

fn default_ytd() -> Scope {
    Scope::YearToDate
}

/// A pay component: what it computes and its conditions (gate, multipliers, caps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Component {
    /// Component id, shown on statements.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Roles it applies to (empty: every role).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Payees it applies to, in addition to the roles (empty: no restriction beyond roles).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payees: Vec<String>,
    /// What it computes.
    #[serde(flatten)]
    pub kind: ComponentKind,
    /// Below the gate nothing is paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<Gate>,
    /// Accelerators and decelerators applied to the component's pay.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub multipliers: Vec<Multiplier>,
    /// Caps on the component's pay.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caps: Vec<Cap>,
}

/// Draws, clawbacks and holdbacks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Payments {
    /// Draws against commission.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub draws: Vec<Draw>,
    /// Reversal of commission on cancelled transactions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clawback: Option<Clawback>,
    /// Deferral of part of the earnings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holdbacks: Vec<Holdback>,
}

/// Recoverable or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum DrawKind {
    /// The shortfall below the draw is forgiven.
    NonRecoverable,
    /// The shortfall becomes a balance repaid from later earnings above the draw.
    Recoverable,
}

/// Limits on recovering a recoverable draw's balance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Recovery {
    /// At most this much is recovered in one period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_amount: Option<Decimal>,
    /// At most this percentage of the period's earnings is recovered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_percent: Option<Decimal>,
    /// No recovery in the first N periods of the draw.
    #[serde(default)]
    pub delay_periods: u32,
}

/// A draw: a guaranteed minimum payment per period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Draw {
    /// Draw id.
    pub id: String,
    /// Roles it applies to (empty: every role unless `payees` is given).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Payees it applies to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payees: Vec<String>,
    /// Recoverable or not.
    pub kind: DrawKind,
    /// The guaranteed amount per period.
    pub amount: Decimal,
    /// Periods it is paid in (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub periods: Vec<String>,
    /// Recovery limits (recoverable draws).
    #[serde(default)]
    pub recovery: Recovery,
}

/// Full or proportional reversal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum ClawbackMode {
    /// The whole commission is reversed (default).
    #[default]
    Full,
    /// The commission is reversed in proportion `refundAmount / amount`.
    Proportional,
}

/// What a clawback does to attainment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum ClawbackAttainment {
    /// Attainment keeps the credit (default).
    #[default]
    Keep,
    /// The credit is taken out of the measures from the cancellation period on.
    Reduce,
}

/// Clawback of commission on transactions cancelled within a window of their credit date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Clawback {
    /// A cancellation at most this many days after the credit date is clawed back.
    pub window_days: u32,
    /// Full or proportional.
    #[serde(default)]
    pub mode: ClawbackMode,
    /// Keep or reduce attainment.
    #[serde(default)]
    pub attainment: ClawbackAttainment,
    /// Components whose pay is clawed back (empty: all transaction-based components).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<String>,
}

/// When held-back pay is released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Release {
    /// In the period containing this date, with everything held up to and including that period;
    /// pay held in a later period stays held.
    OnDate(NaiveDate),
    /// N periods after the period it was held in.
    AfterPeriods(u32),
    /// In the period containing the date of the named input event (its earliest date), with
    /// everything held up to and including that period; without the event, pay stays held.
    OnEvent(String),
    /// Per transaction: in the period containing the transaction's `paymentDate` (invoice paid).
    OnPayment,
}

/// A holdback: part of a component's pay is held and released later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Holdback {
    /// Holdback id.
    pub id: String,
    /// Percentage of pay held.
    pub percent: Decimal,
    /// Components it applies to (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<String>,
    /// When it is released.
    pub release: Release,
}

impl Plan {
    /// Parses a plan from JSON text. Shape errors carry the JSON pointer of the offending value;
    /// the plan is not validated (see [`crate::validate()`]).
    ///
    /// ```
    /// let err = payplan::Plan::from_json(r#"{"schemaVersion": 1, "id": 5}"#).unwrap_err();
    /// assert_eq!(err.code(), "PARSE_ERROR");
    /// assert_eq!(err.path(), Some("/id"));
    /// ```
    pub fn from_json(text: &str) -> crate::Result<Plan> {
        crate::json::plan_from_text(text, &crate::limits::Limits::default())
    }

    /// [`Plan::from_json`] under other [`Limits`](crate::limits::Limits) than the defaults (the
    /// text's size, nesting and string lengths; the counts are checked when the plan is compiled).
    pub fn from_json_with_limits(text: &str, limits: &crate::limits::Limits) -> crate::Result<Plan> {
        crate::json::plan_from_text(text, limits)
    }

    /// Minor units of a currency for this plan: a declared currency first, then ISO.
    pub fn minor_units(&self, code: &str) -> Option<u32> {
        self.currencies
            .iter()
            .find(|c| c.code == code)
            .map(|c| c.minor_units)
            .or_else(|| crate::money::iso_minor_units(code))
    }
}
