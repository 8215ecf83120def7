//! Quotas in force for a payee and period: the full period quota (given per period, or an annual
//! quota spread equally or by seasonality), prorated for days out of role and ramped by month of
//! tenure.
//!
//! The effective quota of a period is
//! `full × Σ_{counted days d of the period} ramp(d) / (counted days of the period)`, where the
//! counted days are calendar days (default) or business days, `ramp(d)` is the ramp fraction of the
//! payee's tenure month on day `d` (1 after the ramp schedule) for days in role and 0 for days out
//! of role. Quotas are not rounded.
//!
//! Quota planning lives in the submodules:
//!
//! - [`allocation`]: a target split top-down across a tree of teams and payees by weights, with
//!   over-assignment, minimum and maximum bounds and largest-remainder rounding to a unit;
//! - [`rollup`]: children's quotas summed bottom-up and compared with a top-down target;
//! - [`breakdown`]: an annual quota spread over quarters, months, weeks or days by seasonality,
//!   business days or calendar days, prorated and ramped for a payee;
//! - [`pacing`]: where a payee stands within a period on a given day (expected value, gap to
//!   pace, run rate needed, projection);
//! - [`design`]: on-target earnings, pay mix, implied commission rate, quota-to-OTE ratio.

use crate::calendar::{tenure_month, Calendar, Period};
use crate::money::Checked;
use crate::plan::{Payee, Proration, Quota};
use crate::Result;
use chrono::NaiveDate;
use rust_decimal::Decimal;

pub mod allocation;
pub mod breakdown;
pub mod design;
pub mod pacing;
pub mod rollup;

/// An [`crate::Error::InvalidInput`] of a quota-planning request.
pub(crate) fn invalid(code: &str, path: impl Into<String>, message: impl Into<String>) -> crate::Error {
    crate::Error::InvalidInput { code: code.to_string(), path: path.into(), message: message.into() }
}

/// The full (unprorated) quota of `period` under `quota`, `None` when it gives none.
pub fn full_period_quota(quota: &Quota, periods: &[Period], period: &Period) -> Result<Option<Decimal>> {
    if let Some(map) = &quota.periods {
        return Ok(map.get(&period.id).copied());
    }
    let Some(annual) = quota.annual else {
        return Ok(None);
    };
    if periods.is_empty() {
        return Ok(None);
    }
    match &quota.seasonality {
        Some(weights) => {
            let total = crate::money::sum_c(
                periods.iter().map(|p| weights.get(&p.id).copied().unwrap_or_default()),
                "seasonality weights",
            )?;
            if total.is_zero() {
                return Ok(None);
            }
            let w = weights.get(&period.id).copied().unwrap_or_default();
            Ok(Some(annual.mul_c(w, "a seasonal quota")?.div_c(total, "a seasonal quota")?))
        }
        None => Ok(Some(annual.div_c(Decimal::from(periods.len() as u64), "a period quota")?)),
    }
}

/// The proration-and-ramp factor of `period` for `payee` as a fraction `(weighted days, counted
/// days)`: the sum of ramp fractions over the counted days in role, and the number of counted days.
pub fn quota_factor(cal: &Calendar, payee: &Payee, quota: &Quota, period: &Period) -> Result<(Decimal, Decimal)> {
    if quota.proration == Proration::None && quota.ramp.is_empty() {
        return Ok((Decimal::ONE, Decimal::ONE));
    }
    if quota.proration == Proration::CalendarDays && quota.ramp.is_empty() {
        // (every day counts and weighs 1: the two counts in closed form, the very decimals that
        // adding a one per day gives; evaluations compute this per payee and period)
        let last = period.end.max(period.start);
        let from = payee.start.map_or(period.start, |s| s.max(period.start));
        let to = payee.end.map_or(last, |e| e.min(last));
        let in_role = if to >= from { (to - from).num_days() + 1 } else { 0 };
        return Ok((Decimal::from(in_role), Decimal::from((last - period.start).num_days() + 1)));
    }
    by_days(cal, payee, quota, period)
}

