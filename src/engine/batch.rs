//! The batch kernel: the per-line work of a summary evaluation in integer arithmetic.
//!
//! A summary evaluation (`options.detail = "summary"`, what payroll runs and pipeline views ask
//! for) spends nearly all of its time on credit lines: crediting each transaction, ordering each
//! payee's lines, adding them into measures and paying them through rate tables and SPIFFs. The
//! kernel does that work on compact lines (32 bytes: the amount as an integer mantissa and its
//! decimal scale, the credit date as a day number, indices instead of ids) with 128-bit integer
//! arithmetic, and hands the engine the measure values and each component's pay. Everything else
//! (quotas, gates, multipliers, caps, payments, statements, the accounting) is the engine's own
//! code, run on those figures.
//!
//! **Exact, to the digit and the scale.** Every number the kernel hands back is the very `Decimal`
//! the engine's arithmetic gives (same digits *and* same scale, which shows in some traces): [`Num`]
//! follows rust_decimal's rules for the scale of sums and products, and a step whose result would
//! not fit rust_decimal's 96 bits (where rust_decimal rounds) is done by `Decimal` itself. A line
//! that the integer path does not cover (a per-transaction retroactive band, a partial slice of a
//! unit or deal rate) is paid by the engine's own [`ResolvedTable::line_pay`]. A transaction that is
//! not plainly credited (rejected, excluded, in a foreign currency...) goes through the engine's
//! crediting. `tests/batch.rs` compares the two paths byte for byte on every golden vector and on
//! generated plans and data.
//!
//! **What it covers** ([`covers`]): plans rounding each line, without clawbacks, per-transaction
//! holdbacks or two-dimensional tables, with at most 32 measures. Other plans, and full-detail
//! evaluations (which need every line's trace), are evaluated by the engine alone.

use super::components::ResolvedTable;
use super::{Ctx, Rows};
use crate::columns::TransactionColumns;
use crate::credit::{filter_matches, filter_matches_fields, Credit, CreditContext, Fate};
use crate::error::Error;
use crate::fx::FxBook;
use crate::inputs::Transaction;
use crate::money::{pct, Checked, RoundingMode, RoundingStage};
use crate::plan::{CapPer, ComponentKind, CreditRule, MeasureKind, Plan, Release, TierMethod};
use crate::tiers::{PayRate, RateUnit};
use crate::Result;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// Whether the kernel evaluates this plan's summaries (see the module documentation).
pub(crate) fn covers(plan: &Plan) -> bool {
    plan.rounding.stage == RoundingStage::Line
        && plan.payments.clawback.is_none()
        && !plan.payments.holdbacks.iter().any(|h| matches!(h.release, Release::OnPayment))
        && !plan.components.iter().any(|c| matches!(c.kind, ComponentKind::Matrix { .. }))
        && plan.measures.len() <= 32
        // (a line holds its rule's index in a byte)
        && plan.crediting.rules.len() <= 256
}

/// Largest mantissa a `Decimal` holds (96 bits).
const MANTISSA_MAX: i128 = (1i128 << 96) - 1;

/// 10^n for n ≤ 38 (what an `i128` holds).
// (computed by the compiler: an index out of range would fail the build, not a run)
#[allow(clippy::indexing_slicing)]
const POW10: [i128; 39] = {
    let mut t = [1i128; 39];
    let mut i = 1;
    while i < 39 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// 10^n for n ≤ 18 (what an `i64` holds).
#[allow(clippy::indexing_slicing)]
const POW10_64: [i64; 19] = {
    let mut t = [1i64; 19];
    let mut i = 1;
    while i < 19 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

fn pow10(n: u32) -> Option<i128> {
    POW10.get(n as usize).copied()
}

/// `a × b` if it fits 128 bits. Operands within 32 bits (amounts in cents up to about 21
/// million, rates, powers of ten up to 10^9) take one 64-bit multiplication, which cannot
/// overflow: WebAssembly has no wider multiplication, and a 128-bit product, or even a checked
/// 64-bit one, is a library call there. Then one 64×64→128 multiplication natively, and the
/// library's checked 128-bit multiplication beyond.
#[inline]
fn mul128(a: i128, b: i128) -> Option<i128> {
    if let (Ok(x), Ok(y)) = (i32::try_from(a), i32::try_from(b)) {
        return Some(i128::from(i64::from(x) * i64::from(y)));
    }
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(a), Ok(b)) => Some(i128::from(a) * i128::from(b)),
        _ => a.checked_mul(b),
    }
}

/// `a × b` if it fits 64 bits, by one multiplication when both fit 32 bits (see [`mul128`]).
#[inline]
fn mul64(a: i64, b: i64) -> Option<i64> {
    if let (Ok(x), Ok(y)) = (i32::try_from(a), i32::try_from(b)) {
        return Some(i64::from(x) * i64::from(y));
    }
    a.checked_mul(b)
}

/// An exact decimal: mantissa × 10^-scale, with rust_decimal's rules for the scale of a sum and a
/// product, so that converting back gives the very `Decimal` the engine would have computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Num {
    m: i128,
    s: u32,
}

impl Num {
    pub(crate) const ZERO: Num = Num { m: 0, s: 0 };

    pub(crate) fn of(d: Decimal) -> Num {
        Num { m: d.mantissa(), s: d.scale() }
    }

    pub(crate) fn dec(self, what: &str) -> Result<Decimal> {
        Decimal::try_from_i128_with_scale(self.m, self.s).map_err(|_| Error::overflow(what))
    }

    /// The value as a mantissa at scale `g` (at least its own), if it fits.
    #[inline]
    fn at(self, g: u32) -> Option<i128> {
        let k = g.checked_sub(self.s)?;
        if k == 0 {
            return Some(self.m);
        }
        mul128(self.m, pow10(k)?)
    }

    /// `self + o` as `Decimal::checked_add` gives it: adding to a zero gives the other operand
    /// as it is (`0.00 + 1` is `1`); otherwise the larger scale.
    #[inline]
    fn add_fast(self, o: Num) -> Option<Num> {
        if self.m == 0 {
            return Some(o);
        }
        if o.m == 0 {
            return Some(self);
        }
        if self.s == o.s {
            // (the usual case: amounts of one scale)
            let m = self.m.checked_add(o.m)?;
            return (m.abs() <= MANTISSA_MAX).then_some(Num { m, s: self.s });
        }
        let s = self.s.max(o.s);
        let m = self.at(s)?.checked_add(o.at(s)?)?;
        // (beyond 96 bits rust_decimal rounds: left to it)
        (m.abs() <= MANTISSA_MAX).then_some(Num { m, s })
    }

    #[inline]
    pub(crate) fn add(self, o: Num, what: &str) -> Result<Num> {
        match self.add_fast(o) {
            Some(v) => Ok(v),
            None => self.add_slow(o, what),
        }
    }

    #[cold]
    fn add_slow(self, o: Num, what: &str) -> Result<Num> {
        Ok(Num::of(self.dec(what)?.add_c(o.dec(what)?, what)?))
    }

    /// `self × o` as `Decimal::checked_mul` gives it: a zero product is a plain `0`; otherwise
    /// the sum of the scales.
    fn mul_fast(self, o: Num) -> Option<Num> {
        if self.m == 0 || o.m == 0 {
            return Some(Num::ZERO);
        }
        let s = self.s + o.s;
        let m = mul128(self.m, o.m)?;
        (s <= 28 && m.abs() <= MANTISSA_MAX).then_some(Num { m, s })
    }

    pub(crate) fn mul(self, o: Num, what: &str) -> Result<Num> {
        match self.mul_fast(o) {
            Some(v) => Ok(v),
            None => Ok(Num::of(self.dec(what)?.mul_c(o.dec(what)?, what)?)),
        }
    }
}

/// `m × 10^-q` rounded to `p` decimals by `mode`: the mantissa at scale `p`, as
/// `RoundingPolicy::round` gives it (rounded, then padded to exactly `p` decimals).
///
/// Inlined into each line's loop, but for values beyond 64 bits ([`round_wide`]).
#[inline(always)]
fn round_to(m: i128, q: u32, p: u32, mode: RoundingMode) -> Option<i128> {
    if q <= p {
        return mul128(m, pow10(p - q)?);
    }
    let d = pow10(q - p)?;
    // (in 64-bit integers where the values allow: 128-bit division, and a checked 128-bit
    // multiplication, are library calls in WebAssembly)
    if let (Ok(m), Ok(d)) = (i64::try_from(m), i64::try_from(d)) {
        return Some(i128::from(round64(m, d, mode)));
    }
    round_wide(m, d, mode)
}

/// [`round_to`] of a value or a divisor beyond 64 bits.
#[inline(never)]
fn round_wide(m: i128, d: i128, mode: RoundingMode) -> Option<i128> {
    let (quo, rem) = (m / d, m % d);
    if rem == 0 {
        return Some(quo);
    }
    let neg = m < 0;
    let half = rem.abs().checked_mul(2)?.cmp(&d);
    Some(if !away(mode, half, quo % 2 != 0, neg) {
        quo
    } else if neg {
        quo - 1
    } else {
        quo + 1
    })
}

/// Whether rounding by `mode` moves a quotient away from zero: `half` compares twice the
/// remainder (not zero) with the divisor, `odd` tells an odd quotient, `neg` a negative value.
#[inline]
fn away(mode: RoundingMode, half: Ordering, odd: bool, neg: bool) -> bool {
    match mode {
        RoundingMode::HalfEven => half == Ordering::Greater || (half == Ordering::Equal && odd),
        RoundingMode::HalfUp => half != Ordering::Less,
        RoundingMode::HalfDown => half == Ordering::Greater,
        RoundingMode::Down => false,
        RoundingMode::Up => true,
        RoundingMode::Floor => neg,
        RoundingMode::Ceiling => !neg,
    }
}

/// `m / d` rounded by `mode`, for a power of ten `d` (at most 10^18, so that twice a remainder
/// fits 64 bits): [`round_to`] in 64-bit integers.
#[inline(always)]
fn round64(m: i64, d: i64, mode: RoundingMode) -> i64 {
    let (quo, rem) = (m / d, m % d);
    if rem == 0 {
        return quo;
    }
    let neg = m < 0;
    let half = rem.unsigned_abs().saturating_mul(2).cmp(&d.unsigned_abs());
    // (|quo| is at most |m| / 10: one more cannot overflow)
    if !away(mode, half, quo % 2 != 0, neg) {
        quo
    } else if neg {
        quo - 1
    } else {
        quo + 1
    }
}

/// `a × b` at scale `q`, rounded to `p` decimals by `mode` as [`round_to`] gives it, in 64-bit
/// integers: `None` unless `a` and `b` fit 32 bits (their product then fits 64) and the scales
/// are within 18 digits of each other (the caller then takes the 128-bit path).
#[inline(always)]
fn round_product32(a: i64, b: i64, q: u32, p: u32, mode: RoundingMode) -> Option<i64> {
    let m = i64::from(i32::try_from(a).ok()?) * i64::from(i32::try_from(b).ok()?);
    if m == 0 {
        Some(0)
    } else if q > p {
        POW10_64.get((q - p) as usize).map(|&d| round64(m, d, mode))
    } else {
        POW10_64.get((p - q) as usize).and_then(|&up| mul64(m, up))
    }
}

/// A credit line of the kernel (24 bytes: a million transactions make two or three million
/// lines, and their memory is written, grouped and read once each).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line {
    /// Credited amount in the plan currency: mantissa and scale.
    amount: i64,
    /// Input index of the transaction.
    txn: u32,
    /// Payee index.
    payee: u32,
    /// Credit date as days from the common era.
    day: i32,
    /// Crediting rule index.
    rule: u8,
    /// Index into [`Lines::shares`].
    share: u8,
    period: u8,
    /// The amount's scale (at most 28), and [`MEMO`] for a credit memo (a negative amount: it
    /// counts no deal and, by default, no unit).
    form: u8,
}

// (the lines' size is part of the kernel's speed: a wider field is a choice to measure)
const _: () = assert!(std::mem::size_of::<Line>() == 24);

/// [`Line::form`]'s bit of a credit memo.
const MEMO: u8 = 0x80;

impl Line {
    /// A placeholder, overwritten before it is read.
    const BLANK: Line = Line { amount: 0, txn: 0, payee: 0, day: 0, rule: 0, share: 0, period: 0, form: 0 };

    /// [`Line::form`] of an amount of `scale` (`None` above 127).
    fn form(scale: u32, memo: bool) -> Option<u8> {
        let scale = u8::try_from(scale).ok().filter(|s| *s < MEMO)?;
        Some(if memo { scale | MEMO } else { scale })
    }

    fn scale(&self) -> u8 {
        self.form & !MEMO
    }

    fn memo(&self) -> bool {
        self.form & MEMO != 0
    }
}

/// A share of a transaction: the percentage as written and its fraction (`pct`).
#[derive(Debug, Clone, Copy)]
struct Share {
    percent: Decimal,
    fraction: Decimal,
}

/// The kernel's lists of an evaluation of columns, kept for the next by a
/// [`Workspace`](crate::Workspace): written anew by each evaluation, so that their pages are
/// reused instead of fresh.
#[derive(Debug, Default)]
pub(crate) struct Spare {
    lines: Vec<Line>,
    /// the lines before they are grouped by payee (see `sort`)
    grouped: Vec<Line>,
    masks: Vec<u32>,
    first: Vec<u32>,
    row_period: Vec<u8>,
}

impl Spare {
    /// The bytes these lists hold.
    pub(crate) fn bytes(&self) -> usize {
        let lines = self.lines.capacity().saturating_add(self.grouped.capacity());
        lines
            .saturating_mul(std::mem::size_of::<Line>())
            .saturating_add(self.masks.capacity().saturating_add(self.first.capacity()).saturating_mul(4))
            .saturating_add(self.row_period.capacity())
    }
}

/// An emptied list of `spare`'s (or a new one) with room for `n` items (exactly: the lists of
/// the lines trade places in `sort`, and a list of one size given room for the other would
/// double).
fn reuse<T>(mut spare: Vec<T>, n: usize) -> Vec<T> {
    spare.clear();
    spare.reserve_exact(n);
    spare
}

