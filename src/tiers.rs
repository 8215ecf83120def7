//! Band arithmetic for rate tables: which band a value falls in, how a moving interval of basis
//! splits across bands (marginal tiers), and linear interpolation on a payout curve.
//!
//! Bounds here are in the measure's own units: an attainment band `[1.0, 1.5)` on a quota of
//! 200,000 is the amount band `[200000, 300000)`. Working in amounts keeps the arithmetic exact
//! (no division by the quota).

use crate::money::{fmt_dec, pct, Checked};
use crate::plan::{Bounds, CurvePoint, Rate};
use crate::Result;
use rust_decimal::Decimal;

/// A band's bounds in measure units: `[from, to)`, open-ended when `to` is `None`.
pub type Span = (Decimal, Option<Decimal>);

/// The index of the band containing `x`, honouring the bound placement; `None` when `x` lies
/// below the first band or above the last closed band.
///
/// ```
/// use payplan::tiers::band_at;
/// use payplan::plan::Bounds;
/// use rust_decimal::Decimal;
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// let bands = [(d("0"), Some(d("1.0"))), (d("1.0"), None)];
/// assert_eq!(band_at(&bands, d("1.0"), Bounds::HalfOpen), Some(1));       // on the bound: higher band
/// assert_eq!(band_at(&bands, d("1.0"), Bounds::InclusiveUpper), Some(0)); // on the bound: lower band
/// assert_eq!(band_at(&bands, d("0"), Bounds::InclusiveUpper), Some(0));
/// ```
pub fn band_at(bands: &[Span], x: Decimal, bounds: Bounds) -> Option<usize> {
    for (i, (from, to)) in bands.iter().enumerate() {
        let inside = match bounds {
            Bounds::HalfOpen => *from <= x && to.is_none_or(|t| x < t),
            Bounds::InclusiveUpper => (*from < x || (i == 0 && *from == x)) && to.is_none_or(|t| x <= t),
        };
        if inside {
            return Some(i);
        }
    }
    None
}

/// The signed overlap of the interval travelled from `p0` by `delta` with each band, clipped to
/// `[floor, ceil]` (a pay-from-threshold gate and a basis cap). Bands with no overlap are left out.
///
/// ```
/// use payplan::tiers::slices;
/// use rust_decimal::Decimal;
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// let bands = [(d("0"), Some(d("100"))), (d("100"), None)];
/// assert_eq!(slices(&bands, d("80"), d("50"), None, None).unwrap(), vec![(0, d("20")), (1, d("30"))]);
/// assert_eq!(slices(&bands, d("130"), d("-50"), None, None).unwrap(), vec![(0, d("-20")), (1, d("-30"))]);
/// assert_eq!(slices(&bands, d("80"), d("50"), Some(d("90")), Some(d("120"))).unwrap(), vec![(0, d("10")), (1, d("20"))]);
/// ```
pub fn slices(
    bands: &[Span],
    p0: Decimal,
    delta: Decimal,
    floor: Option<Decimal>,
    ceil: Option<Decimal>,
) -> Result<Vec<(usize, Decimal)>> {
    let mut out = Vec::new();
    each_slice(bands, p0, delta, floor, ceil, &mut |i, o| {
        out.push((i, o));
        Ok(())
    })?;
    Ok(out)
}

/// [`slices`] without the vector: calls `f(band, overlap)` for each band crossed, in band order
/// (the engine's per-line path).
pub(crate) fn each_slice(
    bands: &[Span],
    p0: Decimal,
    delta: Decimal,
    floor: Option<Decimal>,
    ceil: Option<Decimal>,
    f: &mut dyn FnMut(usize, Decimal) -> Result<()>,
) -> Result<()> {
    let p1 = p0.add_c(delta, "a running basis")?;
    let (mut lo, mut hi) = if delta.is_sign_negative() { (p1, p0) } else { (p0, p1) };
    if let Some(fl) = floor {
        lo = lo.max(fl);
    }
    if let Some(c) = ceil {
        hi = hi.min(c);
    }
    if hi <= lo {
        return Ok(());
    }
    for (i, (from, to)) in bands.iter().enumerate() {
        let a = lo.max(*from);
        let z = match to {
            Some(t) => hi.min(*t),
            None => hi,
        };
        if z > a {
            let o = z.sub_c(a, "a band slice")?;
            f(i, if delta.is_sign_negative() { -o } else { o })?;
        }
    }
    Ok(())
}

