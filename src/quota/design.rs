//! Plan design helpers: on-target earnings, implied commission rate, pay mix and quota-to-OTE ratio.
//!
//! - On-target earnings `OTE = base + targetIncentive`.
//! - Implied target commission rate `targetIncentive / quota` (the flat rate that pays the target
//!   incentive at 100% attainment); `None` for a zero quota.
//! - Pay mix: `baseSharePercent = base / OTE × 100` and `variableSharePercent = targetIncentive /
//!   OTE × 100` (they add up to 100); `None` for a zero OTE.
//! - Quota-to-OTE ratio `quota / OTE` (a quota "multiple"); `None` for a zero OTE.
//!
//! Nothing is rounded; amounts must not be negative.
//!
//! ```
//! use payplan::quota::design::{design, DesignRequest};
//! let req: DesignRequest = serde_json::from_str(
//!     r#"{ "base": "60000", "targetIncentive": "40000", "quota": "500000" }"#).unwrap();
//! let r = design(&req).unwrap();
//! assert_eq!(r.on_target_earnings.to_string(), "100000");
//! assert_eq!(r.implied_commission_rate.unwrap().to_string(), "0.08"); // 40,000 / 500,000
//! assert_eq!(r.base_share_percent.unwrap().to_string(), "60");        // 60,000 / 100,000 x 100
//! assert_eq!(r.quota_to_ote_ratio.unwrap().to_string(), "5");         // 500,000 / 100,000
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

use super::invalid;
use crate::money::Checked;
use crate::Result;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The figures of a plan design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DesignRequest {
    /// Annual base salary.
    pub base: Decimal,
    /// Annual target incentive (variable pay at 100% attainment).
    pub target_incentive: Decimal,
    /// Annual quota, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<Decimal>,
}

/// The derived figures of a plan design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Design {
    /// `base + targetIncentive`.
    pub on_target_earnings: Decimal,
    /// `targetIncentive / quota`; `None` without a quota or with a zero quota.
    pub implied_commission_rate: Option<Decimal>,
    /// `base / OTE × 100`; `None` for a zero OTE.
    pub base_share_percent: Option<Decimal>,
    /// `targetIncentive / OTE × 100`; `None` for a zero OTE.
    pub variable_share_percent: Option<Decimal>,
    /// `quota / OTE`; `None` without a quota or for a zero OTE.
    pub quota_to_ote_ratio: Option<Decimal>,
}

/// `base + target_incentive`.
///
/// ```
/// let d = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
/// assert_eq!(payplan::quota::design::on_target_earnings(d("70000"), d("30000")).unwrap(), d("100000"));
/// ```
pub fn on_target_earnings(base: Decimal, target_incentive: Decimal) -> Result<Decimal> {
    base.add_c(target_incentive, "on-target earnings")
}

/// `target_incentive / quota`, `None` for a zero quota.
///
/// ```
/// let d = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
/// use payplan::quota::design::implied_commission_rate;
/// assert_eq!(implied_commission_rate(d("50000"), d("1000000")).unwrap(), Some(d("0.05")));
/// assert_eq!(implied_commission_rate(d("50000"), d("0")).unwrap(), None);
/// ```
pub fn implied_commission_rate(target_incentive: Decimal, quota: Decimal) -> Result<Option<Decimal>> {
    if quota.is_zero() {
        return Ok(None);
    }
    target_incentive.div_c(quota, "an implied commission rate").map(Some)
}

/// The pay mix `(base share, variable share)` in percent of OTE, `None` for a zero OTE.
///
/// ```
/// let d = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
/// use payplan::quota::design::pay_mix;
/// assert_eq!(pay_mix(d("50000"), d("50000")).unwrap(), Some((d("50"), d("50"))));
/// assert_eq!(pay_mix(d("0"), d("0")).unwrap(), None);
/// ```
pub fn pay_mix(base: Decimal, target_incentive: Decimal) -> Result<Option<(Decimal, Decimal)>> {
    let ote = on_target_earnings(base, target_incentive)?;
    if ote.is_zero() {
        return Ok(None);
    }
    let ctx = "a pay mix";
    let b = base.mul_c(Decimal::ONE_HUNDRED, ctx)?.div_c(ote, ctx)?;
    let v = target_incentive.mul_c(Decimal::ONE_HUNDRED, ctx)?.div_c(ote, ctx)?;
    Ok(Some((b, v)))
}

