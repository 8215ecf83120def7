//! Helpers shared by the integration tests: the golden vectors' JSON merge patch, and the real CRM
//! export of `../shared/data/crm/` (skipped, with a message, where it is absent).
#![allow(dead_code)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// RFC 7386 JSON merge patch: how a vector's `plan` applies to its `base`.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            if let Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
        }
        _ => *target = patch.clone(),
    }
}

/// The CRM export's folder, or `None` (with a message naming the test) where it is absent.
pub fn crm_dir(test: &str) -> Option<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/crm");
    if d.join("sales_pipeline.csv").exists() && d.join("sales_teams.csv").exists() {
        Some(d)
    } else {
        eprintln!("SKIPPED: ../shared/data/crm is absent; {test} needs it");
        None
    }
}

/// Rows of a CSV file without quoted fields (checked: the export has no quotes), as header->value.
pub fn csv_rows(path: PathBuf) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).expect("read csv");
    assert!(!text.contains('"'), "the parser below assumes no quoted fields");
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().expect("header").split(',').map(String::from).collect();
    lines.map(|l| header.iter().cloned().zip(l.split(',').map(String::from)).collect()).collect()
}

/// A golden vector of a plan evaluation (operation vectors are left out): its file, the plan
/// (the vector's patch applied to its base), its inputs (`{}` when it has none) and period.
pub struct PlanVector {
    pub path: PathBuf,
    /// The vector's `name` (its expected output is `tests/vectors/out/<name>.json`).
    pub name: String,
    pub plan: Value,
    pub inputs: Value,
    pub period: String,
}

/// Every plan-evaluation golden vector of `tests/vectors`, in file-name order.
pub fn plan_vectors() -> Vec<PlanVector> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("vectors");
    let load = |p: &std::path::Path| -> Value { serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap() };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let v = load(&path);
        if v.get("op").is_some() {
            continue;
        }
        let mut plan = match v["base"].as_str() {
            Some(b) => load(&dir.join("bases").join(format!("{b}.json"))),
            None => Value::Null,
        };
        merge_patch(&mut plan, &v["plan"]);
        let inputs = v.get("inputs").cloned().unwrap_or(Value::Object(Default::default()));
        let period = v["period"].as_str().unwrap().to_string();
        let name = v["name"].as_str().unwrap_or_default().to_string();
        out.push(PlanVector { path, name, plan, inputs, period });
    }
    out
}

/// One AE with a quota of 400,000 a year (100,000 a quarter), credited directly, paid 5% up to
/// 100% of quota and 10% above (marginal), rounded half-even per line: the plan of the
/// hand-checked statements in tests/batch.rs and tests/columns.rs.
pub fn one_ae_tiers() -> Value {
    serde_json::json!({
        "schemaVersion": 1, "id": "p", "currency": "USD",
        "calendar": { "yearStart": "2025-01-01", "periodType": "quarter" },
        "payees": [{ "id": "ae", "role": "AE" }],
        "measures": [{ "id": "b", "kind": "amount" }],
        "quotas": [{ "payee": "ae", "measure": "b", "annual": "400000" }],
        "crediting": { "rules": [{ "type": "direct", "id": "own" }] },
        "components": [{ "id": "c", "type": "tiered", "measure": "b", "basis": "attainment", "method": "marginal",
            "tiers": [{ "from": "0", "to": "1", "rate": { "percent": "5" } }, { "from": "1", "rate": { "percent": "10" } }] }]
    })
}
