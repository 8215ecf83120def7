//! The `payplan` binary, run as a user would: exit codes, output formats, error lines.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SAMPLE: &str = payplan::sample::SAMPLE_PLAN_JSON;

/// A fresh directory for one test.
fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("payplan-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_payplan")).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn validate_good_plan_exits_0() {
    let dir = temp_dir("validate-good");
    let good = write(&dir, "good.json", SAMPLE);
    let o = run(&["validate", &good]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), format!("{good}: ok\n"));
}

#[test]
fn validate_bad_plans_exit_1_with_one_line_per_problem() {
    let dir = temp_dir("validate-bad");
    let good = write(&dir, "good.json", SAMPLE);
    let syntax = write(&dir, "syntax.json", &SAMPLE.replacen('{', "{,", 1));
    let wrong_type = write(&dir, "type.json", &SAMPLE.replace("\"25000\"", "25000"));
    let o = run(&["validate", &good, &syntax, &wrong_type]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    assert_eq!(lines[0], format!("{good}: ok"));
    assert!(lines[1].starts_with(&format!("{syntax}: error PARSE_ERROR")), "{out}");
    assert_eq!(lines[2], format!("{syntax}: 1 error"));
    assert!(
        lines[3].starts_with(&format!("{wrong_type}: error PARSE_ERROR at /components/0/caps/0/amount: ")),
        "{out}"
    );
    assert_eq!(lines[4], format!("{wrong_type}: 1 error"));
}

#[test]
fn validate_unreadable_file_exits_2() {
    let dir = temp_dir("validate-missing");
    let good = write(&dir, "good.json", SAMPLE);
    let bad = write(&dir, "bad.json", "{");
    let missing = dir.join("missing.json").to_str().unwrap().to_string();
    let o = run(&["validate", &good, &bad, &missing]);
    assert_eq!(o.status.code(), Some(2));
    let out = stdout(&o);
    assert!(out.contains(&format!("{missing}: error IO_ERROR: cannot read `{missing}`")), "{out}");
    assert!(out.contains(&format!("{missing}: 1 error")), "{out}");
}

#[test]
fn validate_json_format() {
    let dir = temp_dir("validate-json");
    let good = write(&dir, "good.json", SAMPLE);
    let bad = write(&dir, "bad.json", &SAMPLE.replace("\"25000\"", "25000"));
    let o = run(&["validate", "--format", "json", &good, &bad]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let files = v.as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["file"], good.as_str());
    assert_eq!(files[0]["diagnostics"], serde_json::json!([]));
    assert_eq!(files[1]["file"], bad.as_str());
    let d = &files[1]["diagnostics"][0];
    assert_eq!(d["code"], "PARSE_ERROR");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["path"], "/components/0/caps/0/amount");
    assert!(d["message"].as_str().unwrap().contains("25000"), "{d}");
}

