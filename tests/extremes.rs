//! Extreme numbers never make evaluation panic: every decimal of every golden vector's plan and
//! inputs is replaced in turn by the largest and smallest decimals, zero, the smallest fraction, -1
//! and 10^21, and the evaluation must return a result or a typed error (an overflow becomes
//! `DECIMAL_OVERFLOW`). This found a panic in percentage formatting (a gate at the largest decimal).

use serde_json::Value;
mod common;
fn load(p: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}
fn numeric_paths(v: &Value, path: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                numeric_paths(x, format!("{path}/{k}"), out)
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                numeric_paths(x, format!("{path}/{i}"), out)
            }
        }
        Value::String(s) if s.parse::<rust_decimal::Decimal>().is_ok() => out.push(path),
        _ => {}
    }
}
#[test]
fn extreme_decimals_never_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let extremes = [
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "0",
        "0.0000000000000000000000000001",
        "-1",
        "1000000000000000000000",
    ];
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let v = load(&p);
        if let Some(op) = v["op"].as_str() {
            // an operation vector: the same extremes in its request
            let mut paths = Vec::new();
            numeric_paths(&v["request"], String::new(), &mut paths);
            for path in &paths {
                for x in extremes {
                    let mut r = v["request"].clone();
                    if let Some(slot) = r.pointer_mut(path) {
                        *slot = Value::String(x.into());
                    }
                    let (op, text) = (op.to_string(), r.to_string());
                    let outcome = std::panic::catch_unwind(move || {
                        let _ = payplan::ops::run_json(&op, &text);
                    });
                    n += 1;
                    assert!(outcome.is_ok(), "panic in {} at {path} = {x}", p.display());
                }
            }
            continue;
        }
        let mut plan = match v["base"].as_str() {
            Some(b) => load(&dir.join("bases").join(format!("{b}.json"))),
            None => Value::Null,
        };
        common::merge_patch(&mut plan, &v["plan"]);
        let doc =
            serde_json::json!({"plan": plan, "inputs": v.get("inputs").cloned().unwrap_or(serde_json::json!({}))});
        let mut paths = Vec::new();
        numeric_paths(&doc, String::new(), &mut paths);
        let period = v["period"].as_str().unwrap_or("Q1").to_string();
        for path in &paths {
            for x in extremes {
                let mut d = doc.clone();
                *d.pointer_mut(path).unwrap() = Value::String(x.into());
                let (pl, inp) = (d["plan"].to_string(), d["inputs"].to_string());
                let per = period.clone();
                let r = std::panic::catch_unwind(move || {
                    let _ = payplan::evaluate_json(&pl, &inp, &per);
                });
                n += 1;
                if r.is_err() {
                    panic!("PANIC at {} {path} = {x}", p.display());
                }
            }
        }
    }
    println!("{n} cases");
    assert!(n > 1000, "{n} cases");
}
