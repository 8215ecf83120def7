//! Deterministic mutations of JSON documents, for the tests that feed mutated fuzz seeds to the
//! readers: `tests/fuzz_replay.rs` (every fuzz target's body) and the typed reader's tests
//! (`src/json/typed/tests.rs`, which include this file by path).

/// A small deterministic generator (xorshift).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `seed` after one to `max_edits` edits: a bit flipped, a run deleted, a token inserted, a short
/// run replaced with a token (a value of the wrong type, an extreme number), or the rest cut off.
pub fn mutate(rng: &mut Rng, seed: &[u8], tokens: &[&str], max_edits: usize) -> Vec<u8> {
    let mut d = seed.to_vec();
    for _ in 0..1 + rng.below(max_edits) {
        let at = rng.below(d.len() + 1);
        match rng.below(5) {
            0 if !d.is_empty() => {
                let at = at.min(d.len() - 1);
                d[at] ^= 1 << rng.below(8);
            }
            1 => {
                let end = (at + rng.below(16)).min(d.len());
                d.drain(at..end);
            }
            2 => {
                let t = tokens[rng.below(tokens.len())].as_bytes();
                d.splice(at..at, t.iter().copied());
            }
            3 => {
                let end = (at + rng.below(8)).min(d.len());
                let t = tokens[rng.below(tokens.len())].as_bytes();
                d.splice(at..end, t.iter().copied());
            }
            _ => d.truncate(at),
        }
    }
    d
}
