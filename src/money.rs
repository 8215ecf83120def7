//! Money: currencies with their minor units, the rounding policy, and checked decimal arithmetic.
//!
//! Amounts are [`rust_decimal::Decimal`] everywhere (28 significant digits, exact for every amount a
//! plan will see). No `f64` is used anywhere in the crate. Arithmetic on amounts goes through
//! [`Checked`], which turns an overflow into [`Error::Overflow`] instead of a panic.

use crate::error::{Error, Result};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// ISO 4217 currencies the crate knows, with their minor units (digits after the decimal point).
///
/// A plan may declare more (or override these) in `currencies`.
pub const ISO_CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EGP", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("MAD", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("NGN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PEN", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("QAR", 2),
    ("RON", 2),
    ("RUB", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TRY", 2),
    ("TWD", 2),
    ("UAH", 2),
    ("USD", 2),
    ("VND", 0),
    ("ZAR", 2),
];

/// Minor units of an ISO currency code the crate knows, or `None`.
///
/// ```
/// assert_eq!(payplan::money::iso_minor_units("JPY"), Some(0));
/// assert_eq!(payplan::money::iso_minor_units("BHD"), Some(3));
/// assert_eq!(payplan::money::iso_minor_units("XXX"), None);
/// ```
pub fn iso_minor_units(code: &str) -> Option<u32> {
    ISO_CURRENCIES.iter().find(|(c, _)| *c == code).map(|(_, m)| *m)
}

/// How a value is rounded to its scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum RoundingMode {
    /// To nearest; ties to the even neighbour (banker's rounding). `2.345 -> 2.34`, `2.355 -> 2.36`.
    #[default]
    HalfEven,
    /// To nearest; ties away from zero. `2.345 -> 2.35`, `-2.345 -> -2.35`.
    HalfUp,
    /// To nearest; ties toward zero. `2.345 -> 2.34`.
    HalfDown,
    /// Toward zero (truncate). `2.349 -> 2.34`, `-2.349 -> -2.34`.
    Down,
    /// Away from zero. `2.341 -> 2.35`, `-2.341 -> -2.35`.
    Up,
    /// Toward negative infinity. `-2.341 -> -2.35`.
    Floor,
    /// Toward positive infinity. `2.341 -> 2.35`.
    Ceiling,
}

impl RoundingMode {
    fn strategy(self) -> RoundingStrategy {
        match self {
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::HalfDown => RoundingStrategy::MidpointTowardZero,
            RoundingMode::Down => RoundingStrategy::ToZero,
            RoundingMode::Up => RoundingStrategy::AwayFromZero,
            RoundingMode::Floor => RoundingStrategy::ToNegativeInfinity,
            RoundingMode::Ceiling => RoundingStrategy::ToPositiveInfinity,
        }
    }
}

/// When rounding happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum RoundingStage {
    /// Round every payout line (each transaction's pay, each adjustment), so that the lines of a
    /// statement add up exactly to its total. The default.
    #[default]
    Line,
    /// Keep full precision through the computation and round only the final payout. Lines are shown
    /// unrounded; the total may then differ by a cent from the sum of rounded lines, by design.
    Total,
}

/// The plan's rounding policy: scale, mode and stage.
///
/// ```
/// use payplan::money::{RoundingPolicy, RoundingMode};
/// use rust_decimal::Decimal;
/// let p = RoundingPolicy { mode: RoundingMode::HalfUp, ..Default::default() };
/// assert_eq!(p.round("2.345".parse().unwrap(), 2).to_string(), "2.35");
/// let p = RoundingPolicy::default(); // half-even
/// assert_eq!(p.round("2.345".parse().unwrap(), 2).to_string(), "2.34");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoundingPolicy {
    /// Digits after the decimal point; default: the plan currency's minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
    /// Rounding mode; default half-even.
    #[serde(default)]
    pub mode: RoundingMode,
    /// Round each line (default) or only the total.
    #[serde(default)]
    pub stage: RoundingStage,
}

impl RoundingPolicy {
    /// Rounds `value` to `scale` digits with this policy's mode, and pads it to exactly `scale`
    /// digits so that `5` prints as `5.00`.
    pub fn round(&self, value: Decimal, scale: u32) -> Decimal {
        let mut r = value.round_dp_with_strategy(scale, self.mode.strategy());
        r.rescale(scale);
        r
    }

    /// The scale in force for a currency with `minor_units`.
    pub fn scale_for(&self, minor_units: u32) -> u32 {
        self.scale.unwrap_or(minor_units).min(MAX_SCALE)
    }
}

/// The largest scale a rounding policy may ask for.
pub const MAX_SCALE: u32 = 10;

