//! Golden vectors: language-neutral JSON cases in `tests/vectors/`, each with a plan, inputs, a
//! period and the hand-checked figures expected (with a one-line note of the arithmetic).
//!
//! Format of a vector (`tests/vectors/NAME.json`):
//! - `name`, `mechanic`, `note`: what it covers and the arithmetic that gives the expected figures;
//! - `base` (optional): a plan in `tests/vectors/bases/BASE.json`; `plan` is then a JSON merge
//!   patch (RFC 7386) over it; without `base`, `plan` is the whole plan;
//! - `inputs`, `period`: the evaluation's arguments; or, for the quota, metrics and territory
//!   operations, `op` (an operation of `payplan::ops`) and its `request`;
//! - `expect`: a subset of the evaluation JSON. Objects match when every expected key matches;
//!   arrays match element by element and must have the same length; strings, numbers, booleans and
//!   null must be equal. Or `expectError`: `{ "code": ..., "path": ... }`.
//!
//! Besides the subset, the whole evaluation JSON must equal `tests/vectors/out/NAME.json` byte for
//! byte: the same files are checked by the JavaScript package and in the browser. Regenerate them
//! after an intended change with `UPDATE_GOLDEN=1 cargo test --test golden`, and review the diff.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// Checks that `actual` contains `expected`; returns the first mismatch as a JSON pointer.
fn subset(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = format!("{path}/{k}");
                match a.get(k) {
                    Some(av) => subset(ev, av, &p)?,
                    None => return Err(format!("{p}: missing (expected {ev})")),
                }
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!("{path}: expected {} items, got {}: {}", e.len(), a.len(), actual));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                subset(ev, av, &format!("{path}/{i}"))?;
            }
            Ok(())
        }
        _ if expected == actual => Ok(()),
        _ => Err(format!("{path}: expected {expected}, got {actual}")),
    }
}

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn run_vector(path: &Path) -> Result<(), String> {
    let v = load(path.to_str().unwrap_or_default());
    let name = v["name"].as_str().ok_or("no name")?.to_string();
    if v["note"].as_str().is_none_or(|n| n.trim().is_empty()) {
        return Err(format!("{name}: every vector needs a `note` with its arithmetic"));
    }
    let mut plan = match v["base"].as_str() {
        Some(b) => load(dir().join("bases").join(format!("{b}.json")).to_str().unwrap_or_default()),
        None => Value::Null,
    };
    common::merge_patch(&mut plan, &v["plan"]);
    if v["op"] == "transactionsFromCsv" && !cfg!(feature = "csv") {
        eprintln!("SKIPPED: {name} needs the feature `csv`");
        return Ok(());
    }
    let result = match v["op"].as_str() {
        // an operation vector: a request for one of payplan::ops's operations
        Some(op) => payplan::ops::run_json(op, &v["request"].to_string()),
        None => {
            let plan_text = plan.to_string();
            let inputs_text = v.get("inputs").cloned().unwrap_or(Value::Object(Default::default())).to_string();
            let period = v["period"].as_str().ok_or("no period")?;
            payplan::evaluate_json(&plan_text, &inputs_text, period)
        }
    };
    if let Some(err) = v.get("expectError") {
        return match result {
            Ok(_) => Err(format!("{name}: expected error {err}, got a result")),
            Err(e) => {
                let actual = serde_json::json!({"code": e.code(), "path": e.path(), "message": e.to_string(),
                    "diagnostics": e.diagnostics().iter().map(|d| serde_json::json!({"code": d.code, "path": d.path})).collect::<Vec<_>>()});
                subset(err, &actual, "").map_err(|m| format!("{name}: {m} (error: {e})"))
            }
        };
    }
    let out = result.map_err(|e| format!("{name}: evaluation failed: {e} {:?}", e.diagnostics()))?;
    let actual: Value = serde_json::from_str(&out).map_err(|e| e.to_string())?;
    subset(&v["expect"], &actual, "").map_err(|m| format!("{name}: {m}"))?;
    // the whole output, byte for byte
    let golden = dir().join("out").join(format!("{name}.json"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &out).map_err(|e| e.to_string())?;
        return Ok(());
    }
    match std::fs::read_to_string(&golden) {
        Ok(want) if want == out => Ok(()),
        Ok(_) => Err(format!(
            "{name}: output differs from {} (regenerate with UPDATE_GOLDEN=1 after checking the change)",
            golden.display()
        )),
        Err(_) => Err(format!("{name}: {} is missing (generate with UPDATE_GOLDEN=1)", golden.display())),
    }
}

#[test]
fn golden_vectors() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("tests/vectors")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut failures = Vec::new();
    for p in &paths {
        if let Err(e) = run_vector(p) {
            failures.push(e);
        }
    }
    println!("{} golden vectors checked", paths.len());
    assert!(failures.is_empty(), "{} of {} vectors failed:\n{}", failures.len(), paths.len(), failures.join("\n"));
}

#[test]
fn same_inputs_same_bytes() {
    // every vector evaluated twice gives identical bytes
    for entry in std::fs::read_dir(dir()).expect("tests/vectors").flatten() {
        let p = entry.path();
        if p.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let v = load(p.to_str().unwrap_or_default());
        let mut plan = match v["base"].as_str() {
            Some(b) => load(dir().join("bases").join(format!("{b}.json")).to_str().unwrap_or_default()),
            None => Value::Null,
        };
        common::merge_patch(&mut plan, &v["plan"]);
        let inputs = v.get("inputs").cloned().unwrap_or(Value::Object(Default::default())).to_string();
        let period = v["period"].as_str().unwrap_or("");
        let run = || match v["op"].as_str() {
            Some(op) => payplan::ops::run_json(op, &v["request"].to_string()).map_err(|e| e.to_string()),
            None => payplan::evaluate_json(&plan.to_string(), &inputs, period).map_err(|e| e.to_string()),
        };
        let (a, b) = (run(), run());
        assert_eq!(a, b, "{}", p.display());
    }
}