/// `quota / ote`, `None` for a zero OTE.
///
/// ```
/// let d = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
/// assert_eq!(payplan::quota::design::quota_to_ote_ratio(d("600000"), d("120000")).unwrap(), Some(d("5")));
/// ```
pub fn quota_to_ote_ratio(quota: Decimal, ote: Decimal) -> Result<Option<Decimal>> {
    if ote.is_zero() {
        return Ok(None);
    }
    quota.div_c(ote, "a quota-to-OTE ratio").map(Some)
}

/// All figures of a design at once.
///
/// Errors: `QUOTA_NEGATIVE_AMOUNT` (path `/base`, `/targetIncentive` or `/quota`); `DECIMAL_OVERFLOW`.
pub fn design(req: &DesignRequest) -> Result<Design> {
    for (v, path) in
        [(Some(req.base), "/base"), (Some(req.target_incentive), "/targetIncentive"), (req.quota, "/quota")]
    {
        if let Some(v) = v {
            if v < Decimal::ZERO {
                return Err(invalid("QUOTA_NEGATIVE_AMOUNT", path, format!("{v} is negative")));
            }
        }
    }
    let ote = on_target_earnings(req.base, req.target_incentive)?;
    let (base_share_percent, variable_share_percent) = match pay_mix(req.base, req.target_incentive)? {
        Some((b, v)) => (Some(b), Some(v)),
        None => (None, None),
    };
    let implied_commission_rate = match req.quota {
        Some(q) => implied_commission_rate(req.target_incentive, q)?,
        None => None,
    };
    let quota_to_ote_ratio = match req.quota {
        Some(q) => quota_to_ote_ratio(q, ote)?,
        None => None,
    };
    Ok(Design {
        on_target_earnings: ote,
        implied_commission_rate,
        base_share_percent,
        variable_share_percent,
        quota_to_ote_ratio,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn seventy_thirty_plan() {
        // OTE 84,000 + 36,000 = 120,000; mix 84,000 / 120,000 = 70%, 36,000 / 120,000 = 30%
        // rate 36,000 / 720,000 = 0.05; quota / OTE = 720,000 / 120,000 = 6
        let r = design(&DesignRequest { base: d("84000"), target_incentive: d("36000"), quota: Some(d("720000")) })
            .unwrap();
        assert_eq!(r.on_target_earnings, d("120000"));
        assert_eq!((r.base_share_percent, r.variable_share_percent), (Some(d("70")), Some(d("30"))));
        assert_eq!(r.implied_commission_rate, Some(d("0.05")));
        assert_eq!(r.quota_to_ote_ratio, Some(d("6")));
    }

    #[test]
    fn zero_quota_and_zero_ote() {
        // quota 0: no rate; quota / OTE = 0 / 100 = 0
        let r = design(&DesignRequest { base: d("100"), target_incentive: d("0"), quota: Some(d("0")) }).unwrap();
        assert_eq!((r.implied_commission_rate, r.quota_to_ote_ratio), (None, Some(d("0"))));
        assert_eq!((r.base_share_percent, r.variable_share_percent), (Some(d("100")), Some(d("0"))));
        // OTE 0: no mix, no ratio
        let r = design(&DesignRequest { base: d("0"), target_incentive: d("0"), quota: Some(d("1000")) }).unwrap();
        assert_eq!((r.base_share_percent, r.quota_to_ote_ratio), (None, None));
        assert_eq!(r.implied_commission_rate, Some(d("0")));
        // no quota at all
        let r = design(&DesignRequest { base: d("1"), target_incentive: d("1"), quota: None }).unwrap();
        assert_eq!((r.implied_commission_rate, r.quota_to_ote_ratio), (None, None));
    }

    #[test]
    fn negative_amounts_are_refused() {
        let e = design(&DesignRequest { base: d("1"), target_incentive: d("-1"), quota: None }).unwrap_err();
        assert_eq!((e.code(), e.path()), ("QUOTA_NEGATIVE_AMOUNT", Some("/targetIncentive")));
        let v = serde_json::to_value(
            design(&DesignRequest { base: d("1"), target_incentive: d("3"), quota: None }).unwrap(),
        )
        .unwrap();
        // 1 / 4 = 25%, 3 / 4 = 75%
        assert_eq!((v["baseSharePercent"].as_str(), v["impliedCommissionRate"].is_null()), (Some("25"), true));
    }
}
