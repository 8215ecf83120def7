//! An annual quota broken down over time: quarters, months, weeks or days of a calendar or fiscal
//! year, by seasonality weights, business days or calendar days; prorated and ramped for a payee who
//! starts or leaves during the year.
//!
//! # Semantics
//!
//! - **Year.** `year` (a calendar year, from January 1) or `yearStart` (a fiscal year from that day
//!   to the day before the same date a year later); exactly one of them.
//! - **Periods.** `quarter` (`Q1`..`Q4`) and `month` (`M01`..`M12`) follow the plan calendar
//!   ([`crate::calendar::Calendar::periods`]); `week`: ISO-style weeks running Monday to Sunday,
//!   clipped to the year, so the first and last weeks may be partial; a week's id is the ISO week
//!   (`YYYY-Www`) of its first day, whose ISO year may differ from the calendar year (the
//!   December 29-31 2025 week is `2026-W01`, the January 1-3 2021 week is `2020-W53`); `day`: one
//!   period per day, id `YYYY-MM-DD` (February 29 included in a leap year).
//! - **Weights.** `calendarDays` (the default): days in the period; `businessDays`: Monday to
//!   Friday less the `holidays`; `seasonality`: one weight per period in order (as many as there are
//!   periods). All-zero seasonality splits equally, as in [`super::allocation`].
//! - **Payee.** `start` / `end` (first and last day in role) prorate, and `ramp` (fractions of full
//!   quota by month of tenure from `start`, 1 after the list) ramps, with the logic of the plan's
//!   quotas ([`super::quota_factor`]): a period weighs `w = full weight × Σ ramp(d) over its counted
//!   days in role / counted days`, counted days being business days for `businessDays` and calendar
//!   days otherwise.
//! - **Total.** Without `start`, `end` or `ramp` the amounts add up exactly to `annual`. With them,
//!   the payee's total is `annual × Σ w / Σ full weights`, rounded to the unit (half-even), and the
//!   amounts add up exactly to that total.
//! - **Rounding.** Amounts are multiples of `unit` (default `0.01`) by the largest-remainder method
//!   of [`super::allocation::apportion`] (ties to the earlier period; a total that is not a multiple
//!   of the unit leaves its odd remainder to the next period in remainder order).
//!
//! ```
//! use payplan::quota::breakdown::{break_down, BreakdownRequest};
//! let req: BreakdownRequest = serde_json::from_str(r#"{ "annual": "100000", "year": 2025,
//!   "granularity": "quarter", "basis": "seasonality", "seasonality": ["1", "2", "3", "4"], "unit": "1" }"#).unwrap();
//! let b = break_down(&req).unwrap();
//! let amounts: Vec<String> = b.periods.iter().map(|p| p.amount.to_string()).collect();
//! assert_eq!(amounts, ["10000", "20000", "30000", "40000"]);
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

use super::allocation::apportion;
use super::invalid;
use crate::calendar::{business_days_inclusive, days_inclusive, Calendar, Period, PeriodType};
use crate::money::{sum_c, Checked};
use crate::plan::{Payee, Proration, Quota};
use crate::Result;
use chrono::{Datelike, NaiveDate, Weekday};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// The periods of the breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Granularity {
    /// `Q1`..`Q4`.
    Quarter,
    /// `M01`..`M12`.
    Month,
    /// Monday-to-Sunday weeks clipped to the year, ids `YYYY-Www`.
    Week,
    /// Days, ids `YYYY-MM-DD`.
    Day,
}

/// What weighs a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum BreakdownBasis {
    /// Calendar days in the period (the default).
    #[default]
    CalendarDays,
    /// Business days in the period (weekends and holidays excluded).
    BusinessDays,
    /// The request's `seasonality` weights.
    Seasonality,
}