#[test]
fn validate_needs_a_file() {
    let o = run(&["validate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("PLAN"), "{}", stderr(&o));
}

#[test]
fn schema_prints_json_and_writes_files() {
    for (which, id) in [("plan", "urn:payplan:schema:plan:1"), ("inputs", "urn:payplan:schema:inputs:1")] {
        let o = run(&["schema", which]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v["$id"], id);
        assert!(stdout(&o).ends_with("}\n"));
    }
    let dir = temp_dir("schema-out").join("nested");
    let o = run(&["schema", "--out", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let plan = std::fs::read_to_string(dir.join("plan.schema.json")).unwrap();
    let inputs = std::fs::read_to_string(dir.join("inputs.schema.json")).unwrap();
    assert_eq!(plan, stdout(&run(&["schema", "plan"])));
    assert_eq!(inputs, stdout(&run(&["schema", "inputs"])));
    assert_eq!(stdout(&run(&["schema"])), plan, "the default is the plan schema");
}

#[test]
fn evaluate_missing_file_is_a_clear_error() {
    let dir = temp_dir("evaluate-missing");
    let plan = write(&dir, "plan.json", SAMPLE);
    let missing_plan = dir.join("nope.json").to_str().unwrap().to_string();
    let tx = write(&dir, "tx.csv", "id,amount\nD-1,100\n");
    let o = run(&["evaluate", "--plan", &missing_plan, "--transactions", &tx, "--period", "Q1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty());
    let err = stderr(&o);
    assert!(err.starts_with(&format!("error IO_ERROR: cannot read `{missing_plan}`: ")), "{err}");

    let missing_tx = dir.join("nope.csv").to_str().unwrap().to_string();
    let o = run(&["evaluate", "--plan", &plan, "--transactions", &missing_tx, "--period", "Q1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with(&format!("error IO_ERROR: cannot read `{missing_tx}`")), "{}", stderr(&o));
}

#[test]
fn evaluate_reports_input_errors_with_code_and_path() {
    let dir = temp_dir("evaluate-bad-input");
    let plan = write(&dir, "plan.json", SAMPLE);
    let csv = write(&dir, "tx.csv", "opportunity_id,close_value,stage\nD-1,100,Won\nD-2,\"1,5\",Won\n");
    let o = run(&[
        "evaluate",
        "--plan",
        &plan,
        "--transactions",
        &csv,
        "--period",
        "Q1",
        "--map",
        "id=opportunity_id,amount=close_value",
        "--where",
        "stage=Won",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.starts_with(
            "error CSV_BAD_VALUE at /transactions/1/amount: line 3, column close_value: `1,5` is not a decimal amount"
        ),
        "{err}"
    );

    let o = run(&["evaluate", "--plan", &plan, "--transactions", &csv, "--period", "Q1", "--map", "amout=x"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("error COLUMN_MAP_INVALID: `amout`"), "{}", stderr(&o));

    let json = write(&dir, "tx.json", r#"[{"id": "D-1", "amount": 100}]"#);
    let o = run(&["evaluate", "--plan", &plan, "--transactions", &json, "--period", "Q1"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!("error PARSE_ERROR at /0/amount: transactions `{json}` could not be read: ")),
        "{err}"
    );

    let o = run(&["evaluate", "--plan", &plan, "--transactions", &json, "--period", "Q1", "--where", "a=b"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("error USAGE_ERROR: --map and --where apply to CSV"), "{}", stderr(&o));

    let bad_plan = write(&dir, "bad-plan.json", &SAMPLE.replace("\"25000\"", "25000"));
    let o = run(&["evaluate", "--plan", &bad_plan, "--transactions", &json, "--period", "Q1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("error PARSE_ERROR at /components/0/caps/0/amount: plan `"), "{}", stderr(&o));

    let inputs = write(&dir, "inputs.json", r#"{"scores": 5}"#);
    let good_json = write(&dir, "ok.json", r#"[{"id": "D-1", "amount": "100"}]"#);
    let o = run(&["evaluate", "--plan", &plan, "--transactions", &good_json, "--period", "Q1", "--inputs", &inputs]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("error PARSE_ERROR at /scores: inputs `"), "{}", stderr(&o));
}

#[test]
fn evaluate_runs_the_engine() {
    // The numbers are the engine's business (and its own tests'); here only that a well-formed run
    // either prints one JSON document on stdout or one error line on stderr.
    let dir = temp_dir("evaluate-run");
    let plan = write(&dir, "plan.json", SAMPLE);
    let csv =
        write(&dir, "tx.csv", "id,owner,amount,close_date,product,type\nD-1,ae-ana,50000,2025-01-20,Platform,new\n");
    let o = run(&["evaluate", "--plan", &plan, "--transactions", &csv, "--period", "Q1", "--strict"]);
    match o.status.code() {
        Some(0) => {
            let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
            assert_eq!(v["period"]["id"], "Q1");
        }
        Some(1) => assert!(stderr(&o).starts_with("error "), "{}", stderr(&o)),
        other => panic!("unexpected exit {other:?}: {}", stderr(&o)),
    }
}

#[test]
fn help_has_examples() {
    for args in
        [&["--help"][..], &["validate", "--help"], &["evaluate", "--help"], &["schema", "--help"], &["demo", "--help"]]
    {
        let o = run(args);
        assert_eq!(o.status.code(), Some(0));
        assert!(stdout(&o).contains("Example"), "{args:?}: {}", stdout(&o));
    }
}

#[test]
fn demo_runs() {
    let o = run(&["demo"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