/// Overflow-checked arithmetic on decimals: every operation that could exceed the decimal range
/// returns [`Error::Overflow`] naming what was being computed.
pub trait Checked: Sized {
    /// `self + rhs`
    fn add_c(self, rhs: Decimal, ctx: &str) -> Result<Decimal>;
    /// `self - rhs`
    fn sub_c(self, rhs: Decimal, ctx: &str) -> Result<Decimal>;
    /// `self * rhs`
    fn mul_c(self, rhs: Decimal, ctx: &str) -> Result<Decimal>;
    /// `self / rhs`; a zero divisor is also an error.
    fn div_c(self, rhs: Decimal, ctx: &str) -> Result<Decimal>;
}

/// Largest mantissa a `Decimal` holds (96 bits).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
const MANTISSA_MAX: i128 = (1i128 << 96) - 1;

/// The sum of two non-negative decimals of the same scale by integer addition, when it fits:
/// exactly what `checked_add` returns (same value, same scale), without its scale alignment.
#[inline]
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
fn add_fast(a: Decimal, b: Decimal) -> Option<Decimal> {
    if a.is_sign_negative() || b.is_sign_negative() {
        return None;
    }
    // a running total starting from `Decimal::ZERO` (scale 0) takes the other's scale (but a
    // zero sum is plain 0, as rust_decimal gives it: the proptest below found that)
    if a.scale() == 0 && a.is_zero() && !b.is_zero() {
        return Some(b);
    }
    if a.scale() != b.scale() {
        return None;
    }
    let s = a.mantissa().checked_add(b.mantissa())?;
    // (a zero result is left to rust_decimal, which decides its scale)
    if s == 0 || s > MANTISSA_MAX {
        return None;
    }
    Decimal::try_from_i128_with_scale(s, a.scale()).ok()
}

/// The product of two non-negative decimals whose mantissas are below 2^32 (amounts up to about
/// 42 million with cents, usual rates) by one 64-bit integer multiplication, when the scale fits:
/// exactly what `checked_mul` returns (same value, scale the sum of the scales).
#[inline]
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
fn mul_fast(a: Decimal, b: Decimal) -> Option<Decimal> {
    if a.is_sign_negative() || b.is_sign_negative() {
        return None;
    }
    let scale = a.scale() + b.scale();
    if scale > 28 {
        return None;
    }
    let x = u32::try_from(a.mantissa()).ok()?;
    let y = u32::try_from(b.mantissa()).ok()?;
    let p = u64::from(x) * u64::from(y);
    // (a zero product is left to rust_decimal, which writes it without decimals)
    if p == 0 {
        return None;
    }
    Decimal::try_from_i128_with_scale(i128::from(p), scale).ok()
}

impl Checked for Decimal {
    // (not inlined: one copy of each fast path, called from everywhere)
    #[inline(never)]
    fn add_c(self, rhs: Decimal, ctx: &str) -> Result<Decimal> {
        // (natively only: kept out of the WebAssembly build, whose size has a budget)
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(v) = add_fast(self, rhs) {
            return Ok(v);
        }
        self.checked_add(rhs).ok_or_else(|| Error::overflow(ctx))
    }
    fn sub_c(self, rhs: Decimal, ctx: &str) -> Result<Decimal> {
        self.checked_sub(rhs).ok_or_else(|| Error::overflow(ctx))
    }
    #[inline(never)]
    fn mul_c(self, rhs: Decimal, ctx: &str) -> Result<Decimal> {
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(v) = mul_fast(self, rhs) {
            return Ok(v);
        }
        self.checked_mul(rhs).ok_or_else(|| Error::overflow(ctx))
    }
    fn div_c(self, rhs: Decimal, ctx: &str) -> Result<Decimal> {
        self.checked_div(rhs).ok_or_else(|| Error::overflow(ctx))
    }
}

/// Sums decimals with overflow checking.
pub fn sum_c<I: IntoIterator<Item = Decimal>>(items: I, ctx: &str) -> Result<Decimal> {
    items.into_iter().try_fold(Decimal::ZERO, |acc, x| acc.add_c(x, ctx))
}

/// `percent / 100` as a fraction.
pub(crate) fn pct(p: Decimal) -> Decimal {
    // dividing by 100 only shifts the scale; it cannot overflow
    p / Decimal::ONE_HUNDRED
}

/// Formats a decimal without trailing zeros (for rates and ratios in traces).
pub(crate) fn fmt_dec(d: Decimal) -> String {
    d.normalize().to_string()
}

