//! The plan year and its periods: months, quarters, halves, the year, or a custom list, with a fiscal
//! year that may start on any date; day counting in calendar or business days.

use crate::small::sort_indices;
use chrono::{Datelike, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// How the plan year is cut into periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum PeriodType {
    /// Twelve periods `M01`..`M12`.
    Month,
    /// Four periods `Q1`..`Q4`.
    Quarter,
    /// Two periods `H1`, `H2`.
    Half,
    /// One period `FY`.
    Year,
    /// The periods listed in `periods`; they must tile the plan year.
    Custom,
}

/// A period given explicitly (for `periodType: "custom"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PeriodDef {
    /// Identifier used in quotas, inputs and statements (for example `P01` or `2025-W01`).
    pub id: String,
    /// First day, inclusive.
    pub start: NaiveDate,
    /// Last day, inclusive.
    pub end: NaiveDate,
}

/// The plan's fiscal calendar.
///
/// ```json
/// { "yearStart": "2025-02-01", "periodType": "quarter" }
/// ```
/// gives `Q1` = 2025-02-01..2025-04-30, ..., `Q4` = 2025-11-01..2026-01-31.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Calendar {
    /// First day of the plan (fiscal) year; the year ends the day before the same date a year later.
    pub year_start: NaiveDate,
    /// How the year is divided.
    pub period_type: PeriodType,
    /// The periods, for `custom` only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub periods: Vec<PeriodDef>,
    /// Holidays, for business-day proration (weekends are Saturday and Sunday).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<NaiveDate>,
}

/// A period of the plan year, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Period {
    /// Period id.
    pub id: String,
    /// Position in the year, from 0.
    pub index: usize,
    /// First day, inclusive.
    pub start: NaiveDate,
    /// Last day, inclusive.
    pub end: NaiveDate,
}

impl Period {
    /// Whether `d` falls in this period.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }
}

impl Calendar {
    /// Last day of the plan year, or `None` when the date is out of range.
    pub fn year_end(&self) -> Option<NaiveDate> {
        self.year_start.checked_add_months(Months::new(12))?.pred_opt()
    }

    /// The periods of the year in order. For generated period types this always succeeds (except for
    /// dates at the very end of the calendar range, which give an empty list); custom periods are
    /// returned as given, sorted by start (validation checks that they tile the year).
    pub fn periods(&self) -> Vec<Period> {
        let step = match self.period_type {
            PeriodType::Month => 1,
            PeriodType::Quarter => 3,
            PeriodType::Half => 6,
            PeriodType::Year => 12,
            PeriodType::Custom => {
                let ps = &self.periods;
                let mut order: Vec<usize> = (0..ps.len()).collect();
                let key = |i: usize| ps.get(i).map(|p| (p.start, p.id.as_str()));
                sort_indices(&mut order, &|a, b| key(a).cmp(&key(b)));
                return order
                    .iter()
                    .filter_map(|&i| ps.get(i))
                    .enumerate()
                    .map(|(index, p)| Period { id: p.id.clone(), index, start: p.start, end: p.end })
                    .collect();
            }
        };
        let n = 12 / step;
        let mut out = Vec::with_capacity(n as usize);
        for i in 0..n {
            let start = self.year_start.checked_add_months(Months::new(i * step));
            let end = self.year_start.checked_add_months(Months::new((i + 1) * step)).and_then(|d| d.pred_opt());
            let (Some(start), Some(end)) = (start, end) else {
                return Vec::new();
            };
            let id = match self.period_type {
                PeriodType::Month => format!("M{:02}", i + 1),
                PeriodType::Quarter => format!("Q{}", i + 1),
                PeriodType::Half => format!("H{}", i + 1),
                _ => "FY".to_string(),
            };
            out.push(Period { id, index: i as usize, start, end });
        }
        out
    }

    /// Whether `d` is a business day (not Saturday, Sunday or a listed holiday).
    pub fn is_business_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&d)
    }
}