/// The kernel's credit lines of one evaluation, grouped by payee in processing order.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    lines: Vec<Line>,
    /// `lines[start[p]..start[p + 1]]` are payee `p`'s lines.
    start: Vec<usize>,
    /// The measures each line counts for (bit `m`).
    masks: Vec<u32>,
    /// The measures any line of each payee counts for.
    payee_masks: Vec<u32>,
    shares: Vec<Share>,
    /// The largest scale of a line amount.
    max_scale: u32,
    /// When the rows are columns ([`credit_columns`]): the period of each credited row, or
    /// [`OTHER_FATE`] for a row whose fate is in `other_fates`.
    row_period: Vec<u8>,
    /// The rows not credited (excluded, rejected), with their fates, in row order.
    other_fates: Vec<(usize, Fate)>,
    /// Whether a line the engine's crediting made is dated otherwise than its row's credit date
    /// (a reversal on its cancellation date): the rows' processing order is then not the lines'.
    off_row_day: bool,
    /// Each payee's number of lines at `p + 1` (the rest zeros), when the crediting counted them
    /// (empty otherwise): taken by `sort`.
    counts: Vec<usize>,
    /// Per SPIFF filter that reads no credit rule (by address), whether each transaction passes
    /// it: found once in input order, where a test per payee line would read transactions, and
    /// their strings, in a scattered order.
    passing: std::cell::RefCell<Passing>,
    /// Lists not in use, from a workspace or left by `sort`, given back by [`Lines::into_spare`].
    spare: Spare,
}

/// [`Columned::payees`] of a string that names no payee.
const NO_PAYEE: u32 = u32::MAX;

/// [`Lines::row_period`] of a row whose fate is not a credit in a period.
const OTHER_FATE: u8 = u8::MAX;

/// Per filter (by address), whether each transaction passes it.
type Passing = Vec<(usize, Vec<bool>)>;

/// Whether an id is empty or only whitespace (`trim().is_empty()`, without the Unicode scan for
/// the usual id that starts with a visible ASCII character).
fn blank(id: &str) -> bool {
    match id.as_bytes().first() {
        Some(&b) if b.is_ascii_graphic() => false,
        _ => id.trim().is_empty(),
    }
}

/// A filter's identity for [`Lines::passing`]: its address (the plan outlives the evaluation).
fn key(filter: &crate::plan::Filter) -> usize {
    std::ptr::from_ref(filter) as usize
}

/// Whether a filter, or the filter it excludes, tests the credit rule of a line.
fn reads_rules(filter: &crate::plan::Filter) -> bool {
    filter.rules.is_some() || filter.exclude.as_deref().is_some_and(reads_rules)
}

/// The bit of measure `m` in a line's mask (none beyond 32 measures).
pub(crate) fn bit(m: usize) -> u32 {
    u32::try_from(m).ok().and_then(|m| 1u32.checked_shl(m)).unwrap_or(0)
}

fn same(a: Decimal, b: Decimal) -> bool {
    a.mantissa() == b.mantissa() && a.scale() == b.scale()
}

/// What the kernel reads of the transactions after crediting.
impl<'a> Rows<'a> {
    fn len(self) -> usize {
        match self {
            Rows::List(l) => l.len(),
            Rows::Columns(c) => c.len(),
        }
    }

    fn quantity(self, i: usize) -> Option<Decimal> {
        match self {
            Rows::List(l) => l.get(i).and_then(|t| t.quantity),
            Rows::Columns(c) => c.row(i).and_then(|r| r.quantity()),
        }
    }

    fn matches(self, filter: &crate::plan::Filter, i: usize, rule_id: Option<&str>) -> bool {
        match self {
            Rows::List(l) => l.get(i).is_some_and(|t| filter_matches(filter, t, rule_id)),
            Rows::Columns(c) => c.row(i).is_some_and(|r| filter_matches_fields(filter, &r, rule_id)),
        }
    }

    fn id(self, i: usize) -> Option<&'a str> {
        match self {
            Rows::List(l) => l.get(i).map(|t| t.id.as_str()),
            Rows::Columns(c) => c.row(i).map(|r| r.id()),
        }
    }

    /// Every id, in input order.
    fn ids(self) -> Box<dyn Iterator<Item = &'a str> + 'a> {
        match self {
            Rows::List(l) => Box::new(l.iter().map(|t| t.id.as_str())),
            Rows::Columns(c) => Box::new(c.ids()),
        }
    }
}

impl Lines {
    /// The lists to keep for the next evaluation.
    pub(crate) fn into_spare(self) -> Spare {
        Spare { lines: self.lines, masks: self.masks, row_period: self.row_period, ..self.spare }
    }

    /// The index of a share (by its exact digits: `50` and `50.0` differ in scale).
    /// `None` past 256 shares (the kernel then leaves the evaluation to the engine).
    fn share_index(&mut self, percent: Decimal) -> Option<u8> {
        if let Some(i) = self.shares.iter().position(|s| same(s.percent, percent)) {
            return u8::try_from(i).ok();
        }
        // (a whole share, written `100`, is the usual case)
        let k = u8::try_from(self.shares.len()).ok()?;
        self.shares.push(Share { percent, fraction: pct(percent) });
        Some(k)
    }

    /// Whether any line of payee `p` counts for measure `m`.
    pub(crate) fn counted(&self, p: usize, m: usize) -> bool {
        self.payee_masks.get(p).is_some_and(|x| x & bit(m) != 0)
    }

    fn payee_lines(&self, p: usize) -> &[Line] {
        let (a, b) = (self.start.get(p).copied().unwrap_or(0), self.start.get(p + 1).copied().unwrap_or(0));
        self.lines.get(a..b).unwrap_or(&[])
    }

    /// Whether each transaction passes `filter` (found on first use, then kept in
    /// [`Lines::passing`]), unless the filter reads a credit rule (then each line is tested).
    fn passes(&self, filter: &crate::plan::Filter, txns: Rows<'_>) -> Option<std::cell::Ref<'_, [bool]>> {
        if reads_rules(filter) {
            return None;
        }
        let k = key(filter);
        if !self.passing.try_borrow().ok()?.iter().any(|x| x.0 == k) {
            let ok = match txns {
                Rows::Columns(c) => c.passing(filter),
                Rows::List(_) => (0..txns.len()).map(|i| txns.matches(filter, i, None)).collect(),
            };
            self.passing.try_borrow_mut().ok()?.push((k, ok));
        }
        let cache = self.passing.try_borrow().ok()?;
        std::cell::Ref::filter_map(cache, |c| c.iter().find(|x| x.0 == k).map(|x| x.1.as_slice())).ok()
    }

    fn payee_masks_of(&self, p: usize) -> &[u32] {
        let (a, b) = (self.start.get(p).copied().unwrap_or(0), self.start.get(p + 1).copied().unwrap_or(0));
        self.masks.get(a..b).unwrap_or(&[])
    }

    fn share(&self, k: u8) -> Share {
        self.shares
            .get(usize::from(k))
            .copied()
            .unwrap_or(Share { percent: Decimal::ONE_HUNDRED, fraction: Decimal::ONE })
    }

    fn amount(l: &Line) -> Num {
        Num { m: i128::from(l.amount), s: u32::from(l.scale()) }
    }

    /// Credited units: the transaction's quantity (default 1, or 0 for a credit memo) × share.
    fn quantity(&self, l: &Line, txns: Rows<'_>) -> Result<Num> {
        let q = txns.quantity(l.txn as usize).unwrap_or(if l.memo() { Decimal::ZERO } else { Decimal::ONE });
        Num::of(q).mul(Num::of(self.share(l.share).fraction), "credited units")
    }

    /// Deals: the share as a fraction (none for a credit memo).
    fn deals(&self, l: &Line) -> Num {
        if l.memo() {
            Num::ZERO
        } else {
            Num::of(self.share(l.share).fraction)
        }
    }

    fn unit_value(&self, l: &Line, kind: MeasureKind, txns: Rows<'_>) -> Result<Num> {
        Ok(match kind {
            MeasureKind::Amount => Self::amount(l),
            MeasureKind::Quantity => self.quantity(l, txns)?,
            MeasureKind::Count => self.deals(l),
        })
    }

    /// The engine's form of a line (for the lines the integer path leaves to the engine).
    fn credit(&self, l: &Line, txns: Rows<'_>) -> Result<Credit> {
        let share = self.share(l.share);
        Ok(Credit {
            txn: l.txn as usize,
            payee: l.payee as usize,
            rule: usize::from(l.rule),
            share: share.percent,
            amount: Self::amount(l).dec("a credit line")?,
            quantity: self.quantity(l, txns)?.dec("credited units")?,
            deals: self.deals(l).dec("a credit line")?,
            date: NaiveDate::from_num_days_from_ce_opt(l.day).unwrap_or_default(),
            period: usize::from(l.period),
            reversal: false,
            fx: None,
            trace: String::new(),
        })
    }

    /// The first rejected row, when the rows are columns (strict mode fails on it).
    pub(crate) fn first_rejected(&self) -> Option<&crate::statement::Rejected> {
        self.other_fates.iter().find_map(|(_, f)| match f {
            Fate::Rejected(r) => Some(r),
            _ => None,
        })
    }

    /// Adds a line the engine's crediting made (`memo`: its transaction is a credit memo).
    fn push(&mut self, c: &Credit, memo: bool) -> Option<()> {
        let share = self.share_index(c.share)?;
        let amount = i64::try_from(c.amount.mantissa()).ok()?;
        let form = Line::form(c.amount.scale(), memo)?;
        self.max_scale = self.max_scale.max(c.amount.scale());
        self.lines.push(Line {
            amount,
            txn: u32::try_from(c.txn).ok()?,
            payee: u32::try_from(c.payee).ok()?,
            day: c.date.num_days_from_ce(),
            rule: u8::try_from(c.rule).ok()?,
            share,
            period: u8::try_from(c.period).ok()?,
            form,
        });
        Some(())
    }
}

/// The plan's people as the crediting reads them: each payee's days in role and reporting
/// lines with day numbers and manager indices, in flat lists (a list per payee was a pointer to
/// follow, and a cache miss, for every roll-up among thousands of payees).
struct People {
    /// Per payee: (first day, last day) in role, and where its reporting lines start in `reports`
    /// (they end where the next payee's start).
    role: Vec<(i32, i32, u32)>,
    /// (from, to, manager) of every payee's reporting lines, payee by payee, each payee's in the
    /// plan's order; `NO_MANAGER` for a manager who is not a payee.
    reports: Vec<(i32, i32, u32)>,
}

/// A reporting line's manager who is not a payee.
const NO_MANAGER: u32 = u32::MAX;

impl People {
    fn new(plan: &Plan, ctx: &CreditContext<'_>) -> People {
        let day = |d: Option<NaiveDate>, or: i32| d.map_or(or, |d| d.num_days_from_ce());
        let mut role = Vec::with_capacity(plan.payees.len() + 1);
        let mut reports = Vec::new();
        for p in &plan.payees {
            // (more than 2^32 reporting lines cannot be held in memory: saturating is unreachable)
            role.push((day(p.start, i32::MIN), day(p.end, i32::MAX), u32::try_from(reports.len()).unwrap_or(u32::MAX)));
            for r in &p.reports_to {
                let manager =
                    (ctx.payee_index)(r.manager.as_str()).and_then(|m| u32::try_from(m).ok()).unwrap_or(NO_MANAGER);
                reports.push((day(r.from, i32::MIN), day(r.to, i32::MAX), manager));
            }
        }
        // (the end of the last payee's lines)
        role.push((i32::MAX, i32::MIN, u32::try_from(reports.len()).unwrap_or(u32::MAX)));
        People { role, reports }
    }

    /// The number of payees.
    fn len(&self) -> usize {
        self.role.len().saturating_sub(1)
    }

    /// The days around `d` (first and last) on which payee `p`'s role and reporting lines stay as
    /// they are on `d`: [`People::in_role`] and [`People::manager`] give the same on each.
    fn steady(&self, p: usize, d: i32) -> (i32, i32) {
        let (mut lo, mut hi) = (i32::MIN, i32::MAX);
        // (`b` is the first day of a new piece: a start, or the day after an end)
        let mut cut = |b: i64| {
            if b <= i64::from(d) {
                lo = lo.max(i32::try_from(b).unwrap_or(i32::MIN));
            } else {
                hi = hi.min(i32::try_from(b - 1).unwrap_or(i32::MAX));
            }
        };
        let [(a, z, from), (_, _, to), ..] = self.role.get(p..).unwrap_or(&[]) else { return (lo, hi) };
        cut(i64::from(*a));
        cut(i64::from(*z) + 1);
        for &(f, t, _) in self.reports.get(*from as usize..*to as usize).unwrap_or(&[]) {
            cut(i64::from(f));
            cut(i64::from(t) + 1);
        }
        (lo, hi)
    }

    /// Whether payee `p` is in role on day `d` (the entry past the last payee never is).
    #[inline]
    fn in_role(&self, p: usize, d: i32) -> bool {
        self.role.get(p).is_some_and(|&(a, z, _)| a <= d && d <= z)
    }

    /// Payee `p`'s manager on day `d`.
    #[inline]
    fn manager(&self, p: usize, d: i32) -> Option<usize> {
        let [(_, _, from), (_, _, to), ..] = *self.role.get(p..)? else { return None };
        let lines = self.reports.get(from as usize..to as usize)?;
        let m = lines.iter().find(|r| r.0 <= d && d <= r.1)?.2;
        (m != NO_MANAGER).then_some(m as usize)
    }
}

/// What the kernel's crediting gives: its lines, or `None` when the inputs fall outside what it
/// covers (a line amount beyond 64 bits, more than 65,536 distinct shares, 256 periods...): the
/// engine then credits everything itself.
///
/// A transaction in the plan currency that nothing rejects is credited here, by the rules of
/// `credit::credit_one` in integers; any other (and one that no rule credits) goes through
/// `credit_one` itself, which gives its reasons.
#[inline(never)]
pub(crate) fn credit(
    ctx: &CreditContext<'_>,
    txns: &[Transaction],
    fates: &mut Vec<Option<Fate>>,
) -> Result<Option<Lines>> {
    let plan = ctx.plan;
    let n = txns.len();
    fates.clear();
    fates.resize(n, None);
    // (two or three lines a transaction are usual: the owner or split participants, and the
    // managers above)
    let mut out = Lines { lines: Vec::with_capacity(n.saturating_mul(5) / 2), ..Default::default() };
    // share 0 is the whole share, `100`
    if out.share_index(Decimal::ONE_HUNDRED).is_none() {
        return Ok(None);
    }
    let repeats = crate::small::StrIndex::repeats(txns.iter().map(|t| t.id.as_str()));
    let setup = Setup::new(ctx);
    let mut scratch = Scratch::default();
    for (i, t) in txns.iter().enumerate() {
        let dup = repeats.get(i).copied().unwrap_or(false);
        let deal = Listed { t, ctx };
        let Some(fate) = credit_row(ctx, &setup, &mut scratch, &mut out, &deal, i, dup)? else {
            return Ok(None);
        };
        if let Some(slot) = fates.get_mut(i) {
            *slot = match fate {
                RowFate::Credited(k) => Some(Fate::Credited(k)),
                RowFate::Other => scratch.fate.take(),
            };
        }
    }
    sort(&mut out, Rows::List(txns), plan.payees.len(), None);
    Ok(Some(out))
}

/// What the kernel's crediting reads of the plan and its periods, found once per evaluation.
struct Setup<'p> {
    book: FxBook<'p>,
    upto_end: Option<NaiveDate>,
    /// The last day of the evaluated period (as days from the common era).
    upto_day: i32,
    /// Each period's first and last day.
    bounds: Vec<(i32, i32)>,
    people: People,
    /// What the crediting reads of each rule, by index.
    rules: Vec<RuleFacts>,
    /// Whether no crediting rule reads the transaction: the recipients of a row without splits
    /// are then its owner's [`Template`].
    templates: bool,
    field: crate::plan::DateField,
}

