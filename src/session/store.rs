//! The transactions a session holds, as compact columns.
//!
//! A transaction that has only an id, an owner, an amount, a close date, a product, a type and a
//! region (the usual CRM deal) is kept as: its id in one string arena (a `u32` end offset), its
//! close date as an `i32` day number, its amount as one packed `i64` (mantissa and scale, exact),
//! and its owner, product, type and region as one `u32` index into a table of interned
//! combinations. Any other transaction (splits, attributes, other dates, a currency, an amount
//! whose mantissa does not fit) is kept whole in a side table. [`Store::get`] rebuilds the
//! `Transaction` exactly as it was given.

use crate::inputs::Transaction;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// Scale code (low 5 bits) marking a packed value as an index into a side table.
const SIDE: i64 = 31;
/// Mantissas that pack: |m| < 2^58.
const LIMIT: i128 = 1 << 58;

/// Packs a decimal exactly into an `i64` (mantissa << 5 | scale), when its mantissa fits.
pub(super) fn pack(d: Decimal) -> Option<i64> {
    let m = d.mantissa();
    if (d.is_zero() && d.is_sign_negative()) || !(-LIMIT..LIMIT).contains(&m) {
        return None;
    }
    Some(((m as i64) << 5) | i64::from(d.scale() as u8))
}

/// Packs a decimal, keeping the ones that do not fit in `side`.
pub(super) fn pack_or_side(d: Decimal, side: &mut Vec<Decimal>) -> i64 {
    match pack(d) {
        Some(p) => p,
        None => {
            side.push(d);
            (((side.len() - 1) as i64) << 5) | SIDE
        }
    }
}

/// The decimal a packed value stands for.
pub(super) fn unpack(p: i64, side: &[Decimal]) -> Decimal {
    let scale = (p & 31) as u32;
    if p & 31 == SIDE {
        return side.get((p >> 5) as usize).copied().unwrap_or_default();
    }
    Decimal::try_from_i128_with_scale(i128::from(p >> 5), scale).unwrap_or_default()
}

/// A date as a day number (`i32::MIN`: none).
pub(super) fn day(d: Option<NaiveDate>) -> i32 {
    d.map_or(i32::MIN, |d| d.num_days_from_ce())
}

pub(super) fn date_of(n: i32) -> Option<NaiveDate> {
    if n == i32::MIN {
        None
    } else {
        NaiveDate::from_num_days_from_ce_opt(n)
    }
}

/// `fields` value of a removed slot, and of a transaction kept whole.
const DEAD: u32 = u32::MAX;
const WHOLE: u32 = u32::MAX - 1;
/// An absent string in an interned combination.
const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Default)]
pub(super) struct Store {
    /// the ids, one after the other
    arena: String,
    /// per slot: end of its id in `arena` (its start is the previous slot's end)
    id_end: Vec<u32>,
    /// per slot: close date
    date: Vec<i32>,
    /// per slot: packed amount
    amount: Vec<i64>,
    /// per slot: index into `combos` (`DEAD`: removed, `WHOLE`: in `whole`)
    fields: Vec<u32>,
    /// interned strings, and their positions sorted by text
    strs: Vec<String>,
    strs_sorted: Vec<u32>,
    /// interned (owner, product, type, region), and their positions sorted
    combos: Vec<[u32; 4]>,
    combos_sorted: Vec<u32>,
    /// transactions kept whole, by slot
    whole: Vec<(u32, Transaction)>,
}

impl Store {
    /// Number of slots (held or removed).
    pub(super) fn len(&self) -> usize {
        self.fields.len()
    }

    pub(super) fn alive(&self, i: usize) -> bool {
        self.fields.get(i).is_some_and(|&f| f != DEAD)
    }

    pub(super) fn id(&self, i: usize) -> Option<&str> {
        if !self.alive(i) {
            return None;
        }
        let end = *self.id_end.get(i)? as usize;
        let start = if i == 0 { 0 } else { *self.id_end.get(i - 1)? as usize };
        self.arena.get(start..end)
    }

    fn str(&self, k: u32) -> Option<String> {
        (k != NONE).then(|| self.strs.get(k as usize).cloned().unwrap_or_default())
    }