/// A breakdown request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BreakdownRequest {
    /// The annual quota (not negative).
    pub annual: Decimal,
    /// A calendar year (instead of `yearStart`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// First day of a fiscal year (instead of `year`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year_start: Option<NaiveDate>,
    /// The periods.
    pub granularity: Granularity,
    /// What weighs a period; default calendar days.
    #[serde(default)]
    pub basis: BreakdownBasis,
    /// One weight per period, in order (basis `seasonality`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seasonality: Vec<Decimal>,
    /// Holidays (business days).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<NaiveDate>,
    /// Rounding unit; default `0.01`, positive.
    #[serde(default = "default_unit")]
    pub unit: Decimal,
    /// The payee's first day in role, for proration (and the start of the ramp).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveDate>,
    /// The payee's last day in role, for proration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
    /// Fractions of full quota by month of tenure (month 0 first); 1 after the list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ramp: Vec<Decimal>,
}

fn default_unit() -> Decimal {
    Decimal::new(1, 2)
}

/// One period of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct BreakdownPeriod {
    /// `Q1`, `M01`, `2025-W01`, `2025-01-01`...
    pub id: String,
    /// First day, inclusive.
    pub start: NaiveDate,
    /// Last day, inclusive.
    pub end: NaiveDate,
    /// Calendar days.
    pub calendar_days: i64,
    /// Business days.
    pub business_days: i64,
    /// The weight used (after proration and ramp).
    pub weight: Decimal,
    /// The period's quota.
    pub amount: Decimal,
}

/// The result of [`break_down`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Breakdown {
    /// The annual quota as requested.
    pub annual: Decimal,
    /// The sum of the amounts: `annual`, or the prorated and ramped total.
    pub total: Decimal,
    /// The periods in order.
    pub periods: Vec<BreakdownPeriod>,
}

