//! A session's credit lines, compactly: 20 bytes a line.
//!
//! A line keeps its credit date (day number), its transaction slot, its credited amount (packed
//! exactly, see [`super::store::pack`]) and an index into a table of interned shapes: the rule,
//! whether it is a reversal, the measures that count it, its share, quantity and deal count,
//! which few lines differ in. [`Lines::get`] rebuilds the [`KLine`].

use super::store::{date_of, day, pack_or_side, unpack};
use super::KLine;
use crate::money::Checked;
use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy)]
struct Compact {
    date: i32,
    txn: u32,
    /// packed amount, in two halves (so that a line aligns on 4 bytes)
    amount: [u32; 2],
    shape: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Shape {
    rule: u32,
    reversal: bool,
    counts: u64,
    /// exact bytes of share, quantity and deals (equal decimals of different scales differ)
    key: [[u8; 16]; 3],
}

#[derive(Debug, Clone, Default)]
pub(super) struct Lines {
    lines: Vec<Compact>,
    shapes: Vec<Shape>,
    shapes_sorted: Vec<u32>,
    /// amounts whose mantissa does not pack
    side: Vec<Decimal>,
    /// the marks: the lines (ascending, the first 0) before which the sequential tables keep their
    /// running basis and per-band sums (see [`Marks`])
    pub(super) marks: Marks,
}

impl Lines {
    pub(super) fn from_vec(v: Vec<KLine>) -> Lines {
        let mut l = Lines::default();
        for x in v {
            let c = l.compact(x);
            l.lines.push(c);
        }
        l.marks = Marks::every(l.len());
        l.shrink();
        l
    }

    pub(super) fn len(&self) -> usize {
        self.lines.len()
    }

    fn expand(&self, c: &Compact) -> KLine {
        let s = self.shapes.get(c.shape as usize);
        let dec = |k: usize| s.and_then(|s| s.key.get(k)).map(|b| Decimal::deserialize(*b)).unwrap_or_default();
        let packed = (u64::from(c.amount[0]) | (u64::from(c.amount[1]) << 32)) as i64;
        KLine {
            date: date_of(c.date).unwrap_or_default(),
            txn: c.txn,
            rule: s.map_or(0, |s| s.rule),
            reversal: s.is_some_and(|s| s.reversal),
            counts: s.map_or(0, |s| s.counts),
            share: dec(0),
            amount: unpack(packed, &self.side),
            quantity: dec(1),
            deals: dec(2),
        }
    }

    pub(super) fn get(&self, j: usize) -> Option<KLine> {
        self.lines.get(j).map(|c| self.expand(c))
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = KLine> + '_ {
        self.lines.iter().map(|c| self.expand(c))
    }

    /// The lines from `first` on, with their positions.
    pub(super) fn iter_from(&self, first: usize) -> impl Iterator<Item = (usize, KLine)> + '_ {
        self.lines.get(first..).unwrap_or(&[]).iter().enumerate().map(move |(j, c)| (first + j, self.expand(c)))
    }

    /// The first line for which `before` is false (lines must be partitioned by it).
    pub(super) fn partition_point(&self, mut before: impl FnMut(&KLine) -> bool) -> usize {
        self.lines.partition_point(|c| before(&self.expand(c)))
    }

    /// A line, packed (its shape interned).
    fn compact(&mut self, l: KLine) -> Compact {
        let shape = Shape {
            rule: l.rule,
            reversal: l.reversal,
            counts: l.counts,
            key: [l.share.serialize(), l.quantity.serialize(), l.deals.serialize()],
        };
        let shapes = &self.shapes;
        let k = match self.shapes_sorted.binary_search_by(|&k| shapes.get(k as usize).cmp(&Some(&shape))) {
            Ok(k) => self.shapes_sorted.get(k).copied().unwrap_or_default(),
            Err(at) => {
                self.shapes.push(shape);
                let k = (self.shapes.len() - 1) as u32;
                self.shapes_sorted.insert(at, k);
                k
            }
        };
        let p = pack_or_side(l.amount, &mut self.side) as u64;
        Compact { date: day(Some(l.date)), txn: l.txn, amount: [p as u32, (p >> 32) as u32], shape: k }
    }

