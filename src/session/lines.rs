//! A session's credit lines, compactly: 20 bytes a line.
//!
//! A line keeps its credit date (day number), its transaction slot, its credited amount (packed
//! exactly, see [`super::store::pack`]) and an index into a table of interned shapes: the rule,
//! whether it is a reversal, the measures that count it, its share, quantity and deal count,
//! which few lines differ in. [`Lines::get`] rebuilds the [`KLine`].

use super::store::{date_of, day, pack_or_side, unpack};
use super::KLine;
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
}

impl Lines {
    pub(super) fn from_vec(v: Vec<KLine>) -> Lines {
        let mut l = Lines::default();
        l.extend(v);
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

    pub(super) fn truncate(&mut self, n: usize) {
        self.lines.truncate(n);
    }

    pub(super) fn push(&mut self, l: KLine) {
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
        self.lines.push(Compact {
            date: day(Some(l.date)),
            txn: l.txn,
            amount: [p as u32, (p >> 32) as u32],
            shape: k,
        });
    }

    pub(super) fn extend(&mut self, v: impl IntoIterator<Item = KLine>) {
        for l in v {
            self.push(l);
        }
    }

    pub(super) fn shrink(&mut self) {
        self.lines.shrink_to_fit();
        self.shapes.shrink_to_fit();
        self.shapes_sorted.shrink_to_fit();
        self.side.shrink_to_fit();
    }

    /// Heap bytes held.
    pub(super) fn bytes(&self) -> usize {
        self.lines.capacity() * std::mem::size_of::<Compact>()
            + self.shapes.capacity() * std::mem::size_of::<Shape>()
            + self.shapes_sorted.capacity() * 4
            + self.side.capacity() * 16
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
        assert_eq!(l.bytes(), 3 * 20 + 2 * std::mem::size_of::<Shape>() + 2 * 4 + 16);
    }

    #[test]
    fn checkpoints_every_sixteenth_line() {
        // running basis 0, 1, 2, ... 40 before lines 0..=40
        let cum: Vec<Decimal> = (0..=40).map(Decimal::from).collect();
        let mut n = Nums::default();
        checkpoints(&mut n, 0, cum);
        assert_eq!(n.iter_from(0).collect::<Vec<_>>(), vec![Decimal::from(0), Decimal::from(16), Decimal::from(32)]);
        // lines from 20 on replaced: the basis is now 100 + i before line 20 + i
        checkpoints(&mut n, 20, (0..=30).map(|i| Decimal::from(100 + i)).collect());
        // 0 and 16 kept; 32 and 48 from the new tail (100 + 12, 100 + 28)
        assert_eq!(n.iter_from(0).map(|d| d.to_string()).collect::<Vec<_>>(), ["0", "16", "112", "128"]);
        assert_eq!(n.bytes(), 4 * 8);
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

    pub(super) fn len(&self) -> usize {
        self.v.len()
    }

    pub(super) fn iter_from(&self, first: usize) -> impl Iterator<Item = Decimal> + '_ {
        self.v.get(first..).unwrap_or(&[]).iter().map(|&p| unpack(p, &self.side))
    }

    pub(super) fn truncate(&mut self, n: usize) {
        self.v.truncate(n);
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

/// A table's running basis before every line is kept at every `EVERY`-th line only; the others
/// are recomputed from the checkpoint before them, adding the same values in the same order.
pub(super) const EVERY: usize = 16;

/// The checkpoints of `cum` (the running basis before each line from `first` on) appended to
/// `into`, which holds the checkpoints of the lines before `first`.
pub(super) fn checkpoints(into: &mut Nums, first: usize, cum: Vec<Decimal>) {
    into.truncate(first.div_ceil(EVERY));
    into.extend(cum.into_iter().enumerate().filter(|(i, _)| (first + i) % EVERY == 0).map(|(_, d)| d));
}
