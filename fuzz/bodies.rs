//! The bodies of the fuzz targets, shared by the libFuzzer targets (`fuzz/fuzz_targets/*.rs`, run
//! by `scripts/fuzz.sh` on nightly) and by `tests/fuzz_replay.rs` (the seed corpus, the crashes
//! found and generated mutations, on stable as a normal test).
//!
//! Each body feeds arbitrary bytes to an entry point that takes text and checks more than "no
//! panic": every error has a stable code and a JSON pointer that is a pointer, its JSON form
//! parses, and a successful evaluation is balanced and reproducible.
#![allow(dead_code)]

use payplan::{CompiledPlan, Error, Inputs};
use serde_json::Value;
use std::sync::OnceLock;

/// Transactions for fuzzed plans: owners of the sample plan and of the golden vectors' base plan,
/// splits, a foreign currency, a cancellation, a credit memo, a quantity.
pub const FIXED_INPUTS: &str = r#"{"transactions": [
  {"id": "T1", "owner": "ae-ana", "amount": "150000", "closeDate": "2025-01-20", "product": "Platform", "type": "new"},
  {"id": "T2", "owner": "rep", "amount": "90000", "closeDate": "2025-02-10", "quantity": "3"},
  {"id": "T3", "owner": "ae-ben", "amount": "40000.55", "currency": "EUR", "closeDate": "2025-05-02",
   "splits": [{"payee": "ae-ben", "percent": "60"}, {"payee": "ae-chen", "percent": "40"}]},
  {"id": "T4", "owner": "rep2", "amount": "-1200", "closeDate": "2025-08-30", "cancelDate": "2025-09-15"},
  {"id": "T5", "owner": "mgr", "amount": "0.01", "closeDate": "2025-12-31"}
]}"#;

/// The sample plan, compiled once.
pub fn sample() -> &'static CompiledPlan {
    static PLAN: OnceLock<CompiledPlan> = OnceLock::new();
    PLAN.get_or_init(|| CompiledPlan::from_json(payplan::sample::SAMPLE_PLAN_JSON).expect("the sample plan compiles"))
}

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// What every error must be: a stable code, a JSON pointer (or none), JSON data that parses.
pub fn check_error(e: &Error) {
    let code = e.code();
    assert!(
        !code.is_empty() && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
        "code {code:?}"
    );
    assert_ne!(code, "INTERNAL", "an internal error: {e}");
    if let Some(p) = e.path() {
        assert!(p.is_empty() || p.starts_with('/'), "path {p:?} of {e}");
    }
    let v: Value = serde_json::from_str(&e.to_json_text()).expect("error JSON parses");
    assert_eq!(v["code"], code);
    for d in e.diagnostics() {
        assert!(d.path.is_empty() || d.path.starts_with('/'), "diagnostic path {:?}", d.path);
    }
}

/// Checks an evaluation's JSON: it parses and its accounting balances.
fn check_evaluation(json: &str) {
    let v: Value = serde_json::from_str(json).expect("evaluation JSON parses");
    assert_eq!(v["accounting"]["balanced"], Value::Bool(true), "unbalanced accounting");
}

/// Evaluates a compiled plan on inputs text for its first and last periods (all of them would
/// make a calendar of many periods slow to fuzz).
fn evaluate_ends(plan: &CompiledPlan, inputs: &str) {
    let ids: Vec<String> = plan.period_ids().into_iter().map(String::from).collect();
    let mut periods: Vec<&String> = ids.first().into_iter().chain(ids.last()).collect();
    periods.dedup();
    for p in periods {
        match plan.evaluate_json(inputs, p) {
            Ok(json) => check_evaluation(&json),
            Err(e) => check_error(&e),
        }
    }
}

/// Arbitrary text as plan JSON: validate, compile, evaluate a fixed small inputs document.
pub fn plan_evaluate(data: &[u8]) {
    plan_text(&text(data));
}

fn plan_text(plan: &str) {
    for d in payplan::validate::validate_json(plan) {
        assert!(d.path.is_empty() || d.path.starts_with('/'), "diagnostic path {:?}", d.path);
    }
    match CompiledPlan::from_json(plan) {
        Ok(compiled) => evaluate_ends(&compiled, FIXED_INPUTS),
        Err(e) => check_error(&e),
    }
}