    /// Removes the lines at `removed` (ascending) and adds `added[k]` before the old line at
    /// `at[k]` (`at` ascending, in processing order): one move of the lines after the edit. The
    /// marks are left as they were.
    pub(super) fn edit(&mut self, removed: &[usize], at: &[usize], added: Vec<KLine>) {
        let n = self.lines.len();
        let first = removed.iter().chain(at).copied().min().unwrap_or(n).min(n);
        let end = removed.iter().map(|r| r + 1).chain(at.iter().copied()).max().unwrap_or(n).clamp(first, n);
        let mut mid = Vec::with_capacity(end - first + added.len());
        let mut adds = at.iter().zip(added).peekable();
        for j in first..end {
            while let Some((_, l)) = adds.next_if(|(&p, _)| p <= j) {
                let c = self.compact(l);
                mid.push(c);
            }
            if removed.binary_search(&j).is_err() {
                if let Some(c) = self.lines.get(j) {
                    mid.push(*c);
                }
            }
        }
        for (_, l) in adds {
            let c = self.compact(l);
            mid.push(c);
        }
        self.lines.splice(first..end, mid);
    }

    /// Gives back the marks' spare room when they hold more than twice what they need.
    pub(super) fn shrink_marks(&mut self) {
        if self.marks.0.capacity() > 2 * self.marks.0.len() + 8 {
            self.marks.0.shrink_to_fit();
        }
    }

    pub(super) fn shrink(&mut self) {
        self.lines.shrink_to_fit();
        self.shapes.shrink_to_fit();
        self.shapes_sorted.shrink_to_fit();
        self.side.shrink_to_fit();
        self.marks.0.shrink_to_fit();
    }

    /// Heap bytes held.
    pub(super) fn bytes(&self) -> usize {
        self.lines.capacity() * std::mem::size_of::<Compact>()
            + self.shapes.capacity() * std::mem::size_of::<Shape>()
            + self.shapes_sorted.capacity() * 4
            + self.side.capacity() * 16
            + self.marks.bytes()
    }
}

/// Most lines between two marks, and after the last one.
pub(super) const MAX_GAP: usize = 2 * EVERY;

/// The lines at which the sequential tables keep their state (the running basis, the per-band
/// sums): every `EVERY`-th line when the session is built. A saved edit moves the marks after it
/// with the lines (their state moves by what the edit adds before them), then keeps the gaps
/// between marks within `MAX_GAP` lines and any two consecutive gaps above `EVERY` lines, so that
/// the state of any line is at most `MAX_GAP` lines from a mark and there are at most
/// `2 * lines / EVERY + 2` marks.
#[derive(Debug, Clone, Default)]
pub(super) struct Marks(pub(super) Vec<u32>);

impl Marks {
    /// Marks at every `EVERY`-th line of `n` lines (and line 0).
    pub(super) fn every(n: usize) -> Marks {
        Marks((0..=n).step_by(EVERY).map(|i| i as u32).collect())
    }

    /// The line of mark `k`.
    pub(super) fn get(&self, k: usize) -> Option<usize> {
        self.0.get(k).map(|&p| p as usize)
    }

    /// The last mark at or before line `j`, and its line.
    pub(super) fn before(&self, j: usize) -> (usize, usize) {
        let k = self.first_after(j).saturating_sub(1);
        (k, self.get(k).unwrap_or(0))
    }

    /// The first mark after line `j`: searched from where it would be if the marks were every
    /// `EVERY`-th line (they stay near there), in steps doubling away from it, then by halves.
    fn first_after(&self, j: usize) -> usize {
        let v = &self.0;
        let after = |k: usize| v.get(k).is_none_or(|&p| p as usize > j);
        let guess = (j / EVERY + 1).min(v.len());
        let mut step = 1;
        // the marks before `lo` are at or before j, those from `hi` on after it
        let (lo, hi) = if after(guess) {
            let mut hi = guess;
            let lo = loop {
                match hi.checked_sub(step) {
                    Some(c) if after(c) => {
                        hi = c;
                        step *= 2;
                    }
                    Some(c) => break c + 1,
                    None => break 0,
                }
            };
            (lo, hi)
        } else {
            let mut lo = guess + 1;
            let hi = loop {
                let c = lo + step - 1;
                if c >= v.len() {
                    break v.len();
                }
                if after(c) {
                    break c;
                }
                lo = c + 1;
                step *= 2;
            };
            (lo, hi)
        };
        lo + v.get(lo..hi).unwrap_or(&[]).partition_point(|&p| p as usize <= j)
    }

