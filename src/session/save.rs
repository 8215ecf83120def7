//! Saving an edit in place: the lines after a saved deal are moved, not rated again.
//!
//! A sequential table keeps, at the marks (see [`super::lines::Marks`]), the running basis and,
//! with per-band sums ([`super::shift`]), the sum of each paying band's pay of the whole lines
//! before the mark. Neither depends on where the lines lie in the bands: a saved edit adds the
//! same amount to every mark after it (the credit and band pays of the lines it adds, less those
//! it removes, before the mark) and moves the mark with its line. So a save costs one move of the
//! compact lines after it and a few integer additions per mark (the packed values and the marks'
//! lines), plus rating the few lines between the marks around the edit when a gap grows beyond
//! `MAX_GAP` lines; what the table pays after the edit comes from the per-band sums, as for a
//! preview. A table without per-band sums keeps each line's pay, rated again from the edit on.

use super::lines::{Nums, EVERY, MAX_GAP};
use super::shift::Shift;
use super::{Calc, KLine, Kernel, Order, Session};
use crate::engine::components::ResolvedTable;
use crate::engine::unit_value;
use crate::error::Error;
use crate::money::Checked;
use crate::Result;
use rust_decimal::Decimal;

/// Kept old lines `a..b` (and the place after them), now at `a + delta..`, after the first
/// `added` added lines and `removed` removed ones.
struct Run {
    a: usize,
    b: usize,
    delta: isize,
    added: usize,
    removed: usize,
}

/// A sequential table's state at the marks.
struct Table<'k> {
    c: usize,
    m: usize,
    table: &'k ResolvedTable,
    cum: &'k mut Nums,
    pays: &'k mut Nums,
    shift: Option<&'k mut Shift>,
    /// values per mark: the basis, then one sum per paying band
    width: usize,
    /// its pays from the edit on, when rated
    rated: Option<Vec<Decimal>>,
}

fn beyond() -> Error {
    Error::overflow("a saved edit")
}

impl Session {
    /// A counted line's credit and band pays added to (or, with `minus`, taken from) `acc`, laid
    /// out as a mark's values; the largest band pay in magnitude.
    fn add_values(&self, t: &Table<'_>, l: &KLine, acc: &mut [Decimal], minus: bool) -> Result<Decimal> {
        if !l.counted(t.m) {
            return Ok(Decimal::ZERO);
        }
        let d = unit_value(&l.credit(), t.table.kind);
        let Some((basis, sums)) = acc.split_first_mut() else { return Ok(Decimal::ZERO) };
        *basis = basis.add_c(if minus { -d } else { d }, "a running basis")?;
        match &t.shift {
            Some(sh) => sh.add_line(self, t.c, t.table, l, sums, minus),
            None => Ok(Decimal::ZERO),
        }
    }

    /// The values of table `t` at line `to`, from mark `k` (at line `from`) and the lines between.
    fn walk(
        &self,
        lines: &super::lines::Lines,
        t: &Table<'_>,
        k: usize,
        from: usize,
        to: usize,
    ) -> Result<Vec<Decimal>> {
        let mut acc = Vec::with_capacity(t.width);
        acc.push(t.cum.get(k).ok_or_else(beyond)?);
        if let Some(sh) = &t.shift {
            for col in 0..sh.paid() {
                acc.push(sh.sums().get(k * sh.paid() + col).ok_or_else(beyond)?);
            }
        }
        for (_, l) in lines.iter_from(from).take(to.saturating_sub(from)) {
            self.add_values(t, &l, &mut acc, false)?;
        }
        Ok(acc)
    }

