//! The fuzz targets' bodies (`fuzz/bodies.rs`) run as a normal test on stable Rust: over the
//! committed seed corpus (`fuzz/seeds/TARGET/`), every input the fuzzers found a failure with
//! (`fuzz/regressions/TARGET/`, kept as regression tests), and deterministic mutations of the seeds
//! (bytes flipped, inserted, deleted, spliced with JSON tokens). This is CI's fuzz smoke run: it needs no
//! nightly toolchain and no cargo-fuzz; `scripts/fuzz.sh` runs the real fuzzers.

#[path = "../fuzz/bodies.rs"]
mod bodies;

use std::path::Path;

type Body = fn(&[u8]);

const TARGETS: &[(&str, Body)] = &[
    ("plan_evaluate", bodies::plan_evaluate),
    ("plan_mutate", bodies::plan_mutate),
    ("inputs", bodies::inputs),
    ("csv_import", bodies::csv_import),
    ("ops", bodies::ops),
    ("session", bodies::session),
];

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| (e.path().display().to_string(), std::fs::read(e.path()).unwrap()))
        .collect();
    out.sort();
    out
}

fn run(target: &str, body: Body, name: &str, data: &[u8]) {
    let data = data.to_vec();
    let r = std::panic::catch_unwind(move || body(&data));
    assert!(r.is_ok(), "{target}: failure on {name}");
}

#[path = "common/mutate.rs"]
mod mutate;
use mutate::Rng;

const TOKENS: &[&str] = &[
    "null",
    "\"\"",
    "[]",
    "{}",
    "-1",
    "\"-1\"",
    "1e999",
    "\"NaN\"",
    "\"Infinity\"",
    "\"79228162514264337593543950336\"",
    "\"0.0000000000000000000000000001\"",
    "\"9999-12-31\"",
    "\"0000-00-00\"",
    "[[[[[[[[",
    "\"\\ud800\"",
    ",",
    ":",
    "\"",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    mutate::mutate(rng, seed, TOKENS, 4)
}

#[test]
fn seeds_and_regressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for (target, body) in TARGETS {
        let seeds = files(&root.join("seeds").join(target));
        assert!(!seeds.is_empty(), "no seeds for {target}");
        for (name, data) in seeds.iter().chain(&files(&root.join("regressions").join(target))) {
            run(target, *body, name, data);
            n += 1;
        }
    }
    println!("{n} inputs");
}

#[test]
fn mutated_seeds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut n = 0;
    for (target, body) in TARGETS {
        let seeds = files(&root.join("seeds").join(target));
        // about 400 generated inputs per target keeps this test to seconds
        for i in 0..400 {
            let (name, seed) = &seeds[i % seeds.len()];
            let data = mutate(&mut rng, seed);
            run(target, *body, &format!("mutation {i} of {name}: {:?}", String::from_utf8_lossy(&data)), &data);
            n += 1;
        }
    }
    println!("{n} inputs");
}