    /// The number of marks before line `j`: the first mark at or after it.
    pub(super) fn first_from(&self, j: usize) -> usize {
        j.checked_sub(1).map_or(0, |j| self.first_after(j))
    }

    fn bytes(&self) -> usize {
        self.0.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use std::str::FromStr;

    #[test]
    fn lines_come_back_as_they_went_in() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        let line = |amount: &str, share: &str| KLine {
            date: NaiveDate::from_ymd_opt(2025, 3, 31).unwrap(),
            txn: 7,
            rule: 1,
            reversal: false,
            counts: 0b101,
            share: d(share),
            amount: d(amount),
            quantity: d("1"),
            deals: d("1"),
        };
        let big = "79228162514264337593543950335";
        let v = vec![line("1840.50", "1"), line("-3", "1.0"), line(big, "1")];
        let l = Lines::from_vec(v.clone());
        assert_eq!(std::mem::size_of::<Compact>(), 20);
        for (a, b) in l.iter().zip(&v) {
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
        }
        // share 1 and 1.0 are two shapes; the 29-digit amount goes to the side table
        assert_eq!(l.shapes.len(), 2);
        // (and one mark, line 0: 4 bytes)
        assert_eq!(l.bytes(), 3 * 20 + 2 * std::mem::size_of::<Shape>() + 2 * 4 + 16 + 4);
    }

    #[test]
    fn marks_and_moved_state() {
        assert_eq!(Marks::every(40).0, [0, 16, 32]);
        let m = Marks(vec![0, 16, 33]);
        assert_eq!((m.before(32), m.before(33), m.before(50), m.first_from(17)), ((1, 16), (2, 33), (2, 33), (2)));
        // the last mark at or before each line, far from the regular places too
        let m = Marks(vec![0, 1, 2, 3, 40, 41, 70, 100, 101, 102, 103, 104, 105, 106, 107, 200]);
        for j in 0..=260 {
            let k = m.0.iter().rposition(|&p| p as usize <= j).unwrap();
            assert_eq!(m.before(j), (k, m.0[k] as usize), "line {j}");
        }
        // 1.50 + 2.25 by the mantissas (the same scale); 0.5 + 1.25 and a side value through decimals
        let d = |s: &str| Decimal::from_str(s).unwrap();
        let big = d("288230376151711744");
        let mut n = Nums::from_vec(vec![d("1.50"), d("0.5"), big, d("7")]);
        assert!(n.add(0, 3, &[d("2.25")]));
        assert!(n.add(3, 4, &[Decimal::ZERO]));
        let v: Vec<String> = n.iter_from(0).map(|x| x.to_string()).collect();
        assert_eq!(v, ["3.75", "2.75", "288230376151711746.25", "7"]);
        // beyond 10^18 a sum is not moved (it might not be exact)
        assert!(!n.add(2, 3, &[d("2000000000000000000")]));
        // two values a mark: 1 and 10 added in turn
        let mut two = Nums::from_vec(vec![d("0"), d("0"), d("5"), d("5")]);
        assert!(two.add(0, 4, &[d("1"), d("10")]));
        assert_eq!(two.iter_from(0).map(|x| x.to_string()).collect::<Vec<_>>(), ["1", "10", "6", "15"]);
        n.insert(1, d("-1.0"));
        n.remove(0);
        assert_eq!(
            n.iter_from(0).map(|x| x.to_string()).collect::<Vec<_>>(),
            ["-1.0", "2.75", "288230376151711746.25", "7"]
        );
    }
}

