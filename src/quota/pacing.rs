//! Pacing: where a payee stands within a period on a given day, against a linear pace.
//!
//! Days are calendar days or business days (Monday to Friday less the listed holidays; a holiday on
//! a weekend changes nothing). For a period `[start, end]` and an as-of date:
//!
//! - `totalDays`: counted days of the period; `elapsedDays`: counted days from `start` to the as-of
//!   date **inclusive** (the figures are as of the end of that day), 0 when the as-of date is before
//!   the period, `totalDays` when it is after; `remainingDays = totalDays − elapsedDays`. A holiday
//!   on the first day, the last day or the as-of date itself is simply not counted.
//! - `elapsedFraction = elapsedDays / totalDays` (`None` when the period has no counted day).
//! - `expected = quota × elapsedFraction` (the value expected to date on a linear pace);
//!   `expectedAttainment = elapsedFraction` (`None` also for a zero quota, where attainment is
//!   undefined); `attainment = achieved / quota` (`None` for a zero quota).
//! - `gapToQuota = achieved − quota` and `gapToPace = achieved − expected` (negative: behind);
//!   `remainingToQuota = max(quota − achieved, 0)`.
//! - `runRateNeeded = remainingToQuota / remainingDays` per counted day (`None` when no day
//!   remains, even with quota still to reach).
//! - `projection = achieved × totalDays / elapsedDays` at the current pace (`None` when no day has
//!   elapsed); `projectedAttainment = projection / quota` (`None` for a zero quota).
//!
//! Nothing is rounded.
//!
//! ```
//! use payplan::quota::pacing::{pace, PacingRequest};
//! let req: PacingRequest = serde_json::from_str(r#"{ "start": "2025-04-01", "end": "2025-06-30",
//!   "asOf": "2025-05-10", "quota": "91000", "achieved": "30000" }"#).unwrap();
//! let p = pace(&req).unwrap();
//! // 91 days; Apr 1..May 10 = 30 + 10 = 40 elapsed; expected 91,000 x 40 / 91 = 40,000
//! assert_eq!((p.total_days, p.elapsed_days, p.remaining_days), (91, 40, 51));
//! assert_eq!(p.expected.unwrap().to_string(), "40000");
//! assert_eq!(p.gap_to_pace.unwrap().to_string(), "-10000");
//! // (91,000 - 30,000) / 51 = 1196.07.. a day; projection 30,000 x 91 / 40 = 68,250
//! assert_eq!(p.projection.unwrap().to_string(), "68250");
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

use super::invalid;
use crate::calendar::{business_days_inclusive, days_inclusive, Calendar, PeriodType};
use crate::money::Checked;
use crate::Result;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How days are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum DayBasis {
    /// Every calendar day (the default).
    #[default]
    CalendarDays,
    /// Monday to Friday, less the holidays.
    BusinessDays,
}

/// A pacing request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PacingRequest {
    /// First day of the period, inclusive.
    pub start: NaiveDate,
    /// Last day of the period, inclusive.
    pub end: NaiveDate,
    /// The day the figures are as of (its end); may lie before or after the period.
    pub as_of: NaiveDate,
    /// The period's quota (not negative).
    pub quota: Decimal,
    /// The value achieved up to the as-of date.
    pub achieved: Decimal,
    /// How days are counted; default calendar days.
    #[serde(default)]
    pub day_basis: DayBasis,
    /// Holidays, for business days.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<NaiveDate>,
}

