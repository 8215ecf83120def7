//! Back-dated edits of a marginal tier table whose lines are rounded one by one, without
//! re-rating every later line.
//!
//! Such a table pays each line on the running basis before it, so a deal credited before other
//! lines of the period moves every later line's basis by the deal's credit. But a line lying
//! wholly inside one band (between two consecutive bounds of the table: band bounds, the
//! pay-from-threshold floor, the basis cap) pays the same rounded amount wherever it lies in the
//! band: `round(rate x credit)`, capped per transaction. Only the lines across a bound (at most one
//! per bound) depend on where they start. And when no line after the edit has a negative credit,
//! the basis grows line after line, so the lines inside one band form a contiguous range of line
//! numbers, found by binary search on the running basis.
//!
//! So a table keeps, at the marks (every `EVERY`-th line when the session is built, moved with
//! their lines by saved edits: see [`super::lines::Marks`]), the sum over the lines before it of
//! each band's pay of the whole line ([`Shift`]), and the lines across its bounds with their pay.
//! An edit computes, for each run of kept lines after it (shifted by the credit added before them,
//! less the credit removed):
//! - the lines across a bound before the shift (their pay is kept) and after it (re-rated);
//! - for each band, its range of lines wholly inside before and after the shift: the difference
//!   is the band's pay over the lines at either end between the two ranges (from the sums at the
//!   marks plus at most `MAX_GAP` lines at each end).
//!
//! The work is proportional to the number of bounds times `EVERY`, plus the logarithm of the
//! number of lines: not to the number of lines after the edit. The result is exactly the full
//! re-rating's: the same line pays, added in another order (the sums are kept within magnitudes
//! where decimal addition is exact; beyond them the caller re-rates every line). Such a table
//! keeps no pay per line: a line's pay is rated when needed from the basis before it.

use super::lines::{Lines, Nums};
use super::{Calc, KComp, KLine, Kernel, PreviewLine, Session, PREVIEWED};
use crate::engine::components::ResolvedTable;
use crate::engine::unit_value;
use crate::inputs::Transaction;
use crate::money::Checked;
use crate::plan::{MeasureKind, Scope, TierMethod};
use crate::Result;
use rust_decimal::Decimal;

/// Most bands with a rate for which a table keeps per-band sums (8 bytes per band and mark).
const MAX_PAID: usize = 8;
/// The lines on either side of where a bound falls that the keystroke path rates once per edit.
const NEAR: usize = 32;
/// The largest scale of a credit, and the largest magnitude (10^18) of a basis or a sum of pays,
/// for which the shortcut runs: within them every sum it adds is exact (mantissas below 10^28).
use super::lines::{MAX as LIMIT, MAX_SCALE};

/// A marginal table's bounds and per-band sums at the marks (see the [module docs](self)).
#[derive(Debug, Clone)]
pub(super) struct Shift {
    /// the band bounds, floor and basis cap, ascending, without repeats
    points: Vec<Decimal>,
    /// per region (below `points[0]`, between consecutive points, above the last): the band that
    /// pays it and its column in `sums` (`None`: pays nothing)
    regions: Vec<Option<(usize, usize)>>,
    /// number of columns: the regions with a band
    paid: usize,
    /// at each mark (see [`super::lines::Marks`]), per column, the sum over the lines before it
    /// of their pay wholly in the column's band
    sums: Nums,
    /// the last counted line with a negative credit (the basis goes down there)
    last_negative: Option<usize>,
    /// the largest scale of a counted line's credit, and a bound of the sums' magnitude (both only
    /// grow until the session is rebuilt)
    scale: u32,
    bound: Decimal,
    /// the lines across a bound (ascending) and their pay, so that an edit need not rate them
    /// (empty after a credit memo: they are rated)
    across: Box<[(u32, Decimal)]>,
}

impl Shift {
    /// The regions of `table` (a marginal table over the period whose lines are rounded), or
    /// `None` when its bands are not ordered and disjoint, or more than `MAX_PAID` pay.
    pub(super) fn new(table: &ResolvedTable) -> Option<Shift> {
        if table.method != TierMethod::Marginal || table.scope == Scope::Transaction {
            return None;
        }
        // the bounds, ascending (the bands must be: each starts at or after the previous one's end,
        // only the last is open), then the floor and the cap in their places
        let mut points: Vec<Decimal> = Vec::with_capacity(2 * table.spans.len() + 2);
        let mut open = false;
        for (from, to) in &table.spans {
            if open || to.is_some_and(|t| t <= *from) || points.last().is_some_and(|p| p > from) {
                return None;
            }
            if points.last() != Some(from) {
                points.push(*from);
            }
            match to {
                Some(t) => points.push(*t),
                None => open = true,
            }
        }
        for x in [table.floor, table.ceil].into_iter().flatten() {
            let at = points.partition_point(|p| *p < x);
            if points.get(at) != Some(&x) {
                points.insert(at, x);
            }
        }
        points.shrink_to_fit();
        let mut regions = Vec::with_capacity(points.len() + 1);
        let mut paid = 0;
        for r in 0..=points.len() {
            // the region [lo, hi) (`None`: unbounded)
            let lo = r.checked_sub(1).and_then(|i| points.get(i)).copied();
            let hi = points.get(r).copied();
            let within = table.floor.is_none_or(|f| lo.is_some_and(|lo| f <= lo))
                && table.ceil.is_none_or(|c| hi.is_some_and(|hi| hi <= c));
            let band = table.spans.iter().position(|(from, to)| {
                lo.is_some_and(|lo| *from <= lo) && to.is_none_or(|t| hi.is_some_and(|hi| hi <= t))
            });
            match band.filter(|&b| within && table.rates.get(b).is_some_and(|r| r.is_some())) {
                Some(b) => {
                    regions.push(Some((b, paid)));
                    paid += 1;
                }
                None => regions.push(None),
            }
        }
        if paid == 0 || paid > MAX_PAID {
            return None;
        }
        Some(Shift {
            points,
            regions,
            paid,
            sums: Nums::default(),
            last_negative: None,
            across: Box::default(),
            scale: 0,
            bound: Decimal::ZERO,
        })
    }