/// Decimals packed into 8 bytes each (see [`super::store::pack`]), exactly.
#[derive(Debug, Clone, Default)]
pub(super) struct Nums {
    v: Vec<i64>,
    side: Vec<Decimal>,
}

impl Nums {
    pub(super) fn from_vec(v: Vec<Decimal>) -> Nums {
        let mut n = Nums::default();
        n.extend(v);
        n.shrink();
        n
    }

    pub(super) fn get(&self, j: usize) -> Option<Decimal> {
        self.v.get(j).map(|&p| unpack(p, &self.side))
    }

    pub(super) fn iter_from(&self, first: usize) -> impl Iterator<Item = Decimal> + '_ {
        self.v.get(first..).unwrap_or(&[]).iter().map(|&p| unpack(p, &self.side))
    }

    pub(super) fn truncate(&mut self, n: usize) {
        self.v.truncate(n);
    }

    pub(super) fn insert(&mut self, j: usize, d: Decimal) {
        let p = pack_or_side(d, &mut self.side);
        self.v.insert(j.min(self.v.len()), p);
    }

    pub(super) fn remove(&mut self, j: usize) {
        if j < self.v.len() {
            self.v.remove(j);
        }
    }

    pub(super) fn remove_range(&mut self, from: usize, to: usize) {
        if from <= to && to <= self.v.len() {
            self.v.drain(from..to);
        }
    }

    /// Adds `d[(j - from) % d.len()]` to each value `j` of `from..to`, exactly: by the packed
    /// mantissas when the scales agree, otherwise as decimals within `MAX` and `MAX_SCALE`
    /// (`false`, some values left unchanged, beyond them).
    pub(super) fn add(&mut self, from: usize, to: usize, d: &[Decimal]) -> bool {
        if d.iter().all(|d| d.is_zero()) {
            return true;
        }
        // each offset's mantissa and scale (i64::MAX: too large to add to a packed mantissa)
        let parts: Vec<(i64, i64)> = d
            .iter()
            .map(|d| {
                (i64::try_from(d.mantissa()).ok().filter(|m| m.abs() < 1 << 58).unwrap_or(i64::MAX), d.scale().into())
            })
            .collect();
        let to = to.min(self.v.len());
        let (v, side) = (&mut self.v, &mut self.side);
        let Some(v) = v.get_mut(from..to) else { return true };
        for (p, (d, &(dm, ds))) in v.iter_mut().zip(d.iter().zip(&parts).cycle()) {
            if *p & 31 == ds && dm != i64::MAX {
                let m = (*p >> 5) + dm;
                if (-(1 << 58)..1 << 58).contains(&m) {
                    *p = (m << 5) | ds;
                    continue;
                }
            }
            let x = unpack(*p, side);
            let within = |x: Decimal| x.abs() <= MAX && x.scale() <= MAX_SCALE;
            match x.add_c(*d, "a moved value") {
                Ok(y) if within(x) && within(*d) => *p = pack_or_side(y, side),
                _ => return false,
            }
        }
        true
    }

    pub(super) fn push(&mut self, d: Decimal) {
        let p = pack_or_side(d, &mut self.side);
        self.v.push(p);
    }

    pub(super) fn extend(&mut self, v: impl IntoIterator<Item = Decimal>) {
        for d in v {
            self.push(d);
        }
    }

    pub(super) fn shrink(&mut self) {
        self.v.shrink_to_fit();
        self.side.shrink_to_fit();
    }

    pub(super) fn bytes(&self) -> usize {
        self.v.capacity() * 8 + self.side.capacity() * 16
    }
}

/// A table's running basis before every line is kept at the marks only (every `EVERY`-th line
/// when the session is built); the others are recomputed from the mark before them, adding the
/// same values in the same order.
pub(super) const EVERY: usize = 16;

/// The largest scale of a value, and the largest magnitude (10^18), for which moved values are
/// added as decimals: within them every sum is exact (mantissas below 10^28).
pub(super) const MAX_SCALE: u32 = 8;
pub(super) const MAX: Decimal = Decimal::from_parts(2_808_348_672, 232_830_643, 0, false, 0);