/// Formats a ratio as a percentage with up to two decimals (`1.0425` -> `104.25%`).
pub(crate) fn fmt_pct(ratio: Decimal) -> String {
    // a ratio too large to show as a percentage is shown as it is (formatting never panics)
    match ratio.checked_mul(Decimal::ONE_HUNDRED) {
        Some(p) => format!("{}%", p.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven).normalize()),
        None => format!("{} (as a ratio)", ratio.normalize()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn any_decimal() -> impl Strategy<Value = Decimal> {
        // small and huge mantissas, every scale, both signs (and negative zero)
        (
            prop_oneof![Just(0i128), 0i128..1_000_000, 0i128..(1i128 << 70), 0i128..=MANTISSA_MAX],
            0u32..=28,
            any::<bool>(),
        )
            .prop_map(|(m, scale, neg)| {
                let mut v = Decimal::from_i128_with_scale(m, scale);
                v.set_sign_negative(neg);
                v
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        // the fast paths give the very same decimal (value, scale and sign: the bytes) as rust_decimal
        #[test]
        fn fast_add_and_mul_equal_rust_decimal(a in any_decimal(), b in any_decimal()) {
            if let Some(v) = add_fast(a, b) {
                prop_assert_eq!(Some(v.serialize()), a.checked_add(b).map(|x| x.serialize()));
            }
            if let Some(v) = mul_fast(a, b) {
                prop_assert_eq!(Some(v.serialize()), a.checked_mul(b).map(|x| x.serialize()));
            }
            prop_assert_eq!(a.add_c(b, "t").ok().map(|x| x.serialize()), a.checked_add(b).map(|x| x.serialize()));
            prop_assert_eq!(a.mul_c(b, "t").ok().map(|x| x.serialize()), a.checked_mul(b).map(|x| x.serialize()));
        }
    }

    #[test]
    fn fast_paths_are_taken_for_money() {
        assert_eq!(add_fast(d("10.25"), d("0.75")).map(|v| v.to_string()), Some("11.00".into()));
        assert_eq!(mul_fast(d("1234.50"), d("0.08")).map(|v| v.to_string()), Some("98.7600".into()));
        assert_eq!(add_fast(d("1.5"), d("0.25")), None); // different scales: the general path
        assert_eq!(add_fast(d("-1.5"), d("0.25")), None); // signs: the general path
        assert_eq!(mul_fast(d("-2"), d("3")), None); // signs: the general path
    }

    #[test]
    fn every_mode_on_ties_and_negatives() {
        let cases = [
            (RoundingMode::HalfEven, "2.345", "2.34"),
            (RoundingMode::HalfEven, "2.355", "2.36"),
            (RoundingMode::HalfUp, "2.345", "2.35"),
            (RoundingMode::HalfUp, "-2.345", "-2.35"),
            (RoundingMode::HalfDown, "2.345", "2.34"),
            (RoundingMode::HalfDown, "2.3451", "2.35"),
            (RoundingMode::Down, "2.349", "2.34"),
            (RoundingMode::Down, "-2.349", "-2.34"),
            (RoundingMode::Up, "2.341", "2.35"),
            (RoundingMode::Up, "-2.341", "-2.35"),
            (RoundingMode::Floor, "-2.341", "-2.35"),
            (RoundingMode::Floor, "2.349", "2.34"),
            (RoundingMode::Ceiling, "2.341", "2.35"),
            (RoundingMode::Ceiling, "-2.349", "-2.34"),
        ];
        for (mode, input, want) in cases {
            let p = RoundingPolicy { mode, ..Default::default() };
            assert_eq!(p.round(d(input), 2).to_string(), want, "{mode:?} {input}");
        }
    }

    #[test]
    fn round_pads_scale() {
        let p = RoundingPolicy::default();
        assert_eq!(p.round(d("5"), 2).to_string(), "5.00");
        assert_eq!(p.round(d("1234.5"), 0).to_string(), "1234");
        assert_eq!(p.round(d("1235.5"), 0).to_string(), "1236");
    }

    #[test]
    fn overflow_is_an_error() {
        let e = Decimal::MAX.add_c(Decimal::ONE, "test sum").unwrap_err();
        assert_eq!(e.code(), "DECIMAL_OVERFLOW");
        assert!(Decimal::ONE.div_c(Decimal::ZERO, "x").is_err());
        assert_eq!(sum_c([d("1.10"), d("2.20")], "s").unwrap(), d("3.30"));
    }

    #[test]
    fn percent_formatting() {
        assert_eq!(fmt_pct(d("1.0425")), "104.25%");
        assert_eq!(fmt_pct(d("0.5")), "50%");
        assert_eq!(fmt_dec(d("8.000")), "8");
    }
}