impl<'p> Setup<'p> {
    fn new(ctx: &CreditContext<'p>) -> Self {
        let plan = ctx.plan;
        let upto_end = ctx.periods.get(ctx.upto).map(|p| p.end);
        Setup {
            book: FxBook::new(&plan.currency, plan.fx.as_ref()),
            upto_end,
            upto_day: upto_end.map_or(i32::MIN, |d| d.num_days_from_ce()),
            bounds: ctx.periods.iter().map(|p| (p.start.num_days_from_ce(), p.end.num_days_from_ce())).collect(),
            people: People::new(plan, ctx),
            rules: RuleFacts::of(plan),
            templates: !plan.crediting.rules.iter().any(|r| r.filter().reads_transaction()),
            field: plan.crediting.credit_date,
        }
    }
}

/// The crediting's working lists, kept from one transaction to the next.
#[derive(Default)]
struct Scratch {
    grants: Vec<(usize, usize, Decimal)>,
    engine_grants: Vec<crate::credit::Grant>,
    made: Vec<Credit>,
    templates: Templates,
    /// The last row's fate when it is not [`RowFate::Credited`].
    fate: Option<Fate>,
}

/// A row's fate as [`credit_row`] gives it: credited, with the period of its credit date (the
/// usual case, given by value), or another fate, left in [`Scratch::fate`]. (A `Fate` is 104
/// bytes: giving one back for every row, through a `Result`, was a tenth of the crediting.)
#[derive(Debug, Clone, Copy)]
enum RowFate {
    Credited(usize),
    Other,
}

/// Credits transaction `i` into `out`: its fate (see [`RowFate`]), or `None` when a line does not fit the kernel.
/// A plain transaction (in the plan currency, nothing to reject, in a period up to the evaluated
/// one) is credited here, by the rules of `credit::credit_one` in integers; any other (and one
/// that no rule credits) goes through `credit_one` itself, which gives its reasons.
fn credit_row<D: Deal>(
    ctx: &CreditContext<'_>,
    s: &Setup<'_>,
    scratch: &mut Scratch,
    out: &mut Lines,
    t: &D,
    i: usize,
    dup: bool,
) -> Result<Option<RowFate>> {
    let day = t.date(s.field).map_or(i32::MAX, |d| d.num_days_from_ce());
    let amount = t.amount();
    let plain = !dup
        && day <= s.upto_day
        && t.in_plan_currency()
        && t.quantity().is_none_or(|q| !q.is_sign_negative() || amount.is_sign_negative())
        && t.cancellation_date().is_none_or(|c| c.num_days_from_ce() >= day)
        && t.refund_amount().is_none()
        && !blank(t.id());
    let period = s.bounds.iter().position(|&(a, z)| a <= day && day <= z);
    if let (true, Some(k)) = (plain, period) {
        let before = out.lines.len();
        match plain_lines(ctx, s, out, t, i, day, k, scratch)? {
            Some(true) => return Ok(Some(RowFate::Credited(k))),
            Some(false) => out.lines.truncate(before),
            None => return Ok(None),
        }
    }
    let Some(txn) = t.transaction() else { return Ok(None) };
    scratch.made.clear();
    let (grants, made) = (&mut scratch.engine_grants, &mut scratch.made);
    let fate = crate::credit::credit_one(ctx, &s.book, &txn, i, dup, s.upto_end, grants, made)?;
    let memo = amount.is_sign_negative() && !amount.is_zero();
    for c in made.iter() {
        if out.push(c, memo).is_none() {
            return Ok(None);
        }
        out.off_row_day |= c.date.num_days_from_ce() != day;
    }
    Ok(Some(match fate {
        Fate::Credited(k) => RowFate::Credited(k),
        other => {
            scratch.fate = Some(other);
            RowFate::Other
        }
    }))
}

/// What the kernel's crediting reads of a transaction: [`Listed`] for a [`Transaction`],
/// [`Columned`] for a row of [`TransactionColumns`].
trait Deal {
    fn id(&self) -> &str;
    fn date(&self, field: crate::plan::DateField) -> Option<NaiveDate>;
    /// Whether the transaction is in the plan's currency or names none.
    fn in_plan_currency(&self) -> bool;
    fn quantity(&self) -> Option<Decimal>;
    fn cancellation_date(&self) -> Option<NaiveDate>;
    fn refund_amount(&self) -> Option<Decimal>;
    /// The transaction itself, for the engine's crediting (`None`: past the last row).
    fn transaction(&self) -> Option<std::borrow::Cow<'_, Transaction>>;
    /// The owner's payee index (`None`: no owner, or not a payee of the plan).
    fn owner(&self) -> Option<usize>;
    fn has_splits(&self) -> bool;
    /// Calls `f` with each split participant's payee index and percent, in order, while it
    /// returns `true`.
    fn splits(&self, f: &mut dyn FnMut(Option<usize>, Decimal) -> Result<bool>) -> Result<()>;
    fn passes(&self, filter: &crate::plan::Filter) -> bool;
    fn amount(&self) -> Decimal;
}

struct Listed<'a, 'c> {
    t: &'a Transaction,
    ctx: &'a CreditContext<'c>,
}

impl Deal for Listed<'_, '_> {
    fn id(&self) -> &str {
        &self.t.id
    }

    fn date(&self, field: crate::plan::DateField) -> Option<NaiveDate> {
        crate::credit::credit_date(self.t, field)
    }

    fn in_plan_currency(&self) -> bool {
        self.t.currency.as_deref().is_none_or(|c| c == self.ctx.plan.currency)
    }

    fn quantity(&self) -> Option<Decimal> {
        self.t.quantity
    }

    fn cancellation_date(&self) -> Option<NaiveDate> {
        self.t.cancellation_date
    }

    fn refund_amount(&self) -> Option<Decimal> {
        self.t.refund_amount
    }

    fn transaction(&self) -> Option<std::borrow::Cow<'_, Transaction>> {
        Some(std::borrow::Cow::Borrowed(self.t))
    }

    fn owner(&self) -> Option<usize> {
        self.t.owner.as_deref().and_then(|o| (self.ctx.payee_index)(o))
    }

    fn has_splits(&self) -> bool {
        !self.t.splits.is_empty()
    }

    fn splits(&self, f: &mut dyn FnMut(Option<usize>, Decimal) -> Result<bool>) -> Result<()> {
        for s in &self.t.splits {
            if !f((self.ctx.payee_index)(s.payee.as_str()), s.percent)? {
                break;
            }
        }
        Ok(())
    }

    fn passes(&self, filter: &crate::plan::Filter) -> bool {
        filter_matches(filter, self.t, None)
    }

    fn amount(&self) -> Decimal {
        self.t.amount
    }
}

/// A row of [`TransactionColumns`] with the payee index of each of its strings.
struct Columned<'a> {
    row: crate::columns::Row<'a>,
    /// The payee index of each distinct string (by number), [`NO_PAYEE`] for a string that
    /// names none (4 bytes each: a lookup per row among thousands of owners stays in cache).
    payees: &'a [u32],
    /// The number of the plan's currency among the columns' strings (`None` when no row names it).
    plan_currency: Option<u32>,
}

impl Columned<'_> {
    /// The payee index of string number `n`, when it names a payee.
    fn payee(&self, n: u32) -> Option<usize> {
        self.payees.get(n as usize).filter(|&&p| p != NO_PAYEE).map(|&p| p as usize)
    }
}

impl Deal for Columned<'_> {
    fn id(&self) -> &str {
        self.row.id()
    }

    fn date(&self, field: crate::plan::DateField) -> Option<NaiveDate> {
        self.row.date(field)
    }

    /// (by the currency's number: no string compared)
    fn in_plan_currency(&self) -> bool {
        let n = self.row.currency_number();
        n == crate::columns::NONE || Some(n) == self.plan_currency
    }

    fn quantity(&self) -> Option<Decimal> {
        self.row.quantity()
    }

    fn cancellation_date(&self) -> Option<NaiveDate> {
        self.row.cancellation_date()
    }

    fn refund_amount(&self) -> Option<Decimal> {
        self.row.refund_amount()
    }

    fn transaction(&self) -> Option<std::borrow::Cow<'_, Transaction>> {
        self.row.transaction().map(std::borrow::Cow::Owned)
    }

    fn owner(&self) -> Option<usize> {
        self.payee(self.row.owner())
    }

    fn has_splits(&self) -> bool {
        self.row.has_splits()
    }

    fn splits(&self, f: &mut dyn FnMut(Option<usize>, Decimal) -> Result<bool>) -> Result<()> {
        for (payee, percent) in self.row.splits() {
            if !f(self.payee(payee), percent)? {
                break;
            }
        }
        Ok(())
    }

    fn passes(&self, filter: &crate::plan::Filter) -> bool {
        filter_matches_fields(filter, &self.row, None)
    }

    fn amount(&self) -> Decimal {
        self.row.amount()
    }
}

/// The kernel's crediting of transactions in columns: [`credit`]'s lines and fates. A plain row
/// is credited from the columns; any other (a repeated id, a foreign currency, a date after the
/// evaluated period, a cancellation, an owner who is not a payee...) is read back as a
/// [`Transaction`] and credited by `credit_one`, which gives its reasons. `None` when a line
/// does not fit the kernel: the caller then evaluates the rows as a list.
///
/// Each distinct owner or split participant is looked up among the payees once, not once a row.
#[inline(never)]
pub(crate) fn credit_columns(
    ctx: &CreditContext<'_>,
    cols: &TransactionColumns,
    spare: Spare,
) -> Result<Option<Lines>> {
    let plan = ctx.plan;
    let n = cols.len();
    let Spare { lines, grouped, masks, first, row_period } = spare;
    let mut out = Lines {
        lines: reuse(lines, n.saturating_mul(5) / 2),
        row_period: reuse(row_period, n),
        spare: Spare { grouped, masks, ..Spare::default() },
        ..Default::default()
    };
    if out.share_index(Decimal::ONE_HUNDRED).is_none() {
        return Ok(None);
    }
    // (which ids repeat an earlier one: found only when one does, and kept with the columns)
    let repeats = cols.kept_repeats(|| {
        let id = |i: usize| cols.row(i).map_or("", |r| r.id());
        if crate::small::StrIndex::any_repeat(n, &id) {
            crate::small::StrIndex::repeats(cols.ids())
        } else {
            Vec::new()
        }
    });
    let setup = Setup::new(ctx);
    let mut scratch = Scratch::default();
    let payee = |s: &String| match (ctx.payee_index)(s) {
        None => Some(NO_PAYEE),
        Some(p) => u32::try_from(p).ok().filter(|&p| p != NO_PAYEE),
    };
    let Some(payees) = cols.strings().iter().map(payee).collect::<Option<Vec<u32>>>() else { return Ok(None) };
    let plan_currency = cols.number_of(&plan.currency);
    // row `i`'s lines are `out.lines[first[i]..first[i + 1]]`
    let mut first: Vec<u32> = reuse(first, n + 1);
    let mut counts = vec![0usize; plan.payees.len() + 1];
    for i in 0..n {
        let Ok(at) = u32::try_from(out.lines.len()) else { return Ok(None) };
        first.push(at);
        let Some(row) = cols.row(i) else { return Ok(None) };
        let dup = repeats.get(i).copied().unwrap_or(false);
        let deal = Columned { row, payees: &payees, plan_currency };
        let Some(fate) = credit_row(ctx, &setup, &mut scratch, &mut out, &deal, i, dup)? else {
            return Ok(None);
        };
        let made = out.lines.get_mut(at as usize..).unwrap_or(&mut []);
        for l in made.iter() {
            // (`sort`'s count of each payee's lines, taken while the row's lines are at hand)
            if let Some(c) = counts.get_mut(l.payee as usize + 1) {
                *c += 1;
            }
        }
        order_row(made, &out.shares);
        match fate {
            RowFate::Credited(k) => match u8::try_from(k) {
                Ok(k) if k != OTHER_FATE => out.row_period.push(k),
                _ => return Ok(None),
            },
            RowFate::Other => {
                let Some(other) = scratch.fate.take() else { return Ok(None) };
                out.row_period.push(OTHER_FATE);
                out.other_fates.push((i, other));
            }
        }
    }
    let Ok(end) = u32::try_from(out.lines.len()) else { return Ok(None) };
    first.push(end);
    // Without repeated ids, and with every line on its row's credit date, the rows' processing
    // order (kept with the columns) is the lines' (see `sort`).
    let field = plan.crediting.credit_date;
    let by_rows = (repeats.is_empty() && !out.off_row_day)
        .then(|| (cols.kept_order(field, || row_order(cols, field)), first.as_slice()));
    out.counts = counts;
    sort(&mut out, Rows::Columns(cols), plan.payees.len(), by_rows);
    out.spare.first = first;
    Ok(Some(out))
}

/// What the kernel's crediting reads of a crediting rule, found once per evaluation rather than
/// once a transaction.
struct RuleFacts {
    /// Whether the rule's filter reads the transaction (otherwise every transaction passes it).
    reads: bool,
    /// A roll-up's facts (`None` for other rules).
    rollup: Option<RollupFacts>,
}

/// What the kernel's crediting reads of a roll-up rule.
struct RollupFacts {
    /// Its fraction of the team member's share; `None` when that is `1` (the share as it is, digits
    /// and scale: x × 1 is x).
    fraction: Option<Decimal>,
    /// How many levels of managers it climbs (at most the number of payees).
    levels: u32,
    /// Whether it rolls up each rule's grants, by rule index.
    from: Vec<bool>,
}

impl RuleFacts {
    fn of(plan: &Plan) -> Vec<RuleFacts> {
        let rules = &plan.crediting.rules;
        rules
            .iter()
            .map(|rule| RuleFacts {
                reads: rule.filter().reads_transaction(),
                rollup: match rule {
                    CreditRule::Rollup { percent, levels, from_rules, .. } => {
                        let fraction = pct(percent.unwrap_or(Decimal::ONE_HUNDRED));
                        Some(RollupFacts {
                            fraction: (!same(fraction, Decimal::ONE)).then_some(fraction),
                            levels: levels
                                .unwrap_or(u32::MAX)
                                .min(u32::try_from(plan.payees.len()).unwrap_or(u32::MAX)),
                            from: rules
                                .iter()
                                .map(|src| from_rules.is_empty() || from_rules.iter().any(|f| f == src.id()))
                                .collect(),
                        })
                    }
                    _ => None,
                },
            })
            .collect()
    }
}