/// [`quota_factor`] day by day.
fn by_days(cal: &Calendar, payee: &Payee, quota: &Quota, period: &Period) -> Result<(Decimal, Decimal)> {
    let tenure_start = payee.start.unwrap_or(cal.year_start);
    let mut counted: i64 = 0;
    let mut weight = Decimal::ZERO;
    let mut d = period.start;
    loop {
        let counts = match quota.proration {
            Proration::BusinessDays => cal.is_business_day(d),
            _ => true,
        };
        if counts {
            counted += 1;
            let in_role = quota.proration == Proration::None || in_role(payee, d);
            if in_role {
                let m = tenure_month(tenure_start, d) as usize;
                let f = quota.ramp.get(m).copied().unwrap_or(Decimal::ONE);
                weight = weight.add_c(f, "a quota ramp")?;
            }
        }
        if d >= period.end {
            break;
        }
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    if counted == 0 {
        // a period with no business day at all: no proration possible, full quota
        return Ok((Decimal::ONE, Decimal::ONE));
    }
    Ok((weight, Decimal::from(counted)))
}

/// Whether `payee` is in role on `d`.
pub fn in_role(payee: &Payee, d: NaiveDate) -> bool {
    payee.start.is_none_or(|s| s <= d) && payee.end.is_none_or(|e| d <= e)
}

/// Whether `payee` is in role on any day of `period`.
pub fn active_in(payee: &Payee, period: &Period) -> bool {
    payee.start.is_none_or(|s| s <= period.end) && payee.end.is_none_or(|e| period.start <= e)
}

/// The effective quota (full period quota × proration and ramp factor).
pub fn effective_quota(
    cal: &Calendar,
    periods: &[Period],
    payee: &Payee,
    quota: &Quota,
    period: &Period,
) -> Result<Option<Decimal>> {
    let Some(full) = full_period_quota(quota, periods, period)? else {
        return Ok(None);
    };
    let (weight, days) = quota_factor(cal, payee, quota, period)?;
    if weight == days {
        return Ok(Some(full));
    }
    // multiply first, divide last: 910000 x 61 / 91 is exactly 610000
    Ok(Some(full.mul_c(weight, "a prorated quota")?.div_c(days, "a prorated quota")?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::PeriodType;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }
    fn cal() -> Calendar {
        Calendar { year_start: d("2025-01-01"), period_type: PeriodType::Quarter, periods: vec![], holidays: vec![] }
    }
    fn payee(start: Option<&str>, end: Option<&str>) -> Payee {
        Payee {
            id: "p".into(),
            name: None,
            role: "AE".into(),
            start: start.map(d),
            end: end.map(d),
            reports_to: vec![],
            target_incentive: None,
        }
    }
    fn quota(annual: &str) -> Quota {
        Quota {
            payee: "p".into(),
            measure: "m".into(),
            annual: Some(dec(annual)),
            seasonality: None,
            periods: None,
            proration: Proration::CalendarDays,
            ramp: vec![],
        }
    }

    #[test]
    fn annual_spread_equally_and_by_seasonality() {
        let c = cal();
        let ps = c.periods();
        let q = quota("1000000");
        assert_eq!(full_period_quota(&q, &ps, &ps[0]).unwrap(), Some(dec("250000")));
        let mut q = quota("1000000");
        q.seasonality = Some(
            [("Q1", "1"), ("Q2", "2"), ("Q3", "3"), ("Q4", "4")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), dec(v)))
                .collect(),
        );
        assert_eq!(full_period_quota(&q, &ps, &ps[3]).unwrap(), Some(dec("400000")));
    }

    proptest::proptest! {
        // Calendar days without a ramp, in closed form: the very decimals of the day-by-day sum
        // (the same value and scale), for any role dates against any period, one day long or
        // ending before it starts.
        #[test]
        fn calendar_days_in_closed_form(start in -40i64..140, len in -3i64..120, from in proptest::option::of(-60i64..160), to in proptest::option::of(-60i64..160)) {
            let day = |n: i64| d("2025-01-01") + chrono::Duration::days(n);
            let period = Period { id: "P".into(), index: 0, start: day(start), end: day(start + len) };
            let mut p = payee(None, None);
            p.start = from.map(day);
            p.end = to.map(day);
            let q = quota("1000");
            let closed = quota_factor(&cal(), &p, &q, &period).unwrap();
            let daily = by_days(&cal(), &p, &q, &period).unwrap();
            proptest::prop_assert_eq!((closed.0.mantissa(), closed.0.scale()), (daily.0.mantissa(), daily.0.scale()));
            proptest::prop_assert_eq!((closed.1.mantissa(), closed.1.scale()), (daily.1.mantissa(), daily.1.scale()));
        }
    }

    #[test]
    fn mid_quarter_start_prorates_by_calendar_days() {
        let c = cal();
        let ps = c.periods();
        // Q1 2025 has 90 days; starting Feb 15 leaves Feb 15..Mar 31 = 14 + 31 = 45 days
        let p = payee(Some("2025-02-15"), None);
        let q = quota("1000000");
        assert_eq!(effective_quota(&c, &ps, &p, &q, &ps[0]).unwrap(), Some(dec("125000")));
        assert_eq!(effective_quota(&c, &ps, &p, &q, &ps[1]).unwrap(), Some(dec("250000")));
    }

    #[test]
    fn leaver_prorates_and_none_does_not() {
        let c = cal();
        let ps = c.periods();
        // Q2 = Apr 1..Jun 30 = 91 days; leaving May 31 keeps 61 days
        let p = payee(None, Some("2025-05-31"));
        let mut q = quota("910000");
        assert_eq!(effective_quota(&c, &ps, &p, &q, &ps[1]).unwrap(), Some(dec("152500")));
        q.proration = Proration::None;
        assert_eq!(effective_quota(&c, &ps, &p, &q, &ps[1]).unwrap(), Some(dec("227500")));
    }

    #[test]
    fn ramp_by_tenure_month() {
        let c = Calendar { period_type: PeriodType::Month, ..cal() };
        let ps = c.periods();
        let p = payee(Some("2025-01-01"), None);
        let mut q = quota("120000");
        q.ramp = vec![dec("0"), dec("0.5")];
        assert_eq!(effective_quota(&c, &ps, &p, &q, &ps[0]).unwrap(), Some(dec("0")));
        assert_eq!(effective_quota(&c, &ps, &p, &q, &ps[1]).unwrap(), Some(dec("5000")));
        assert_eq!(effective_quota(&c, &ps, &p, &q, &ps[2]).unwrap(), Some(dec("10000")));
    }

    #[test]
    fn business_day_proration() {
        let c = Calendar { period_type: PeriodType::Month, ..cal() };
        let ps = c.periods();
        // January 2025 has 23 weekdays; starting Monday Jan 20 leaves 10 (20-24, 27-31)
        let p = payee(Some("2025-01-20"), None);
        let mut q = quota("276000"); // 23000 a month
        q.proration = Proration::BusinessDays;
        assert_eq!(effective_quota(&c, &ps, &p, &q, &ps[0]).unwrap(), Some(dec("10000")));
    }
}