    /// Heap bytes held.
    pub(super) fn bytes(&self) -> usize {
        self.sums.bytes()
            + std::mem::size_of_val(&*self.across)
            + self.points.capacity() * std::mem::size_of::<Decimal>()
            + self.regions.capacity() * std::mem::size_of::<Option<(usize, usize)>>()
    }

    pub(super) fn shrink(&mut self) {
        self.sums.shrink();
    }

    /// The sums of `lines` at every mark, built from the lines.
    pub(super) fn fill(&mut self, s: &Session, lines: &Lines, c: usize, table: &ResolvedTable, m: usize) -> Result<()> {
        let mut acc = vec![Decimal::ZERO; self.paid];
        self.sums = Nums::default();
        self.sums.extend(acc.iter().copied());
        self.last_negative = None;
        let mut next = 1;
        for (i, l) in lines.iter_from(0) {
            if l.counted(m) {
                let d = unit_value(&l.credit(), table.kind);
                if d < Decimal::ZERO {
                    self.last_negative = Some(i);
                }
                self.scale = self.scale.max(d.scale());
                let most = self.add_line(s, c, table, &l, &mut acc, false)?;
                self.bound = self.bound.add_c(most, "a band sum")?;
            }
            if lines.marks.get(next) == Some(i + 1) {
                self.sums.extend(acc.iter().copied());
                next += 1;
            }
        }
        Ok(())
    }

    /// Adds a counted line's pay wholly in each paying band to `acc` (subtracts it with `minus`);
    /// the largest of them in magnitude.
    pub(super) fn add_line(
        &self,
        s: &Session,
        c: usize,
        table: &ResolvedTable,
        l: &KLine,
        acc: &mut [Decimal],
        minus: bool,
    ) -> Result<Decimal> {
        let credit = l.credit();
        let mut most = Decimal::ZERO;
        for &(band, col) in self.regions.iter().flatten() {
            let g = s.settled(c, l.reversal, table.band_pay(&credit, band)?);
            if let Some(a) = acc.get_mut(col) {
                *a = a.add_c(if minus { -g } else { g }, "a band sum")?;
            }
            most = most.max(g.abs());
        }
        Ok(most)
    }

    /// Number of paying bands (sums per mark).
    pub(super) fn paid(&self) -> usize {
        self.paid
    }

    pub(super) fn sums(&self) -> &Nums {
        &self.sums
    }

    pub(super) fn sums_mut(&mut self) -> &mut Nums {
        &mut self.sums
    }

    /// What the lines of a saved edit change: they add to the bound of the sums and may have a
    /// larger scale or a negative credit (at its new line `at`).
    pub(super) fn grow(&mut self, kind: MeasureKind, l: &KLine, most: Decimal, at: usize) -> Result<()> {
        let d = unit_value(&l.credit(), kind);
        self.scale = self.scale.max(d.scale());
        self.bound = self.bound.add_c(most, "a band sum")?;
        if d < Decimal::ZERO && self.last_negative.is_none_or(|x| x < at) {
            self.last_negative = Some(at);
        }
        Ok(())
    }

    pub(super) fn last_negative(&self) -> Option<usize> {
        self.last_negative
    }

    pub(super) fn set_last_negative(&mut self, x: Option<usize>) {
        self.last_negative = x;
    }
}

/// What an edit does to a sequential table's lines from where it starts, whatever the amounts
/// of the lines it adds: the basis there, the pay of the lines it removes, and in processing order
/// the lines it adds and the runs of kept lines between them.
#[derive(Debug, Clone, Default)]
pub(super) struct Plan {
    pos: Decimal,
    removed: Decimal,
    items: Vec<Item>,
    /// whether kept lines come after an added or removed one (they move)
    runs: bool,
    /// the largest magnitude of the basis over the kept lines
    magnitude: Decimal,
}

#[derive(Debug, Clone)]
enum Item {
    /// the added line at this index
    Added(usize),
    Run(Run),
}

/// Kept lines `a..b` (old line numbers), consecutive in the edited sequence.
#[derive(Debug, Clone)]
struct Run {
    a: usize,
    b: usize,
    /// the running basis before lines `a` and `b`, before the edit
    cum_a: Decimal,
    cum_b: Decimal,
    /// per region, the lines wholly inside it before the edit
    inside: Vec<(usize, usize)>,
    /// the pay of the lines across a bound before the edit
    across_pay: Decimal,
    /// per bound, the lines around where it falls before the edit (the keystroke path only)
    near: Vec<Option<Near>>,
}

/// The lines `from..from + cum.len() - 1` of a run around a bound, rated once: their basis (and
/// the basis after the last), and the running sums of their pay wholly in the band below the bound
/// and in the band above it (from 0 before line `from`). A move of the bound within them costs no
/// line but the one across it.
#[derive(Debug, Clone)]
struct Near {
    from: usize,
    cum: Vec<Decimal>,
    below: Vec<Decimal>,
    above: Vec<Decimal>,
}

impl Near {
    /// [`first_at`] when the place is among the window's lines (after its first and at or before
    /// the line after its last).
    fn first_at(&self, s: Decimal, point: Decimal) -> Result<Option<(usize, Decimal, Decimal)>> {
        let below = Below::new(s, point);
        let below = |x: &Decimal| below.test(*x);
        match (self.cum.first(), self.cum.last()) {
            (Some(a), Some(b)) if below(a)? && !below(b)? => {}
            _ => return Ok(None),
        }
        // the first basis at or above, by binary search (the basis grows)
        let (mut lo, mut hi) = (1, self.cum.len() - 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.cum.get(mid) {
                Some(x) if below(x)? => lo = mid + 1,
                _ => hi = mid,
            }
        }
        match (self.cum.get(lo), self.cum.get(lo - 1)) {
            (Some(at), Some(before)) => Ok(Some((self.from + lo, *at, *before))),
            _ => Ok(None),
        }
    }

    /// The pay of lines `x..y` (negated when `y < x`) in the band below or above, when the
    /// window holds them.
    fn between(&self, above: bool, x: usize, y: usize) -> Option<Decimal> {
        let sums = if above { &self.above } else { &self.below };
        let (a, b) = (sums.get(x.checked_sub(self.from)?)?, sums.get(y.checked_sub(self.from)?)?);
        b.sub_c(*a, "a band sum").ok()
    }
}