/// Whether a share is `100` exactly as written so (the whole share, share 0 of [`Lines`]).
#[inline]
fn whole_share(share: Decimal) -> bool {
    share.serialize() == Decimal::ONE_HUNDRED.serialize()
}

/// Credits a plain transaction as `credit_one` does: `Some(true)` with its lines added,
/// `Some(false)` when `credit_one` must decide (an owner or split participant unknown, a bad
/// split, no line made), `None` when a line does not fit the kernel.
///
/// Who is credited, by which rule and with which share (the recipients) is found by the rules,
/// or, for a row without splits when no rule reads the transaction, taken from its owner's
/// [`Template`] while that holds.
#[allow(clippy::too_many_arguments)]
fn plain_lines<D: Deal>(
    ctx: &CreditContext<'_>,
    setup: &Setup<'_>,
    out: &mut Lines,
    t: &D,
    i: usize,
    day: i32,
    period: usize,
    scratch: &mut Scratch,
) -> Result<Option<bool>> {
    let owner = if setup.templates && !t.has_splits() { t.owner() } else { None };
    let held = owner.and_then(|o| scratch.templates.holding(o, day));
    let (from, to) = match held {
        Some(range) => range,
        None => {
            if !grants(ctx, setup, t, day, &mut scratch.grants)? {
                return Ok(Some(false));
            }
            match scratch.templates.make(&setup.people, out, &scratch.grants, owner, day) {
                Some(range) => range,
                None => return Ok(None),
            }
        }
    };
    let recipients = scratch.templates.recipients.get(from..to).unwrap_or(&[]);
    if recipients.is_empty() {
        return Ok(Some(false));
    }
    let memo = t.amount().is_sign_negative() && !t.amount().is_zero();
    let amount = Num::of(t.amount());
    let (Ok(txn), Ok(period)) = (u32::try_from(i), u8::try_from(period)) else {
        return Ok(None);
    };
    for &(payee, rule, k) in recipients {
        // (the whole share's fraction is `1`: the amount as it is)
        let line = if k == 0 { amount } else { amount.mul(Num::of(out.share(k).fraction), "a credit share")? };
        let (Ok(m), Some(form)) = (i64::try_from(line.m), Line::form(line.s, memo)) else {
            return Ok(None);
        };
        out.max_scale = out.max_scale.max(line.s);
        out.lines.push(Line { amount: m, txn, payee, day, rule, share: k, period, form });
    }
    Ok(Some(true))
}

/// The grants of a plain transaction by the crediting rules, roll-ups included, as
/// `credit_one` finds them: `false` when `credit_one` must decide (an owner or split
/// participant unknown, a bad split).
fn grants<D: Deal>(
    ctx: &CreditContext<'_>,
    setup: &Setup<'_>,
    t: &D,
    day: i32,
    grants: &mut Vec<(usize, usize, Decimal)>,
) -> Result<bool> {
    let plan = ctx.plan;
    let people = &setup.people;
    grants.clear();
    for (r, (rule, facts)) in plan.crediting.rules.iter().zip(&setup.rules).enumerate() {
        if facts.rollup.is_some() || (facts.reads && !t.passes(rule.filter())) {
            continue;
        }
        let owner = || t.owner();
        match rule {
            CreditRule::Direct { percent, .. } => {
                let Some(p) = owner() else { return Ok(false) };
                grants.push((p, r, percent.unwrap_or(Decimal::ONE_HUNDRED)));
            }
            CreditRule::Split { shares, must_total, .. } => {
                if !shares.is_empty() {
                    for s in shares {
                        let Some(p) = (ctx.payee_index)(s.payee.as_str()) else { return Ok(false) };
                        grants.push((p, r, s.percent));
                    }
                } else if t.has_splits() {
                    // (the sum in integers, as `credit_one` adds it in decimals: the same value)
                    let mut total = Num::ZERO;
                    let mut known = true;
                    t.splits(&mut |p, percent| {
                        match p {
                            Some(p) if !percent.is_zero() && percent.is_sign_positive() => {
                                total = total.add(Num::of(percent), "split percentages")?;
                                grants.push((p, r, percent));
                            }
                            _ => known = false,
                        }
                        Ok(known)
                    })?;
                    if !known {
                        return Ok(false);
                    }
                    if let Some(want) = must_total {
                        if total.dec("split percentages")? != *want {
                            return Ok(false);
                        }
                    }
                } else {
                    let Some(p) = owner() else { return Ok(false) };
                    grants.push((p, r, Decimal::ONE_HUNDRED));
                }
            }
            CreditRule::Overlay { payee, percent, .. } => {
                let Some(p) = (ctx.payee_index)(payee.as_str()) else { return Ok(false) };
                grants.push((p, r, *percent));
            }
            CreditRule::Rollup { .. } => {}
        }
    }
    // roll-ups of the base grants, by the reporting lines on the credit day
    let base = grants.len();
    for (r, (rule, facts)) in plan.crediting.rules.iter().zip(&setup.rules).enumerate() {
        let Some(rollup) = &facts.rollup else { continue };
        if facts.reads && !t.passes(rule.filter()) {
            continue;
        }
        for g in 0..base {
            let Some(&(payee, src_rule, share)) = grants.get(g) else { continue };
            if !people.in_role(payee, day) || !rollup.from.get(src_rule).copied().unwrap_or(false) {
                continue;
            }
            let s = match rollup.fraction {
                None => share,
                Some(f) => Num::of(share).mul(Num::of(f), "a roll-up share")?.dec("a roll-up share")?,
            };
            let mut cur = payee;
            for _ in 0..rollup.levels {
                let Some(m) = people.manager(cur, day) else { break };
                grants.push((m, r, s));
                cur = m;
            }
        }
    }
    Ok(true)
}

/// Who a plain row is credited to (payee, rule, share index), per owner: for a row without
/// splits when no crediting rule reads the transaction, the recipients depend only on the
/// owner and on the roles and reporting lines of the people involved on the credit day. They
/// are found by the rules once, and kept for every day on which none of those changes (see
/// [`People::steady`]).
#[derive(Default)]
struct Templates {
    /// Per owner (payee index): the days on which its template holds (`lo > hi`: none yet) and
    /// where its recipients are in `recipients`.
    by_owner: Vec<Template>,
    recipients: Vec<(u32, u8, u8)>,
    /// Where the templates' recipients end in `recipients` (a row's own follow).
    kept: usize,
}

/// An owner's template (see [`Templates`]): the days on which it holds, and its `len`
/// recipients from `from` in [`Templates::recipients`], in a space of `room` (16 bytes: one is
/// read per row, from among thousands of owners).
#[derive(Clone, Copy)]
struct Template {
    lo: i32,
    hi: i32,
    from: u32,
    len: u16,
    room: u16,
}

impl Template {
    fn range(self) -> (usize, usize) {
        (self.from as usize, self.from as usize + usize::from(self.len))
    }
}

impl Templates {
    /// Where owner `o`'s recipients are, when its template holds on `day`.
    #[inline]
    fn holding(&self, o: usize, day: i32) -> Option<(usize, usize)> {
        let t = self.by_owner.get(o)?;
        (t.lo <= day && day <= t.hi).then(|| t.range())
    }

    /// The recipients of `grants` on `day` (the payees in role, each share by its index in
    /// `out`), kept as `owner`'s template when there is one, otherwise in a space reused by the
    /// next row: where they are in `recipients`. `None` when one does not fit the kernel.
    fn make(
        &mut self,
        people: &People,
        out: &mut Lines,
        grants: &[(usize, usize, Decimal)],
        owner: Option<usize>,
        day: i32,
    ) -> Option<(usize, usize)> {
        // (the templates' recipients end at `kept`; a row's own go after them)
        self.recipients.truncate(self.kept);
        let (mut lo, mut hi) = (i32::MIN, i32::MAX);
        for &(p, r, share) in grants {
            if owner.is_some() {
                let (a, z) = people.steady(p, day);
                (lo, hi) = (lo.max(a), hi.min(z));
            }
            if !people.in_role(p, day) {
                continue;
            }
            let k = if whole_share(share) { 0 } else { out.share_index(share)? };
            self.recipients.push((u32::try_from(p).ok()?, u8::try_from(r).ok()?, k));
        }
        let (from, to) = (self.kept, self.recipients.len());
        let Some(o) = owner else { return Some((from, to)) };
        if self.by_owner.is_empty() {
            self.by_owner = vec![Template { lo: 1, hi: 0, from: 0, len: 0, room: 0 }; people.len()];
        }
        let slot = self.by_owner.get_mut(o)?;
        let len = u16::try_from(to - from).ok()?;
        if len <= slot.room {
            // (in the space of the owner's earlier template: the templates' space stays bounded
            // when an owner's rows cross a change of role or reporting line back and forth)
            self.recipients.copy_within(from..to, slot.from as usize);
            self.recipients.truncate(from);
            *slot = Template { lo, hi, len, ..*slot };
        } else {
            *slot = Template { lo, hi, from: u32::try_from(from).ok()?, len, room: len };
            self.kept = to;
        }
        Some(slot.range())
    }
}

/// Sort keys of transaction ids (see `sort`).
struct IdKeys {
    keys: Vec<u128>,
}

impl IdKeys {
    fn new(txns: Rows<'_>) -> IdKeys {
        let first = txns.id(0).unwrap_or("").as_bytes();
        let shared = txns
            .ids()
            .fold(first.len(), |n, id| first.iter().zip(id.as_bytes()).take(n).take_while(|(a, b)| a == b).count());
        let keys = txns
            .ids()
            .map(|id| {
                let mut k = [0u8; 16];
                let rest = id.as_bytes().get(shared..).unwrap_or(&[]);
                for (slot, b) in k.iter_mut().zip(rest) {
                    *slot = *b;
                }
                u128::from_be_bytes(k)
            })
            .collect();
        IdKeys { keys }
    }

    fn of(&self, txn: u32) -> u128 {
        self.keys.get(txn as usize).copied().unwrap_or(0)
    }
}

/// Runs of at most this many lines are sorted in place with the whole order (longer ones as
/// pairs of a prefix and a position: see [`sort`]).
const SHORT_RUN: usize = 256;

/// The 64-bit sort prefix of a credit date and an id key ([`IdKeys`]): the days after `first`
/// (dates spanning less than 2^16 days: see [`prefixes_fit`]) above the key's first 6 bytes.
/// Prefixes order as the dates then the ids do, up to ties, which the whole order breaks.
fn prefix(day: i32, first: i32, key: u128) -> u64 {
    let days = u64::try_from(i64::from(day) - i64::from(first)).unwrap_or(0);
    (days << 48) | u64::try_from(key >> 80).unwrap_or(0)
}

/// Whether dates from `first` to `last` fit a [`prefix`].
fn prefixes_fit(first: i32, last: i32) -> bool {
    i64::from(last) - i64::from(first) < 1 << 16
}

/// The rows of `cols` in the engine's processing order for credit dates in `field`: credit
/// date (rows without one last), id (as its bytes), then row. Lines on their row's credit date,
/// of rows whose ids are all distinct, take their order from their rows' (see [`sort`]); the
/// order depends on the rows alone, and is kept with them (`TransactionColumns::kept_order`).
pub(crate) fn row_order(cols: &TransactionColumns, field: crate::plan::DateField) -> Vec<u32> {
    let rows = Rows::Columns(cols);
    let day: Vec<i32> = (0..cols.len())
        .map(|i| cols.row(i).and_then(|r| r.date(field)).map_or(i32::MAX, |d| d.num_days_from_ce()))
        .collect();
    let keys = IdKeys::new(rows);
    let day_of = |r: u32| day.get(r as usize).copied().unwrap_or(i32::MAX);
    let order = |a: &u32, b: &u32| {
        day_of(*a)
            .cmp(&day_of(*b))
            .then_with(|| keys.of(*a).cmp(&keys.of(*b)))
            .then_with(|| rows.id(*a as usize).cmp(&rows.id(*b as usize)))
            .then_with(|| a.cmp(b))
    };
    let Ok(n) = u32::try_from(cols.len()) else { return Vec::new() };
    let (first, last) =
        day.iter().filter(|&&d| d != i32::MAX).fold((i32::MAX, i32::MIN), |(a, z), &d| (a.min(d), z.max(d)));
    if !prefixes_fit(first, last) {
        let mut rows: Vec<u32> = (0..n).collect();
        rows.sort_unstable_by(order);
        return rows;
    }
    // as (prefix, row) pairs, the prefix the date (days after the first) and the first 6 bytes of
    // the id key (as `sort` orders a long run); a row without a date last
    let prefix_of = |r: u32| match day_of(r) {
        i32::MAX => u64::MAX,
        d => prefix(d, first, keys.of(r)),
    };
    let mut pairs: Vec<(u64, u32)> = (0..n).map(|r| (prefix_of(r), r)).collect();
    pairs.sort_unstable_by(|x, y| x.0.cmp(&y.0).then_with(|| order(&x.1, &y.1)));
    pairs.into_iter().map(|(_, r)| r).collect()
}

/// Puts a row's lines in the order the engine gives a payee's lines of one transaction (a
/// manager's roll-ups of two split participants): by rule, then share, and as made for equal
/// ones. A row that gives each payee one line (most) is left as it is; otherwise its lines are
/// sorted by payee, rule and share (a stable insertion sort: two to four lines). [`sort`] then
/// keeps each payee's lines of a row in this order.
fn order_row(row: &mut [Line], shares: &[Share]) {
    if !row.iter().enumerate().any(|(j, a)| row.iter().skip(j + 1).any(|b| a.payee == b.payee)) {
        return;
    }
    let percent = |l: &Line| shares.get(usize::from(l.share)).map(|s| s.percent);
    let after = |a: &Line, b: &Line| {
        a.payee.cmp(&b.payee).then(a.rule.cmp(&b.rule)).then_with(|| percent(a).cmp(&percent(b))) == Ordering::Greater
    };
    for j in 1..row.len() {
        let mut k = j;
        while k > 0 && matches!((row.get(k - 1), row.get(k)), (Some(a), Some(b)) if after(a, b)) {
            row.swap(k - 1, k);
            k -= 1;
        }
    }
}