/// Where the payee stands (see the [module documentation](self) for each figure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Pacing {
    /// Counted days of the period.
    pub total_days: i64,
    /// Counted days from the start to the as-of date, inclusive.
    pub elapsed_days: i64,
    /// `totalDays − elapsedDays`.
    pub remaining_days: i64,
    /// `elapsedDays / totalDays`.
    pub elapsed_fraction: Option<Decimal>,
    /// `quota × elapsedFraction`.
    pub expected: Option<Decimal>,
    /// The attainment expected to date on a linear pace (`elapsedFraction`; none for a zero quota).
    pub expected_attainment: Option<Decimal>,
    /// `achieved / quota`.
    pub attainment: Option<Decimal>,
    /// `achieved − quota`.
    pub gap_to_quota: Decimal,
    /// `achieved − expected`.
    pub gap_to_pace: Option<Decimal>,
    /// `max(quota − achieved, 0)`.
    pub remaining_to_quota: Decimal,
    /// `remainingToQuota / remainingDays`.
    pub run_rate_needed: Option<Decimal>,
    /// `achieved × totalDays / elapsedDays`.
    pub projection: Option<Decimal>,
    /// `projection / quota`.
    pub projected_attainment: Option<Decimal>,
}

fn count(basis: DayBasis, cal: &Calendar, a: NaiveDate, b: NaiveDate) -> i64 {
    match basis {
        DayBasis::CalendarDays => days_inclusive(a, b),
        DayBasis::BusinessDays => business_days_inclusive(cal, a, b),
    }
}