/// Linear interpolation on a curve sorted by `x`; flat beyond the first and last points.
///
/// ```
/// use payplan::tiers::interpolate;
/// use payplan::plan::CurvePoint;
/// use rust_decimal::Decimal;
/// let d = |s: &str| s.parse::<Decimal>().unwrap();
/// let curve = [CurvePoint { x: d("0.5"), y: d("0.25") }, CurvePoint { x: d("1.0"), y: d("1.0") }, CurvePoint { x: d("1.5"), y: d("2.0") }];
/// assert_eq!(interpolate(&curve, d("0.75")).unwrap(), d("0.625"));
/// assert_eq!(interpolate(&curve, d("1.2")).unwrap(), d("1.4"));
/// assert_eq!(interpolate(&curve, d("0.1")).unwrap(), d("0.25"));
/// assert_eq!(interpolate(&curve, d("3")).unwrap(), d("2.0"));
/// ```
pub fn interpolate(points: &[CurvePoint], x: Decimal) -> Result<Decimal> {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Ok(Decimal::ZERO);
    };
    if x <= first.x {
        return Ok(first.y);
    }
    if x >= last.x {
        return Ok(last.y);
    }
    for w in points.windows(2) {
        let [a, b] = w else { continue };
        if a.x <= x && x <= b.x {
            let run = b.x.sub_c(a.x, "a curve segment")?;
            if run.is_zero() {
                return Ok(b.y);
            }
            let t = x.sub_c(a.x, "a curve segment")?.div_c(run, "a curve segment")?;
            return a.y.add_c(b.y.sub_c(a.y, "a curve segment")?.mul_c(t, "a curve segment")?, "a curve segment");
        }
    }
    Ok(last.y)
}

/// What a rate pays on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateUnit {
    /// Fraction of credited amount.
    Credit,
    /// Per credited unit.
    Unit,
    /// Per credited deal.
    Deal,
}

/// A rate resolved against a base rate: what it pays per unit of `unit`, and how to print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayRate {
    /// The unit.
    pub unit: RateUnit,
    /// Pay per unit (a fraction for [`RateUnit::Credit`]).
    pub per: Decimal,
    /// As written (`8%`, `1.5 x 8%`, `500 per deal`).
    pub label: String,
}

/// Resolves a rate (a multiplier needs `base`). `None` when a multiplier has no usable base.
///
/// ```
/// use payplan::tiers::{resolve_rate, RateUnit};
/// use payplan::plan::Rate;
/// let r = resolve_rate(&Rate::Multiplier("1.5".parse().unwrap()), Some(&Rate::Percent("8".parse().unwrap()))).unwrap().unwrap();
/// assert_eq!((r.unit, r.per.normalize().to_string(), r.label.as_str()), (RateUnit::Credit, "0.12".to_string(), "1.5 x 8%"));
/// ```
pub fn resolve_rate(rate: &Rate, base: Option<&Rate>) -> Result<Option<PayRate>> {
    Ok(Some(match rate {
        Rate::Percent(p) => PayRate { unit: RateUnit::Credit, per: pct(*p), label: format!("{}%", fmt_dec(*p)) },
        Rate::PerUnit(v) => PayRate { unit: RateUnit::Unit, per: *v, label: format!("{} per unit", fmt_dec(*v)) },
        Rate::PerDeal(v) => PayRate { unit: RateUnit::Deal, per: *v, label: format!("{} per deal", fmt_dec(*v)) },
        Rate::Multiplier(m) => {
            let Some(b) = base else { return Ok(None) };
            if matches!(b, Rate::Multiplier(_)) {
                return Ok(None);
            }
            let Some(inner) = resolve_rate(b, None)? else {
                return Ok(None);
            };
            PayRate {
                unit: inner.unit,
                per: inner.per.mul_c(*m, "an accelerated rate")?,
                label: format!("{} x {}", fmt_dec(*m), inner.label),
            }
        }
    }))
}