/// Calendar days from `a` to `b`, both inclusive; 0 when `b < a`.
pub fn days_inclusive(a: NaiveDate, b: NaiveDate) -> i64 {
    if b < a {
        0
    } else {
        (b - a).num_days() + 1
    }
}

/// Business days from `a` to `b`, both inclusive.
pub fn business_days_inclusive(cal: &Calendar, a: NaiveDate, b: NaiveDate) -> i64 {
    if b < a {
        return 0;
    }
    // whole weeks have 5 weekdays; walk only the remainder
    let total = days_inclusive(a, b);
    let weeks = total / 7;
    let mut count = weeks * 5;
    let mut d = a + chrono::Duration::days(weeks * 7);
    while d <= b {
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            count += 1;
        }
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    let holidays =
        cal.holidays.iter().filter(|h| a <= **h && **h <= b && !matches!(h.weekday(), Weekday::Sat | Weekday::Sun));
    // a holiday listed twice counts once
    let hs: Vec<NaiveDate> = holidays.copied().collect();
    let mut order: Vec<usize> = (0..hs.len()).collect();
    sort_indices(&mut order, &|a, b| hs.get(a).cmp(&hs.get(b)));
    let mut distinct = 0;
    let mut prev = None;
    for h in order.iter().filter_map(|&i| hs.get(i)) {
        if prev != Some(h) {
            distinct += 1;
            prev = Some(h);
        }
    }
    count - distinct
}

/// Whole months from `start` to `d` (0 in the month of `start` up to the day before the same day of
/// the next month). Used for ramp schedules by month of tenure.
pub fn tenure_month(start: NaiveDate, d: NaiveDate) -> u32 {
    if d < start {
        return 0;
    }
    let mut months = (d.year() - start.year()) * 12 + d.month() as i32 - start.month() as i32;
    if d.day() < start.day() {
        months -= 1;
    }
    months.max(0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn fiscal_quarters_from_february() {
        let cal = Calendar {
            year_start: d("2025-02-01"),
            period_type: PeriodType::Quarter,
            periods: vec![],
            holidays: vec![],
        };
        let ps = cal.periods();
        assert_eq!(ps.len(), 4);
        assert_eq!((ps[0].start, ps[0].end), (d("2025-02-01"), d("2025-04-30")));
        assert_eq!((ps[3].id.as_str(), ps[3].start, ps[3].end), ("Q4", d("2025-11-01"), d("2026-01-31")));
        assert_eq!(cal.year_end(), Some(d("2026-01-31")));
    }

    #[test]
    fn months_in_leap_year() {
        let cal =
            Calendar { year_start: d("2024-01-01"), period_type: PeriodType::Month, periods: vec![], holidays: vec![] };
        let ps = cal.periods();
        assert_eq!(ps[1].id, "M02");
        assert_eq!(ps[1].end, d("2024-02-29"));
        assert_eq!(days_inclusive(ps[1].start, ps[1].end), 29);
    }

    #[test]
    fn business_days_with_holiday() {
        let cal = Calendar {
            year_start: d("2025-01-01"),
            period_type: PeriodType::Month,
            periods: vec![],
            holidays: vec![d("2025-01-01"), d("2025-01-04"), d("2025-01-01")],
        };
        // January 2025: 23 weekdays; Jan 1 (Wed) is a holiday; Jan 4 is a Saturday anyway
        assert_eq!(business_days_inclusive(&cal, d("2025-01-01"), d("2025-01-31")), 22);
        assert_eq!(business_days_inclusive(&cal, d("2025-01-06"), d("2025-01-10")), 5);
        assert_eq!(business_days_inclusive(&cal, d("2025-01-11"), d("2025-01-12")), 0);
    }

    #[test]
    fn tenure_months() {
        assert_eq!(tenure_month(d("2025-01-15"), d("2025-01-15")), 0);
        assert_eq!(tenure_month(d("2025-01-15"), d("2025-02-14")), 0);
        assert_eq!(tenure_month(d("2025-01-15"), d("2025-02-15")), 1);
        assert_eq!(tenure_month(d("2025-01-15"), d("2026-01-20")), 12);
    }
}