/// Values a mutation puts in a plan.
fn interesting(k: u8, rest: &[u8]) -> Value {
    use serde_json::json;
    match k % 24 {
        0 => json!(null),
        1 => json!(""),
        2 => json!("0"),
        3 => json!("-1"),
        4 => json!("79228162514264337593543950335"),
        5 => json!("-79228162514264337593543950335"),
        6 => json!("0.0000000000000000000000000001"),
        7 => json!("1000"),
        8 => json!(1e308),
        9 => json!(-7),
        10 => json!([]),
        11 => json!({}),
        12 => json!(true),
        13 => json!("9999-12-31"),
        14 => json!("0001-01-01"),
        15 => json!("2025-02-29"),
        16 => json!("+262143-12-31"),
        17 => json!("ae-ana"),
        18 => json!("mgr-maya"),
        19 => json!("XXX"),
        20 => json!("1e3"),
        21 => json!("100000000000000000000000000000"),
        22 => json!(u64::MAX),
        _ => json!(String::from_utf8_lossy(rest.get(..rest.len().min(16)).unwrap_or_default())),
    }
}

fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                pointers(x, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out)
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                pointers(x, format!("{at}/{i}"), out)
            }
        }
        _ => {}
    }
    out.push(at);
}

/// The sample plan changed by the bytes: each op (3 bytes) picks a place in the plan and replaces
/// it with an interesting value, removes it, or repeats an array's first element (duplicate ids).
pub fn plan_mutate(data: &[u8]) {
    static SAMPLE: OnceLock<Value> = OnceLock::new();
    let mut plan =
        SAMPLE.get_or_init(|| serde_json::from_str(payplan::sample::SAMPLE_PLAN_JSON).expect("sample")).clone();
    for (n, op) in data.chunks(3).take(8).enumerate() {
        let (a, b, c) =
            (op.first().copied().unwrap_or(0), op.get(1).copied().unwrap_or(0), op.get(2).copied().unwrap_or(0));
        let mut ptrs = Vec::new();
        pointers(&plan, String::new(), &mut ptrs);
        let Some(ptr) = ptrs.get((usize::from(a) << 8 | usize::from(c)) % ptrs.len().max(1)).cloned() else { break };
        match b % 8 {
            // remove the value from its parent
            0 => {
                if let Some((parent, key)) = ptr.rsplit_once('/') {
                    match plan.pointer_mut(parent) {
                        Some(Value::Object(m)) => {
                            m.remove(key);
                        }
                        Some(Value::Array(a)) => {
                            if let Ok(i) = key.parse::<usize>() {
                                if i < a.len() {
                                    a.remove(i);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            // repeat the first element of an array (duplicate ids, many bands)
            1 => {
                if let Some(Value::Array(a)) = plan.pointer_mut(&ptr) {
                    if let Some(first) = a.first().cloned() {
                        let times = 1 + usize::from(c % 4) * usize::from(c % 4) * 10;
                        a.extend(std::iter::repeat_n(first, times));
                    }
                }
            }
            _ => {
                let rest = data.get(3 * n + 3..).unwrap_or_default();
                if let Some(slot) = plan.pointer_mut(&ptr) {
                    *slot = interesting((b / 8) ^ c, rest);
                }
            }
        }
    }
    plan_text(&plan.to_string());
}

/// Arbitrary text as the inputs of the sample plan.
pub fn inputs(data: &[u8]) {
    let t = text(data);
    evaluate_ends(sample(), &t);
    columns(&t, data);
    match payplan::import::transactions_from_json(&t) {
        Ok(txns) => {
            let inputs = Inputs { transactions: txns, ..Inputs::default() };
            match sample().evaluate(&inputs, "Q2") {
                Ok(e) => assert!(e.accounting.balanced),
                Err(e) => check_error(&e),
            }
        }
        Err(e) => check_error(&e),
    }
}

/// Inputs text as columns: the inputs it reads, given as `TransactionColumns` (a summary and the
/// full detail), evaluate to the bytes (or the error) of the same inputs as a list; and the text
/// read as the compact form of a JavaScript table (with references of its own first bytes, or of
/// absent strings) is read or declined, never a panic, and what it reads evaluates.
fn columns(t: &str, data: &[u8]) {
    use payplan::columns::TransactionColumns;
    if let Ok(mut inputs) = Inputs::from_json(t) {
        for detail in [payplan::inputs::Detail::Summary, payplan::inputs::Detail::Full] {
            inputs.options.detail = detail;
            let columns: TransactionColumns = inputs.transactions.iter().collect();
            let rest = Inputs { transactions: Vec::new(), ..inputs.clone() };
            let list = sample().evaluate(&inputs, "Q1").map(|e| e.to_json());
            let by_columns = sample().evaluate_columns(&columns, &rest, "Q1").map(|e| e.to_json());
            match (list, by_columns) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "columns and list differ"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                (a, b) => panic!("list {a:?}, columns {b:?}"),
            }
        }
    }
    let own: Vec<u32> = data.chunks(4).take(48).map(|c| c.iter().fold(0u32, |a, &b| a << 8 | u32::from(b))).collect();
    let limits = payplan::limits::Limits::default();
    // (rows of absent strings, or of string 0, with ids and amounts of the seeds' lengths: two
    // rows with ids of 2 units and amounts of 6 and 5; three with the middle one whole)
    let none = [u32::MAX; 10];
    let row = |numbers: [u32; 10], id: u32, amount: u32| numbers.into_iter().chain([id, amount]);
    let absent: Vec<u32> = row(none, 2, 6).chain(row(none, 2, 5)).collect();
    let with_whole: Vec<u32> = row(none, 2, 1).chain(row(none, 0, 0)).chain(row(none, 2, 1)).collect();
    let zeros: Vec<u32> = row([0; 10], 2, 6).chain(row([0; 10], 2, 5)).collect();
    for refs in [own, absent, with_whole, zeros] {
        if let Some(columns) = TransactionColumns::from_wire(t, &refs, &limits) {
            let mut rest = Inputs::default();
            rest.options.detail = payplan::inputs::Detail::Summary;
            match sample().evaluate_columns(&columns, &rest, "Q1") {
                Ok(e) => assert!(e.accounting.balanced),
                Err(e) => check_error(&e),
            }
        }
    }
}

/// The first line is a column map (`field=header,...`), the rest CSV text; the transactions read
/// are evaluated with the sample plan.
pub fn csv_import(data: &[u8]) {
    let t = text(data);
    let (map, csv) = t.split_once('\n').unwrap_or(("", &t));
    let mut request = serde_json::json!({ "csv": csv });
    if !map.trim().is_empty() {
        request["map"] = Value::String(map.to_string());
    }
    match payplan::ops::run_json("transactionsFromCsv", &request.to_string()) {
        Ok(json) => {
            // the result is itself valid evaluation inputs
            let inputs = Inputs::from_json(&json).expect("the CSV import's output reads as inputs");
            match sample().evaluate(&inputs, "Q1") {
                Ok(e) => assert!(e.accounting.balanced),
                Err(e) => check_error(&e),
            }
        }
        Err(e) => check_error(&e),
    }
}

/// The first byte picks a JSON operation (or an unknown name), the rest is its request.
pub fn ops(data: &[u8]) {
    let Some((&k, rest)) = data.split_first() else { return };
    let ops = payplan::ops::OPERATIONS;
    let name = ops.get(usize::from(k) % (ops.len() + 1)).copied().unwrap_or("noSuchOperation");
    match payplan::ops::run_json(name, &text(rest)) {
        Ok(json) => {
            serde_json::from_str::<Value>(&json).expect("operation output parses");
        }
        Err(e) => check_error(&e),
    }
}

/// A preview session of the sample plan: bytes separated by NUL are the inputs, a transaction to
/// preview, one to add and an id to remove; the first byte picks the payee and the period. After
/// each change the session's payout must be what a full evaluation of its inputs gives.
pub fn session(data: &[u8]) {
    let Some((&k, rest)) = data.split_first() else { return };
    let mut parts = rest.split(|&b| b == 0).map(text);
    let inputs_text = parts.next().unwrap_or_default();
    let payees = ["mgr-maya", "ae-ana", "ae-ben", "ae-chen", "nobody"];
    let payee = payees.get(usize::from(k % 5)).copied().unwrap_or("ae-ana");
    let period = ["Q1", "Q2", "Q3", "Q4"].get(usize::from(k / 5 % 4)).copied().unwrap_or("Q1");
    let inputs = match Inputs::from_json(if inputs_text.trim().is_empty() { "{}" } else { &inputs_text }) {
        Ok(i) => i,
        Err(e) => return check_error(&e),
    };
    let mut s = match payplan::session::Session::open(sample(), &inputs, payee, period) {
        Ok(s) => s,
        Err(e) => return check_error(&e),
    };
    let agree = |s: &payplan::session::Session| {
        if let Ok(full) = sample().evaluate(&s.inputs(), period) {
            if let Some(st) = full.statement(payee) {
                assert_eq!(st.payout, s.payout(), "session payout differs from a full evaluation");
            }
        }
    };
    agree(&s);
    if let Some(p) = parts.next() {
        if let Err(e) = s.preview_json(&p) {
            check_error(&e)
        }
    }
    if let Some(u) = parts.next() {
        match s.upsert_json(&u) {
            Ok(json) => {
                serde_json::from_str::<Value>(&json).expect("upsert JSON parses");
                agree(&s);
            }
            Err(e) => check_error(&e),
        }
    }
    if let Some(id) = parts.next() {
        match s.remove(&id) {
            Ok(_) => agree(&s),
            Err(e) => check_error(&e),
        }
    }
    if let Err(e) = s.statement() {
        check_error(&e)
    }
}