    /// The transaction in slot `i`, rebuilt.
    pub(super) fn get(&self, i: usize) -> Option<Transaction> {
        let f = *self.fields.get(i)?;
        if f == DEAD {
            return None;
        }
        if f == WHOLE {
            let k = self.whole.binary_search_by_key(&(i as u32), |x| x.0).ok()?;
            return self.whole.get(k).map(|x| x.1.clone());
        }
        let c = self.combos.get(f as usize).copied().unwrap_or([NONE; 4]);
        Some(Transaction {
            id: self.id(i)?.to_string(),
            owner: self.str(c[0]),
            amount: unpack(self.amount.get(i).copied().unwrap_or_default(), &[]),
            close_date: date_of(self.date.get(i).copied().unwrap_or(i32::MIN)),
            product: self.str(c[1]),
            kind: self.str(c[2]),
            region: self.str(c[3]),
            ..Default::default()
        })
    }

    /// The transactions held, in slot order.
    pub(super) fn all(&self) -> Vec<Transaction> {
        (0..self.len()).filter_map(|i| self.get(i)).collect()
    }

    fn intern(&mut self, s: &Option<String>) -> u32 {
        let Some(s) = s else { return NONE };
        let strs = &self.strs;
        match self.strs_sorted.binary_search_by(|&k| strs.get(k as usize).map(|x| x.as_str()).cmp(&Some(s.as_str()))) {
            Ok(k) => self.strs_sorted.get(k).copied().unwrap_or(NONE),
            Err(at) => {
                self.strs.push(s.clone());
                let k = (self.strs.len() - 1) as u32;
                self.strs_sorted.insert(at, k);
                k
            }
        }
    }

    fn combo(&mut self, t: &Transaction) -> u32 {
        let c = [self.intern(&t.owner), self.intern(&t.product), self.intern(&t.kind), self.intern(&t.region)];
        let combos = &self.combos;
        match self.combos_sorted.binary_search_by(|&k| combos.get(k as usize).cmp(&Some(&c))) {
            Ok(k) => self.combos_sorted.get(k).copied().unwrap_or(NONE),
            Err(at) => {
                self.combos.push(c);
                let k = (self.combos.len() - 1) as u32;
                self.combos_sorted.insert(at, k);
                k
            }
        }
    }

    /// Whether `t` is kept as columns (else whole), and its packed amount.
    fn compact(t: &Transaction) -> Option<i64> {
        let plain = t.currency.is_none()
            && t.quantity.is_none()
            && t.booking_date.is_none()
            && t.invoice_date.is_none()
            && t.payment_date.is_none()
            && t.cancellation_date.is_none()
            && t.refund_amount.is_none()
            && t.splits.is_empty()
            && t.attributes.is_empty();
        if plain {
            pack(t.amount)
        } else {
            None
        }
    }

    fn fill(&mut self, i: usize, t: Transaction) {
        self.whole.retain(|x| x.0 as usize != i);
        let (f, a) = match Self::compact(&t) {
            Some(a) => (self.combo(&t), a),
            None => (WHOLE, 0),
        };
        if let Some(x) = self.date.get_mut(i) {
            *x = day(t.close_date);
        }
        if let Some(x) = self.amount.get_mut(i) {
            *x = a;
        }
        if let Some(x) = self.fields.get_mut(i) {
            *x = f;
        }
        if f == WHOLE {
            let at = self.whole.partition_point(|x| (x.0 as usize) < i);
            self.whole.insert(at, (i as u32, t));
        }
    }

    /// Adds a transaction in a new slot.
    pub(super) fn push(&mut self, t: Transaction) {
        self.arena.push_str(&t.id);
        self.id_end.push(self.arena.len() as u32);
        self.date.push(i32::MIN);
        self.amount.push(0);
        self.fields.push(DEAD);
        self.fill(self.len() - 1, t);
    }

    /// Replaces the transaction in slot `i` (with the same id).
    pub(super) fn set(&mut self, i: usize, t: Transaction) {
        if self.id(i) == Some(t.id.as_str()) {
            self.fill(i, t);
        }
    }

    /// Removes the transaction in slot `i` (the slot stays until [`Store::compacted`]).
    pub(super) fn remove(&mut self, i: usize) {
        self.whole.retain(|x| x.0 as usize != i);
        if let Some(x) = self.fields.get_mut(i) {
            *x = DEAD;
        }
    }

    /// The same transactions without removed slots, every table trimmed to size.
    pub(super) fn compacted(&self) -> Store {
        let mut s = Store::default();
        for t in self.all() {
            s.push(t);
        }
        s.shrink();
        s
    }

