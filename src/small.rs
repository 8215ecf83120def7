//! Small shared helpers that keep the WebAssembly module small.
//!
//! Every sort call with its own element type or comparison compiles to its own copy of the standard
//! library's sort (several kilobytes each in WebAssembly). The crate's own code that orders things
//! by a key sorts a list of indices with [`sort_indices`] instead: one copy of a short merge sort.

use std::cmp::Ordering;

/// Sorts `v` stably with `cmp` (a bottom-up merge sort: O(n log n), no recursion).
///
/// ```ignore
/// let keys = [30, 10, 20];
/// let mut idx = vec![0, 1, 2];
/// sort_indices(&mut idx, &|a, b| keys[a].cmp(&keys[b]));
/// assert_eq!(idx, [1, 2, 0]);
/// ```
#[inline(never)]
pub(crate) fn sort_indices(v: &mut [usize], cmp: &dyn Fn(usize, usize) -> Ordering) {
    let n = v.len();
    let mut buf = v.to_vec();
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = start.saturating_add(width).min(n);
            let end = start.saturating_add(width.saturating_mul(2)).min(n);
            let (mut i, mut j) = (start, mid);
            for k in start..end {
                let a = if i < mid { v.get(i).copied() } else { None };
                let b = if j < end { v.get(j).copied() } else { None };
                let x = match (a, b) {
                    (Some(x), Some(y)) if cmp(y, x) == Ordering::Less => {
                        j += 1;
                        y
                    }
                    (Some(x), _) => {
                        i += 1;
                        x
                    }
                    (None, Some(y)) => {
                        j += 1;
                        y
                    }
                    (None, None) => break,
                };
                if let Some(slot) = buf.get_mut(k) {
                    *slot = x;
                }
            }
            start = end;
        }
        v.copy_from_slice(&buf);
        width = width.saturating_mul(2);
    }
}

/// Reorders `items` so that item `k` is the one that was at `order[k]` (`order` a permutation of
/// the indices, as [`sort_indices`] leaves it), in place by swaps.
pub(crate) fn permute<T>(items: &mut [T], order: &[usize]) {
    // where each item goes
    let mut dest = vec![0usize; order.len()];
    for (k, &i) in order.iter().enumerate() {
        if let Some(d) = dest.get_mut(i) {
            *d = k;
        }
    }
    for i in 0..items.len().min(dest.len()) {
        while let Some(&t) = dest.get(i) {
            if t == i || t >= items.len() {
                break;
            }
            items.swap(i, t);
            dest.swap(i, t);
        }
    }
}