/// Computes the pacing figures (see the [module documentation](self)).
///
/// Errors: `QUOTA_INVALID_PERIOD` (`/end` before `/start`), `QUOTA_NEGATIVE_QUOTA` (`/quota`);
/// `DECIMAL_OVERFLOW`.
pub fn pace(req: &PacingRequest) -> Result<Pacing> {
    if req.end < req.start {
        return Err(invalid(
            "QUOTA_INVALID_PERIOD",
            "/end",
            format!("the period ends on {} before it starts on {}", req.end, req.start),
        ));
    }
    if req.quota < Decimal::ZERO {
        return Err(invalid("QUOTA_NEGATIVE_QUOTA", "/quota", format!("the quota {} is negative", req.quota)));
    }
    let ctx = "pacing";
    let cal = Calendar {
        year_start: req.start,
        period_type: PeriodType::Year,
        periods: vec![],
        holidays: req.holidays.clone(),
    };
    let total = count(req.day_basis, &cal, req.start, req.end);
    let elapsed = if req.as_of < req.start { 0 } else { count(req.day_basis, &cal, req.start, req.as_of.min(req.end)) };
    let remaining = total - elapsed;
    let (total_d, elapsed_d, remaining_d) = (Decimal::from(total), Decimal::from(elapsed), Decimal::from(remaining));

    let elapsed_fraction = if total == 0 { None } else { Some(elapsed_d.div_c(total_d, ctx)?) };
    let expected = match elapsed_fraction {
        // multiply first, divide last: 91,000 x 40 / 91 is exactly 40,000
        Some(_) => Some(req.quota.mul_c(elapsed_d, ctx)?.div_c(total_d, ctx)?),
        None => None,
    };
    let zero_quota = req.quota.is_zero();
    let expected_attainment = if zero_quota { None } else { elapsed_fraction };
    let attainment = if zero_quota { None } else { Some(req.achieved.div_c(req.quota, ctx)?) };
    let gap_to_quota = req.achieved.sub_c(req.quota, ctx)?;
    let gap_to_pace = expected.map(|e| req.achieved.sub_c(e, ctx)).transpose()?;
    let remaining_to_quota = req.quota.sub_c(req.achieved, ctx)?.max(Decimal::ZERO);
    let run_rate_needed = if remaining == 0 { None } else { Some(remaining_to_quota.div_c(remaining_d, ctx)?) };
    let projection = if elapsed == 0 { None } else { Some(req.achieved.mul_c(total_d, ctx)?.div_c(elapsed_d, ctx)?) };
    let projected_attainment = match projection {
        Some(p) if !zero_quota => Some(p.div_c(req.quota, ctx)?),
        _ => None,
    };
    Ok(Pacing {
        total_days: total,
        elapsed_days: elapsed,
        remaining_days: remaining,
        elapsed_fraction,
        expected,
        expected_attainment,
        attainment,
        gap_to_quota,
        gap_to_pace,
        remaining_to_quota,
        run_rate_needed,
        projection,
        projected_attainment,
    })
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
    fn req(start: &str, end: &str, as_of: &str, quota: &str, achieved: &str) -> PacingRequest {
        PacingRequest {
            start: day(start),
            end: day(end),
            as_of: day(as_of),
            quota: d(quota),
            achieved: d(achieved),
            day_basis: DayBasis::CalendarDays,
            holidays: vec![],
        }
    }

    #[test]
    fn mid_quarter_calendar_days() {
        // Q2 2025: Apr 1..Jun 30 = 30 + 31 + 30 = 91 days; as of May 10: 30 + 10 = 40 elapsed, 51 left
        // expected 91,000 x 40 / 91 = 40,000; achieved 30,000: gap to pace -10,000, gap to quota -61,000
        // attainment 30,000 / 91,000 (not exact); run rate 61,000 / 51; projection 30,000 x 91 / 40 = 68,250
        // projected attainment 68,250 / 91,000 = 0.75
        let p = pace(&req("2025-04-01", "2025-06-30", "2025-05-10", "91000", "30000")).unwrap();
        assert_eq!((p.total_days, p.elapsed_days, p.remaining_days), (91, 40, 51));
        assert_eq!(p.expected, Some(d("40000")));
        assert_eq!(p.gap_to_pace, Some(d("-10000")));
        assert_eq!(p.gap_to_quota, d("-61000"));
        assert_eq!(p.remaining_to_quota, d("61000"));
        assert_eq!(p.run_rate_needed, Some(d("61000") / d("51")));
        assert_eq!(p.projection, Some(d("68250")));
        assert_eq!(p.projected_attainment, Some(d("0.75")));
    }

    #[test]
    fn leap_day_in_pacing() {
        // Q1 2024 has 31 + 29 + 31 = 91 days; as of Feb 29: 31 + 29 = 60 elapsed, 31 left
        // expected 91,000 x 60 / 91 = 60,000; achieved 66,000: ahead by 6,000, 110% of pace
        // run rate (91,000 - 66,000) / 31; projection 66,000 x 91 / 60 = 100,100
        let p = pace(&req("2024-01-01", "2024-03-31", "2024-02-29", "91000", "66000")).unwrap();
        assert_eq!((p.total_days, p.elapsed_days, p.remaining_days), (91, 60, 31));
        assert_eq!((p.expected, p.gap_to_pace), (Some(d("60000")), Some(d("6000"))));
        assert_eq!(p.projection, Some(d("100100")));
        // February 2024 alone, as of the 29th: all 29 days elapsed, none left -> no run rate
        // expected = quota = 29,000; achieved 20,000: 9,000 still to go, but no day to do it in
        let p = pace(&req("2024-02-01", "2024-02-29", "2024-02-29", "29000", "20000")).unwrap();
        assert_eq!((p.total_days, p.elapsed_days, p.remaining_days), (29, 29, 0));
        assert_eq!((p.expected, p.run_rate_needed, p.remaining_to_quota), (Some(d("29000")), None, d("9000")));
    }

    #[test]
    fn as_of_before_and_after_the_period() {
        // before: nothing elapsed: expected 0, no projection, run rate 30,000 / 30 = 1,000 a day
        let p = pace(&req("2025-06-01", "2025-06-30", "2025-05-15", "30000", "0")).unwrap();
        assert_eq!((p.elapsed_days, p.remaining_days), (0, 30));
        assert_eq!((p.expected, p.gap_to_pace), (Some(d("0")), Some(d("0"))));
        assert_eq!((p.projection, p.projected_attainment), (None, None));
        assert_eq!(p.run_rate_needed, Some(d("1000")));
        // after: everything elapsed: expected = quota; projection = achieved; no run rate
        // 36,000 / 30,000 = 1.2; quota exceeded: remaining to quota 0, gap to quota +6,000
        let p = pace(&req("2025-06-01", "2025-06-30", "2025-08-01", "30000", "36000")).unwrap();
        assert_eq!((p.elapsed_days, p.remaining_days), (30, 0));
        assert_eq!((p.expected, p.projection, p.run_rate_needed), (Some(d("30000")), Some(d("36000")), None));
        assert_eq!((p.attainment, p.gap_to_quota, p.remaining_to_quota), (Some(d("1.2")), d("6000"), d("0")));
    }

    #[test]
    fn business_days_with_holidays_on_the_bounds() {
        // January 2025 has 23 weekdays; Jan 1 (Wednesday, first day) is a holiday: 22 business days
        let mut r = req("2025-01-01", "2025-01-31", "2025-01-01", "22000", "0");
        r.day_basis = DayBasis::BusinessDays;
        r.holidays = vec![day("2025-01-01")];
        // as of the holiday itself: nothing elapsed, no projection; run rate 22,000 / 22 = 1,000
        let p = pace(&r).unwrap();
        assert_eq!((p.total_days, p.elapsed_days, p.remaining_days), (22, 0, 22));
        assert_eq!((p.projection, p.run_rate_needed), (None, Some(d("1000"))));
        // as of Friday Jan 10: Jan 2, 3, 6..10 = 7 business days; expected 22,000 x 7 / 22 = 7,000
        // achieved 3,500: projection 3,500 x 22 / 7 = 11,000, projected attainment 0.5
        r.as_of = day("2025-01-10");
        r.achieved = d("3500");
        let p = pace(&r).unwrap();
        assert_eq!((p.elapsed_days, p.expected), (7, Some(d("7000"))));
        assert_eq!((p.projection, p.projected_attainment), (Some(d("11000")), Some(d("0.5"))));
        // as of Saturday Jan 11: still 7
        r.as_of = day("2025-01-11");
        assert_eq!(pace(&r).unwrap().elapsed_days, 7);

        // Dec 1..25 2025 with Christmas (Thursday, last day) a holiday: weekdays 5 + 5 + 5 + 4 = 19,
        // less Dec 25 = 18. As of Wednesday Dec 24 all 18 have elapsed: no day left, no run rate.
        let mut r = req("2025-12-01", "2025-12-25", "2025-12-24", "18000", "17000");
        r.day_basis = DayBasis::BusinessDays;
        r.holidays = vec![day("2025-12-25")];
        let p = pace(&r).unwrap();
        assert_eq!((p.total_days, p.elapsed_days, p.remaining_days), (18, 18, 0));
        assert_eq!((p.run_rate_needed, p.remaining_to_quota), (None, d("1000")));
    }

    #[test]
    fn zero_quota_and_empty_period() {
        // zero quota: no attainment of any kind, expected 0, gaps still defined
        let p = pace(&req("2025-06-01", "2025-06-30", "2025-06-15", "0", "500")).unwrap();
        assert_eq!((p.attainment, p.expected_attainment, p.projected_attainment), (None, None, None));
        assert_eq!((p.expected, p.gap_to_quota, p.gap_to_pace), (Some(d("0")), d("500"), Some(d("500"))));
        // a weekend-only period in business days has no counted day: no fraction, no expected value
        let mut r = req("2025-01-04", "2025-01-05", "2025-01-05", "100", "0");
        r.day_basis = DayBasis::BusinessDays;
        let p = pace(&r).unwrap();
        assert_eq!((p.total_days, p.elapsed_fraction, p.expected, p.run_rate_needed), (0, None, None, None));
    }

    #[test]
    fn bad_requests() {
        let e = pace(&req("2025-06-30", "2025-06-01", "2025-06-15", "1", "0")).unwrap_err();
        assert_eq!((e.code(), e.path()), ("QUOTA_INVALID_PERIOD", Some("/end")));
        let e = pace(&req("2025-06-01", "2025-06-30", "2025-06-15", "-1", "0")).unwrap_err();
        assert_eq!((e.code(), e.path()), ("QUOTA_NEGATIVE_QUOTA", Some("/quota")));
        assert!(serde_json::from_str::<PacingRequest>(
            r#"{"start": "2025-01-01", "end": "2025-01-31", "asOf": "2025-01-02", "quota": 1, "achieved": "0"}"#
        )
        .is_err());
    }
}