/// The Monday-to-Sunday weeks from `first` to `last`, clipped to them.
fn weeks(first: NaiveDate, last: NaiveDate) -> Vec<Period> {
    let mut out = Vec::new();
    let mut d = first;
    while d <= last {
        let to_sunday = i64::from(Weekday::Sun.num_days_from_monday() - d.weekday().num_days_from_monday());
        let end = d.checked_add_signed(chrono::Duration::days(to_sunday)).unwrap_or(last).min(last);
        let w = d.iso_week();
        out.push(Period { id: format!("{}-W{:02}", w.year(), w.week()), index: out.len(), start: d, end });
        match end.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    out
}

fn days(first: NaiveDate, last: NaiveDate) -> Vec<Period> {
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .enumerate()
        .map(|(index, d)| Period { id: d.to_string(), index, start: d, end: d })
        .collect()
}

/// Breaks the annual quota down (see the [module documentation](self)).
///
/// Errors: `QUOTA_INVALID_UNIT`, `QUOTA_NEGATIVE_TARGET` (`/annual`), `QUOTA_INVALID_YEAR` (neither
/// or both of `year` and `yearStart`, or a year out of range), `QUOTA_SEASONALITY_LENGTH`,
/// `QUOTA_NEGATIVE_WEIGHT` (`/seasonality/i`), `QUOTA_INVALID_RAMP` (`/ramp/i` negative),
/// `QUOTA_INVALID_PERIOD` (`/end` before `/start`), `QUOTA_NO_COUNTED_DAYS` (a year without a
/// business day); `DECIMAL_OVERFLOW`.
pub fn break_down(req: &BreakdownRequest) -> Result<Breakdown> {
    if req.unit <= Decimal::ZERO {
        return Err(invalid("QUOTA_INVALID_UNIT", "/unit", format!("the unit must be positive, not {}", req.unit)));
    }
    if req.annual < Decimal::ZERO {
        return Err(invalid(
            "QUOTA_NEGATIVE_TARGET",
            "/annual",
            format!("the annual quota {} is negative", req.annual),
        ));
    }
    let year_start = match (req.year, req.year_start) {
        (Some(y), None) => NaiveDate::from_ymd_opt(y, 1, 1)
            .ok_or_else(|| invalid("QUOTA_INVALID_YEAR", "/year", format!("{y} is out of range")))?,
        (None, Some(d)) => d,
        (Some(_), Some(_)) => {
            return Err(invalid("QUOTA_INVALID_YEAR", "/yearStart", "give either `year` or `yearStart`, not both"))
        }
        (None, None) => return Err(invalid("QUOTA_INVALID_YEAR", "", "give `year` or `yearStart`")),
    };
    if let (Some(s), Some(e)) = (req.start, req.end) {
        if e < s {
            return Err(invalid(
                "QUOTA_INVALID_PERIOD",
                "/end",
                format!("the payee leaves on {e} before starting on {s}"),
            ));
        }
    }
    if let Some(i) = req.ramp.iter().position(|r| *r < Decimal::ZERO) {
        return Err(invalid("QUOTA_INVALID_RAMP", format!("/ramp/{i}"), "a ramp fraction is negative"));
    }
    let cal = Calendar {
        year_start,
        period_type: match req.granularity {
            Granularity::Quarter => PeriodType::Quarter,
            Granularity::Month => PeriodType::Month,
            _ => PeriodType::Year,
        },
        periods: vec![],
        holidays: req.holidays.clone(),
    };
    let year_end =
        cal.year_end().ok_or_else(|| invalid("QUOTA_INVALID_YEAR", "/yearStart", "the year is out of range"))?;
    let periods = match req.granularity {
        Granularity::Quarter | Granularity::Month => cal.periods(),
        Granularity::Week => weeks(year_start, year_end),
        Granularity::Day => days(year_start, year_end),
    };
    if periods.is_empty() {
        return Err(invalid("QUOTA_INVALID_YEAR", "/yearStart", "the year is out of range"));
    }
    if req.basis == BreakdownBasis::Seasonality {
        if req.seasonality.len() != periods.len() {
            return Err(invalid(
                "QUOTA_SEASONALITY_LENGTH",
                "/seasonality",
                format!("{} seasonality weights for {} periods", req.seasonality.len(), periods.len()),
            ));
        }
        if let Some(i) = req.seasonality.iter().position(|w| *w < Decimal::ZERO) {
            return Err(invalid(
                "QUOTA_NEGATIVE_WEIGHT",
                format!("/seasonality/{i}"),
                "a seasonality weight is negative",
            ));
        }
    }

    let ctx = "a quota breakdown";
    let prorate = req.start.is_some() || req.end.is_some() || !req.ramp.is_empty();
    let payee = Payee {
        id: String::new(),
        name: None,
        role: String::new(),
        start: req.start,
        end: req.end,
        reports_to: vec![],
        target_incentive: None,
    };
    let quota = Quota {
        payee: String::new(),
        measure: String::new(),
        annual: None,
        seasonality: None,
        periods: None,
        proration: if req.basis == BreakdownBasis::BusinessDays {
            Proration::BusinessDays
        } else {
            Proration::CalendarDays
        },
        ramp: req.ramp.clone(),
    };
    // all-zero seasonality splits equally
    let seasonality: Vec<Decimal> = if req.seasonality.iter().all(|w| w.is_zero()) {
        vec![Decimal::ONE; req.seasonality.len()]
    } else {
        req.seasonality.clone()
    };
    let mut full = Vec::with_capacity(periods.len());
    let mut weights = Vec::with_capacity(periods.len());
    let mut info = Vec::with_capacity(periods.len());
    for (p, season) in periods.iter().zip(seasonality.iter().map(Some).chain(std::iter::repeat(None))) {
        let cal_days = days_inclusive(p.start, p.end);
        let bus_days = business_days_inclusive(&cal, p.start, p.end);
        let base = match req.basis {
            BreakdownBasis::CalendarDays => Decimal::from(cal_days),
            BreakdownBasis::BusinessDays => Decimal::from(bus_days),
            BreakdownBasis::Seasonality => season.copied().unwrap_or_default(),
        };
        let w = if !prorate || base.is_zero() {
            base
        } else {
            let (weighted, counted) = super::quota_factor(&cal, &payee, &quota, p)?;
            if req.basis == BreakdownBasis::Seasonality {
                // multiply first, divide last
                base.mul_c(weighted, ctx)?.div_c(counted, ctx)?
            } else {
                // the counted days are the base itself
                weighted
            }
        };
        full.push(base);
        weights.push(w);
        info.push((cal_days, bus_days));
    }
    let full_total = sum_c(full.iter().copied(), ctx)?;
    if full_total.is_zero() {
        return Err(invalid("QUOTA_NO_COUNTED_DAYS", "/holidays", "the year has no business day"));
    }
    let total = if prorate {
        let in_role = sum_c(weights.iter().copied(), ctx)?;
        round_to_unit(req.annual.mul_c(in_role, ctx)?.div_c(full_total, ctx)?, req.unit, ctx)?
    } else {
        req.annual
    };
    let amounts = if weights.iter().all(|w| w.is_zero()) {
        // in role on no day of the year: nothing to spread (the total is zero)
        vec![Decimal::ZERO; periods.len()]
    } else {
        apportion(total, &weights, req.unit)?
    };
    let periods = periods
        .into_iter()
        .zip(weights)
        .zip(amounts)
        .zip(info)
        .map(|(((p, weight), amount), (calendar_days, business_days))| BreakdownPeriod {
            id: p.id,
            start: p.start,
            end: p.end,
            calendar_days,
            business_days,
            weight,
            amount,
        })
        .collect();
    Ok(Breakdown { annual: req.annual, total, periods })
}

/// `value` rounded half-even to a multiple of `unit`.
fn round_to_unit(value: Decimal, unit: Decimal, ctx: &str) -> Result<Decimal> {
    let n = value.div_c(unit, ctx)?.round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven);
    let mut r = n.mul_c(unit, ctx)?;
    r.rescale(unit.scale());
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }
    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn req(annual: &str, year: i32, granularity: Granularity, basis: BreakdownBasis, unit: &str) -> BreakdownRequest {
        BreakdownRequest {
            annual: d(annual),
            year: Some(year),
            year_start: None,
            granularity,
            basis,
            seasonality: vec![],
            holidays: vec![],
            unit: d(unit),
            start: None,
            end: None,
            ramp: vec![],
        }
    }
    fn amounts(b: &Breakdown) -> Vec<String> {
        b.periods.iter().map(|p| p.amount.to_string()).collect()
    }
    fn sum(b: &Breakdown) -> Decimal {
        b.periods.iter().map(|p| p.amount).sum()
    }

    #[test]
    fn months_by_seasonality_with_largest_remainder() {
        // 100,000 in 12 equal weights, unit 1,000: 8,333.33 each -> 8,000 x 12 = 96,000; the 4 units
        // left go to the first four months (equal remainders, ties by order): 4 x 9,000 + 8 x 8,000
        let mut r = req("100000", 2025, Granularity::Month, BreakdownBasis::Seasonality, "1000");
        r.seasonality = vec![d("1"); 12];
        let b = break_down(&r).unwrap();
        let want: Vec<&str> = [["9000"; 4].as_slice(), ["8000"; 8].as_slice()].concat();
        assert_eq!(amounts(&b), want);
        assert_eq!(sum(&b), d("100000"));
        assert_eq!(b.periods[0].id, "M01");
    }

    #[test]
    fn quarters_by_business_days_with_holidays() {
        // 2025 weekdays per quarter: Q1 23+20+21 = 64, Q2 22+22+21 = 65, Q3 23+21+22 = 66, Q4 23+20+23 = 66
        // holidays Jan 1 (Wed) and Dec 25 (Thu), plus Sat Jul 5 (no effect): 63, 65, 66, 65 = 259
        // 259,000 / 259 = 1,000 a business day
        let mut r = req("259000", 2025, Granularity::Quarter, BreakdownBasis::BusinessDays, "1");
        r.holidays = vec![day("2025-01-01"), day("2025-12-25"), day("2025-07-05")];
        let b = break_down(&r).unwrap();
        assert_eq!(b.periods.iter().map(|p| p.business_days).collect::<Vec<_>>(), [63, 65, 66, 65]);
        assert_eq!(amounts(&b), ["63000", "65000", "66000", "65000"]);
    }

    #[test]
    fn leap_year_days_and_months() {
        // 2024 has 366 days: 366,000 by calendar days is 1,000 a day, February 29 included
        let b = break_down(&req("366000", 2024, Granularity::Day, BreakdownBasis::CalendarDays, "1")).unwrap();
        assert_eq!(b.periods.len(), 366);
        let feb29 = b.periods.iter().find(|p| p.id == "2024-02-29").unwrap();
        assert_eq!(feb29.amount, d("1000"));
        assert_eq!(sum(&b), d("366000"));
        // months: February has 29 days -> 29,000
        let b = break_down(&req("366000", 2024, Granularity::Month, BreakdownBasis::CalendarDays, "1")).unwrap();
        assert_eq!(b.periods[1].amount, d("29000"));
        // fiscal year from 2024-02-01 to 2025-01-31 (366 days): M01 is February 2024, 29,000
        let mut r = req("366000", 2024, Granularity::Month, BreakdownBasis::CalendarDays, "1");
        r.year = None;
        r.year_start = Some(day("2024-02-01"));
        let b = break_down(&r).unwrap();
        assert_eq!((b.periods[0].end, b.periods[0].amount), (day("2024-02-29"), d("29000")));
        assert_eq!((b.periods[11].start, b.periods[11].amount), (day("2025-01-01"), d("31000")));
    }

    #[test]
    fn weeks_across_the_year_boundary() {
        // 2025: Jan 1 is a Wednesday; the first week is Jan 1..5 (5 days, ISO 2025-W01); Jan 6..Dec 28
        // is 357 days = 51 whole weeks; the last is Mon Dec 29..Wed Dec 31 (3 days, ISO 2026-W01)
        // 365,000 by calendar days: 5,000, 7,000 x 51, 3,000
        let b = break_down(&req("365000", 2025, Granularity::Week, BreakdownBasis::CalendarDays, "1")).unwrap();
        assert_eq!(b.periods.len(), 53);
        let first = &b.periods[0];
        assert_eq!(
            (first.id.as_str(), first.start, first.end, first.amount),
            ("2025-W01", day("2025-01-01"), day("2025-01-05"), d("5000"))
        );
        assert_eq!((b.periods[1].id.as_str(), b.periods[1].amount), ("2025-W02", d("7000")));
        let last = &b.periods[52];
        assert_eq!(
            (last.id.as_str(), last.start, last.end, last.amount),
            ("2026-W01", day("2025-12-29"), day("2025-12-31"), d("3000"))
        );
        assert_eq!(sum(&b), d("365000"));
        // 2021 starts on a Friday: Jan 1..3 belongs to ISO week 2020-W53
        let b = break_down(&req("365", 2021, Granularity::Week, BreakdownBasis::CalendarDays, "1")).unwrap();
        assert_eq!((b.periods[0].id.as_str(), b.periods[0].amount), ("2020-W53", d("3")));
        assert_eq!(b.periods[1].id, "2021-W01");
    }

    #[test]
    fn mid_year_start_and_end_prorate() {
        // 365,000 by calendar days (1,000 a day), in role Feb 15..Nov 10 2025:
        // Feb 15..28 = 14, Mar..Oct = 31+30+31+30+31+31+30+31 = 245, Nov 1..10 = 10: 269 days = 269,000
        let mut r = req("365000", 2025, Granularity::Month, BreakdownBasis::CalendarDays, "1");
        r.start = Some(day("2025-02-15"));
        r.end = Some(day("2025-11-10"));
        let b = break_down(&r).unwrap();
        assert_eq!(b.total, d("269000"));
        assert_eq!(amounts(&b)[..3], ["0", "14000", "31000"]);
        assert_eq!(amounts(&b)[10..], ["10000", "0"]);
        assert_eq!(sum(&b), d("269000"));
    }

    #[test]
    fn business_day_proration() {
        // 2025 has 261 weekdays (64, 65, 66, 66 a quarter): 261,000 is 1,000 a business day.
        // Start Monday Jan 20: Jan 1..17 has 3 + 5 + 5 = 13 weekdays out of role, Q1 keeps 64 - 13 = 51
        // total 261,000 x (51 + 65 + 66 + 66) / 261 = 248,000
        let mut r = req("261000", 2025, Granularity::Quarter, BreakdownBasis::BusinessDays, "1");
        r.start = Some(day("2025-01-20"));
        let b = break_down(&r).unwrap();
        assert_eq!(amounts(&b), ["51000", "65000", "66000", "66000"]);
        assert_eq!(b.total, d("248000"));
    }

    #[test]
    fn ramp_schedule() {
        // same year, start Feb 15, ramp 50% in tenure month 0 (Feb 15..Mar 14):
        // Feb: 14 days x 0.5 = 7 -> 7,000; Mar: 14 x 0.5 + 17 = 24 -> 24,000; Apr..Dec full
        // total (7 + 24 + 275) x 1,000 = 306,000 (Apr..Dec = 30+31+30+31+31+30+31+30+31 = 275)
        let mut r = req("365000", 2025, Granularity::Month, BreakdownBasis::CalendarDays, "1");
        r.start = Some(day("2025-02-15"));
        r.ramp = vec![d("0.5")];
        let b = break_down(&r).unwrap();
        assert_eq!(amounts(&b)[..4], ["0", "7000", "24000", "30000"]);
        assert_eq!((b.total, sum(&b)), (d("306000"), d("306000")));
    }

    #[test]
    fn seasonality_prorated_for_a_late_starter() {
        // quarters weighted 1 : 1 : 1 : 1 of 400,000, start Apr 1: Q1 weighs 0, the others 1
        // total 400,000 x 3 / 4 = 300,000, 100,000 a quarter
        let mut r = req("400000", 2025, Granularity::Quarter, BreakdownBasis::Seasonality, "1");
        r.seasonality = vec![d("1"); 4];
        r.start = Some(day("2025-04-01"));
        let b = break_down(&r).unwrap();
        assert_eq!(amounts(&b), ["0", "100000", "100000", "100000"]);
    }

    #[test]
    fn annual_not_a_multiple_of_the_unit_and_zero() {
        // 100,500 in four equal quarters, unit 1,000: 25,125 each -> 25,000 x 4, 500 left (less
        // than a unit): it goes to Q1 (first in remainder order): 25,500 + 3 x 25,000
        let mut r = req("100500", 2025, Granularity::Quarter, BreakdownBasis::Seasonality, "1000");
        r.seasonality = vec![d("1"); 4];
        let b = break_down(&r).unwrap();
        assert_eq!(amounts(&b), ["25500", "25000", "25000", "25000"]);
        // zero quota: all zero
        let b = break_down(&req("0", 2025, Granularity::Quarter, BreakdownBasis::CalendarDays, "1")).unwrap();
        assert_eq!(amounts(&b), ["0", "0", "0", "0"]);
        // all-zero seasonality splits equally: 1,000 / 4 = 250
        let mut r = req("1000", 2025, Granularity::Quarter, BreakdownBasis::Seasonality, "1");
        r.seasonality = vec![d("0"); 4];
        assert_eq!(amounts(&break_down(&r).unwrap()), ["250", "250", "250", "250"]);
    }

    #[test]
    fn bad_requests() {
        let mut r = req("1", 2025, Granularity::Quarter, BreakdownBasis::Seasonality, "1");
        r.seasonality = vec![d("1"); 3];
        let e = break_down(&r).unwrap_err();
        assert_eq!((e.code(), e.path()), ("QUOTA_SEASONALITY_LENGTH", Some("/seasonality")));
        r.seasonality = vec![d("1"), d("1"), d("-1"), d("1")];
        assert_eq!(break_down(&r).unwrap_err().path(), Some("/seasonality/2"));
        r.year_start = Some(day("2025-01-01"));
        assert_eq!(break_down(&r).unwrap_err().code(), "QUOTA_INVALID_YEAR");
        let mut r = req("1", 2025, Granularity::Day, BreakdownBasis::CalendarDays, "1");
        r.start = Some(day("2025-02-01"));
        r.end = Some(day("2025-01-01"));
        assert_eq!(break_down(&r).unwrap_err().path(), Some("/end"));
        r.end = None;
        r.ramp = vec![d("-0.5")];
        assert_eq!(break_down(&r).unwrap_err().code(), "QUOTA_INVALID_RAMP");
        assert!(serde_json::from_str::<BreakdownRequest>(
            r#"{"annual": "1", "year": 2025, "granularity": "fortnight"}"#
        )
        .is_err());
    }
}