    /// Applies a computed edit to the kernel: the lines at `removed` leave, `added[k]` enters
    /// before the old line `at[k]`; every sequential table's state is moved (see the
    /// [module docs](self)), and the tables without per-band sums take their pays `rated` from
    /// `first` on. An error (a value beyond what the moves add exactly) leaves the kernel to be
    /// built again.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn save(
        &self,
        kernel: &mut Kernel,
        first: usize,
        removed: &[usize],
        at: &[usize],
        added: Vec<KLine>,
        rated: Vec<Option<Vec<Decimal>>>,
    ) -> Result<()> {
        let n = kernel.lines.len();
        // the runs of kept lines, and where the added lines go
        let (mut runs, mut added_at) = (Vec::new(), Vec::with_capacity(added.len()));
        let (mut i, mut k, mut r, mut new) = (first, 0, 0, first);
        loop {
            while at.get(k).is_some_and(|&p| p <= i) {
                added_at.push(new);
                k += 1;
                new += 1;
            }
            if i >= n {
                break;
            }
            if removed.get(r) == Some(&i) {
                r += 1;
                i += 1;
                continue;
            }
            let mut b = at.get(k).copied().unwrap_or(n).min(n);
            if let Some(&x) = removed.get(r) {
                if x < i {
                    return Err(beyond());
                }
                b = b.min(x);
            }
            runs.push(Run { a: i, b, delta: new as isize - i as isize, added: k, removed: r });
            new += b - i;
            i = b;
        }
        if r != removed.len() || k != added.len() || at.len() != added.len() {
            return Err(beyond());
        }
        let removed_lines: Vec<KLine> = removed.iter().filter_map(|&j| kernel.lines.get(j)).collect();
        let mut tables = Vec::new();
        for (kc, rated) in kernel.comps.iter_mut().zip(rated) {
            if let Calc::Table { m, table, order: Order::Sequential, cum, pays, shift, .. } = &mut kc.calc {
                let width = 1 + shift.as_ref().map_or(0, |s| s.paid());
                tables.push(Table { c: kc.c, m: *m, table, cum, pays, shift: shift.as_mut(), width, rated });
            }
        }
        // per table and run, what the edit adds to the values at its marks
        let mut moves: Vec<Vec<Vec<Decimal>>> = Vec::with_capacity(tables.len());
        for t in &mut tables {
            let mut acc = vec![Decimal::ZERO; t.width];
            let (mut ka, mut kr) = (0, 0);
            let mut per_run = Vec::with_capacity(runs.len());
            for run in &runs {
                for l in added.get(ka..run.added).unwrap_or(&[]) {
                    self.add_values(t, l, &mut acc, false)?;
                }
                for l in removed_lines.get(kr..run.removed).unwrap_or(&[]) {
                    self.add_values(t, l, &mut acc, true)?;
                }
                (ka, kr) = (run.added, run.removed);
                per_run.push(acc.clone());
            }
            moves.push(per_run);
            // the last line with a negative credit, moved with its line (or, when it leaves, the
            // one before it); the added lines may have a later one
            let Some(sh) = t.shift.as_deref_mut() else { continue };
            let (m, kind) = (t.m, t.table.kind);
            let moved = |x: usize| -> Option<usize> {
                if x < first {
                    return Some(x);
                }
                let run = runs.iter().rev().find(|run| run.a <= x).filter(|run| x < run.b)?;
                Some((x as isize + run.delta) as usize)
            };
            let last = match sh.last_negative() {
                Some(x) if x >= first && removed.binary_search(&x).is_ok() => (0..x)
                    .rev()
                    .filter(|j| removed.binary_search(j).is_err())
                    .find(|&j| {
                        kernel
                            .lines
                            .get(j)
                            .is_some_and(|l| l.counted(m) && unit_value(&l.credit(), kind) < Decimal::ZERO)
                    })
                    .and_then(moved),
                x => x.and_then(moved),
            };
            sh.set_last_negative(last);
            let mut scratch = vec![Decimal::ZERO; sh.paid()];
            for (l, &p) in added.iter().zip(&added_at).filter(|(l, _)| l.counted(m)) {
                let most = sh.add_line(self, t.c, t.table, l, &mut scratch, false)?;
                sh.grow(kind, l, most, p)?;
            }
        }
        kernel.lines.edit(removed, at, added);
        // the marks after `first` move with their lines (those at removed lines go)
        let mut marks = std::mem::take(&mut kernel.lines.marks.0);
        let lines = &kernel.lines;
        let k0 = marks.partition_point(|&p| p as usize <= first);
        // (the ranges of marks of each run, found among the old lines before any moves)
        let mut keep = Vec::with_capacity(runs.len());
        for (ri, run) in runs.iter().enumerate() {
            let lo = marks.partition_point(|&p| (p as usize) < run.a).max(k0);
            let hi = runs.get(ri + 1).map_or(marks.len(), |nx| marks.partition_point(|&p| (p as usize) < nx.a)).max(lo);
            keep.push((lo, marks.partition_point(|&p| p as usize <= run.b).clamp(lo, hi)));
        }
        for (ri, (run, &(lo, mid))) in runs.iter().zip(&keep).enumerate() {
            for p in marks.get_mut(lo..mid).unwrap_or(&mut []) {
                *p = (*p as isize + run.delta) as u32;
            }
            for (t, per_run) in tables.iter_mut().zip(&moves) {
                let Some(d) = per_run.get(ri) else { continue };
                let (basis, sums) = d.split_first().ok_or_else(beyond)?;
                if !t.cum.add(lo, mid, std::slice::from_ref(basis)) {
                    return Err(beyond());
                }
                if let Some(sh) = t.shift.as_deref_mut() {
                    if !sh.sums_mut().add(lo * sums.len(), mid * sums.len(), sums) {
                        return Err(beyond());
                    }
                }
            }
        }
        // the marks at removed lines (from the last one on, so that the indices hold)
        let mut gone = Vec::new();
        let mut from = k0;
        for &(lo, mid) in &keep {
            gone.extend(from..lo);
            from = from.max(mid);
        }
        gone.extend(from..marks.len());
        for &g in gone.iter().rev() {
            drop_mark(&mut marks, &mut tables, g);
        }
        // the gaps: at most `MAX_GAP` lines (a mark added `EVERY` lines after the one before, its
        // values rated from there), no repeated line, and two consecutive gaps above `EVERY` lines
        // (the mark between two shorter ones goes)
        // (the marks of the last run keep their gaps: from there only the end is looked at)
        let end = lines.len();
        let settled = runs.last().map_or(usize::MAX, |r| (r.a as isize + r.delta) as usize);
        let mut k = k0.max(1);
        while let Some(prev) = k.checked_sub(1).and_then(|j| marks.get(j)).map(|&p| p as usize) {
            let next = marks.get(k).map(|&p| p as usize);
            if next.is_some() && k.checked_sub(2).and_then(|j| marks.get(j)).is_some_and(|&p| p as usize >= settled) {
                k = marks.len();
                continue;
            }
            let to = next.unwrap_or(end);
            if next.is_some_and(|x| x <= prev) {
                drop_mark(&mut marks, &mut tables, k);
                continue;
            }
            if to - prev > MAX_GAP {
                let p = prev + EVERY;
                for t in &mut tables {
                    let v = self.walk(lines, t, k - 1, prev, p)?;
                    let (basis, sums) = v.split_first().ok_or_else(beyond)?;
                    t.cum.insert(k, *basis);
                    if let Some(sh) = t.shift.as_deref_mut() {
                        for (col, x) in sums.iter().enumerate() {
                            sh.sums_mut().insert(k * sums.len() + col, *x);
                        }
                    }
                }
                marks.insert(k, p as u32);
                k += 1;
                continue;
            }
            if let Some(&before) = k.checked_sub(2).and_then(|j| marks.get(j)) {
                if to - before as usize <= EVERY {
                    drop_mark(&mut marks, &mut tables, k - 1);
                    k -= 1;
                    continue;
                }
            }
            if next.is_none() {
                break;
            }
            k += 1;
        }
        // the pays of the tables that keep them
        for t in &mut tables {
            if t.shift.is_none() {
                let pays = t.rated.take().ok_or_else(beyond)?;
                t.pays.truncate(first);
                t.pays.extend(pays);
            }
        }
        drop(tables);
        kernel.lines.marks.0 = marks;
        kernel.lines.shrink_marks();
        Ok(())
    }
}

