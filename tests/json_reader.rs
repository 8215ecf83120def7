//! The hand-written reader (`payplan::json`) against the serde derives, which remain the
//! specification of the format: for every plan and inputs document of the repository, and for
//! mutations of them (a field dropped, an unknown field added, a value replaced by one of another
//! type or by a malformed string), both must accept with equal values or both must refuse.
//!
//! The differences allowed are documented in `src/json.rs` and below: the reader refuses unknown
//! fields of components (the derive ignores them through `flatten`), component types given as
//! numbers, and decimal strings
//! with an exponent or with more digits than a decimal holds, which the derive accepted (rounding
//! the latter). Every error of the reader must also point at a place that exists in the document.

mod common;

use payplan::inputs::Inputs;
use payplan::Plan;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;
use std::str::FromStr;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn load(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every plan and inputs document in the repository, deduplicated.
fn documents() -> (Vec<Value>, Vec<Value>) {
    let mut plans = BTreeSet::new();
    let mut inputs = BTreeSet::new();
    plans.insert(serde_json::from_str::<Value>(payplan::sample::SAMPLE_PLAN_JSON).unwrap().to_string());
    for dir in ["examples/plans", "tests/vectors"] {
        let mut files: Vec<_> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for f in files {
            let v = load(&f);
            if dir == "examples/plans" {
                plans.insert(v.to_string());
                continue;
            }
            if v.get("op").is_some() {
                // an operation vector (quota, metrics, territories): no plan or inputs
                continue;
            }
            let plan = match v["base"].as_str() {
                Some(base) => {
                    let mut b = load(&root().join(format!("tests/vectors/bases/{base}.json")));
                    common::merge_patch(&mut b, &v["plan"]);
                    b
                }
                None => v["plan"].clone(),
            };
            plans.insert(plan.to_string());
            if !v["inputs"].is_null() {
                inputs.insert(v["inputs"].to_string());
            }
        }
    }
    let parse = |s: &String| serde_json::from_str::<Value>(s).unwrap();
    (plans.iter().map(parse).collect(), inputs.iter().map(parse).collect())
}

/// JSON pointers of every value in `v`.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, c) in o {
                pointers(c, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                pointers(c, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// The mutations of `doc`, at the values not already mutated in an earlier document (the same
/// value at the same place).
fn mutations(doc: &Value, seen: &mut BTreeSet<(String, String)>) -> Vec<Value> {
    let mut ptrs = Vec::new();
    pointers(doc, String::new(), &mut ptrs);
    ptrs.retain(|p| seen.insert((p.clone(), doc.pointer(p).map(Value::to_string).unwrap_or_default())));
    let mut out = Vec::new();
    let mut with = |p: &str, f: &dyn Fn(&mut Value)| {
        let mut d = doc.clone();
        if let Some(node) = d.pointer_mut(p) {
            f(node);
            out.push(d);
        }
    };
    let strings = [
        "x",
        "",
        "2025-02-30",
        "2025-13-01",
        "2025-1-1",
        " 2025-01-01",
        "+262142-06-01",
        "2025-01-01T00:00:00",
        "1e3",
        "1E-2",
        "1,5",
        " 1",
        "1 ",
        "+1",
        "-0",
        ".5",
        "5.",
        "1_000",
        "0x10",
        "NaN",
        "79228162514264337593543950335",
        "79228162514264337593543950336",
        "0.12345678901234567890123456789",
    ];
    let others = [
        json!(5),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(4294967296u64),
        json!(true),
        json!(null),
        json!({}),
        json!([]),
    ];
    for p in &ptrs {
        let node = doc.pointer(p).unwrap();
        if let Value::Object(o) = node {
            for k in o.keys() {
                let k = k.clone();
                with(p, &|n| {
                    n.as_object_mut().unwrap().remove(&k);
                });
            }
            with(p, &|n| {
                n.as_object_mut().unwrap().insert("zzUnknown".into(), json!("x"));
            });
            with(p, &|n| {
                n.as_object_mut().unwrap().insert("Id".into(), json!(1));
            });
        }
        if p.is_empty() {
            continue;
        }
        for o in &others {
            with(p, &|n| *n = o.clone());
        }
        match node {
            Value::String(s) => {
                for t in strings {
                    with(p, &|n| *n = json!(t));
                }
                // a unit variant written as an object (serde takes `{"name": null}`)
                let s = s.clone();
                with(p, &|n| *n = json!({ s.as_str(): null }));
                with(p, &|n| *n = json!({ s.as_str(): 1 }));
            }
            Value::Object(o) if o.len() == 1 => {
                // an externally tagged value with a second key
                with(p, &|n| {
                    n.as_object_mut().unwrap().insert("perDeal".into(), json!("1"));
                });
            }
            Value::Array(a) if !a.is_empty() => {
                with(p, &|n| n.as_array_mut().unwrap().push(json!("2025-01-01")));
            }
            _ => {}
        }
    }
    out
}

/// Whether the reader's refusal is the documented difference: a decimal string that the derive
/// accepts but that is not written out, or has more digits than a decimal holds.
fn decimal_difference(doc: &Value, e: &payplan::Error) -> bool {
    let Some(Value::String(s)) = e.path().and_then(|p| doc.pointer(p)) else { return false };
    Decimal::from_str_exact(s).is_err() && Decimal::from_str(s).or_else(|_| Decimal::from_scientific(s)).is_ok()
}

/// Whether the reader's refusal is of a component `type` given as a number: through `flatten`, the
/// derive takes the variant's index (`"type": 1` for `tiered`), which is not part of the format.
fn component_type_index(doc: &Value, e: &payplan::Error) -> bool {
    let Some(p) = e.path() else { return false };
    p.starts_with("/components/") && p.ends_with("/type") && doc.pointer(p).is_some_and(Value::is_u64)
}

/// Whether the reader's refusal is of an unknown field of a component: the derive ignores them
/// (through `flatten`), the reader refuses them like every other unknown field of the plan.
fn component_unknown_field(doc: &Value, e: &payplan::Error) -> bool {
    let Some(p) = e.path() else { return false };
    let parts: Vec<&str> = p.split('/').collect();
    parts.len() == 4 && parts[1] == "components" && doc.pointer(p).is_some() && e.to_string().contains("unknown field")
}

#[derive(Default)]
struct Tally {
    cases: usize,
    both_ok: usize,
    both_err: usize,
    decimal_differences: usize,
    type_indices: usize,
    unknown_component_fields: usize,
    failures: Vec<String>,
    kinds: BTreeSet<String>,
}

impl Tally {
    fn check<T: PartialEq + std::fmt::Debug>(
        &mut self,
        doc: &Value,
        reference: Result<T, serde_json::Error>,
        reader: Result<T, payplan::Error>,
    ) {
        self.cases += 1;
        let fail = match (reference, reader) {
            (Ok(a), Ok(b)) if a == b => {
                self.both_ok += 1;
                None
            }
            (Ok(a), Ok(b)) => Some(format!("different values: {a:?} / {b:?}")),
            (Err(_), Err(e)) => {
                self.both_err += 1;
                match e.path() {
                    Some(p) if doc.pointer(p).is_some() => None,
                    _ => Some(format!("error path not in the document: {e}")),
                }
            }
            (Ok(_), Err(e)) if decimal_difference(doc, &e) => {
                self.decimal_differences += 1;
                None
            }
            (Ok(_), Err(e)) if component_type_index(doc, &e) => {
                self.type_indices += 1;
                None
            }
            (Ok(_), Err(e)) if component_unknown_field(doc, &e) => {
                self.unknown_component_fields += 1;
                None
            }
            (Ok(_), Err(e)) => Some(format!("reference accepts, reader refuses: {e}")),
            (Err(e), Ok(_)) => Some(format!("reference refuses ({e}), reader accepts")),
        };
        if let Some(f) = fail {
            // one example of each kind of disagreement
            let kind: String = f.chars().filter(|c| !c.is_ascii_digit()).collect();
            if self.kinds.insert(kind) && self.failures.len() < 40 {
                let mut doc = doc.to_string();
                doc.truncate(300);
                self.failures.push(format!("{f}\n  in {doc}"));
            }
        }
    }
}

#[test]
fn reader_agrees_with_the_serde_derives() {
    let (plans, inputs) = documents();
    assert!(plans.len() >= 10 && inputs.len() >= 10, "{} plans, {} inputs", plans.len(), inputs.len());
    let mut t = Tally::default();
    let mut seen = BTreeSet::new();
    for doc in &plans {
        let originals = t.both_ok;
        t.check(doc, serde_json::from_value::<Plan>(doc.clone()), payplan::json::read_plan(doc));
        assert_eq!(t.both_ok, originals + 1, "an original plan must be read: {:?}", t.failures);
        for m in mutations(doc, &mut seen) {
            t.check(&m, serde_json::from_value::<Plan>(m.clone()), payplan::json::read_plan(&m));
        }
    }
    for doc in &inputs {
        t.check(doc, serde_json::from_value::<Inputs>(doc.clone()), payplan::json::read_inputs(doc));
        for m in mutations(doc, &mut seen) {
            t.check(&m, serde_json::from_value::<Inputs>(m.clone()), payplan::json::read_inputs(&m));
            if let Some(txs) = m.get("transactions") {
                t.check(
                    txs,
                    serde_json::from_value::<Vec<payplan::Transaction>>(txs.clone()),
                    payplan::json::read_transactions(txs),
                );
            }
        }
    }
    println!(
        "{} plans, {} inputs: {} cases, {} accepted by both, {} refused by both, {} decimal strings, {} component type indices and {} unknown component fields refused by the reader only",
        plans.len(),
        inputs.len(),
        t.cases,
        t.both_ok,
        t.both_err,
        t.decimal_differences,
        t.type_indices,
        t.unknown_component_fields
    );
    assert!(t.unknown_component_fields > 0, "the mutations add unknown fields to components");
    assert!(t.failures.is_empty(), "{} disagreements, the first:\n{}", t.failures.len(), t.failures.join("\n"));
    assert!(t.cases > 10_000);
}
