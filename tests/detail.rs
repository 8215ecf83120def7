//! `options.detail: "summary"` writes the same figures as a full evaluation, without the
//! per-line detail: checked on every golden plan vector.

mod common;

use serde_json::Value;

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
    let mut checked = 0;
    for common::PlanVector { path, plan, mut inputs, period, .. } in common::plan_vectors() {
        let period = period.as_str();
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