    pub(super) fn shrink(&mut self) {
        self.arena.shrink_to_fit();
        self.id_end.shrink_to_fit();
        self.date.shrink_to_fit();
        self.amount.shrink_to_fit();
        self.fields.shrink_to_fit();
        self.strs.shrink_to_fit();
        self.strs_sorted.shrink_to_fit();
        self.combos.shrink_to_fit();
        self.combos_sorted.shrink_to_fit();
        self.whole.shrink_to_fit();
    }

    /// Heap bytes held: the capacity of every vector and string.
    pub(super) fn bytes(&self) -> usize {
        use std::mem::size_of;
        self.arena.capacity()
            + self.id_end.capacity() * 4
            + self.date.capacity() * 4
            + self.amount.capacity() * 8
            + self.fields.capacity() * 4
            + self.strs.capacity() * size_of::<String>()
            + self.strs.iter().map(|s| s.capacity()).sum::<usize>()
            + self.strs_sorted.capacity() * 4
            + self.combos.capacity() * 16
            + self.combos_sorted.capacity() * 4
            + self.whole.capacity() * size_of::<(u32, Transaction)>()
            + self.whole.iter().map(|(_, t)| transaction_heap(t)).sum::<usize>()
    }
}

/// Heap bytes of a transaction's strings and collections.
fn transaction_heap(t: &Transaction) -> usize {
    let s = |x: &Option<String>| x.as_ref().map_or(0, |s| s.capacity());
    t.id.capacity()
        + s(&t.owner)
        + s(&t.product)
        + s(&t.kind)
        + s(&t.region)
        + s(&t.currency)
        + t.splits.capacity() * std::mem::size_of::<crate::inputs::Split>()
        + t.splits.iter().map(|x| x.payee.capacity()).sum::<usize>()
        // a BTreeMap entry: its key and value, plus about 48 bytes of node
        + t.attributes.iter().map(|(k, v)| k.capacity() + v.capacity() + 48).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn packing_is_exact() {
        for s in ["0", "0.00", "1840.50", "-12.345", "123456789012345.678", "0.0000000000000000000000000001"] {
            let d = Decimal::from_str(s).unwrap();
            let p = pack(d).unwrap();
            assert_eq!(unpack(p, &[]).to_string(), s);
        }
        // 2^58 does not fit: it goes to the side table
        let big = Decimal::from_str("288230376151711744").unwrap();
        assert_eq!(pack(big), None);
        let mut side = Vec::new();
        let p = pack_or_side(big, &mut side);
        assert_eq!(unpack(p, &side), big);
        assert_eq!(pack(Decimal::from_str("288230376151711743").unwrap()).map(|p| p >> 5), Some((1 << 58) - 1));
    }

    #[test]
    fn rebuilds_what_it_was_given_and_counts_its_bytes() {
        let deal = |id: &str, amount: &str| Transaction {
            id: id.into(),
            owner: Some("ae".into()),
            amount: Decimal::from_str(amount).unwrap(),
            close_date: NaiveDate::from_ymd_opt(2025, 2, 10),
            product: Some("p".into()),
            ..Default::default()
        };
        let mut s = Store::default();
        s.push(deal("d1", "100.50"));
        s.push(deal("d22", "7"));
        let mut odd = deal("d3", "1");
        odd.attributes.insert("k".into(), "v".into());
        s.push(odd.clone());
        assert_eq!(s.get(0), Some(deal("d1", "100.50")));
        assert_eq!(s.get(1).map(|t| t.amount.to_string()), Some("7".to_string()));
        assert_eq!(s.get(2), Some(odd.clone()));
        assert_eq!(s.id(1), Some("d22"));
        s.remove(1);
        assert_eq!(s.get(1), None);
        let s = s.compacted();
        assert_eq!(s.all(), vec![deal("d1", "100.50"), odd]);
        // by hand: arena "d1d3" 4 + id_end 2x4 + date 2x4 + amount 2x8 + fields 2x4 = 44; strings
        // "ae", "p": 2 x 24 + 3 bytes = 51, sorted 2x4 = 8; one combo 16 + 4; one whole transaction
        // (u32, Transaction) plus "d3", "ae", "p" and the attribute 1 + 1 + 48
        let whole = std::mem::size_of::<(u32, Transaction)>() + 2 + 2 + 1 + 50;
        assert_eq!(s.bytes(), 44 + 51 + 8 + 20 + whole);
    }
}