/// Groups the lines by payee (a counting sort), then orders each payee's lines as the engine
/// does: credit date, transaction id, rule, share, input position.
///
/// With `by_rows`, the rows in processing order ([`row_order`]) and where each row's lines start
/// (the lines being on their rows' credit dates, the ids all distinct): the lines are grouped by
/// payee in their rows' order, which is already the order up to a payee's lines of one row; those
/// few are put in order of rule and share. Nothing is compared but neighbours.
#[inline(never)]
fn sort(out: &mut Lines, txns: Rows<'_>, payees: usize, by_rows: Option<(&[u32], &[u32])>) {
    // (each payee's count at `p + 1`, taken by the crediting or here)
    let mut start = std::mem::take(&mut out.counts);
    if start.len() != payees + 1 {
        start = vec![0usize; payees + 1];
        for l in &out.lines {
            if let Some(c) = start.get_mut(l.payee as usize + 1) {
                *c += 1;
            }
        }
    }
    for p in 1..start.len() {
        let before = start.get(p - 1).copied().unwrap_or(0);
        if let Some(c) = start.get_mut(p) {
            *c += before;
        }
    }
    // (every slot is written below: filled rather than copied from the lines, which would read
    // them once more; and a list kept from an evaluation before is not filled again where it
    // has slots already, which every line then overwrites)
    let n = out.lines.len();
    let mut grouped = std::mem::take(&mut out.spare.grouped);
    grouped.truncate(n);
    grouped.reserve_exact(n - grouped.len());
    grouped.resize(n, Line::BLANK);
    let mut next = start.clone();
    if let Some((order, first)) = by_rows.filter(|(order, first)| order.len() + 1 == first.len()) {
        let mut placed = 0;
        for &r in order {
            let (a, b) = (first.get(r as usize).copied(), first.get(r as usize + 1).copied());
            let (Some(a), Some(b)) = (a, b) else { continue };
            for l in out.lines.get(a as usize..b as usize).unwrap_or(&[]) {
                if let Some(at) = next.get_mut(l.payee as usize) {
                    if let Some(slot) = grouped.get_mut(*at) {
                        *slot = *l;
                        placed += 1;
                    }
                    *at += 1;
                }
            }
        }
        if placed == out.lines.len() {
            // (a payee's lines of one row are in order already: `order_row`)
            out.spare.grouped = std::mem::replace(&mut out.lines, grouped);
            out.start = start;
            return;
        }
        grouped.clone_from(&out.lines);
        next.clone_from(&start);
    }
    for l in &out.lines {
        if let Some(at) = next.get_mut(l.payee as usize) {
            if let Some(slot) = grouped.get_mut(*at) {
                *slot = *l;
            }
            *at += 1;
        }
    }
    let id = |l: &Line| txns.id(l.txn as usize);
    // Ids are compared through a 16-byte key of each: the bytes after the prefix every id shares,
    // big-endian, padded with zeros. Keys that differ order their ids as the bytes do (a padded
    // zero sits where the shorter id has ended); equal keys fall back to the ids themselves.
    let keys = IdKeys::new(txns);
    let order = |a: &Line, b: &Line| {
        a.day
            .cmp(&b.day)
            .then_with(|| keys.of(a.txn).cmp(&keys.of(b.txn)))
            .then_with(|| if a.txn == b.txn { Ordering::Equal } else { id(a).cmp(&id(b)) })
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| {
                let (sa, sb) = (out.shares.get(usize::from(a.share)), out.shares.get(usize::from(b.share)));
                sa.map(|s| s.percent).cmp(&sb.map(|s| s.percent))
            })
            .then_with(|| a.txn.cmp(&b.txn))
    };
    // A long run is sorted as (prefix, position) pairs: the prefix is the credit date (days after
    // the run's first, when they span less than 2^16 days) and the first 6 bytes of the id key in
    // one 64-bit integer, so that most comparisons are one integer comparison of a pair at hand
    // rather than lookups of two keys by transaction; equal prefixes go on with the whole order.
    // The lines are then written in the pairs' order, into the buffer of the ungrouped lines.
    let mut pairs: Vec<(u64, u32)> = Vec::new();
    let mut result = std::mem::take(&mut out.lines);
    result.clear();
    for w in start.windows(2) {
        let [a, b] = *w else { continue };
        let Some(run) = grouped.get_mut(a..b) else { continue };
        // (the run's dates, read only for a long run: one pass for the first and the last)
        let (first, last) = if run.len() <= SHORT_RUN {
            (0, i32::MAX)
        } else {
            run.iter().fold((i32::MAX, i32::MIN), |(a, z), l| (a.min(l.day), z.max(l.day)))
        };
        if run.len() <= SHORT_RUN || !prefixes_fit(first, last) {
            // (the order is total: which sort does not matter)
            run.sort_unstable_by(order);
            result.extend_from_slice(run);
            continue;
        }
        pairs.clear();
        pairs.extend(run.iter().zip(0u32..).map(|(l, i)| (prefix(l.day, first, keys.of(l.txn)), i)));
        let at = |i: u32| run.get(i as usize);
        pairs.sort_unstable_by(|x, y| {
            x.0.cmp(&y.0).then_with(|| match (at(x.1), at(y.1)) {
                (Some(a), Some(b)) => order(a, b),
                _ => x.1.cmp(&y.1),
            })
        });
        result.extend(pairs.iter().filter_map(|&(_, i)| at(i).copied()));
    }
    (out.lines, out.spare.grouped) = if result.len() == grouped.len() { (result, grouped) } else { (grouped, result) };
    out.start = start;
}

/// Which measures each line counts for, and every measure's value per payee and period:
/// `values.get(payee, measure)[period]`, added in processing order as the engine adds them.
#[inline(never)]
pub(crate) fn measures(
    plan: &Plan,
    b: &mut Lines,
    txns: Rows<'_>,
    values: &mut super::Grid<Decimal>,
    periods: usize,
) -> Result<()> {
    let fixed: Vec<Option<Vec<bool>>> =
        plan.measures.iter().map(|measure| super::counted_by_rule(plan, &measure.filter)).collect();
    // the measures decided by the crediting rule alone, as one mask per rule (a rule past the
    // list counts for all of them, as `counted_by_rule`'s lists are read); the others tested
    // line by line
    let by_rule = |r: usize| {
        fixed.iter().enumerate().fold(0u32, |mask, (m, ok)| match ok {
            Some(ok) if ok.get(r).copied().unwrap_or(true) => mask | bit(m),
            _ => mask,
        })
    };
    let rule_masks: Vec<u32> = (0..plan.crediting.rules.len()).map(by_rule).collect();
    let beyond = by_rule(usize::MAX);
    let tested: Vec<(usize, &crate::plan::Measure)> =
        plan.measures.iter().enumerate().filter(|(m, _)| fixed.get(*m).is_some_and(Option::is_none)).collect();
    let mut masks = reuse(std::mem::take(&mut b.spare.masks), b.lines.len());
    for l in &b.lines {
        let mut mask = rule_masks.get(usize::from(l.rule)).copied().unwrap_or(beyond);
        if !tested.is_empty() {
            let rule_id = plan.crediting.rules.get(usize::from(l.rule)).map(|r| r.id());
            for &(m, measure) in &tested {
                if txns.matches(&measure.filter, l.txn as usize, rule_id) {
                    mask |= bit(m);
                }
            }
        }
        masks.push(mask);
    }
    b.masks = masks;
    let np = b.start.len().saturating_sub(1);
    b.payee_masks = vec![0; np];
    let mut acc = vec![Num::ZERO; periods];
    let mut sums = vec![(0i128, 0u8); periods];
    for p in 0..np {
        let mut any = 0u32;
        for &mask in b.payee_masks_of(p) {
            any |= mask;
        }
        if let Some(x) = b.payee_masks.get_mut(p) {
            *x = any;
        }
        for (m, measure) in plan.measures.iter().enumerate() {
            if any & bit(m) == 0 {
                continue;
            }
            let amounts = measure.kind == MeasureKind::Amount
                && amount_sums(b.payee_lines(p), b.payee_masks_of(p), bit(m), b.max_scale, &mut sums, &mut acc);
            if !amounts {
                acc.iter_mut().for_each(|a| *a = Num::ZERO);
                for (l, &mask) in b.payee_lines(p).iter().zip(b.payee_masks_of(p)) {
                    if mask & bit(m) == 0 {
                        continue;
                    }
                    let v = b.unit_value(l, measure.kind, txns)?;
                    if let Some(a) = acc.get_mut(usize::from(l.period)) {
                        *a = a.add(v, "a measure value")?;
                    }
                }
            }
            if let Some(slots) = values.get_mut(p, m) {
                for (slot, a) in slots.iter_mut().zip(&acc) {
                    *slot = a.dec("a measure value")?;
                }
            }
        }
    }
    Ok(())
}

/// Each period's sum of the amounts of `lines` whose mask has `bit`, into `acc`, as
/// [`Num::add`] gives it from [`Num::ZERO`] line by line, but added as integers at scale `g` (at
/// least every line's) in `sums`. `false` when a sum leaves 96 bits at scale `g` (the caller then
/// adds them as `Num`s, which round nothing there either: `acc` is then not set).
///
/// The scale of a `Num` sum is that of the line that took it from zero, and then the largest of
/// the non-zero lines added since: tracked beside the integer sum. The lines added since the sum
/// was last zero have at most that scale, so the sum at `g` divides exactly down to it.
fn amount_sums(lines: &[Line], masks: &[u32], bit: u32, g: u32, sums: &mut [(i128, u8)], acc: &mut [Num]) -> bool {
    sums.iter_mut().for_each(|x| *x = (0, 0));
    // (the sum of the period at hand in locals, kept in registers: a payee's lines come in date
    // order, a period's together; a sum read back from memory for every line waited on its store)
    let mut period = usize::MAX;
    let (mut sum, mut scale) = (0i128, 0u8);
    for (l, &mask) in lines.iter().zip(masks) {
        if mask & bit == 0 {
            continue;
        }
        if usize::from(l.period) != period {
            if let Some(slot) = sums.get_mut(period) {
                *slot = (sum, scale);
            }
            period = usize::from(l.period);
            let Some(&slot) = sums.get(period) else { return false };
            (sum, scale) = slot;
        }
        let s = l.scale();
        let Some(&up) = POW10_64.get(g.saturating_sub(u32::from(s)) as usize) else { return false };
        let v = i128::from(l.amount) * i128::from(up);
        if sum == 0 {
            (sum, scale) = (v, s);
        } else if v != 0 {
            // (a sum within 96 bits plus a line within 127: no overflow of 128)
            sum += v;
            scale = scale.max(s);
        }
        if sum.abs() > MANTISSA_MAX {
            return false;
        }
    }
    if let Some(slot) = sums.get_mut(period) {
        *slot = (sum, scale);
    }
    for (a, &(sum, scale)) in acc.iter_mut().zip(sums.iter()) {
        let Some(&down) = POW10.get(g.saturating_sub(u32::from(scale)) as usize) else { return false };
        *a = Num { m: sum / down, s: u32::from(scale) };
    }
    true
}

/// A sum of rounded line pays, as the engine adds them from `Decimal::ZERO`: `0` without lines,
/// otherwise at the plan's scale. Beyond 96 bits (where rust_decimal rounds a sum) it goes on with
/// `Decimal` additions, as the engine does.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Total {
    pub n: usize,
    sum: i128,
    big: Option<Decimal>,
}

impl Total {
    /// Adds a line pay given as its mantissa at the plan's `scale`.
    #[inline]
    fn add(&mut self, v: i128, scale: u32) -> Result<()> {
        if self.big.is_none() && v.abs() <= MANTISSA_MAX {
            // (two values within 96 bits: their sum cannot overflow 128)
            let s = self.sum + v;
            if s.abs() <= MANTISSA_MAX {
                self.n += 1;
                self.sum = s;
                return Ok(());
            }
        }
        self.add_dec(Num { m: v, s: scale }.dec("a component")?, scale)
    }

    /// Adds a line pay as the engine computed it.
    fn add_dec(&mut self, v: Decimal, scale: u32) -> Result<()> {
        if self.big.is_none() && v.scale() == scale {
            let s = self.sum + v.mantissa();
            if s.abs() <= MANTISSA_MAX {
                self.n += 1;
                self.sum = s;
                return Ok(());
            }
        }
        let before = match self.big {
            Some(b) => b,
            None => self.dec(scale)?,
        };
        self.n += 1;
        self.big = Some(before.add_c(v, "a component")?);
        Ok(())
    }

    pub(crate) fn dec(self, scale: u32) -> Result<Decimal> {
        if let Some(b) = self.big {
            return Ok(b);
        }
        if self.n == 0 {
            return Ok(Decimal::ZERO);
        }
        Decimal::try_from_i128_with_scale(self.sum, scale).map_err(|_| Error::overflow("a component"))
    }
}

/// A line's rounded pay: its mantissa at the plan's scale, or (beyond 96 bits, where rounding
/// cannot pad it to that scale) the `Decimal` the engine computed.
#[derive(Debug, Clone, Copy)]
enum Pay {
    Int(i128),
    Dec(Decimal),
}

impl Pay {
    /// A pay rounded by the engine's `RoundingPolicy::round`.
    fn of(v: Decimal, scale: u32) -> Pay {
        if v.scale() == scale {
            Pay::Int(v.mantissa())
        } else {
            Pay::Dec(v)
        }
    }

    fn dec(self, scale: u32) -> Result<Decimal> {
        match self {
            Pay::Int(m) => Num { m, s: scale }.dec("a line"),
            Pay::Dec(d) => Ok(d),
        }
    }
}

impl Total {
    #[inline]
    fn push(&mut self, v: Pay, scale: u32) -> Result<()> {
        match v {
            Pay::Int(m) => self.add(m, scale),
            Pay::Dec(d) => self.add_dec(d, scale),
        }
    }
}

/// What [`table`] needs to book a line's pay.
struct Booking<'a> {
    /// The per-transaction caps.
    caps: &'a [Decimal],
    rounding: &'a crate::money::RoundingPolicy,
    scale: u32,
    /// The evaluated period.
    k: usize,
}

impl Booking<'_> {
    /// A line's pay, capped per transaction, added to this period's total or the earlier
    /// periods'. (Inlined into each of `table`'s loops: a call per line was a twentieth of them.)
    #[inline(always)]
    fn book(&self, l: &Line, mut amt: Pay, this_period: &mut Total, earlier: &mut Total) -> Result<()> {
        for cap in self.caps {
            if amt.dec(self.scale)? > *cap {
                amt = Pay::of(self.rounding.round(*cap, self.scale), self.scale);
            }
        }
        if usize::from(l.period) == self.k {
            this_period.push(amt, self.scale)
        } else {
            earlier.push(amt, self.scale)
        }
    }
}

/// A tier table in integers: band bounds at scale `g` (`None` for an open end), rates at scale `r`.
struct IntTable {
    g: u32,
    r: u32,
    spans: Vec<(Option<i64>, Option<i64>)>,
    rates: Vec<Option<i64>>,
    floor: Option<i64>,
    ceil: Option<i64>,
    /// Whether the bands are in order and do not overlap (see [`IntTable::band_at`]).
    ordered: bool,
}