/// The line of a run across a bound: its number and its basis (before the shift).
type Across = Option<(usize, Decimal)>;

/// Whether a basis moved by `s` is below `point`, asked of many bases: against `point - s` once
/// computed when that difference is exact (values within the shortcut's magnitude and scale),
/// else by adding `s` to each.
enum Below {
    Than(Decimal),
    Moved(Decimal, Decimal),
}

impl Below {
    fn new(s: Decimal, point: Decimal) -> Below {
        let within = |x: Decimal| x.abs() <= LIMIT && x.scale() <= MAX_SCALE;
        if s.is_zero() {
            Below::Than(point)
        } else if within(s) && within(point) {
            // (both below 10^18 with at most 8 decimals: the difference has fewer than 28 digits)
            point.checked_sub(s).map_or(Below::Moved(s, point), Below::Than)
        } else {
            Below::Moved(s, point)
        }
    }

    fn test(&self, x: Decimal) -> Result<bool> {
        match self {
            Below::Than(t) => Ok(x < *t),
            Below::Moved(s, point) => Ok(x.add_c(*s, "a running basis")? < *point),
        }
    }
}

impl Session {
    /// The plan of an edit of a sequential table's lines from line `first` on: the lines at
    /// `removed` leave, and `added` (in processing order) enter before the old lines at `at`.
    /// `None` when the shortcut does not apply: a retroactive table (every line re-rated), or kept
    /// lines after the edit in a table without per-band sums or with a negative credit after
    /// `first`. With `near` (a plan for many amounts: the keystroke path), the lines around each
    /// bound are rated once.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn shift_plan(
        &self,
        kernel: &Kernel,
        kc: &KComp,
        first: usize,
        removed: &[usize],
        added: &[KLine],
        at: &[usize],
        near: bool,
    ) -> Result<Option<Plan>> {
        let Calc::Table { m, table, cum, shift, .. } = &kc.calc else { return Ok(None) };
        if table.method != TierMethod::Marginal || at.len() != added.len() {
            return Ok(None);
        }
        let (m, kind, n) = (*m, table.kind, kernel.lines.len());
        let mut items = Vec::new();
        let (mut i, mut k) = (first, 0);
        loop {
            while at.get(k).is_some_and(|&p| p <= i) {
                items.push(Item::Added(k));
                k += 1;
            }
            if i >= n {
                break;
            }
            if removed.contains(&i) {
                i += 1;
                continue;
            }
            // up to the next removed line or the next added line's place
            let mut b = at.get(k).copied().unwrap_or(n).min(n);
            for &r in removed {
                if r > i && r < b {
                    b = r;
                }
            }
            let Some(sh) = shift.as_ref().filter(|sh| sh.last_negative.is_none_or(|j| j < first)) else {
                return Ok(None);
            };
            let cum_a = self.cum_at(kernel, m, kind, cum, i)?;
            let cum_b = self.cum_at(kernel, m, kind, cum, b)?;
            let mut run =
                Run { a: i, b, cum_a, cum_b, inside: Vec::new(), across_pay: Decimal::ZERO, near: Vec::new() };
            let (mut inside, mut across_pay) = (Vec::with_capacity(sh.regions.len()), Decimal::ZERO);
            self.layout(&kernel.lines, m, kind, cum, sh, &run, Decimal::ZERO, &mut |_, lo, hi, across| {
                inside.push((lo, hi));
                if let Some((j, before)) = across {
                    let pay = match sh.across.binary_search_by_key(&j, |x| x.0 as usize) {
                        Ok(k) => sh.across.get(k).map(|x| x.1).unwrap_or_default(),
                        Err(_) => match kernel.lines.get(j) {
                            Some(l) => self.settle(kc, table, &l, before, None, None)?,
                            None => Decimal::ZERO,
                        },
                    };
                    across_pay = across_pay.add_c(pay, "a component")?;
                }
                Ok(())
            })?;
            if near {
                // around each bound's place (the start of the region above it)
                for r in 1..inside.len() {
                    let place = inside.get(r).map_or(i, |x| x.0);
                    run.near.push(self.near(kernel, kc, sh, &run, r, place)?);
                }
            }
            run.inside = inside;
            run.across_pay = across_pay;
            items.push(Item::Run(run));
            i = b.max(i + 1);
        }
        while k < added.len() {
            items.push(Item::Added(k));
            k += 1;
        }
        let pos = self.cum_at(kernel, m, kind, cum, first)?;
        let removed = self.pays_of(kernel, kc, removed)?;
        let runs = items.iter().any(|x| matches!(x, Item::Run(_)));
        let magnitude = if runs { pos.abs().max(self.cum_at(kernel, m, kind, cum, n)?.abs()) } else { Decimal::ZERO };
        Ok(Some(Plan { pos, removed, items, runs, magnitude }))
    }

    /// Keeps, for a table with per-band sums, the lines across its bounds and their pay: those
    /// before line `from` as they were, the others found again (after the session is built, from
    /// line 0, or an edit saved from where it starts; none after a credit memo).
    pub(super) fn keep_across(&self, kernel: &mut Kernel, i: usize, from: usize) -> Result<()> {
        let mut out = Vec::new();
        if let Some(kc) = kernel.comps.get(i) {
            if let Calc::Table { m, table, cum, shift: Some(sh), .. } = &kc.calc {
                if sh.last_negative.is_none() {
                    out.extend(sh.across.iter().filter(|x| (x.0 as usize) < from));
                    let n = kernel.lines.len();
                    let from = from.min(n);
                    let cum_a = self.cum_at(kernel, *m, table.kind, cum, from)?;
                    // (a few lines: the basis after them from theirs)
                    let cum_b = if n - from <= NEAR {
                        let mut x = cum_a;
                        for (_, l) in kernel.lines.iter_from(from).filter(|(_, l)| l.counted(*m)) {
                            x = x.add_c(unit_value(&l.credit(), table.kind), "a running basis")?;
                        }
                        x
                    } else {
                        self.cum_at(kernel, *m, table.kind, cum, n)?
                    };
                    let run = Run {
                        a: from,
                        b: n,
                        cum_a,
                        cum_b,
                        inside: Vec::new(),
                        across_pay: Decimal::ZERO,
                        near: Vec::new(),
                    };
                    self.layout(
                        &kernel.lines,
                        *m,
                        table.kind,
                        cum,
                        sh,
                        &run,
                        Decimal::ZERO,
                        &mut |_, _, _, across| {
                            if let Some(l) = across.and_then(|(j, before)| Some((j, kernel.lines.get(j)?, before))) {
                                out.push((l.0 as u32, self.settle(kc, table, &l.1, l.2, None, None)?));
                            }
                            Ok(())
                        },
                    )?;
                }
            }
        }
        if let Some(Calc::Table { shift: Some(sh), .. }) = kernel.comps.get_mut(i).map(|kc| &mut kc.calc) {
            sh.across = out.into_boxed_slice();
        }
        Ok(())
    }

    /// Whether the table keeps the lines across its bounds (no credit memo).
    pub(super) fn keeps_across(kc: &KComp) -> bool {
        matches!(&kc.calc, Calc::Table { shift: Some(sh), .. } if sh.last_negative.is_none())
    }

    /// The lines of `run` within `NEAR` of line `place`, where the bound below region `r` falls,
    /// rated in the bands below and above it.
    fn near(&self, kernel: &Kernel, kc: &KComp, sh: &Shift, run: &Run, r: usize, place: usize) -> Result<Option<Near>> {
        let Calc::Table { m, table, cum, .. } = &kc.calc else { return Ok(None) };
        let from = place.saturating_sub(NEAR).max(run.a);
        let to = (place + NEAR).min(run.b);
        let bands = [r.checked_sub(1).and_then(|r| sh.regions.get(r)), sh.regions.get(r)].map(|x| x.copied().flatten());
        let mut w = Near { from, cum: Vec::with_capacity(to - from + 1), below: Vec::new(), above: Vec::new() };
        let mut x = self.cum_at(kernel, *m, table.kind, cum, from)?;
        let mut sums = [Decimal::ZERO; 2];
        w.cum.push(x);
        w.below.push(Decimal::ZERO);
        w.above.push(Decimal::ZERO);
        for (_, l) in kernel.lines.iter_from(from).take(to - from) {
            if l.counted(*m) {
                let credit = l.credit();
                x = x.add_c(unit_value(&credit, table.kind), "a running basis")?;
                for (sum, band) in sums.iter_mut().zip(bands) {
                    if let Some((band, _)) = band {
                        *sum =
                            sum.add_c(self.settled(kc.c, l.reversal, table.band_pay(&credit, band)?), "a band sum")?;
                    }
                }
            }
            let [below, above] = sums;
            w.cum.push(x);
            w.below.push(below);
            w.above.push(above);
        }
        Ok(Some(w))
    }

    /// The table's pay (before gate, multipliers and caps) after the edit of `plan`, `added` being
    /// its lines with their amounts; with `out`, the previewed deal's pay lines are pushed to it.
    /// `None` when a magnitude is beyond what the shortcut adds exactly: the caller then re-rates
    /// every line.
    pub(super) fn shifted_pay(
        &self,
        kernel: &Kernel,
        kc: &KComp,
        plan: &Plan,
        added: &[KLine],
        mut out: Option<(&mut Vec<PreviewLine>, Option<&Transaction>)>,
    ) -> Result<Option<Decimal>> {
        let Calc::Table { m, table, shift, .. } = &kc.calc else { return Ok(None) };
        let m = *m;
        if plan.runs {
            let Some(sh) = shift else { return Ok(None) };
            let mut magnitude = plan.magnitude;
            let mut scale = sh.scale;
            for l in added.iter().filter(|l| l.counted(m)) {
                let d = unit_value(&l.credit(), table.kind);
                magnitude = magnitude.add_c(d.abs(), "a running basis")?;
                scale = scale.max(d.scale());
            }
            if magnitude > LIMIT || scale > MAX_SCALE || sh.bound > LIMIT || kc.base.abs() > LIMIT {
                return Ok(None);
            }
        }
        let mut base = kc.base.sub_c(plan.removed, "a component")?;
        let mut pos = plan.pos;
        for item in &plan.items {
            match item {
                Item::Added(k) => {
                    let Some(l) = added.get(*k).filter(|l| l.counted(m)) else { continue };
                    let want = out.is_some() && l.txn == PREVIEWED;
                    let mut bands = Vec::new();
                    let a = self.settle(kc, table, l, pos, None, want.then_some(&mut bands))?;
                    if plan.runs && a.abs() > LIMIT {
                        return Ok(None);
                    }
                    pos = pos.add_c(unit_value(&l.credit(), table.kind), "a running basis")?;
                    base = base.add_c(a, "a component")?;
                    if let (true, Some((v, previewed))) = (want, out.as_mut()) {
                        v.push(self.preview_line(kc, l, *previewed, bands, a));
                    }
                }
                Item::Run(run) => {
                    let s = pos.sub_c(run.cum_a, "a running basis")?;
                    if !s.is_zero() {
                        let Some(sh) = shift else { return Ok(None) };
                        match self.run_change(kernel, kc, sh, run, s)? {
                            Some(d) => base = base.add_c(d, "a component")?,
                            None => return Ok(None),
                        }
                    }
                    pos = run.cum_b.add_c(s, "a running basis")?;
                }
            }
        }
        Ok(Some(base))
    }

    /// The change of a run's pay when its basis moves by `s` (`None`: a pay beyond the
    /// shortcut's magnitudes).
    fn run_change(&self, kernel: &Kernel, kc: &KComp, sh: &Shift, run: &Run, s: Decimal) -> Result<Option<Decimal>> {
        let Calc::Table { m, table, cum, .. } = &kc.calc else { return Ok(None) };
        let lines = &kernel.lines;
        let mut change = Decimal::ZERO;
        let mut big = false;
        self.layout(lines, *m, table.kind, cum, sh, run, s, &mut |r, lo, hi, across| {
            if let (Some(Some((band, col))), Some(&(lo0, hi0))) = (sh.regions.get(r), run.inside.get(r)) {
                // the lines now wholly inside the band, less those before
                // (from the lines around the bound above the region, and below it, when they hold them)
                let col = (*band, *col);
                let near = |k: Option<usize>| k.and_then(|k| run.near.get(k)).and_then(|w| w.as_ref());
                if hi != hi0 {
                    let d = match near(Some(r)).and_then(|w| w.between(false, hi0, hi)) {
                        Some(d) => d,
                        None => self.band_between(lines, kc, table, *m, sh, col, hi0, hi)?,
                    };
                    change = change.add_c(d, "a component")?;
                }
                if lo != lo0 {
                    let d = match near(r.checked_sub(1)).and_then(|w| w.between(true, lo0, lo)) {
                        Some(d) => d,
                        None => self.band_between(lines, kc, table, *m, sh, col, lo0, lo)?,
                    };
                    change = change.sub_c(d, "a component")?;
                }
            }
            if let Some((j, before)) = across {
                if let Some(l) = lines.get(j) {
                    let a = self.settle(kc, table, &l, before.add_c(s, "a running basis")?, None, None)?;
                    big |= a.abs() > LIMIT;
                    change = change.add_c(a, "a component")?;
                }
            }
            Ok(())
        })?;
        if big {
            return Ok(None);
        }
        Ok(Some(change.sub_c(run.across_pay, "a component")?))
    }

    /// Where a run's lines lie when their basis moves by `s`: for each region in order,
    /// `f(region, lo, hi, across)` with the lines wholly inside it (`lo..hi`) and the line across
    /// its upper bound (given once when it crosses several).
    #[allow(clippy::too_many_arguments)]
    fn layout(
        &self,
        lines: &Lines,
        m: usize,
        kind: MeasureKind,
        cum: &Nums,
        sh: &Shift,
        run: &Run,
        s: Decimal,
        f: &mut dyn FnMut(usize, usize, usize, Across) -> Result<()>,
    ) -> Result<()> {
        let mut lo = run.a;
        let mut last: Option<usize> = None;
        for r in 0..sh.regions.len() {
            let (n, across) = match sh.points.get(r) {
                Some(point) => {
                    let w = run.near.get(r).and_then(|w| w.as_ref());
                    let (n, at_n, before) = match w.map(|w| w.first_at(s, *point)).transpose()?.flatten() {
                        Some(x) => x,
                        None => first_at(lines, m, kind, cum, run, s, *point)?,
                    };
                    let across = n > run.a && at_n.add_c(s, "a running basis")? > *point;
                    (n, across.then(|| (n - 1, before)))
                }
                None => (run.b, None),
            };
            let hi = if across.is_some() && n > lo { n - 1 } else { n };
            let new = across.filter(|x| Some(x.0) != last);
            if let Some((j, _)) = new {
                last = Some(j);
            }
            f(r, lo, hi, new)?;
            lo = n;
        }
        Ok(())
    }

    /// The pay of lines `x..y` wholly in the band of column `col` (negated when `y < x`).
    #[allow(clippy::too_many_arguments)]
    fn band_between(
        &self,
        lines: &Lines,
        kc: &KComp,
        table: &ResolvedTable,
        m: usize,
        sh: &Shift,
        (band, col): (usize, usize),
        x: usize,
        y: usize,
    ) -> Result<Decimal> {
        if y < x {
            return Ok(-self.band_between(lines, kc, table, m, sh, (band, col), y, x)?);
        }
        let direct = |from: usize, to: usize| -> Result<Decimal> {
            let mut t = Decimal::ZERO;
            for (_, l) in lines.iter_from(from).take(to.saturating_sub(from)) {
                if l.counted(m) {
                    let g = self.settled(kc.c, l.reversal, table.band_pay(&l.credit(), band)?);
                    t = t.add_c(g, "a band sum")?;
                }
            }
            Ok(t)
        };
        // through the marks between x and y when that rates fewer lines
        let (c1, (c2, p2)) = (lines.marks.first_from(x), lines.marks.before(y));
        let p1 = lines.marks.get(c1).unwrap_or(y);
        if c1 < c2 && (p1 - x) + (y - p2) < y - x {
            if let (Some(a), Some(b)) = (sh.sums.get(c1 * sh.paid + col), sh.sums.get(c2 * sh.paid + col)) {
                let middle = b.sub_c(a, "a band sum")?;
                return direct(x, p1)?.add_c(middle, "a band sum")?.add_c(direct(p2, y)?, "a band sum");
            }
        }
        direct(x, y)
    }
}