/// A map from strings to indices (FNV-1a hashing, open addressing): one hash and usually one
/// string compare per lookup, where a `BTreeMap<&str, _>` of a thousand payees makes about ten.
/// Built once per evaluation; small in WebAssembly (no `std` hasher machinery).
#[derive(Debug, Clone, Default)]
pub(crate) struct StrIndex<'a> {
    /// `(key, value)` slots; the table size is a power of two at least twice the entries
    slots: Vec<Option<(&'a str, usize)>>,
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl<'a> StrIndex<'a> {
    /// An empty index sized for `n` keys.
    fn with_room(n: usize) -> Self {
        Self { slots: vec![None; n.saturating_mul(2).max(4).next_power_of_two()] }
    }

    /// Adds key `k` at position `i` unless it is already there: whether it was new.
    fn insert(&mut self, k: &'a str, i: usize) -> bool {
        let mask = self.slots.len() - 1;
        let mut at = (fnv(k) as usize) & mask;
        loop {
            match self.slots.get_mut(at) {
                Some(slot @ None) => {
                    *slot = Some((k, i));
                    return true;
                }
                Some(Some((key, _))) if *key == k => return false,
                Some(Some(_)) => at = (at + 1) & mask,
                None => return false,
            }
        }
    }

    /// Indexes `keys` by position; a repeated key keeps its first position.
    pub(crate) fn new<I: IntoIterator<Item = &'a str>>(keys: I) -> Self {
        let keys: Vec<&'a str> = keys.into_iter().collect();
        let mut index = Self::with_room(keys.len());
        for (i, k) in keys.into_iter().enumerate() {
            index.insert(k, i);
        }
        index
    }

    /// Which keys repeat an earlier one (`true` at every position but a key's first), with one
    /// hash of each key: what `StrIndex::new(keys).get(key) != Some(position)` tells, without
    /// hashing every key a second time.
    pub(crate) fn repeats<I: IntoIterator<Item = &'a str>>(keys: I) -> Vec<bool> {
        let keys: Vec<&'a str> = keys.into_iter().collect();
        let mut index = Self::with_room(keys.len());
        keys.iter().enumerate().map(|(i, k)| !index.insert(k, i)).collect()
    }

    /// Whether any of the `n` keys `key(0)`, `key(1)`... repeats an earlier one (what
    /// `repeats(...).contains(&true)` tells) with 8-byte slots (a hash's upper half and a
    /// position), a third of the table `repeats` fills.
    #[cfg_attr(not(feature = "batch-kernel"), allow(dead_code))]
    pub(crate) fn any_repeat(n: usize, key: &dyn Fn(usize) -> &'a str) -> bool {
        let size = n.saturating_mul(2).max(4).next_power_of_two();
        let mask = size - 1;
        let mut slots = vec![0u64; size];
        for i in 0..n {
            let k = key(i);
            let h = fnv(k);
            let tag = h >> 32 << 32;
            let mut at = (h as usize) & mask;
            loop {
                match slots.get_mut(at) {
                    Some(slot @ 0) => {
                        // (positions from 1: 0 is an empty slot; past 2^32 keys, a repeat is not told)
                        *slot = tag | u64::try_from(i + 1).unwrap_or(0) & 0xffff_ffff;
                        break;
                    }
                    Some(slot) if *slot >> 32 << 32 == tag && key((*slot & 0xffff_ffff) as usize - 1) == k => {
                        return true;
                    }
                    Some(_) => at = (at + 1) & mask,
                    None => break,
                }
            }
        }
        false
    }

    /// The position of `k`, if indexed.
    pub(crate) fn get(&self, k: &str) -> Option<usize> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut at = (fnv(k) as usize) & mask;
        loop {
            match self.slots.get(at)? {
                None => return None,
                Some((key, v)) if *key == k => return Some(*v),
                Some(_) => at = (at + 1) & mask,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_index_finds_every_key_and_only_them() {
        let keys: Vec<String> = (0..500).map(|i| format!("ae-{i:05}")).collect();
        let idx = StrIndex::new(keys.iter().map(|k| k.as_str()).chain(["ae-00007"]));
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(idx.get(k), Some(i));
        }
        assert_eq!(idx.get("ae-00500"), None);
        assert_eq!(idx.get(""), None);
        assert_eq!(StrIndex::new([]).get("x"), None);
    }

    #[test]
    fn repeats_marks_every_occurrence_but_the_first() {
        let keys = ["a", "b", "a", "", "b", "", "c", "a"];
        assert_eq!(StrIndex::repeats(keys), [false, false, true, false, true, true, false, true]);
        let many: Vec<String> = (0..3000).map(|i| format!("S-{:05}", i % 1700)).collect();
        let idx = StrIndex::new(many.iter().map(|k| k.as_str()));
        let want: Vec<bool> = many.iter().enumerate().map(|(i, k)| idx.get(k) != Some(i)).collect();
        assert_eq!(StrIndex::repeats(many.iter().map(|k| k.as_str())), want);
        assert_eq!(want.iter().filter(|&&r| r).count(), 1300);
        assert!(StrIndex::repeats([]).is_empty());
    }

    #[test]
    fn any_repeat_tells_whether_repeats_finds_one() {
        let many: Vec<String> = (0..3000).map(|i| format!("S-{:05}", i % 1700)).collect();
        let key = |i: usize| many[i].as_str();
        // the first 1,700 are distinct; one more repeats the first
        assert!(!StrIndex::any_repeat(1700, &key));
        assert!(StrIndex::any_repeat(1701, &key));
        assert!(StrIndex::any_repeat(3, &|i| ["a", "b", "a"][i]));
        assert!(StrIndex::any_repeat(2, &|i| ["", ""][i]));
        assert!(!StrIndex::any_repeat(3, &|i| ["a", "b", "ab"][i]));
        assert!(!StrIndex::any_repeat(0, &|_| "x"));
    }

    #[test]
    fn sorts_stably() {
        for n in 0..40usize {
            let keys: Vec<usize> = (0..n).map(|i| (i * 7919 + 13) % 5).collect();
            let mut idx: Vec<usize> = (0..n).collect();
            sort_indices(&mut idx, &|a, b| keys[a].cmp(&keys[b]));
            let mut expected: Vec<usize> = (0..n).collect();
            expected.sort_by_key(|&i| keys[i]);
            assert_eq!(idx, expected);
            let mut items: Vec<usize> = (0..n).map(|i| keys[i] * 1000 + i).collect();
            permute(&mut items, &idx);
            let mut want: Vec<usize> = (0..n).map(|i| keys[i] * 1000 + i).collect();
            want.sort_by_key(|v| v / 1000);
            assert_eq!(items, want);
        }
    }
}