fn int_table(t: &ResolvedTable, line_scale: u32) -> Option<IntTable> {
    let bound_scale = |d: &Decimal| if *d == Decimal::MIN { 0 } else { d.scale() };
    let mut g = line_scale;
    for (a, z) in &t.spans {
        g = g.max(bound_scale(a)).max(z.map_or(0, |z| z.scale()));
    }
    g = g.max(t.floor.map_or(0, |x| x.scale())).max(t.ceil.map_or(0, |x| x.scale()));
    let r = t.rates.iter().flatten().map(|x| x.per.scale()).max().unwrap_or(0);
    // (beyond 28 decimals rust_decimal rounds a product: left to the engine)
    if g + r > 28 {
        return None;
    }
    let at = |d: Decimal| Num::of(d).at(g).and_then(|v| i64::try_from(v).ok());
    let opt = |d: Option<Decimal>| match d {
        Some(d) => at(d).map(Some),
        None => Some(None),
    };
    let mut spans = Vec::with_capacity(t.spans.len());
    for (a, z) in &t.spans {
        let a = if *a == Decimal::MIN { None } else { Some(at(*a)?) };
        spans.push((a, opt(*z)?));
    }
    let mut rates = Vec::with_capacity(t.rates.len());
    for x in &t.rates {
        rates.push(match x {
            Some(x) if x.unit == RateUnit::Credit => Some(i64::try_from(Num::of(x.per).at(r)?).ok()?),
            _ => None,
        });
    }
    // (bands in order, each ending at or before the next one starts: a line inside one band
    // overlaps no other)
    let ordered = spans.windows(2).all(|w| match w {
        [(_, Some(z)), (Some(a), _)] => z <= a,
        _ => false,
    });
    Some(IntTable { g, r, spans, rates, floor: opt(t.floor)?, ceil: opt(t.ceil)?, ordered })
}

impl IntTable {
    /// The band holding `[lo, hi]` whole and its rate, when the bands are in order and do not
    /// overlap and nothing clips the basis: a line there is paid at that rate alone, as
    /// [`IntTable::marginal`] pays it (its other bands get no slice).
    #[inline]
    fn band_at(&self, lo: i64, hi: i64) -> Option<(usize, i64)> {
        if !self.ordered || self.floor.is_some() || self.ceil.is_some() {
            return None;
        }
        let i = self.spans.iter().position(|(a, z)| a.is_none_or(|a| a <= lo) && z.is_none_or(|z| hi <= z))?;
        Some((i, (*self.rates.get(i)?)?))
    }

    /// Whether band `i` holds `[lo, hi]` whole (see [`IntTable::band_at`]).
    #[inline]
    fn holds(&self, i: usize, lo: i64, hi: i64) -> bool {
        self.spans.get(i).is_some_and(|(a, z)| a.is_none_or(|a| a <= lo) && z.is_none_or(|z| hi <= z))
    }

    /// The unrounded pay (at scale `g + r`) of a line moving the basis from `pos` by `delta`,
    /// both at scale `g`, every band at its own rate; `None` when a slice falls in a band whose
    /// rate is not a percentage of credit or a sum leaves 96 bits (the engine pays it).
    #[inline]
    fn marginal(&self, pos: i64, delta: i64) -> Option<i128> {
        let p1 = pos.checked_add(delta)?;
        let (mut lo, mut hi) = if delta < 0 { (p1, pos) } else { (pos, p1) };
        if let Some(f) = self.floor {
            lo = lo.max(f);
        }
        if let Some(c) = self.ceil {
            hi = hi.min(c);
        }
        let mut amt: i128 = 0;
        if hi <= lo {
            return Some(0);
        }
        for ((from, to), rate) in self.spans.iter().zip(&self.rates) {
            let a = from.map_or(lo, |f| lo.max(f));
            let z = to.map_or(hi, |t| hi.min(t));
            if z > a {
                let o = i128::from(z) - i128::from(a);
                let o = if delta < 0 { -o } else { o };
                // (an i64 by an i64 always fits 128 bits: `mul128` gives a product here)
                amt += mul128(o, i128::from((*rate)?))?;
                if amt.abs() > MANTISSA_MAX {
                    return None;
                }
            }
        }
        Some(amt)
    }
}

/// How each line of a table is paid.
pub(crate) struct TablePay<'t> {
    pub table: &'t ResolvedTable,
    /// The one band and rate every line is paid at (retroactive and interpolated tables).
    pub fixed: Option<&'t (Option<usize>, Option<PayRate>)>,
    /// Per-transaction caps.
    pub caps: &'t [crate::plan::Cap],
}

/// Pays payee `p`'s lines of measure `m` through a table, in processing order, as the engine's
/// `table` does: (this period's pay, earlier periods' pay (year-to-date scope)).
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub(crate) fn table(
    ctx: &Ctx<'_>,
    b: &Lines,
    pay: &TablePay<'_>,
    m: usize,
    p: usize,
    k: usize,
    ytd: bool,
) -> Result<(Total, Total)> {
    let t = pay.table;
    let kind = t.kind;
    let txns = ctx.rows();
    let plan = ctx.plan;
    let mode = plan.rounding.mode;
    let scale = ctx.scale;
    // the integer form of the table: marginal tables and one-rate tables
    let single_rate = match pay.fixed {
        Some((_, Some(rt))) => Some(rt),
        Some((_, None)) => None,
        None => None,
    };
    let fixed_nothing = matches!(pay.fixed, Some((_, None)));
    let int = if pay.fixed.is_none() && t.method == TierMethod::Retroactive {
        // (per-transaction retroactive bands: the engine pays each line)
        None
    } else if let Some(rt) = single_rate {
        let whole = ResolvedTable { spans: vec![(Decimal::MIN, None)], rates: vec![Some(rt.clone())], ..t.clone() };
        int_table(&whole, b.max_scale)
    } else {
        int_table(t, b.max_scale)
    };
    let rate_of_single = single_rate.or_else(|| match (t.spans.as_slice(), t.rates.as_slice()) {
        ([(a, None)], [Some(rt)]) if *a == Decimal::MIN && t.floor.is_none() && t.ceil.is_none() => Some(rt),
        _ => None,
    });
    let mut this_period = Total::default();
    let mut earlier = Total::default();
    let bit = bit(m);
    let in_scope = |l: &Line, mask: u32| {
        mask & bit != 0 && (if ytd { usize::from(l.period) <= k } else { usize::from(l.period) == k })
    };
    let caps: Vec<Decimal> = pay.caps.iter().filter(|c| c.per == CapPer::Transaction).map(|c| c.amount).collect();
    let booking = Booking { caps: &caps, rounding: &plan.rounding, scale, k };
    // the engine's own arithmetic for a line the integer path leaves
    let engine_line = |l: &Line, start: Decimal| -> Result<Pay> {
        let v = t.line_pay(&b.credit(l, txns)?, start, pay.fixed, None)?;
        Ok(Pay::of(plan.rounding.round(v, scale), scale))
    };
    let int_pay = |x: Option<i128>| x.filter(|a| a.abs() <= MANTISSA_MAX).map(Pay::Int);
    // The usual table: amounts sliced across bands, every line and the running basis in 64-bit
    // integers at the table's scale (checked first: the basis never leaves 64 bits).
    let whole_line = rate_of_single.is_some() && int.as_ref().is_some_and(|it| it.floor.is_none() && it.ceil.is_none());
    if let (Some(it), MeasureKind::Amount, false, false) = (&int, kind, whole_line, fixed_nothing) {
        let lines = b.payee_lines(p).iter().zip(b.payee_masks_of(p));
        let widen = |l: &Line| {
            let up = POW10_64.get(it.g.checked_sub(u32::from(l.scale()))? as usize)?;
            mul64(l.amount, *up)
        };
        let mut reach: i64 = 0;
        let fits = lines
            .clone()
            .filter(|(l, &mask)| in_scope(l, mask))
            .all(|(l, _)| widen(l).and_then(|d| reach.checked_add(d.checked_abs()?)).map(|x| reach = x).is_some());
        if fits {
            let per_txn = t.scope == crate::plan::Scope::Transaction;
            let mut pos: i64 = 0;
            // the band of the last line and its rate: the next line, when that band holds it
            // whole, is paid at that rate without slicing it across every band
            let mut band: Option<(usize, i64)> = None;
            for (l, &mask) in lines {
                if !in_scope(l, mask) {
                    continue;
                }
                let d = widen(l).unwrap_or(0);
                let start = if per_txn { 0 } else { pos };
                let (lo, hi) = if d < 0 { (start.saturating_add(d), start) } else { (start, start.saturating_add(d)) };
                let held = match band {
                    Some((i, rate)) if it.holds(i, lo, hi) => Some((i, rate)),
                    _ => it.band_at(lo, hi),
                };
                band = held.or(band);
                // (the usual line, in one band, its credit and the band's rate within 32 bits)
                if let Some(v) = held.and_then(|(_, rate)| round_product32(d, rate, it.g + it.r, scale, mode)) {
                    pos += d;
                    booking.book(l, Pay::Int(i128::from(v)), &mut this_period, &mut earlier)?;
                    continue;
                }
                let raw = match held {
                    // (the slice is the whole line: `marginal` gives d × rate)
                    Some((_, rate)) => mul128(i128::from(d), i128::from(rate)).filter(|a| a.abs() <= MANTISSA_MAX),
                    None => it.marginal(start, d),
                };
                let amt = match int_pay(raw.and_then(|x| round_to(x, it.g + it.r, scale, mode))) {
                    Some(a) => a,
                    None => engine_line(l, Num { m: i128::from(start), s: it.g }.dec("a running basis")?)?,
                };
                pos += d;
                booking.book(l, amt, &mut this_period, &mut earlier)?;
            }
            return Ok((this_period, earlier));
        }
    }
    // A whole line of an amount measure at one percentage of credit (a flat rate, the usual
    // override): the amount times the rate, in 64 bits where both fit 32.
    if let (Some(rt), true, MeasureKind::Amount, false) = (rate_of_single, whole_line, kind, fixed_nothing) {
        let per = Num::of(rt.per);
        if let (RateUnit::Credit, Ok(rate)) = (rt.unit, i64::try_from(per.m)) {
            for (l, &mask) in b.payee_lines(p).iter().zip(b.payee_masks_of(p)) {
                if !in_scope(l, mask) {
                    continue;
                }
                // (as `mul_fast` gives it: a zero product is a plain `0`; beyond 28 decimals or 96
                // bits the engine pays it)
                let s = u32::from(l.scale()) + per.s;
                // (the usual line: an amount and a rate within 32 bits)
                if let Some(v) = if s <= 28 { round_product32(l.amount, rate, s, scale, mode) } else { None } {
                    booking.book(l, Pay::Int(i128::from(v)), &mut this_period, &mut earlier)?;
                    continue;
                }
                let raw = if l.amount == 0 || rate == 0 {
                    Some(0)
                } else {
                    mul128(i128::from(l.amount), i128::from(rate)).filter(|m| s <= 28 && m.abs() <= MANTISSA_MAX)
                };
                let amt = match int_pay(raw.and_then(|m| if m == 0 { Some(0) } else { round_to(m, s, scale, mode) })) {
                    Some(a) => a,
                    None => engine_line(l, Decimal::ZERO)?,
                };
                booking.book(l, amt, &mut this_period, &mut earlier)?;
            }
            return Ok((this_period, earlier));
        }
    }
    let mut pos = Num::ZERO;
    for (l, &mask) in b.payee_lines(p).iter().zip(b.payee_masks_of(p)) {
        if mask & bit == 0 || (if ytd { usize::from(l.period) > k } else { usize::from(l.period) != k }) {
            continue;
        }
        let delta = b.unit_value(l, kind, txns)?;
        let start = if t.scope == crate::plan::Scope::Transaction { Num::ZERO } else { pos };
        let mut amt: Option<Pay> = None;
        if fixed_nothing {
            amt = Some(Pay::Int(0));
        } else if let Some(it) = &int {
            // a whole line at one rate, whatever its unit; slices of a percentage of credit
            let whole_line = rate_of_single.filter(|_| it.floor.is_none() && it.ceil.is_none());
            amt = match whole_line {
                Some(rt) if !delta.m.eq(&0) => {
                    let base = match rt.unit {
                        RateUnit::Credit => Lines::amount(l),
                        RateUnit::Unit => b.quantity(l, txns)?,
                        RateUnit::Deal => b.deals(l),
                    };
                    int_pay(base.mul_fast(Num::of(rt.per)).and_then(|x| round_to(x.m, x.s, scale, mode)))
                }
                Some(_) => Some(Pay::Int(0)),
                None if kind == MeasureKind::Amount => {
                    match (
                        start.at(it.g).and_then(|v| i64::try_from(v).ok()),
                        delta.at(it.g).and_then(|v| i64::try_from(v).ok()),
                    ) {
                        (Some(s0), Some(d)) => {
                            int_pay(it.marginal(s0, d).and_then(|x| round_to(x, it.g + it.r, scale, mode)))
                        }
                        _ => None,
                    }
                }
                None => None,
            };
        }
        let amt = match amt {
            Some(a) => a,
            None => engine_line(l, start.dec("a running basis")?)?,
        };
        // (a whole line at one rate does not read the basis)
        if !whole_line {
            pos = pos.add(delta, "a running basis")?;
        }
        booking.book(l, amt, &mut this_period, &mut earlier)?;
    }
    Ok((this_period, earlier))
}

/// The value of measure `m` (of `kind`) over payee `p`'s lines in scope: what a retroactive or
/// interpolated table reads.
#[inline(never)]
pub(crate) fn total_value(
    ctx: &Ctx<'_>,
    b: &Lines,
    kind: MeasureKind,
    m: usize,
    p: usize,
    k: usize,
    ytd: bool,
) -> Result<Decimal> {
    let mut v = Num::ZERO;
    for (l, &mask) in b.payee_lines(p).iter().zip(b.payee_masks_of(p)) {
        if mask & bit(m) == 0 || (if ytd { usize::from(l.period) > k } else { usize::from(l.period) != k }) {
            continue;
        }
        v = v.add(b.unit_value(l, kind, ctx.rows())?, "a measure value")?;
    }
    v.dec("a measure value")
}

