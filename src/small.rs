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

#[cfg(test)]
mod tests {
    use super::*;

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