/// Removes mark `k` and its values.
fn drop_mark(marks: &mut Vec<u32>, tables: &mut [Table<'_>], k: usize) {
    if k >= marks.len() {
        return;
    }
    marks.remove(k);
    for t in tables {
        t.cum.remove(k);
        if let Some(sh) = t.shift.as_deref_mut() {
            let w = sh.paid();
            sh.sums_mut().remove_range(k * w, (k + 1) * w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::shift::tests::{deal, quota_plan};
    use crate::Inputs;

    /// The marks' lines, and the table's running basis and per-band sums at them, as text.
    fn state(s: &Session) -> (Vec<u32>, Vec<String>, Vec<String>) {
        let k = s.kernel.as_ref().unwrap();
        let Calc::Table { cum, shift: Some(sh), .. } = &k.comps[0].calc else { panic!("no per-band sums") };
        let text = |n: &Nums| n.iter_from(0).map(|d| d.to_string()).collect();
        (k.lines.marks.0.clone(), text(cum), text(sh.sums()))
    }

    /// A quota of 1,000 puts the bounds of a 5% / 10% / 20% table at 1,000 and 1,500; each line
    /// is rounded half-even to cents. 20 deals of 60 on Jan 1 to 20 (T00 to T19): the first 16
    /// pay 60 x 5% = 3.00 each (48.00), T16 crosses 1,000 (960 -> 1,020: 40 x 5% + 20 x 10% =
    /// 4.00), T17 to T19 pay 60 x 10% = 6.00 each (18.00): 70.00. The mark at line 16 holds the
    /// basis 960 and the whole-line pays of the 16 lines before it in each band: 48.00, 96.00,
    /// 192.00.
    #[test]
    fn a_saved_back_dated_deal_moves_the_later_lines_across_a_bound() {
        let plan = quota_plan();
        let txns = (0..20).map(|i| deal(&format!("T{i:02}"), "60", &format!("2025-01-{:02}", i + 1))).collect();
        let mut s = Session::open(&plan, &Inputs { transactions: txns, ..Default::default() }, "rep", "Q1").unwrap();
        assert_eq!(s.payout().to_string(), "70.00");
        let strings = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            state(&s),
            (vec![0, 16], strings(&["0", "960"]), strings(&["0", "0", "0", "48.00", "96.00", "192.00"]))
        );

        // N of 250.50 on Jan 3 goes before T02 (line 2; "N" < "T02"): 120 -> 370.50, 250.50 x 5% =
        // 12.525 -> 12.52. T02 to T19 move up by 250.50: T_i runs from 60 i + 250.50, so T02 to T11
        // stay in band 0 (3.00 each, 30.00), T12 now crosses 1,000 (970.50 -> 1,030.50: 29.50 x 5%
        // + 30.50 x 10% = 1.475 + 3.05 = 4.525 -> 4.52), T13 to T15 move wholly into band 1 and
        // T16 (across before) too: T13 to T19 pay 6.00 each (42.00), up to 1,450.50.
        // T00, T01 6.00 + N 12.52 + 30.00 + 4.52 + 42.00 = 95.04
        let p = s.upsert(deal("N", "250.50", "2025-01-03")).unwrap();
        assert_eq!((p.payout.after.to_string(), p.payout.change.to_string()), ("95.04".into(), "25.04".into()));
        assert_eq!(s.payout().to_string(), "95.04");
        // no line was rated again: the mark moved with T16 to line 17, its basis up by 250.50 and
        // its sums by N's whole-line pays: 250.50 x 5% = 12.52, x 10% = 25.05, x 20% = 50.10
        assert_eq!(s.last_save_rerated(), Some(0));
        assert_eq!(
            state(&s),
            (vec![0, 17], strings(&["0", "1210.50"]), strings(&["0", "0", "0", "60.52", "121.05", "242.10"]))
        );

        // N moved to Mar 1, after every other deal: T00 to T19 pay their 70.00 again, and N runs
        // from 1,200 to 1,450.50 in band 1: 25.05; 95.05. The mark is back at line 16, its basis
        // 960 + 250.50 - 250.50 (the same value with the scale of the moves: every figure is
        // padded to the currency's scale from its normalized value, so scales do not show)
        s.upsert(deal("N", "250.50", "2025-03-01")).unwrap();
        assert_eq!((s.payout().to_string(), s.last_save_rerated()), ("95.05".into(), Some(0)));
        assert_eq!(
            state(&s),
            (vec![0, 16], strings(&["0", "960.00"]), strings(&["0", "0", "0", "48.00", "96.00", "192.00"]))
        );

        // T05 removed: the lines after it move down by 60. T16 runs 900 -> 960 (3.00), T17 crosses
        // 1,000 (960 -> 1,020: 4.00), T18, T19 6.00 each, N 1,140 -> 1,390.50 (25.05); the 15 lines
        // T00 to T15 but T05 3.00 each: 45.00 + 3.00 + 4.00 + 12.00 + 25.05 = 89.05. The mark moves
        // with T16 to line 15: basis 900, sums less T05's 3.00, 6.00, 12.00.
        s.remove("T05").unwrap();
        assert_eq!((s.payout().to_string(), s.last_save_rerated()), ("89.05".into(), Some(0)));
        assert_eq!(
            state(&s),
            (vec![0, 15], strings(&["0", "900.00"]), strings(&["0", "0", "0", "45.00", "90.00", "180.00"]))
        );
        assert_eq!(s.statement().unwrap().payout.to_string(), "89.05");
    }
}