/// Pays payee `p`'s SPIFF lines of period `k`: lines of measure `m` credited inside the window and
/// passing the filter, each paid in full at `rate`.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub(crate) fn spiff(
    ctx: &Ctx<'_>,
    b: &Lines,
    filter: &crate::plan::Filter,
    window: &crate::plan::Window,
    rate: &PayRate,
    m: usize,
    p: usize,
    k: usize,
) -> Result<Total> {
    let txns = ctx.rows();
    let plan = ctx.plan;
    let (from, to) = (window.from.num_days_from_ce(), window.to.num_days_from_ce());
    let per = Num::of(rate.per);
    let mut total = Total::default();
    let ok = b.passes(filter, txns);
    for (l, &mask) in b.payee_lines(p).iter().zip(b.payee_masks_of(p)) {
        if mask & bit(m) == 0 || usize::from(l.period) != k || l.day < from || l.day > to {
            continue;
        }
        let passes = match ok.as_deref() {
            Some(ok) => ok.get(l.txn as usize).copied().unwrap_or(false),
            None => {
                let rule_id = plan.crediting.rules.get(usize::from(l.rule)).map(|r| r.id());
                txns.matches(filter, l.txn as usize, rule_id)
            }
        };
        if !passes {
            continue;
        }
        let base = match rate.unit {
            RateUnit::Credit => Lines::amount(l),
            RateUnit::Unit => b.quantity(l, txns)?,
            RateUnit::Deal => b.deals(l),
        };
        let raw = base.mul(per, "a rate")?;
        let amt = match round_to(raw.m, raw.s, ctx.scale, plan.rounding.mode).filter(|a| a.abs() <= MANTISSA_MAX) {
            Some(a) => Pay::Int(a),
            None => Pay::of(plan.rounding.round(raw.dec("a rate")?, ctx.scale), ctx.scale),
        };
        total.push(amt, ctx.scale)?;
    }
    Ok(total)
}

/// The index of the entry of a short list that `is` picks (the one at `last` tried first, as
/// rows mostly repeat the last row's currency), pushing `new()` when none does; `last` is set
/// to it.
fn entry<T>(list: &mut Vec<T>, last: &mut usize, is: impl Fn(&T) -> bool, new: impl FnOnce() -> T) -> usize {
    if !list.get(*last).is_some_and(&is) {
        *last = match list.iter().position(is) {
            Some(j) => j,
            None => {
                list.push(new());
                list.len() - 1
            }
        };
    }
    *last
}

/// The rows' amounts summed per currency (by string number, `columns::NONE` for rows without
/// one), in row order as the accounting adds them (each sum starting from its first amount); what
/// [`tallies`] reads of columns whose rows are all credited in the evaluated period, kept with
/// them. `None` when a sum leaves what a `Decimal` holds (the accounting then fails as it adds).
fn input_sums(cols: &TransactionColumns) -> Option<Vec<(u32, Decimal)>> {
    let mut sums: Vec<(u32, Option<Num>)> = Vec::new();
    let mut last = 0;
    for i in 0..cols.len() {
        let row = cols.row(i)?;
        let c = row.currency_number();
        let j = entry(&mut sums, &mut last, |s| s.0 == c, || (c, None));
        let (_, sum) = sums.get_mut(j)?;
        let amount = Num::of(row.amount());
        *sum = Some(match *sum {
            Some(v) => v.add(amount, "the accounting").ok()?,
            None => amount,
        });
    }
    sums.into_iter().map(|(c, v)| Some((c, v?.dec("the accounting").ok()?))).collect()
}

