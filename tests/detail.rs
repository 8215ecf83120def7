//! `options.detail: "summary"` writes the same figures as a full evaluation, without the
//! per-line detail: checked on every golden plan vector.

mod common;

use serde_json::Value;
use std::path::PathBuf;

fn load(p: PathBuf) -> Value {
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

/// The evaluation with every statement's credit lines and pay lines removed.
fn strip(mut ev: Value) -> Value {
    for st in ev["statements"].as_array_mut().into_iter().flatten() {
        st["credits"] = Value::Array(Vec::new());
        for c in st["components"].as_array_mut().into_iter().flatten() {
            c["lines"] = Value::Array(Vec::new());
        }
    }
    ev
}

#[test]
fn summary_has_the_full_figures() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("vectors");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut checked = 0;
    for path in paths {
        let v = load(path.clone());
        if v.get("op").is_some() {
            continue;
        }
        let mut plan = match v["base"].as_str() {
            Some(b) => load(dir.join("bases").join(format!("{b}.json"))),
            None => Value::Null,
        };
        common::merge_patch(&mut plan, &v["plan"]);
        let mut inputs = v.get("inputs").cloned().unwrap_or(Value::Object(Default::default()));
        let period = v["period"].as_str().unwrap();
        let full = payplan::evaluate_json(&plan.to_string(), &inputs.to_string(), period);
        common::merge_patch(&mut inputs, &serde_json::json!({ "options": { "detail": "summary" } }));
        let summary = payplan::evaluate_json(&plan.to_string(), &inputs.to_string(), period);
        match (full, summary) {
            (Ok(f), Ok(s)) => {
                let f: Value = serde_json::from_str(&f).unwrap();
                let s: Value = serde_json::from_str(&s).unwrap();
                assert_eq!(strip(f), s, "{}", path.display());
                checked += 1;
            }
            (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "{}", path.display()),
            (a, b) => panic!("{}: full {:?} but summary {:?}", path.display(), a.is_ok(), b.is_ok()),
        }
    }
    assert!(checked >= 60, "{checked} vectors compared");
}