/// The first line of the run whose basis, moved by `s`, is at or above `point` (the run's end
/// when none is), with its basis and the basis of the line before it (before the move).
#[allow(clippy::too_many_arguments)]
fn first_at(
    lines: &Lines,
    m: usize,
    kind: MeasureKind,
    cum: &Nums,
    run: &Run,
    s: Decimal,
    point: Decimal,
) -> Result<(usize, Decimal, Decimal)> {
    let below = Below::new(s, point);
    let below = |x: Decimal| below.test(x);
    if !below(run.cum_a)? {
        return Ok((run.a, run.cum_a, run.cum_a));
    }
    if below(run.cum_b)? {
        return Ok((run.b, run.cum_b, run.cum_b));
    }
    // the marks inside the run (a < line < b): the last one still below the point, by binary
    // search (the basis grows)
    let lo0 = lines.marks.first_from(run.a + 1);
    let (mut lo, mut hi) = (lo0, lines.marks.first_from(run.b));
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match cum.get(mid) {
            Some(x) if below(x)? => lo = mid + 1,
            _ => hi = mid,
        }
    }
    let mark = lo.checked_sub(1).filter(|&c| c >= lo0);
    let (start, mut x) = match mark.and_then(|c| Some((lines.marks.get(c)?, cum.get(c)?))) {
        Some(x) => x,
        None => (run.a, run.cum_a),
    };
    let mut before = x;
    for (j, l) in lines.iter_from(start).take(run.b - start) {
        if !below(x)? {
            return Ok((j, x, before));
        }
        if l.counted(m) {
            before = x;
            x = x.add_c(unit_value(&l.credit(), kind), "a running basis")?;
        }
    }
    Ok((run.b, x, before))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::session::Mode;
    use crate::{CompiledPlan, Inputs};

    /// A deal of `rep` (also for the tests of `save.rs`).
    pub(in crate::session) fn deal(id: &str, amount: &str, date: &str) -> Transaction {
        serde_json::from_str(&format!(r#"{{"id":"{id}","owner":"rep","amount":"{amount}","closeDate":"{date}"}}"#))
            .unwrap()
    }

    /// A quota of 1,000 a quarter and a 5% / 10% / 20% marginal table on attainment with bounds at
    /// 1,000 and 1,500, each line rounded half-even to cents (also for the tests of `save.rs`).
    pub(in crate::session) fn quota_plan() -> CompiledPlan {
        CompiledPlan::from_json(r#"{"schemaVersion":1,"id":"x","version":"1","currency":"USD",
          "rounding":{"mode":"halfEven","stage":"line"},
          "calendar":{"yearStart":"2025-01-01","periodType":"quarter"},
          "payees":[{"id":"rep","role":"AE"}],"measures":[{"id":"bookings","kind":"amount"}],
          "quotas":[{"payee":"rep","measure":"bookings","annual":"4000"}],
          "crediting":{"rules":[{"type":"direct","id":"d"}]},
          "components":[{"id":"c","type":"tiered","roles":["AE"],"measure":"bookings","basis":"attainment","method":"marginal",
            "tiers":[{"from":"0","to":"1.0","rate":{"percent":"5"}},{"from":"1.0","to":"1.5","rate":{"percent":"10"}},
                     {"from":"1.5","rate":{"percent":"20"}}]}]}"#).unwrap()
    }

    fn last_negative(s: &Session) -> Option<usize> {
        match &s.kernel.as_ref().unwrap().comps[0].calc {
            Calc::Table { shift: Some(sh), .. } => sh.last_negative,
            _ => panic!("no per-band sums"),
        }
    }

    /// Lines after a credit memo are not moved by the sums (the basis goes down at the memo): the
    /// session keeps the last such line, also when a later one is removed.
    #[test]
    fn credit_memos_keep_the_later_lines_on_the_full_path() {
        // 20 deals of 100 on Jan 2..21, a memo of -100 on Jan 3 (line 1: "M1" before "T01") and one
        // of -50 on Jan 19 (line 18)
        let mut txns: Vec<Transaction> =
            (0..20).map(|i| deal(&format!("T{i:02}"), "100", &format!("2025-01-{:02}", i + 2))).collect();
        txns.push(deal("M1", "-100", "2025-01-03"));
        txns.push(deal("M2", "-50", "2025-01-19"));
        let plan = quota_plan();
        let mut s = Session::open(&plan, &Inputs { transactions: txns, ..Default::default() }, "rep", "Q1").unwrap();
        assert_eq!(last_negative(&s), Some(18));
        // the basis ends at 2000 - 150 = 1850: 1000 x 5% + 500 x 10% + 350 x 20% (the memos pay
        // back their slices: M1 -100 x 5%, M2 -50 x 20%)
        assert_eq!(s.payout().to_string(), "170.00");
        // a deal on Jan 20 (after both memos) moves T18, T19 by the sums; one on Jan 10 needs the
        // full preview
        s.edit(deal("N", "500", "2025-01-20")).unwrap();
        assert!(s.preview_amount(Decimal::from(500), None, None).unwrap().keystroke);
        let late = s.preview_amount(Decimal::from(500), "2025-01-10".parse().ok(), None).unwrap();
        assert!(!late.keystroke);
        // with N, 2350: 1000 x 5% + 500 x 10% + 850 x 20% = 50 + 50 + 170
        assert_eq!(late.payout.after.to_string(), "270.00");
        // M2 removed (line 18, past the mark at line 16): M1 is the last memo now
        s.remove("M2").unwrap();
        assert_eq!(last_negative(&s), Some(1));
        s.edit(deal("N", "500", "2025-01-10")).unwrap();
        assert!(s.preview_amount(Decimal::from(500), None, None).unwrap().keystroke);
        s.remove("M1").unwrap();
        assert_eq!(last_negative(&s), None);
        s.edit(deal("N", "500", "2025-01-02")).unwrap();
        let q = s.preview_amount(Decimal::from(500), None, None).unwrap();
        assert!(q.keystroke);
        // 2500: 50 + 50 + 200
        assert_eq!(q.payout.after.to_string(), "300.00");
    }

    /// The table's sums and running basis at the marks, kept up to date through edits, and built
    /// again from its lines (checking the marks: the first at line 0, gaps of 1 to `MAX_GAP` lines
    /// (0 to the end) and two consecutive ones between marks above `EVERY` lines).
    #[allow(clippy::type_complexity)]
    fn sums_now_and_rebuilt(s: &Session) -> (Vec<Decimal>, Option<usize>, Vec<Decimal>, Option<usize>) {
        use crate::session::lines::{EVERY, MAX_GAP};
        let k = s.kernel.as_ref().unwrap();
        let kc = &k.comps[0];
        let Calc::Table { m, table, shift: Some(sh), cum, pays, .. } = &kc.calc else { panic!("no per-band sums") };
        assert_eq!(pays.iter_from(0).count(), 0, "a table with per-band sums keeps no pay per line");
        let marks: Vec<usize> = k.lines.marks.0.iter().map(|&p| p as usize).collect();
        let mut ends = marks.clone();
        ends.push(k.lines.len());
        assert_eq!(marks[0], 0);
        assert!(marks.windows(2).all(|w| w[0] < w[1]), "marks {marks:?}");
        assert!(ends.windows(2).all(|w| w[0] <= w[1] && w[1] - w[0] <= MAX_GAP), "gaps {ends:?}");
        assert!(marks.windows(3).all(|w| w[2] - w[0] > EVERY), "short gaps {ends:?}");
        // the basis at each mark, as the lines add up
        let mut basis = Vec::new();
        let mut x = Decimal::ZERO;
        for (i, l) in k.lines.iter_from(0) {
            if marks.contains(&i) {
                basis.push(x);
            }
            if l.counted(*m) {
                x += unit_value(&l.credit(), table.kind);
            }
        }
        if marks.contains(&k.lines.len()) {
            basis.push(x);
        }
        assert_eq!(cum.iter_from(0).collect::<Vec<_>>(), basis, "running basis at the marks {marks:?}");
        // the lines across the bounds, as a fresh look finds them
        let mut again = k.clone();
        s.keep_across(&mut again, 0, 0).unwrap();
        let Calc::Table { shift: Some(again), .. } = &again.comps[0].calc else { unreachable!() };
        assert_eq!(sh.across, again.across, "lines across the bounds");
        let mut fresh = Shift::new(table).unwrap();
        fresh.fill(s, &k.lines, kc.c, table, *m).unwrap();
        (sh.sums.iter_from(0).collect(), sh.last_negative, fresh.sums.iter_from(0).collect(), fresh.last_negative)
    }

    /// A deal added at line 10 of 31 moves the lines from 10 on, and the mark at line 16 with them
    /// (to line 17), adding 99.99 to its basis and the deal's pay in each band to its sums.
    #[test]
    fn saved_deals_move_the_marks_and_their_sums() {
        let txns = (0..31).map(|i| deal(&format!("T{i:02}"), "40.05", &format!("2025-01-{:02}", i + 1))).collect();
        let mut s =
            Session::open(&quota_plan(), &Inputs { transactions: txns, ..Default::default() }, "rep", "Q1").unwrap();
        let sums = |s: &Session| {
            let Calc::Table { shift: Some(sh), cum, .. } = &s.kernel.as_ref().unwrap().comps[0].calc else { panic!() };
            let v: Vec<String> = sh.sums.iter_from(0).chain(cum.iter_from(0)).map(|d| d.to_string()).collect();
            (s.kernel.as_ref().unwrap().lines.marks.0.clone(), v)
        };
        // 16 lines of 40.05 before the mark at 16: basis 640.80; bands 5%, 10%, 20% of each line
        // 40.05 x 5% = 2.0025 -> 2.00, x 10% = 4.005 -> 4.00 (half-even), x 20% = 8.01
        assert_eq!(
            sums(&s),
            (vec![0, 16], ["0", "0", "0", "32.00", "64.00", "128.16", "0", "640.80"].map(String::from).to_vec())
        );
        s.upsert(deal("N", "99.99", "2025-01-10")).unwrap();
        // + 99.99 x 5% = 4.9995 -> 5.00, x 10% = 9.999 -> 10.00, x 20% = 19.998 -> 20.00
        assert_eq!(
            sums(&s),
            (vec![0, 17], ["0", "0", "0", "37.00", "74.00", "148.16", "0", "740.79"].map(String::from).to_vec())
        );
        let (now, last, fresh, fresh_last) = sums_now_and_rebuilt(&s);
        assert_eq!((now, last), (fresh, fresh_last));
        // 18 more deals after the last: the tail grows to 33 lines past the mark, so a mark goes in
        // at 17 + 16 = 33
        for i in 0..18 {
            s.upsert(deal(&format!("L{i:02}"), "1", "2025-03-01")).unwrap();
        }
        assert_eq!(s.kernel.as_ref().unwrap().lines.marks.0, [0, 17, 33]);
        // the deal removed at line 9: the marks move back to 16 and 32
        s.remove("N").unwrap();
        assert_eq!(s.kernel.as_ref().unwrap().lines.marks.0, [0, 16, 32]);
        let (now, last, fresh, fresh_last) = sums_now_and_rebuilt(&s);
        assert_eq!((now, last), (fresh, fresh_last));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

        /// Saving edits (deals added, changed, moved, removed; credit memos among them) keeps the
        /// sums equal to the sums built from the lines.
        #[test]
        fn saved_edits_keep_the_sums(
            deals in proptest::collection::vec((1i64..20_000, 0u32..60), 20..120),
            edits in proptest::collection::vec((0u8..3, 0usize..1000, -5_000i64..60_000, 0u32..60), 1..12),
        ) {
            let day = |d: u32| format!("2025-{:02}-{:02}", 1 + d / 28, 1 + d % 28);
            let cents = |c: i64| Decimal::new(c, 2).to_string();
            let txns = deals.iter().enumerate().map(|(i, (c, d))| deal(&format!("T{i:03}"), &cents(*c), &day(*d))).collect();
            let mut s = Session::open(&quota_plan(), &Inputs { transactions: txns, ..Default::default() }, "rep", "Q1").unwrap();
            for (n, (kind, pick, c, d)) in edits.into_iter().enumerate() {
                let ids: Vec<String> = s.inputs().transactions.iter().map(|t| t.id.clone()).collect();
                let id = ids[pick % ids.len()].clone();
                match kind {
                    0 if ids.len() > 1 => {
                        s.remove(&id).unwrap();
                    }
                    1 => {
                        s.upsert(deal(&id, &cents(c), &day(d))).unwrap();
                    }
                    _ => {
                        s.upsert(deal(&format!("N{n}"), &cents(c), &day(d))).unwrap();
                    }
                }
                let (now, last, fresh, fresh_last) = sums_now_and_rebuilt(&s);
                proptest::prop_assert_eq!(now, fresh, "sums after edit {}", n);
                proptest::prop_assert_eq!(last, fresh_last, "last negative line after edit {}", n);
            }
        }
    }

    /// `Below` answers as adding the move to each basis does, with the difference computed once
    /// where it is exact.
    #[test]
    fn below_a_moved_point_as_adding_the_move_says() {
        let d = |x: &str| x.parse::<Decimal>().unwrap();
        let (big, fine) = (d("1000000000000000001"), d("200000.000000001"));
        for (s, point, threshold) in [
            ("0", "200000.0", true),
            ("1000.50", "200000.0", true),
            ("-1000.50", "300000", true),
            ("0.00000001", "0.5", true),
            // beyond the magnitude or scale within which the difference is exact: each basis moved
            ("1000.50", "79228162514264337593543950335", false),
            ("-1000.50", "-79228162514264337593543950335", false),
            ("1000.50", "1000000000000000001", false),
            ("1000.50", "200000.000000001", false),
            ("0.000000001", "200000", false),
        ] {
            let (s, point) = (d(s), d(point));
            let below = Below::new(s, point);
            assert_eq!(matches!(below, Below::Than(_)), threshold, "{s} {point}");
            let basis =
                [point - s, point - s - d("0.01"), point - s + d("0.01"), point, -point, Decimal::ZERO, big, fine];
            for x in basis.into_iter().filter(|x| x.checked_add(s).is_some()) {
                assert_eq!(below.test(x).unwrap(), x + s < point, "{x} + {s} < {point}");
            }
        }
    }

    /// A quota of 1,000 puts the bounds of a 5% / 10% / 20% table at 1,000 and 1,500; each line is
    /// rounded half-even to cents.
    #[test]
    fn a_back_dated_deal_moves_the_later_lines_across_the_bounds() {
        let plan = quota_plan();
        let inputs = Inputs {
            transactions: vec![
                deal("A", "600.10", "2025-01-05"),
                deal("B", "300.30", "2025-02-05"),
                deal("C", "200.25", "2025-02-20"),
                deal("D", "100.05", "2025-03-05"),
            ],
            ..Default::default()
        };
        let mut s = Session::open(&plan, &inputs, "rep", "Q1").unwrap();
        assert_eq!(s.mode(), Mode::Incremental, "{:?}", s.replay_reason());
        let k = s.kernel.as_ref().unwrap();
        assert!(matches!(&k.comps[0].calc, Calc::Table { shift: Some(_), .. }));
        // A   0      -> 600.10   600.10 x 5% = 30.005                          -> 30.00
        // B 600.10   -> 900.40   300.30 x 5% = 15.015                          -> 15.02
        // C 900.40   -> 1100.65  99.60 x 5% + 100.65 x 10% = 4.98 + 10.065     -> 15.04
        // D 1100.65  -> 1200.70  100.05 x 10% = 10.005                         -> 10.00
        assert_eq!(s.payout().to_string(), "70.06");

        // N of 150 on Jan 20, between A and B: every later line moves up by 150
        // N 600.10   -> 750.10   150 x 5%                                      ->  7.50
        // B 750.10   -> 1050.40  249.90 x 5% + 50.40 x 10% = 12.495 + 5.04     -> 17.54 (now across 1,000)
        // C 1050.40  -> 1250.65  200.25 x 10% = 20.025                         -> 20.02 (now wholly in band 1)
        // D 1250.65  -> 1350.70  100.05 x 10% = 10.005                         -> 10.00 (band 1 still: the same)
        // 30.00 + 7.50 + 17.54 + 20.02 + 10.00 = 85.06
        let n = deal("N", "150", "2025-01-20");
        let p = s.preview(&n).unwrap();
        assert_eq!(
            (p.mode, p.payout.after.to_string(), p.payout.change.to_string()),
            (Mode::Incremental, "85.06".into(), "15.00".into())
        );
        assert_eq!(p.lines[0].line.trace, "N credit 150.00: 150.00 in band 0 at 5% = 7.50");
        // (computed from the per-band sums: no state of the lines after the deal)
        let (_, after) = s.compute(&super::super::Edit { remove: None, add: Some(&n) }, "N", false).unwrap();
        assert!(after.is_none());
        s.edit(n.clone()).unwrap();
        let q = s.preview_amount(Decimal::from(150), None, None).unwrap();
        assert!(q.keystroke);
        assert_eq!((q.payout.after.to_string(), q.components[0].to_string()), ("85.06".into(), "15.00".into()));

        // 450 instead: B moves wholly from band 0 to band 1, C from across 1,000 to across 1,500,
        // D wholly from band 1 to band 2
        // N 600.10   -> 1050.10  399.90 x 5% + 50.10 x 10% = 19.995 + 5.01    -> 25.00
        // B 1050.10  -> 1350.40  300.30 x 10%                                  -> 30.03
        // C 1350.40  -> 1550.65  149.60 x 10% + 50.65 x 20% = 14.96 + 10.13    -> 25.09
        // D 1550.65  -> 1650.70  100.05 x 20%                                  -> 20.01
        // 30.00 + 25.00 + 30.03 + 25.09 + 20.01 = 130.13
        let q = s.preview_amount(Decimal::from(450), None, None).unwrap();
        assert!(q.keystroke);
        assert_eq!((q.payout.after.to_string(), q.payout.change.to_string()), ("130.13".into(), "60.07".into()));
        assert_eq!(s.preview(&deal("N", "450", "2025-01-20")).unwrap().payout.after.to_string(), "130.13");

        // B removed: C 600.10 -> 800.35, 200.25 x 5% = 10.0125 -> 10.01; D 800.35 -> 900.40,
        // 100.05 x 5% = 5.0025 -> 5.00; 30.00 + 10.01 + 5.00 = 45.01
        assert_eq!(s.preview_remove("B").unwrap().payout.after.to_string(), "45.01");
        // B moved to Jan 1 at 300.30: B 0 -> 300.30 (15.02), A 300.30 -> 900.40 (30.00), then C and D
        // as before (15.04, 10.00): the same 70.06, through the keystroke path
        s.edit(deal("B", "300.30", "2025-01-01")).unwrap();
        let q = s.preview_amount(Decimal::new(30030, 2), None, None).unwrap();
        assert!(q.keystroke);
        assert_eq!(q.payout.after.to_string(), "70.06");

        // saved, the sums follow: the same figures as a full evaluation afterwards
        s.upsert(deal("N", "450", "2025-01-20")).unwrap();
        assert_eq!(s.payout().to_string(), "130.13");
        let q = s.preview(&deal("M", "1", "2025-01-01")).unwrap();
        // M 0 -> 1 (0.05), every later line up by 1: A 1 -> 601.10 (30.005 -> 30.00), N 601.10 ->
        // 1051.10: 398.90 x 5% + 51.10 x 10% = 19.945 + 5.11 = 25.055 -> 25.06, B 1051.10 ->
        // 1351.40 (30.03), C 1351.40 -> 1551.65: 148.60 x 10% + 51.65 x 20% = 14.86 + 10.33 -> 25.19,
        // D (20.01): 0.05 + 30.00 + 25.06 + 30.03 + 25.19 + 20.01 = 130.34
        assert_eq!(q.payout.after.to_string(), "130.34");
    }
}