/// The accounting's tallies as `Ctx::tallies` makes them, with the sums kept per currency in a
/// short list searched from the last currency used (inputs have one currency or a few) instead of
/// a map lookup per tally and transaction: the same sums, added in the same order.
#[inline(never)]
pub(crate) fn tallies<'a>(
    ctx: &Ctx<'a>,
    b: &Lines,
) -> Result<(crate::statement::Accounting, Vec<crate::statement::Excluded>, Vec<crate::statement::Rejected>)> {
    use crate::statement::{Accounting, Excluded};
    let mut acc = Accounting::default();
    let mut excluded = Vec::new();
    let mut rejected = Vec::new();
    // input, credited, credited in the period, excluded, rejected
    const INPUT: usize = 0;
    const CREDITED: usize = 1;
    const IN_PERIOD: usize = 2;
    const EXCLUDED: usize = 3;
    const REJECTED: usize = 4;
    // (the sums in integers, `Num` keeping rust_decimal's scales: the same decimals)
    let mut sums: Vec<(&str, [Option<Num>; 5])> = Vec::new();
    let mut counts = [0u64; 5];
    let mut last = 0;
    let mut tally =
        |i: usize, id: &dyn Fn() -> String, ccy: &'a str, amount: Decimal, fate: Option<&Fate>| -> Result<()> {
            // (the same string as the last row's, as columns give it, is told by its address)
            let j = entry(&mut sums, &mut last, |(c, _)| std::ptr::eq(*c, ccy) || *c == ccy, || (ccy, [None; 5]));
            let Some((_, row)) = sums.get_mut(j) else { return Ok(()) };
            let amount = Num::of(amount);
            let mut add = |tally: usize| -> Result<()> {
                if let (Some(slot), Some(n)) = (row.get_mut(tally), counts.get_mut(tally)) {
                    *n += 1;
                    *slot = Some(match *slot {
                        Some(v) => v.add(amount, "the accounting")?,
                        None => amount,
                    });
                }
                Ok(())
            };
            add(INPUT)?;
            match fate {
                Some(Fate::Credited(k)) => {
                    add(CREDITED)?;
                    if *k == ctx.target {
                        add(IN_PERIOD)?;
                    }
                }
                Some(Fate::Excluded(reasons)) => {
                    add(EXCLUDED)?;
                    excluded.push(Excluded { transaction: id(), index: i, reasons: reasons.clone() });
                }
                Some(Fate::Rejected(r)) => {
                    add(REJECTED)?;
                    rejected.push(r.clone());
                }
                None => {}
            }
            Ok(())
        };
    // When every transaction is credited in the evaluated period (the usual payroll input), the
    // credited and in-period tallies are the input's: the same transactions added in the same
    // order. Each is then added once, to the input, and the sums copied below.
    let all_in_period = match ctx.columns {
        Some(_) => b.other_fates.is_empty() && b.row_period.iter().all(|&k| usize::from(k) == ctx.target),
        None => ctx.fates.iter().all(|f| matches!(f, Some(Fate::Credited(k)) if *k == ctx.target)),
    };
    // Columns keep their input sums per currency: taken as they are, unless rows without a
    // currency (counted in the plan's) and rows that name the plan's currency would have to be
    // added together in row order.
    if let (Some(cols), true) = (ctx.columns, all_in_period) {
        let plan_ccy = ctx.plan.currency.as_str();
        if let Some(kept) = cols.kept_input_sums(|| input_sums(cols)) {
            let named = kept.iter().any(|&(c, _)| c != crate::columns::NONE && cols.text(c) == Some(plan_ccy));
            let unnamed = kept.iter().any(|&(c, _)| c == crate::columns::NONE);
            if !(named && unnamed) {
                let n = u64::try_from(cols.len()).unwrap_or(u64::MAX);
                for t in [&mut acc.input, &mut acc.credited, &mut acc.credited_in_period] {
                    t.count = n;
                    for &(c, v) in kept {
                        t.amounts.insert(cols.text(c).unwrap_or(plan_ccy).to_string(), v);
                    }
                }
                return Ok((acc, excluded, rejected));
            }
        }
    }
    match ctx.columns {
        Some(cols) => {
            let mut others = b.other_fates.iter().peekable();
            for (i, &k) in b.row_period.iter().enumerate() {
                let Some(row) = cols.row(i) else { continue };
                let ccy = row.currency().unwrap_or(&ctx.plan.currency);
                let credited = Fate::Credited(usize::from(k));
                let fate = match others.peek() {
                    _ if all_in_period => None,
                    Some((at, _)) if k == OTHER_FATE && *at == i => others.next().map(|(_, f)| f),
                    _ => Some(&credited),
                };
                tally(i, &|| row.id().to_string(), ccy, row.amount(), fate)?;
            }
        }
        None => {
            for (i, t) in ctx.inputs.transactions.iter().enumerate() {
                let ccy = t.currency.as_deref().unwrap_or(&ctx.plan.currency);
                let fate = if all_in_period { None } else { ctx.fates.get(i).and_then(|f| f.as_ref()) };
                tally(i, &|| t.id.clone(), ccy, t.amount, fate)?;
            }
        }
    }
    if all_in_period {
        for (_, row) in sums.iter_mut() {
            row[CREDITED] = row[INPUT];
            row[IN_PERIOD] = row[INPUT];
        }
        counts[CREDITED] = counts[INPUT];
        counts[IN_PERIOD] = counts[INPUT];
    }
    for (tally, t) in
        [&mut acc.input, &mut acc.credited, &mut acc.credited_in_period, &mut acc.excluded, &mut acc.rejected]
            .into_iter()
            .enumerate()
    {
        t.count = counts.get(tally).copied().unwrap_or(0);
        for (ccy, row) in &sums {
            if let Some(Some(v)) = row.get(tally) {
                t.amounts.insert(ccy.to_string(), v.dec("the accounting")?);
            }
        }
    }
    Ok((acc, excluded, rejected))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// The lines in the engine's order, field after field: payee, date, id, rule, share, input
    /// position (a stable sort).
    fn engines_order(out: &Lines, txns: &[Transaction]) -> Vec<Line> {
        let mut lines = out.lines.clone();
        let percent = |l: &Line| out.shares[usize::from(l.share)].percent;
        lines.sort_by(|a, b| {
            (a.payee, a.day, txns[a.txn as usize].id.as_str(), a.rule)
                .cmp(&(b.payee, b.day, txns[b.txn as usize].id.as_str(), b.rule))
                .then(percent(a).cmp(&percent(b)))
                .then(a.txn.cmp(&b.txn))
        });
        lines
    }

    proptest! {
        // The payees' runs come out in the engine's order (date, id, rule, share, input
        // position), compared here one field after another, for short runs (sorted in place) and
        // long ones (sorted as pairs of a 128-bit prefix and a position). Half the ids share the
        // 12 bytes after the prefix all ids share, so their prefixes tie; some lines repeat a
        // transaction, with another rule or share.
        #[test]
        fn runs_come_out_in_the_engines_order(
            ids in prop::collection::vec((0u32..40, any::<bool>()), 1..60),
            raw in prop::collection::vec((0u32..3, 0usize..60, 0i32..4, 0u8..3, 0u8..3), 0..1200),
            far in any::<bool>(),
        ) {
            let txns: Vec<Transaction> = ids
                .iter()
                .map(|&(n, long)| Transaction {
                    id: if long { format!("X-same-twelve-bytes-{n}") } else { format!("X{n:02}") },
                    ..Transaction::default()
                })
                .collect();
            let mut out = Lines { shares: vec![
                Share { percent: d("100"), fraction: d("1") },
                Share { percent: d("50"), fraction: d("0.5") },
                Share { percent: d("50.0"), fraction: d("0.5") },
            ], ..Lines::default() };
            for &(payee, t, day, rule, share) in &raw {
                let txn = u32::try_from(t % txns.len()).unwrap();
                out.lines.push(Line { amount: 1, txn, payee, day: 739_000 + day, rule, share, period: 0, form: 0 });
            }
            if far {
                // (a run over more than 2^16 days is sorted in place)
                out.lines.push(Line { amount: 1, txn: 0, payee: 0, day: 739_000 + 65_536, rule: 0, share: 0, period: 0, form: 0 });
            }
            let expected = engines_order(&out, &txns);
            let shares = out.shares.clone();
            let percent = |l: &Line| shares[usize::from(l.share)].percent;
            sort(&mut out, Rows::List(&txns), 3, None);
            // (shares `50` and `50.0` are equal in the order: either may come first)
            let key = |l: &Line| (l.payee, l.txn, l.day, l.rule, percent(l).normalize());
            prop_assert_eq!(out.lines.iter().map(key).collect::<Vec<_>>(), expected.iter().map(key).collect::<Vec<_>>());
            prop_assert_eq!(out.start.len(), 4);
        }

        // Lines put in order through their rows' processing order (`row_order`, rows with
        // distinct ids, each line on its row's credit date): the order of the whole sort. Some
        // rows have no credit date (last), some runs span more than 2^16 days.
        #[test]
        fn lines_take_their_rows_order(
            rows in prop::collection::vec((prop_oneof![8 => 0i32..4, 1 => Just(70_000i32), 1 => Just(-1i32)], any::<bool>()), 1..80),
            made in prop::collection::vec(prop::collection::vec((0u32..3, 0u8..3, 0u8..3), 0..4), 80),
        ) {
            let base = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
            let txns: Vec<Transaction> = rows
                .iter()
                .enumerate()
                .map(|(i, &(day, long))| Transaction {
                    id: if long { format!("X-same-twelve-bytes-{i}") } else { format!("X{i:02}") },
                    close_date: (day >= 0).then(|| base + chrono::Duration::days(i64::from(day))),
                    ..Transaction::default()
                })
                .collect();
            let mut out = Lines { shares: vec![
                Share { percent: d("100"), fraction: d("1") },
                Share { percent: d("50"), fraction: d("0.5") },
                Share { percent: d("40"), fraction: d("0.4") },
            ], ..Lines::default() };
            let mut first = Vec::new();
            for (i, t) in txns.iter().enumerate() {
                first.push(u32::try_from(out.lines.len()).unwrap());
                let day = t.close_date.map_or(i32::MAX, |d| d.num_days_from_ce());
                let row = made.get(i).map_or(&[][..], |m| m.as_slice());
                for &(payee, rule, share) in row {
                    out.lines.push(Line { amount: 1, txn: u32::try_from(i).unwrap(), payee, day, rule, share, period: 0, form: 0 });
                }
                // (as the crediting leaves them)
                let from = usize::try_from(*first.last().unwrap()).unwrap();
                order_row(&mut out.lines[from..], &out.shares);
            }
            first.push(u32::try_from(out.lines.len()).unwrap());
            let expected = engines_order(&out, &txns);
            let cols = TransactionColumns::from(txns.as_slice());
            let order = row_order(&cols, crate::plan::DateField::Close);
            sort(&mut out, Rows::Columns(&cols), 3, Some((&order, &first)));
            let key = |l: &Line| (l.payee, l.txn, l.day, l.rule, l.share);
            prop_assert_eq!(out.lines.iter().map(key).collect::<Vec<_>>(), expected.iter().map(key).collect::<Vec<_>>());
            prop_assert_eq!(out.start.len(), 4);
        }
    }

    #[test]
    fn templates_hold_while_the_people_stay_and_keep_their_space() {
        // payee 0 owns the rows; payee 1, its manager until day 199, is in role from day 100
        let people = People {
            role: vec![(i32::MIN, i32::MAX, 0), (100, i32::MAX, 1), (i32::MAX, i32::MIN, 1)],
            reports: vec![(i32::MIN, 199, 1)],
        };
        assert_eq!(people.steady(0, 150), (i32::MIN, 199));
        assert_eq!(people.steady(0, 250), (200, i32::MAX));
        assert_eq!(people.steady(1, 50), (i32::MIN, 99));
        assert_eq!(people.steady(1, 150), (100, i32::MAX));
        let mut out = Lines::default();
        out.share_index(d("100")).unwrap();
        let mut templates = Templates::default();
        let grants = [(0, 0, d("100")), (1, 1, d("100"))];
        // rows crossing day 100 back and forth: two recipients on and after it, one before
        for round in 0..50 {
            let (a, z) = templates.make(&people, &mut out, &grants, Some(0), 150).unwrap();
            assert_eq!(&templates.recipients[a..z], &[(0, 0, 0), (1, 1, 0)], "round {round}");
            assert_eq!(templates.holding(0, 100), Some((a, z)));
            assert_eq!(templates.holding(0, 199), Some((a, z)));
            assert_eq!(templates.holding(0, 99), None);
            assert_eq!(templates.holding(0, 200), None);
            let (a, z) = templates.make(&people, &mut out, &grants, Some(0), 50).unwrap();
            assert_eq!(&templates.recipients[a..z], &[(0, 0, 0)]);
            assert_eq!(templates.holding(0, 99), Some((a, z)));
            assert_eq!(templates.holding(0, 100), None);
            // (a row with splits: its recipients after the templates', found again each time)
            let (a, z) = templates.make(&people, &mut out, &grants, None, 150).unwrap();
            assert_eq!(&templates.recipients[a..z], &[(0, 0, 0), (1, 1, 0)]);
        }
        // the owner's template reuses its space: two recipients, and a split row's two after them
        assert_eq!(templates.kept, 2);
        assert!(templates.recipients.len() <= 4);
    }

    #[test]
    fn filters_reading_a_credit_rule_are_tested_line_by_line() {
        let f = |json: &str| serde_json::from_str::<crate::plan::Filter>(json).unwrap();
        assert!(!reads_rules(&f(r#"{"products": ["Platform"]}"#)));
        assert!(!reads_rules(&f(r#"{"products": ["Platform"], "exclude": {"types": ["renewal"]}}"#)));
        assert!(reads_rules(&f(r#"{"rules": ["deal-credit"]}"#)));
        assert!(reads_rules(&f(r#"{"exclude": {"exclude": {"rules": ["se"]}}}"#)));
    }

    #[test]
    fn sums_and_products_keep_rust_decimals_scales() {
        // 0.00 + 1 is 1 (a zero operand gives the other as it is), 1.50 - 1.50 is 0.00
        assert_eq!(Num::of(d("0.00")).add(Num::of(d("1")), "").unwrap().dec("").unwrap().to_string(), "1");
        assert_eq!(Num::of(d("1.50")).add(Num::of(d("-1.50")), "").unwrap().dec("").unwrap().to_string(), "0.00");
        assert_eq!(Num::of(d("0.00")).mul(Num::of(d("5.5")), "").unwrap().dec("").unwrap().to_string(), "0");
        assert_eq!(Num::of(d("1.5")).mul(Num::of(d("0.50")), "").unwrap().dec("").unwrap().to_string(), "0.750");
    }

    #[test]
    fn rounding_modes_on_ties_and_signs() {
        use RoundingMode::*;
        // 2.345 and -2.345 at 2 decimals
        let cases = [
            (HalfEven, 234, -234),
            (HalfUp, 235, -235),
            (HalfDown, 234, -234),
            (Down, 234, -234),
            (Up, 235, -235),
            (Floor, 234, -235),
            (Ceiling, 235, -234),
        ];
        for (mode, pos, neg) in cases {
            assert_eq!(round_to(2345, 3, 2, mode), Some(pos), "{mode:?}");
            assert_eq!(round_to(-2345, 3, 2, mode), Some(neg), "{mode:?}");
        }
        // 2.355 half-even goes up to the even 2.36; padding 5 to 5.00
        assert_eq!(round_to(2355, 3, 2, HalfEven), Some(236));
        assert_eq!(round_to(5, 0, 2, HalfEven), Some(500));
    }

    fn dec() -> impl Strategy<Value = Decimal> {
        (any::<i64>(), 0u32..12).prop_map(|(m, s)| Decimal::new(m / 1000, s))
    }

    /// Decimals up to rust_decimal's 96 bits, beyond what one 64-bit multiplication covers.
    fn big() -> impl Strategy<Value = Decimal> {
        (any::<i128>(), 0u32..29).prop_map(|(m, s)| Decimal::from_i128_with_scale(m % (1i128 << 96), s))
    }

    fn transaction(id: String) -> Transaction {
        Transaction { id, ..Default::default() }
    }

    proptest! {
        #[test]
        fn id_keys_order_ids_as_their_bytes(
            prefix in "[a-z]{0,3}",
            rests in proptest::collection::vec("[ab\\x00\\u{e9}]{0,20}", 1..12),
        ) {
            let txns: Vec<Transaction> = rests.iter().map(|r| transaction(format!("{prefix}{r}"))).collect();
            let keys = IdKeys::new(Rows::List(&txns));
            for (i, a) in txns.iter().enumerate() {
                for (j, b) in txns.iter().enumerate() {
                    let got = keys.of(i as u32).cmp(&keys.of(j as u32)).then_with(|| a.id.cmp(&b.id));
                    prop_assert_eq!(got, a.id.as_bytes().cmp(b.id.as_bytes()), "{:?} vs {:?}", a.id, b.id);
                }
            }
        }

        #[test]
        fn wide_sums_and_products_match_decimal(a in big(), b in big()) {
            let same = |x: Decimal, y: Decimal| x.mantissa() == y.mantissa() && x.scale() == y.scale();
            if let Some(sum) = a.checked_add(b) {
                let n = Num::of(a).add(Num::of(b), "").unwrap().dec("").unwrap();
                prop_assert!(same(n, sum), "{a} + {b}: {n} vs {sum}");
            }
            if let Some(prod) = a.checked_mul(b) {
                let n = Num::of(a).mul(Num::of(b), "").unwrap().dec("").unwrap();
                prop_assert!(same(n, prod), "{a} x {b}: {n} vs {prod}");
            }
        }

        #[test]
        fn num_matches_decimal(a in dec(), b in dec(), mode in 0usize..7, p in 0u32..4) {
            let same = |x: Decimal, y: Decimal| x.mantissa() == y.mantissa() && x.scale() == y.scale();
            let sum = Num::of(a).add(Num::of(b), "").unwrap().dec("").unwrap();
            prop_assert!(same(sum, a.checked_add(b).unwrap()), "{a} + {b}: {sum}");
            if let Some(prod) = a.checked_mul(b) {
                let n = Num::of(a).mul(Num::of(b), "").unwrap().dec("").unwrap();
                prop_assert!(same(n, prod), "{a} x {b}: {n} vs {prod}");
            }
            let modes = [RoundingMode::HalfEven, RoundingMode::HalfUp, RoundingMode::HalfDown, RoundingMode::Down, RoundingMode::Up, RoundingMode::Floor, RoundingMode::Ceiling];
            let mode = modes[mode];
            let policy = crate::money::RoundingPolicy { mode, ..Default::default() };
            let want = policy.round(a, p);
            let got = round_to(a.mantissa(), a.scale(), p, mode).unwrap();
            prop_assert!(same(Decimal::from_i128_with_scale(got, p), want), "{a} to {p}: {got} vs {want}");
        }

        // Rounding as `RoundingPolicy::round` does, in 64-bit integers (`round64`) and beyond
        // (96-bit mantissas), on exact ties (a 5 followed by zeros where the rounding cuts) as on
        // other values, for every mode.
        #[test]
        fn rounding_matches_decimal_on_ties_and_wide_values(x in any::<i64>(), wide in big(), cut in 1u32..19, mode in 0usize..7, tie in any::<bool>()) {
            let modes = [RoundingMode::HalfEven, RoundingMode::HalfUp, RoundingMode::HalfDown, RoundingMode::Down, RoundingMode::Up, RoundingMode::Floor, RoundingMode::Ceiling];
            let mode = modes[mode];
            let policy = crate::money::RoundingPolicy { mode, ..Default::default() };
            // (the tie is built in 128 bits: near i64's bounds it leaves 64 bits, which
            // sends it down the 128-bit path)
            let unit = 10i128.pow(cut);
            let x = i128::from(x);
            let m = if tie { (x / unit) * unit + x.signum() * (unit / 2) } else { x };
            for a in [Decimal::from_i128_with_scale(m, 20), wide] {
                if a.scale() < cut {
                    continue;
                }
                let p = a.scale() - cut;
                let want = policy.round(a, p);
                let got = round_to(a.mantissa(), a.scale(), p, mode).unwrap();
                prop_assert_eq!((got, p), (want.mantissa(), want.scale()), "{} to {} ({:?})", a, p, mode);
            }
        }
    }

    proptest! {
        // A measure's sums as integers at one scale are the sums `Num::add` makes line by line:
        // the same mantissa and scale in each period, over amounts of mixed scales that cross
        // zero (a deal and its credit memo), zero amounts of any scale, lines of other measures
        // left out; and `false`, leaving the sums to `Num`, when one leaves 96 bits at that scale.
        #[test]
        fn measure_sums_at_one_scale_are_the_decimal_sums(
            raw in prop::collection::vec((prop_oneof![
                4 => -3i64..4,
                4 => -100_000i64..100_000,
                1 => Just(i64::MAX / 3),
                1 => Just(-(i64::MAX / 3)),
            ], 0u8..5, 0u8..3, any::<bool>()), 0..60),
        ) {
            let lines: Vec<Line> = raw
                .iter()
                .map(|&(amount, scale, period, _)| Line { amount, txn: 0, payee: 0, day: 0, rule: 0, share: 0, period, form: scale })
                .collect();
            let masks: Vec<u32> = raw.iter().map(|&(_, _, _, counted)| if counted { 0b10 } else { 0b01 }).collect();
            let g = u32::from(raw.iter().map(|r| r.1).max().unwrap_or(0)) + 1;
            let mut want = vec![Num::ZERO; 3];
            let mut fits = true;
            for (l, &mask) in lines.iter().zip(&masks) {
                if mask & 0b10 != 0 {
                    let w = &mut want[usize::from(l.period)];
                    *w = w.add(Lines::amount(l), "a measure value").unwrap();
                }
            }
            // (what the integer sums must hold at scale `g`: every running sum of a period)
            let mut running = [0i128; 3];
            for (l, &mask) in lines.iter().zip(&masks) {
                if mask & 0b10 != 0 {
                    let r = &mut running[usize::from(l.period)];
                    *r += i128::from(l.amount) * 10i128.pow(g - u32::from(l.scale()));
                    fits &= r.abs() <= MANTISSA_MAX;
                }
            }
            let mut sums = vec![(0i128, 0u8); 3];
            let mut acc = vec![Num { m: 7, s: 7 }; 3];
            prop_assert_eq!(amount_sums(&lines, &masks, 0b10, g, &mut sums, &mut acc), fits);
            if fits {
                prop_assert_eq!(acc, want);
            }
        }
    }

    proptest! {
        // A product rounded in 64 bits is the 128-bit product rounded by `round_to`, for every
        // mode, on ties and other values, scaled up or down; and `None` only where an operand
        // leaves 32 bits or the scales are more than 18 digits apart.
        #[test]
        fn products_rounded_in_64_bits_are_round_to(
            a in prop_oneof![any::<i32>().prop_map(i64::from), any::<i64>(), (-20i64..20).prop_map(|x| x * 5_000)],
            b in prop_oneof![any::<i32>().prop_map(i64::from), -1_000i64..1_000],
            q in 0u32..29,
            p in 0u32..29,
            mode in 0usize..7,
        ) {
            let modes = [RoundingMode::HalfEven, RoundingMode::HalfUp, RoundingMode::HalfDown, RoundingMode::Down, RoundingMode::Up, RoundingMode::Floor, RoundingMode::Ceiling];
            let mode = modes[mode];
            let fits = i32::try_from(a).is_ok() && i32::try_from(b).is_ok();
            match round_product32(a, b, q, p, mode) {
                Some(v) => {
                    prop_assert!(fits);
                    prop_assert_eq!(Some(i128::from(v)), round_to(i128::from(a) * i128::from(b), q, p, mode));
                }
                None => prop_assert!(!fits || q.abs_diff(p) > 18 || (q < p && (a * b).checked_mul(10i64.pow(p - q)).is_none())),
            }
        }
    }

    #[test]
    fn a_product_rounded_in_64_bits_by_hand() {
        // 12,345.67 x 0.01 = 123.4567 -> 123.46 (half-even, scale 4 to 2); 0.125 x 1 to 2 decimals
        // half-even is 0.12, half-up 0.13; an operand beyond 32 bits is left to the 128-bit path
        assert_eq!(round_product32(1_234_567, 1, 4, 2, RoundingMode::HalfEven), Some(12_346));
        assert_eq!(round_product32(125, 1, 3, 2, RoundingMode::HalfEven), Some(12));
        assert_eq!(round_product32(125, 1, 3, 2, RoundingMode::HalfUp), Some(13));
        assert_eq!(round_product32(-125, 1, 3, 2, RoundingMode::Floor), Some(-13));
        assert_eq!(round_product32(5, 3, 0, 2, RoundingMode::HalfEven), Some(1_500));
        assert_eq!(round_product32(1 << 40, 1, 3, 2, RoundingMode::HalfEven), None);
    }

    /// By hand: 100.00 and its credit memo -100.00 make 0.00, then 5 makes 5 (scale 0, as
    /// rust_decimal adds it to a zero), then 0.125 makes 5.125; another period holds 1.5 + 0.000.
    #[test]
    fn measure_sums_follow_the_scale_of_decimal_additions() {
        let line = |amount: i64, scale: u8, period: u8| Line {
            amount,
            txn: 0,
            payee: 0,
            day: 0,
            rule: 0,
            share: 0,
            period,
            form: scale,
        };
        let lines =
            [line(10_000, 2, 0), line(-10_000, 2, 0), line(15, 1, 1), line(5, 0, 0), line(0, 3, 1), line(125, 3, 0)];
        let (mut sums, mut acc) = (vec![(0i128, 0u8); 2], vec![Num::ZERO; 2]);
        assert!(amount_sums(&lines, &[1; 6], 1, 4, &mut sums, &mut acc));
        assert_eq!(acc.iter().map(|n| n.dec("x").unwrap().to_string()).collect::<Vec<_>>(), ["5.125", "1.5"]);
        // the zero is 0.00 before the 5 comes
        assert!(amount_sums(&lines[..2], &[1; 2], 1, 4, &mut sums, &mut acc));
        assert_eq!(acc[0].dec("x").unwrap().to_string(), "0.00");
    }
}
