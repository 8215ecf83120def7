//! The bad-input table: every row of `tests/data/bad-inputs.json` is run and must give the error
//! (code and JSON pointer), the rejected transaction or the warning it lists, and
//! `docs/bad-inputs.md` must be the table written out from those rows (set
//! `PAYPLAN_UPDATE_DOCS=1` to write it). `js/test/bad-inputs.test.mjs` runs the same rows through
//! the npm package.

use payplan::{CompiledPlan, Error};
use serde_json::{json, Value};
mod common;

fn rows() -> Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad-inputs.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// A document of a row as text (see the note in the data file).
fn doc(spec: &Value) -> String {
    match spec {
        Value::String(s) => s.clone(),
        Value::Object(o) if o.contains_key("json") => o["json"].to_string(),
        Value::Object(o) if o.contains_key("sample") => {
            let mut plan: Value = serde_json::from_str(payplan::sample::SAMPLE_PLAN_JSON).unwrap();
            common::merge_patch(&mut plan, &o["sample"]);
            plan.to_string()
        }
        Value::Object(o) if o.contains_key("repeat") => {
            let r = o["repeat"].as_array().unwrap();
            let unit = r[1].as_str().unwrap().repeat(r[2].as_u64().unwrap() as usize);
            format!("{}{unit}{}", r[0].as_str().unwrap(), r[3].as_str().unwrap())
        }
        other => panic!("bad document spec {other}"),
    }
}

fn error_outcome(e: &Error) -> Value {
    let mut v = json!({ "kind": "error", "code": e.code(), "path": e.path() });
    if let Some(d) = e.diagnostics().iter().find(|d| d.severity == payplan::Severity::Error) {
        v["diagnostic"] = json!(d.code);
    }
    v
}

/// What a row gives, in the shape of its `expect`, and the message shown in the table.
fn outcome(row: &Value) -> (Value, String) {
    match row["call"].as_str().unwrap() {
        "compile" => {
            let plan = match CompiledPlan::from_json(&doc(&row["plan"])) {
                Ok(p) => p,
                Err(e) => return (error_outcome(&e), e.to_string()),
            };
            if row.get("inputs").is_none() && row.get("period").is_none() {
                let w = plan.warnings().first().expect("a row that compiles lists a warning");
                return (json!({ "kind": "warning", "code": w.code, "path": w.path }), w.message.clone());
            }
            let inputs = row.get("inputs").map(doc).unwrap_or_else(|| "{}".into());
            let period = row["period"].as_str().unwrap_or("Q1");
            match plan.evaluate_json(&inputs, period) {
                Err(e) => (error_outcome(&e), e.to_string()),
                Ok(json) => {
                    let v: Value = serde_json::from_str(&json).unwrap();
                    let r = &v["rejected"][0];
                    assert!(r.is_object(), "{}: nothing rejected", row["name"]);
                    (
                        json!({ "kind": "rejected", "code": r["code"], "path": r["path"] }),
                        r["message"].as_str().unwrap().to_string(),
                    )
                }
            }
        }
        "validate" => {
            let d = payplan::validate::validate_json(&doc(&row["plan"]));
            let first = d.iter().find(|d| d.severity == payplan::Severity::Error).expect("an error diagnostic");
            (json!({ "kind": "error", "code": first.code, "path": first.path }), first.message.clone())
        }
        "operation" => {
            let e = payplan::ops::run_json(row["op"].as_str().unwrap(), &doc(&row["request"])).unwrap_err();
            (error_outcome(&e), e.to_string())
        }
        other => panic!("unknown call {other}"),
    }
}

fn cell(s: &str) -> String {
    let s = s.replace('|', "\\|").replace('\n', " ");
    if s.chars().count() > 160 {
        format!("{}…", s.chars().take(160).collect::<String>())
    } else {
        s
    }
}

fn code_path(expect: &Value) -> (String, String) {
    let code = match expect.get("diagnostic") {
        Some(d) => format!("`{}` → `{}`", expect["code"].as_str().unwrap(), d.as_str().unwrap()),
        None => format!("`{}`", expect["code"].as_str().unwrap()),
    };
    let path = match expect["path"].as_str() {
        None => "(none)".to_string(),
        Some("") => "`\"\"` (the document)".to_string(),
        Some(p) if p.len() > 40 => {
            // a long run of `/0` (deep nesting): say how many
            let zeros = p.matches("/0").count();
            let head = p.trim_end_matches("/0");
            format!("`{head}` then `/0` × {}", zeros - head.matches("/0").count())
        }
        Some(p) => format!("`{p}`"),
    };
    (code, path)
}

#[test]
fn every_bad_input_gives_its_error() {
    let data = rows();
    let mut failures = Vec::new();
    let mut table = String::from(
        "# Bad inputs and the errors they give\n\n\
         Generated from `tests/data/bad-inputs.json` by `tests/bad_inputs.rs` (which fails when this file is\n\
         out of date; `PAYPLAN_UPDATE_DOCS=1 cargo test --test bad_inputs` rewrites it). Every row is also\n\
         run through the npm package by `js/test/bad-inputs.test.mjs`, which then checks that the same\n\
         WebAssembly instance still evaluates a good plan. No row panics or hangs.\n\n\
         - **error**: the call fails with this code (`INVALID_PLAN` → the first diagnostic's code) and JSON pointer.\n\
         - **rejected**: the evaluation succeeds and lists the transaction as rejected, with this code and pointer.\n\
         - **warning**: the plan compiles with this warning.\n\n\
         Limits (`LIMIT_EXCEEDED`) and their defaults are described in `src/limits.rs` and the README.\n\n\
         | bad input | call | outcome | code | JSON pointer | message |\n|---|---|---|---|---|---|\n",
    );
    for row in data["rows"].as_array().unwrap() {
        let name = row["name"].as_str().unwrap();
        let (got, message) = outcome(row);
        let mut want = row["expect"].clone();
        if want.get("path").is_none() {
            want["path"] = Value::Null;
        }
        if got != want {
            failures.push(format!("{name}: expected {want}, got {got} ({message})"));
        }
        let (code, path) = code_path(&got);
        table.push_str(&format!(
            "| {} | {} | {} | {code} | {path} | {} |\n",
            cell(name),
            row["call"].as_str().unwrap(),
            got["kind"].as_str().unwrap(),
            cell(&message)
        ));
    }
    assert!(failures.is_empty(), "{} row(s) differ:\n{}", failures.len(), failures.join("\n"));
    let doc = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/bad-inputs.md");
    if std::env::var_os("PAYPLAN_UPDATE_DOCS").is_some() {
        std::fs::write(&doc, &table).unwrap();
    }
    let current = std::fs::read_to_string(&doc).unwrap_or_default();
    assert!(
        current == table,
        "docs/bad-inputs.md is out of date: run PAYPLAN_UPDATE_DOCS=1 cargo test --test bad_inputs"
    );
}
