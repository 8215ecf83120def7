//! Plan validation: every diagnostic code, with its exact path and severity.
//!
//! Each test starts from the sample plan (`examples/plans/account-executive.json`), changes it as a
//! JSON value, parses it again and checks what `validate` reports. Most tests assert the complete
//! list of diagnostics (`exactly`), so that a change also proves nothing spurious is reported.
//!
//! Sample plan, for reading the paths: payees 0 `mgr-maya` (Manager), 1 `ae-ana`, 2 `ae-ben`,
//! 3 `ae-chen` (AE); measures 0 `bookings`, 1 `team-bookings`; quotas 0 ana, 1 ben, 2 chen, 3 maya;
//! crediting rules 0 `deal-credit` (split), 1 `team-rollup` (rollup); components 0 `commission`
//! (tiered), 1 `platform-spiff` (spiff), 2 `team-override` (rate); draw 0 `ramp-draw` (ae-ben, Q1, Q2).

use payplan::{Diagnostic, Plan, Severity};
use serde_json::{json, Value};

const E: Severity = Severity::Error;
const W: Severity = Severity::Warning;

fn sample() -> Value {
    serde_json::from_str(payplan::sample::SAMPLE_PLAN_JSON).expect("the sample is JSON")
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Sets the value at a JSON pointer: replaces an array element, inserts or replaces an object
/// member, or appends to an array with the last token `-`.
fn set(v: &mut Value, ptr: &str, new: Value) {
    let (parent, last) = ptr.rsplit_once('/').expect("pointer has a slash");
    let target = v.pointer_mut(parent).unwrap_or_else(|| panic!("no value at {parent}"));
    match target {
        Value::Object(m) => {
            m.insert(unescape(last), new);
        }
        Value::Array(a) if last == "-" => a.push(new),
        Value::Array(a) => {
            let i: usize = last.parse().expect("array index");
            a[i] = new;
        }
        _ => panic!("{parent} is not a container"),
    }
}

/// Removes the value at a JSON pointer.
fn remove(v: &mut Value, ptr: &str) {
    let (parent, last) = ptr.rsplit_once('/').expect("pointer has a slash");
    match v.pointer_mut(parent).unwrap_or_else(|| panic!("no value at {parent}")) {
        Value::Object(m) => {
            m.remove(&unescape(last)).unwrap_or_else(|| panic!("no member {ptr}"));
        }
        Value::Array(a) => {
            a.remove(last.parse().expect("array index"));
        }
        _ => panic!("{parent} is not a container"),
    }
}

fn run(v: &Value) -> Vec<Diagnostic> {
    let plan = Plan::from_json(&v.to_string()).unwrap_or_else(|e| panic!("mutated plan does not parse: {e}"));
    payplan::validate(&plan)
}

/// Validates the sample after `f` changed it.
fn with(f: impl FnOnce(&mut Value)) -> Vec<Diagnostic> {
    let mut v = sample();
    f(&mut v);
    run(&v)
}

fn show(ds: &[Diagnostic]) -> String {
    ds.iter().map(|d| format!("  {d}")).collect::<Vec<_>>().join("\n")
}

/// Asserts the complete list of diagnostics, in order.
#[track_caller]
fn exactly(ds: &[Diagnostic], want: &[(&str, &str, Severity)]) {
    let got: Vec<(&str, &str, Severity)> = ds.iter().map(|d| (d.code.as_str(), d.path.as_str(), d.severity)).collect();
    assert_eq!(got, want, "diagnostics were:\n{}", show(ds));
}

/// Asserts that one diagnostic with this code, path and severity is among them, and returns it.
#[track_caller]
fn has<'a>(ds: &'a [Diagnostic], code: &str, path: &str, sev: Severity) -> &'a Diagnostic {
    ds.iter()
        .find(|d| d.code == code && d.path == path && d.severity == sev)
        .unwrap_or_else(|| panic!("no {sev:?} {code} at {path}; diagnostics were:\n{}", show(ds)))
}

/// The sample with a valid FX table: EUR from 2025-01-01 to 2025-06-30, then open from 2025-07-01.
fn with_fx(v: &mut Value) {
    set(
        v,
        "/fx",
        json!({"base": "USD", "rates": [
            {"currency": "EUR", "rate": "1.1", "from": "2025-01-01", "to": "2025-06-30"},
            {"currency": "EUR", "rate": "1.2", "from": "2025-07-01"}
        ]}),
    );
}

/// The sample with custom halves H1 and H2 (and the draw moved to H1).
fn with_halves(v: &mut Value) {
    set(v, "/calendar/periodType", json!("custom"));
    set(
        v,
        "/calendar/periods",
        json!([
            {"id": "H1", "start": "2025-01-01", "end": "2025-06-30"},
            {"id": "H2", "start": "2025-07-01", "end": "2025-12-31"}
        ]),
    );
    set(v, "/payments/draws/0/periods", json!(["H1"]));
}

/// The sample with component 2 replaced by `kind` (keeping id and roles).
fn replace_component_2(v: &mut Value, kind: Value) {
    let mut c = json!({"id": "team-override", "roles": ["Manager"]});
    for (k, x) in kind.as_object().expect("object").iter() {
        c[k] = x.clone();
    }
    set(v, "/components/2", c);
}

fn matrix() -> Value {
    json!({
        "type": "matrix", "measure": "team-bookings",
        "rows": {"on": {"metric": "corporate-attainment"}, "breaks": ["0", "1"]},
        "columns": {"on": {"measure": "team-bookings"}, "breaks": ["0", "1", "1.2"]},
        "rates": [
            [{"percent": "0.5"}, {"percent": "1"}, {"percent": "1.5"}],
            [{"percent": "1"}, {"percent": "1.5"}, {"percent": "2"}]
        ]
    })
}

fn milestone() -> Value {
    json!({"type": "milestone", "measure": "team-bookings",
           "levels": [{"at": "0.5", "amount": "1000"}, {"at": "1", "amount": "5000"}]})
}

fn mbo() -> Value {
    json!({"type": "mbo", "target": {"amount": "5000"}, "objectives": [
        {"id": "hiring", "weight": "0.6", "threshold": "0.8", "target": "1", "stretch": "1.2"},
        {"id": "nps", "weight": "0.4", "threshold": "40", "target": "50", "stretch": "60"}
    ]})
}

fn curve(v: &mut Value) {
    set(v, "/components/0/method", json!("interpolated"));
    remove(v, "/components/0/tiers");
    remove(v, "/components/0/baseRate");
    set(v, "/components/0/points", json!([{"x": "0", "y": "0"}, {"x": "1", "y": "8"}, {"x": "2", "y": "16"}]));
}

// ---------------------------------------------------------------------------------------------
// the sample and the API

#[test]
fn sample_plan_is_clean() {
    // The sample has no diagnostic at all: no error and no warning.
    let ds = with(|_| {});
    exactly(&ds, &[]);
    assert!(!payplan::has_errors(&ds));
}

#[test]
fn fixtures_used_below_are_clean() {
    exactly(&with(with_fx), &[]);
    exactly(&with(with_halves), &[]);
    exactly(&with(curve), &[]);
    exactly(&with(|v| replace_component_2(v, matrix())), &[]);
    exactly(&with(|v| replace_component_2(v, milestone())), &[]);
    exactly(&with(|v| replace_component_2(v, mbo())), &[]);
}

#[test]
fn has_errors_ignores_warnings() {
    assert!(!payplan::has_errors(&[]));
    assert!(!payplan::has_errors(&[Diagnostic::warning("ZERO_QUOTA", "/quotas/0/annual", "x")]));
    assert!(payplan::has_errors(&[
        Diagnostic::warning("ZERO_QUOTA", "/quotas/0/annual", "x"),
        Diagnostic::error("UNKNOWN_PAYEE", "/quotas/0/payee", "y"),
    ]));
}

#[test]
fn validate_json_parse_error_stops() {
    let bad = payplan::sample::SAMPLE_PLAN_JSON.replace("\"25000\"", "25000");
    let ds = payplan::validate_json(&bad);
    exactly(&ds, &[("PARSE_ERROR", "/components/0/caps/0/amount", E)]);
    let ds = payplan::validate_json("{ not json");
    exactly(&ds, &[("PARSE_ERROR", "", E)]);
    // a syntax error deep in the document points at the deepest value known
    let cut =
        payplan::sample::SAMPLE_PLAN_JSON.replace("\"rate\": { \"percent\": \"1\" }", "\"rate\": { \"percent\": }");
    let ds = payplan::validate_json(&cut);
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].code, "PARSE_ERROR");
    assert!(!ds[0].path.contains('?'), "{}", ds[0].path);
    assert!(ds[0].path.starts_with("/components/2"), "{}", ds[0].path);
    let ds = payplan::validate_json(r#"{"schemaVersion": 1, "id": 5}"#);
    exactly(&ds, &[("PARSE_ERROR", "/id", E)]);
}

#[test]
fn validate_json_validates() {
    exactly(&payplan::validate_json(payplan::sample::SAMPLE_PLAN_JSON), &[]);
    let mut v = sample();
    set(&mut v, "/schemaVersion", json!(2));
    exactly(&payplan::validate_json(&v.to_string()), &[("SCHEMA_VERSION", "/schemaVersion", E)]);
}

// ---------------------------------------------------------------------------------------------
// top level, ids, currencies

#[test]
fn schema_version() {
    let ds = with(|v| set(v, "/schemaVersion", json!(2)));
    exactly(&ds, &[("SCHEMA_VERSION", "/schemaVersion", E)]);
    assert!(ds[0].message.contains('2') && ds[0].message.contains('1'), "{}", ds[0].message);
}

#[test]
fn empty_ids() {
    exactly(&with(|v| set(v, "/id", json!(""))), &[("EMPTY_ID", "/id", E)]);
    exactly(&with(|v| set(v, "/measures/-", json!({"id": ""}))), &[("EMPTY_ID", "/measures/2/id", E)]);
    exactly(&with(|v| set(v, "/payees/-", json!({"id": " ", "role": "Manager"}))), &[("EMPTY_ID", "/payees/4/id", E)]);
    exactly(
        &with(|v| set(v, "/crediting/rules/-", json!({"type": "direct", "id": ""}))),
        &[("EMPTY_ID", "/crediting/rules/2/id", E)],
    );
    exactly(
        &with(|v| {
            set(v, "/components/-", json!({"id": "", "type": "rate", "measure": "bookings", "rate": {"percent": "1"}}))
        }),
        &[("EMPTY_ID", "/components/3/id", E)],
    );
}

#[test]
fn duplicate_ids() {
    let ds = with(|v| set(v, "/payees/-", json!({"id": "ae-ana", "role": "Manager"})));
    exactly(&ds, &[("DUPLICATE_ID", "/payees/4/id", E)]);
    assert!(ds[0].message.contains("ae-ana") && ds[0].message.contains("/payees/1"), "{}", ds[0].message);

    exactly(&with(|v| set(v, "/measures/-", json!({"id": "bookings"}))), &[("DUPLICATE_ID", "/measures/2/id", E)]);
    exactly(
        &with(|v| set(v, "/crediting/rules/-", json!({"type": "direct", "id": "deal-credit"}))),
        &[("DUPLICATE_ID", "/crediting/rules/2/id", E)],
    );
    exactly(
        &with(|v| {
            set(
                v,
                "/components/-",
                json!({"id": "commission", "type": "rate", "roles": ["Manager"], "measure": "bookings", "rate": {"percent": "1"}}),
            )
        }),
        &[("DUPLICATE_ID", "/components/3/id", E)],
    );
    exactly(
        &with(|v| {
            set(
                v,
                "/payments/draws/-",
                json!({"id": "ramp-draw", "payees": ["ae-ana"], "kind": "nonRecoverable", "amount": "100"}),
            )
        }),
        &[("DUPLICATE_ID", "/payments/draws/1/id", E)],
    );
    exactly(
        &with(|v| {
            set(
                v,
                "/payments/holdbacks",
                json!([
                    {"id": "h", "percent": "10", "release": {"afterPeriods": 1}},
                    {"id": "h", "percent": "10", "release": {"afterPeriods": 2}}
                ]),
            )
        }),
        &[("DUPLICATE_ID", "/payments/holdbacks/1/id", E)],
    );
    exactly(
        &with(|v| {
            replace_component_2(v, mbo());
            set(v, "/components/2/objectives/1/id", json!("hiring"));
        }),
        &[("DUPLICATE_ID", "/components/2/objectives/1/id", E)],
    );
    exactly(
        &with(|v| {
            with_halves(v);
            set(v, "/calendar/periods/1/id", json!("H1"));
        }),
        &[("DUPLICATE_ID", "/calendar/periods/1/id", E)],
    );
}

#[test]
fn currency_codes() {
    exactly(
        &with(|v| set(v, "/currencies", json!([{"code": "usd", "minorUnits": 2}]))),
        &[("INVALID_CURRENCY_CODE", "/currencies/0/code", E)],
    );
    exactly(
        &with(|v| set(v, "/currencies", json!([{"code": "EU", "minorUnits": 2}]))),
        &[("INVALID_CURRENCY_CODE", "/currencies/0/code", E)],
    );
    exactly(
        &with(|v| set(v, "/currencies", json!([{"code": "XAU", "minorUnits": 12}]))),
        &[("CURRENCY_MINOR_UNITS", "/currencies/0/minorUnits", E)],
    );
    exactly(
        &with(|v| set(v, "/currencies", json!([{"code": "XAU", "minorUnits": 2}, {"code": "XAU", "minorUnits": 3}]))),
        &[("DUPLICATE_CURRENCY", "/currencies/1/code", E)],
    );
    exactly(
        &with(|v| set(v, "/currencies", json!([{"code": "XAU", "minorUnits": 2}, {"code": "XAU", "minorUnits": 2}]))),
        &[("DUPLICATE_CURRENCY", "/currencies/1/code", W)],
    );
}

#[test]
fn unknown_currencies() {
    let ds = with(|v| set(v, "/currency", json!("XYZ")));
    exactly(&ds, &[("UNKNOWN_CURRENCY", "/currency", E)]);
    assert!(ds[0].message.contains("XYZ"));
    // declared currencies are known
    exactly(
        &with(|v| {
            set(v, "/currency", json!("XYZ"));
            set(v, "/currencies", json!([{"code": "XYZ", "minorUnits": 2}]));
        }),
        &[],
    );
    exactly(
        &with(|v| {
            with_fx(v);
            set(v, "/fx/base", json!("QQQ"));
        }),
        &[("UNKNOWN_CURRENCY", "/fx/base", E), ("FX_NO_PATH", "/fx/rates", E)],
    );
    exactly(
        &with(|v| {
            with_fx(v);
            set(v, "/fx/rates/-", json!({"currency": "QQQ", "rate": "3", "from": "2025-01-01"}));
        }),
        &[("UNKNOWN_CURRENCY", "/fx/rates/2/currency", E)],
    );
}

// ---------------------------------------------------------------------------------------------
// FX

#[test]
fn fx_rate_not_positive() {
    exactly(
        &with(|v| {
            with_fx(v);
            set(v, "/fx/rates/0/rate", json!("0"));
        }),
        &[("FX_RATE_NOT_POSITIVE", "/fx/rates/0/rate", E)],
    );
}

#[test]
fn fx_dates() {
    let ds = with(|v| {
        with_fx(v);
        set(v, "/fx/rates/1/to", json!("2025-06-01"));
    });
    exactly(
        &ds,
        // rate 1 is left out of the sequence checks, so the year then ends uncovered after rate 0
        &[("FX_GAP", "/fx/rates/0/to", E), ("FX_DATES", "/fx/rates/1/to", E)],
    );
}

#[test]
fn fx_overlap() {
    let ds = with(|v| {
        with_fx(v);
        set(v, "/fx/rates/1/from", json!("2025-06-30"));
    });
    exactly(&ds, &[("FX_OVERLAP", "/fx/rates/1/from", E)]);
    // two rates with the same start
    let ds = with(|v| {
        with_fx(v);
        set(v, "/fx/rates/1/from", json!("2025-01-01"));
    });
    exactly(&ds, &[("FX_OVERLAP", "/fx/rates/1/from", E)]);
}

#[test]
fn fx_gaps() {
    let ds = with(|v| {
        with_fx(v);
        set(v, "/fx/rates/1/from", json!("2025-07-03"));
    });
    exactly(&ds, &[("FX_GAP", "/fx/rates/1/from", E)]);
    // the first rate starts after the plan year starts
    let ds = with(|v| {
        with_fx(v);
        set(v, "/fx/rates/0/from", json!("2025-01-02"));
    });
    exactly(&ds, &[("FX_GAP", "/fx/rates/0/from", E)]);
    // the last rate ends before the plan year ends
    let ds = with(|v| {
        with_fx(v);
        set(v, "/fx/rates/1/to", json!("2025-11-30"));
    });
    exactly(&ds, &[("FX_GAP", "/fx/rates/1/to", E)]);
}

#[test]
fn fx_rates_need_not_be_sorted() {
    exactly(
        &with(|v| {
            with_fx(v);
            let rates = v.pointer_mut("/fx/rates").unwrap().as_array_mut().unwrap();
            rates.reverse();
            rates.push(json!({"currency": "GBP", "rate": "1.3", "from": "2024-12-01"}));
        }),
        &[],
    );
}

#[test]
fn fx_no_path() {
    let ds = with(|v| {
        set(v, "/fx", json!({"base": "EUR", "rates": [{"currency": "GBP", "rate": "1.2", "from": "2025-01-01"}]}));
    });
    exactly(&ds, &[("FX_NO_PATH", "/fx/rates", E)]);
    exactly(
        &with(|v| {
            set(v, "/fx", json!({"base": "EUR", "rates": [{"currency": "USD", "rate": "0.9", "from": "2025-01-01"}]}))
        }),
        &[],
    );
}

#[test]
fn fx_self_rate() {
    exactly(
        &with(|v| {
            with_fx(v);
            set(v, "/fx/rates/-", json!({"currency": "USD", "rate": "2", "from": "2025-01-01"}));
        }),
        &[("FX_SELF_RATE", "/fx/rates/2/currency", E)],
    );
}

#[test]
fn rounding_scale() {
    exactly(&with(|v| set(v, "/rounding/scale", json!(11))), &[("ROUNDING_SCALE", "/rounding/scale", E)]);
    exactly(&with(|v| set(v, "/rounding/scale", json!(10))), &[]);
}

// ---------------------------------------------------------------------------------------------
// calendar

#[test]
fn year_out_of_range() {
    exactly(
        &with(|v| set(v, "/calendar/yearStart", json!("+262142-06-01"))),
        &[("YEAR_OUT_OF_RANGE", "/calendar/yearStart", E)],
    );
}

#[test]
fn custom_periods_missing() {
    exactly(
        &with(|v| {
            set(v, "/calendar/periodType", json!("custom"));
            remove(v, "/payments/draws/0/periods");
        }),
        &[("CUSTOM_PERIODS_MISSING", "/calendar/periods", E)],
    );
}

#[test]
fn period_dates() {
    let ds = with(|v| {
        with_halves(v);
        set(v, "/calendar/periods/1/end", json!("2025-06-01"));
    });
    // H2 is left out of the tiling checks, so the year then ends uncovered after H1
    exactly(
        &ds,
        &[("PERIODS_NOT_TILING", "/calendar/periods/0/end", E), ("PERIOD_DATES", "/calendar/periods/1/end", E)],
    );
}

#[test]
fn period_gap_and_overlap() {
    exactly(
        &with(|v| {
            with_halves(v);
            set(v, "/calendar/periods/1/start", json!("2025-07-02"));
        }),
        &[("PERIOD_GAP", "/calendar/periods/1/start", E)],
    );
    exactly(
        &with(|v| {
            with_halves(v);
            set(v, "/calendar/periods/1/start", json!("2025-06-30"));
        }),
        &[("PERIOD_OVERLAP", "/calendar/periods/1/start", E)],
    );
}

#[test]
fn periods_not_tiling() {
    let ds = with(|v| {
        with_halves(v);
        set(v, "/calendar/periods/0/start", json!("2025-01-02"));
        set(v, "/calendar/periods/1/end", json!("2025-12-30"));
    });
    exactly(
        &ds,
        &[("PERIODS_NOT_TILING", "/calendar/periods/0/start", E), ("PERIODS_NOT_TILING", "/calendar/periods/1/end", E)],
    );
    assert!(ds[0].message.contains("do not tile the year"), "{}", ds[0].message);
    // listed out of order is fine
    exactly(
        &with(|v| {
            with_halves(v);
            v.pointer_mut("/calendar/periods").unwrap().as_array_mut().unwrap().reverse();
        }),
        &[],
    );
}

#[test]
fn periods_ignored_and_holidays() {
    exactly(
        &with(|v| set(v, "/calendar/periods", json!([{"id": "X", "start": "2025-01-01", "end": "2025-12-31"}]))),
        &[("PERIODS_IGNORED", "/calendar/periods", W)],
    );
    exactly(
        &with(|v| set(v, "/calendar/holidays", json!(["2025-05-01", "2026-01-01", "2025-05-01"]))),
        &[("HOLIDAY_OUTSIDE_YEAR", "/calendar/holidays/1", W), ("DUPLICATE_HOLIDAY", "/calendar/holidays/2", W)],
    );
}

// ---------------------------------------------------------------------------------------------
// payees

#[test]
fn payee_dates() {
    exactly(
        &with(|v| {
            set(v, "/payees/2/start", json!("2025-03-01"));
            set(v, "/payees/2/end", json!("2025-02-01"));
        }),
        &[("PAYEE_DATES", "/payees/2/end", E)],
    );
    exactly(&with(|v| set(v, "/payees/2/start", json!("2026-02-01"))), &[("PAYEE_OUTSIDE_YEAR", "/payees/2", W)]);
}

#[test]
fn reporting_lines() {
    exactly(
        &with(|v| set(v, "/payees/1/reportsTo/0/manager", json!("nobody"))),
        &[("UNKNOWN_PAYEE", "/payees/1/reportsTo/0/manager", E)],
    );
    exactly(
        &with(|v| set(v, "/payees/1/reportsTo/0/manager", json!("ae-ana"))),
        &[("SELF_MANAGER", "/payees/1/reportsTo/0/manager", E)],
    );
    exactly(
        &with(|v| {
            set(v, "/payees/1/reportsTo/0", json!({"manager": "mgr-maya", "from": "2025-06-01", "to": "2025-05-01"}))
        }),
        &[("REPORTING_DATES", "/payees/1/reportsTo/0/to", E)],
    );
}

#[test]
fn reporting_overlap() {
    let ds = with(|v| {
        set(
            v,
            "/payees/1/reportsTo",
            json!([{"manager": "mgr-maya", "to": "2025-06-30"}, {"manager": "ae-chen", "from": "2025-06-30"}]),
        )
    });
    exactly(&ds, &[("REPORTING_OVERLAP", "/payees/1/reportsTo/1", E)]);
    assert!(ds[0].message.contains("mgr-maya") && ds[0].message.contains("ae-chen"), "{}", ds[0].message);
    exactly(
        &with(|v| {
            set(
                v,
                "/payees/1/reportsTo",
                json!([{"manager": "mgr-maya", "to": "2025-06-30"}, {"manager": "ae-chen", "from": "2025-07-01"}]),
            )
        }),
        &[],
    );
}

#[test]
fn manager_cycles() {
    // mgr-maya -> ae-ana -> mgr-maya
    let ds = with(|v| set(v, "/payees/0/reportsTo", json!([{"manager": "ae-ana"}])));
    exactly(&ds, &[("MANAGER_CYCLE", "/payees/0/reportsTo/0", E)]);
    assert!(ds[0].message.contains("mgr-maya -> ae-ana -> mgr-maya"), "{}", ds[0].message);

    // a three-person cycle is reported once, from the first payee in document order
    let ds = with(|v| {
        set(v, "/payees/0/reportsTo", json!([{"manager": "ae-ben"}]));
        set(v, "/payees/2/reportsTo/0/manager", json!("ae-chen"));
    });
    exactly(&ds, &[("MANAGER_CYCLE", "/payees/0/reportsTo/0", E)]);
    assert!(ds[0].message.contains("mgr-maya -> ae-ben -> ae-chen -> mgr-maya"), "{}", ds[0].message);

    // a cycle through dated lines counts too (the graph is over all reporting lines)
    let ds = with(|v| {
        set(
            v,
            "/payees/3/reportsTo",
            json!([{"manager": "mgr-maya", "to": "2025-03-31"}, {"manager": "ae-ben", "from": "2025-04-01"}]),
        );
        set(v, "/payees/2/reportsTo/0/manager", json!("ae-chen"));
    });
    exactly(&ds, &[("MANAGER_CYCLE", "/payees/2/reportsTo/0", E)]);
    assert!(ds[0].message.contains("ae-ben -> ae-chen -> ae-ben"), "{}", ds[0].message);
}

#[test]
fn long_reporting_chain_does_not_overflow_the_stack() {
    let mut v = sample();
    let payees = v.pointer_mut("/payees").unwrap().as_array_mut().unwrap();
    let n = 50_000;
    for i in 0..n {
        payees.push(
            json!({"id": format!("p{i}"), "role": "Chain", "reportsTo": [{"manager": format!("p{}", (i + 1) % n)}]}),
        );
    }
    let ds = run(&v);
    exactly(&ds, &[("MANAGER_CYCLE", "/payees/4/reportsTo/0", E)]);
}

#[test]
fn negative_target_incentive() {
    exactly(
        &with(|v| set(v, "/payees/1/targetIncentive", json!("-1"))),
        &[("NEGATIVE_AMOUNT", "/payees/1/targetIncentive", E)],
    );
}

// ---------------------------------------------------------------------------------------------
// filters

#[test]
fn filter_unknown_rule() {
    exactly(
        &with(|v| set(v, "/measures/0/filter/rules/-", json!("nope"))),
        &[("UNKNOWN_RULE", "/measures/0/filter/rules/1", E)],
    );
    exactly(
        &with(|v| set(v, "/measures/0/filter/exclude", json!({"rules": ["nope"]}))),
        &[("UNKNOWN_RULE", "/measures/0/filter/exclude/rules/0", E)],
    );
    exactly(
        &with(|v| set(v, "/components/1/filter/rules", json!(["nope"]))),
        &[("UNKNOWN_RULE", "/components/1/filter/rules/0", E)],
    );
}

#[test]
fn filter_empty_lists() {
    exactly(
        &with(|v| {
            set(v, "/measures/0/filter/products", json!([]));
            set(v, "/measures/0/filter/attributes", json!({"seg/ment": []}));
            set(v, "/measures/0/filter/exclude", json!({"regions": []}));
        }),
        &[
            ("EMPTY_FILTER_LIST", "/measures/0/filter/products", W),
            ("EMPTY_FILTER_LIST", "/measures/0/filter/attributes/seg~1ment", W),
            ("EMPTY_FILTER_LIST", "/measures/0/filter/exclude/regions", W),
        ],
    );
    exactly(
        &with(|v| set(v, "/measures/0/filter/rules", json!([]))),
        &[("EMPTY_FILTER_LIST", "/measures/0/filter/rules", W)],
    );
    exactly(
        &with(|v| set(v, "/measures/0/filter/exclude", json!({}))),
        &[("EXCLUDE_EVERYTHING", "/measures/0/filter/exclude", W)],
    );
}

#[test]
fn rules_filter_ignored_in_credit_rules() {
    exactly(
        &with(|v| set(v, "/crediting/rules/0/filter", json!({"rules": ["deal-credit"]}))),
        &[("RULES_FILTER_IGNORED", "/crediting/rules/0/filter/rules", W)],
    );
}

// ---------------------------------------------------------------------------------------------
// quotas

#[test]
fn quota_references() {
    // ae-ana then has no quota on bookings, which the commission reads as attainment
    exactly(
        &with(|v| set(v, "/quotas/0/payee", json!("nobody"))),
        &[("UNKNOWN_PAYEE", "/quotas/0/payee", E), ("MISSING_QUOTA", "/payees/1", W)],
    );
    exactly(
        &with(|v| set(v, "/quotas/0/measure", json!("nope"))),
        &[("UNKNOWN_MEASURE", "/quotas/0/measure", E), ("MISSING_QUOTA", "/payees/1", W)],
    );
}

#[test]
fn quota_amount_missing_or_ambiguous() {
    exactly(&with(|v| remove(v, "/quotas/0/annual")), &[("QUOTA_AMOUNT_MISSING", "/quotas/0", E)]);
    exactly(
        &with(|v| set(v, "/quotas/0/periods", json!({"Q1": "1", "Q2": "1", "Q3": "1", "Q4": "1"}))),
        &[("QUOTA_AMOUNT_AMBIGUOUS", "/quotas/0", E)],
    );
}

#[test]
fn quota_periods() {
    let ds = with(|v| {
        remove(v, "/quotas/0/annual");
        set(v, "/quotas/0/periods", json!({"Q1": "200000", "Q2": "-5", "Q3": "0", "Q5": "1"}));
    });
    exactly(
        &ds,
        &[
            ("NEGATIVE_AMOUNT", "/quotas/0/periods/Q2", E),
            ("ZERO_QUOTA", "/quotas/0/periods/Q3", W),
            ("UNKNOWN_PERIOD", "/quotas/0/periods/Q5", E),
            ("PERIOD_QUOTA_MISSING", "/quotas/0/periods", W),
        ],
    );
    assert!(ds[2].message.contains("Q5") && ds[2].message.contains("Q4"), "{}", ds[2].message);
}

#[test]
fn quota_annual_amounts() {
    exactly(&with(|v| set(v, "/quotas/0/annual", json!("-1"))), &[("NEGATIVE_AMOUNT", "/quotas/0/annual", E)]);
    exactly(&with(|v| set(v, "/quotas/0/annual", json!("0"))), &[("ZERO_QUOTA", "/quotas/0/annual", W)]);
}

#[test]
fn seasonality() {
    exactly(&with(|v| set(v, "/quotas/0/seasonality", json!({"Q1": "1", "Q2": "2", "Q3": "2", "Q4": "3"}))), &[]);
    exactly(
        &with(|v| set(v, "/quotas/0/seasonality", json!({"Q1": "1", "Q2": "1", "Q3": "1", "Q4": "1", "M13": "1"}))),
        &[("UNKNOWN_PERIOD", "/quotas/0/seasonality/M13", E)],
    );
    exactly(
        &with(|v| {
            remove(v, "/quotas/0/annual");
            set(v, "/quotas/0/periods", json!({"Q1": "1", "Q2": "1", "Q3": "1", "Q4": "1"}));
            set(v, "/quotas/0/seasonality", json!({"Q1": "1", "Q2": "1", "Q3": "1", "Q4": "1"}));
        }),
        &[("SEASONALITY_WITHOUT_ANNUAL", "/quotas/0/seasonality", E)],
    );
    exactly(
        &with(|v| set(v, "/quotas/0/seasonality", json!({"Q1": "1", "Q2": "-1", "Q3": "1", "Q4": "1"}))),
        &[("SEASONALITY_WEIGHTS", "/quotas/0/seasonality/Q2", E)],
    );
    exactly(
        &with(|v| set(v, "/quotas/0/seasonality", json!({"Q1": "0", "Q2": "0", "Q3": "0", "Q4": "0"}))),
        &[("SEASONALITY_WEIGHTS", "/quotas/0/seasonality", E)],
    );
    let ds = with(|v| set(v, "/quotas/0/seasonality", json!({"Q1": "1", "Q2": "1", "Q3": "1"})));
    exactly(&ds, &[("SEASONALITY_INCOMPLETE", "/quotas/0/seasonality", W)]);
    assert!(ds[0].message.contains("Q4"), "{}", ds[0].message);
}

#[test]
fn ramp_values() {
    exactly(
        &with(|v| set(v, "/quotas/1/ramp", json!(["-0.1", "0.5", "1.5"]))),
        &[("RAMP_VALUE", "/quotas/1/ramp/0", E), ("RAMP_VALUE", "/quotas/1/ramp/2", W)],
    );
}

#[test]
fn duplicate_quota() {
    exactly(
        &with(|v| set(v, "/quotas/-", json!({"payee": "ae-ana", "measure": "bookings", "annual": "1"}))),
        &[("DUPLICATE_QUOTA", "/quotas/4", E)],
    );
}

// ---------------------------------------------------------------------------------------------
// crediting

#[test]
fn no_credit_rules() {
    exactly(
        &with(|v| set(v, "/crediting/rules", json!([]))),
        &[
            ("UNKNOWN_RULE", "/measures/0/filter/rules/0", E),
            ("UNKNOWN_RULE", "/measures/1/filter/rules/0", E),
            ("NO_CREDIT_RULES", "/crediting/rules", E),
        ],
    );
}

#[test]
fn invalid_percents() {
    exactly(
        &with(|v| set(v, "/crediting/rules/-", json!({"type": "direct", "id": "d", "percent": "0"}))),
        &[("INVALID_PERCENT", "/crediting/rules/2/percent", E)],
    );
    exactly(
        &with(|v| {
            set(v, "/crediting/rules/-", json!({"type": "overlay", "id": "se", "payee": "ae-chen", "percent": "-5"}))
        }),
        &[("INVALID_PERCENT", "/crediting/rules/2/percent", E)],
    );
    exactly(
        &with(|v| set(v, "/crediting/rules/1/percent", json!("0"))),
        &[("INVALID_PERCENT", "/crediting/rules/1/percent", E)],
    );
    exactly(
        &with(|v| set(v, "/crediting/rules/0/mustTotal", json!("0"))),
        &[("INVALID_PERCENT", "/crediting/rules/0/mustTotal", E)],
    );
    exactly(
        &with(|v| {
            set(
                v,
                "/crediting/rules/0/shares",
                json!([{"payee": "ae-ana", "percent": "100"}, {"payee": "ae-ben", "percent": "0"}]),
            )
        }),
        &[("INVALID_PERCENT", "/crediting/rules/0/shares/1/percent", E)],
    );
}

#[test]
fn credit_rule_payees() {
    exactly(
        &with(|v| set(v, "/crediting/rules/0/shares", json!([{"payee": "nobody", "percent": "100"}]))),
        &[("UNKNOWN_PAYEE", "/crediting/rules/0/shares/0/payee", E)],
    );
    exactly(
        &with(|v| {
            set(v, "/crediting/rules/-", json!({"type": "overlay", "id": "se", "payee": "nobody", "percent": "5"}))
        }),
        &[("UNKNOWN_PAYEE", "/crediting/rules/2/payee", E)],
    );
}

#[test]
fn split_total() {
    let ds = with(|v| {
        set(
            v,
            "/crediting/rules/0/shares",
            json!([{"payee": "ae-ana", "percent": "60"}, {"payee": "ae-ben", "percent": "30"}]),
        )
    });
    exactly(&ds, &[("SPLIT_TOTAL", "/crediting/rules/0/shares", E)]);
    assert!(ds[0].message.contains("90") && ds[0].message.contains("100"), "{}", ds[0].message);
    // without mustTotal an overlay above 100% is allowed
    exactly(
        &with(|v| {
            remove(v, "/crediting/rules/0/mustTotal");
            set(
                v,
                "/crediting/rules/0/shares",
                json!([{"payee": "ae-ana", "percent": "100"}, {"payee": "ae-ben", "percent": "30"}]),
            );
        }),
        &[],
    );
}

#[test]
fn rollup_rules() {
    exactly(
        &with(|v| set(v, "/crediting/rules/1/fromRules", json!(["deal-credit", "nope"]))),
        &[("UNKNOWN_RULE", "/crediting/rules/1/fromRules/1", E)],
    );
    exactly(
        &with(|v| set(v, "/crediting/rules/1/fromRules", json!(["team-rollup"]))),
        &[("ROLLUP_OF_ROLLUP", "/crediting/rules/1/fromRules/0", E)],
    );
    exactly(
        &with(|v| set(v, "/crediting/rules/1/levels", json!(0))),
        &[("INVALID_LEVELS", "/crediting/rules/1/levels", E)],
    );
}

// ---------------------------------------------------------------------------------------------
// components: references and scope

#[test]
fn component_references() {
    exactly(
        &with(|v| set(v, "/components/2/measure", json!("nope"))),
        &[("UNKNOWN_MEASURE", "/components/2/measure", E)],
    );
    exactly(
        &with(|v| set(v, "/components/2/payees", json!(["nobody"]))),
        &[("UNKNOWN_PAYEE", "/components/2/payees/0", E)],
    );
    exactly(
        &with(|v| set(v, "/components/2/roles", json!(["Director"]))),
        &[("UNKNOWN_ROLE", "/components/2/roles/0", W), ("NO_PAYEES", "/components/2", W)],
    );
    // payees add to roles: a component for role Director and payee mgr-maya applies to somebody
    exactly(
        &with(|v| {
            set(v, "/components/2/roles", json!(["Director"]));
            set(v, "/components/2/payees", json!(["mgr-maya"]));
        }),
        &[("UNKNOWN_ROLE", "/components/2/roles/0", W)],
    );
}

#[test]
fn rates() {
    exactly(
        &with(|v| set(v, "/components/2/rate", json!({"percent": "-1"}))),
        &[("NEGATIVE_RATE", "/components/2/rate/percent", E)],
    );
    exactly(
        &with(|v| set(v, "/components/2/rate", json!({"multiplier": "2"}))),
        &[("MISSING_BASE_RATE", "/components/2/rate/multiplier", E)],
    );
    exactly(
        &with(|v| set(v, "/components/1/rate", json!({"multiplier": "2"}))),
        &[("MISSING_BASE_RATE", "/components/1/rate/multiplier", E)],
    );
    exactly(
        &with(|v| remove(v, "/components/0/baseRate")),
        &[
            ("MISSING_BASE_RATE", "/components/0/tiers/0/rate/multiplier", E),
            ("MISSING_BASE_RATE", "/components/0/tiers/1/rate/multiplier", E),
            ("MISSING_BASE_RATE", "/components/0/tiers/2/rate/multiplier", E),
        ],
    );
    exactly(
        &with(|v| set(v, "/components/0/baseRate", json!({"multiplier": "1"}))),
        &[("INVALID_BASE_RATE", "/components/0/baseRate/multiplier", E)],
    );
    exactly(
        &with(|v| set(v, "/components/0/baseRate", json!({"percent": "-8"}))),
        &[("NEGATIVE_RATE", "/components/0/baseRate/percent", E)],
    );
    exactly(
        &with(|v| set(v, "/components/0/tiers/2/rate", json!({"perDeal": "-1"}))),
        &[("NEGATIVE_RATE", "/components/0/tiers/2/rate/perDeal", E)],
    );
}

// ---------------------------------------------------------------------------------------------
// tiered: marginal / retroactive bands

#[test]
fn missing_tiers() {
    exactly(&with(|v| set(v, "/components/0/tiers", json!([]))), &[("MISSING_TIERS", "/components/0/tiers", E)]);
}

#[test]
fn tier_bounds() {
    exactly(
        &with(|v| set(v, "/components/0/tiers/1/to", json!("1.0"))),
        &[("TIER_BOUNDS", "/components/0/tiers/1/to", E), ("TIER_GAP", "/components/0/tiers/2/from", E)],
    );
}

#[test]
fn tier_order() {
    exactly(
        &with(|v| {
            set(
                v,
                "/components/0/tiers",
                json!([
                    {"from": "1.0", "to": "1.5", "rate": {"multiplier": "1.5"}},
                    {"from": "0", "to": "1.0", "rate": {"multiplier": "1"}},
                    {"from": "1.5", "rate": {"multiplier": "2"}}
                ]),
            )
        }),
        &[
            ("TIER_START", "/components/0/tiers/0/from", W),
            ("TIER_ORDER", "/components/0/tiers/1/from", E),
            ("TIER_GAP", "/components/0/tiers/2/from", E),
        ],
    );
}

#[test]
fn tier_overlap_and_gap() {
    let ds = with(|v| set(v, "/components/0/tiers/1/from", json!("0.9")));
    exactly(&ds, &[("TIER_OVERLAP", "/components/0/tiers/1/from", E)]);
    let ds = with(|v| set(v, "/components/0/tiers/1/from", json!("1.2")));
    exactly(&ds, &[("TIER_GAP", "/components/0/tiers/1/from", E)]);
    assert!(ds[0].message.contains("1.2") && ds[0].message.contains("1.0"), "{}", ds[0].message);
}

#[test]
fn tier_open_not_last() {
    exactly(&with(|v| remove(v, "/components/0/tiers/1/to")), &[("TIER_OPEN_NOT_LAST", "/components/0/tiers/1", E)]);
}

#[test]
fn tier_start_and_negative_bound() {
    exactly(
        &with(|v| set(v, "/components/0/tiers/0/from", json!("0.5"))),
        &[("TIER_START", "/components/0/tiers/0/from", W)],
    );
    exactly(
        &with(|v| set(v, "/components/0/tiers/0/from", json!("-1"))),
        &[("NEGATIVE_BOUND", "/components/0/tiers/0/from", E)],
    );
}

#[test]
fn points_ignored() {
    exactly(
        &with(|v| set(v, "/components/0/points", json!([{"x": "0", "y": "0"}, {"x": "1", "y": "1"}]))),
        &[("POINTS_IGNORED", "/components/0/points", W)],
    );
}

// ---------------------------------------------------------------------------------------------
// tiered: interpolated

#[test]
fn curve_points() {
    exactly(
        &with(|v| {
            curve(v);
            set(v, "/components/0/points", json!([{"x": "0", "y": "0"}]));
        }),
        &[("MISSING_POINTS", "/components/0/points", E)],
    );
    exactly(
        &with(|v| {
            curve(v);
            set(v, "/components/0/points/1/x", json!("0"));
        }),
        &[("CURVE_ORDER", "/components/0/points/1/x", E)],
    );
    exactly(
        &with(|v| {
            curve(v);
            set(v, "/components/0/points/0/y", json!("-1"));
        }),
        &[("NEGATIVE_RATE", "/components/0/points/0/y", E)],
    );
}

#[test]
fn tiers_ignored_by_curves() {
    let ds = with(|v| {
        set(v, "/components/0/method", json!("interpolated"));
        set(v, "/components/0/points", json!([{"x": "0", "y": "0"}, {"x": "1", "y": "8"}]));
    });
    exactly(&ds, &[("BASE_RATE_IGNORED", "/components/0/baseRate", W), ("TIERS_IGNORED", "/components/0/tiers", W)]);
}

#[test]
fn curve_of_target_incentive_needs_target_incentives() {
    let ds = with(|v| {
        curve(v);
        set(v, "/components/0/output", json!("fractionOfTargetIncentive"));
        set(v, "/payees/1/targetIncentive", json!("60000"));
    });
    exactly(&ds, &[("MISSING_TARGET_INCENTIVE", "/payees/2", E), ("MISSING_TARGET_INCENTIVE", "/payees/3", E)]);
    assert!(ds[0].message.contains("ae-ben") && ds[0].message.contains("commission"), "{}", ds[0].message);
}

// ---------------------------------------------------------------------------------------------
// tiered: basis cap and quotas

#[test]
fn basis_cap() {
    exactly(&with(|v| set(v, "/components/0/basisCap", json!("2"))), &[]);
    exactly(
        &with(|v| set(v, "/components/0/basisCap", json!("0"))),
        &[("CAP_BELOW_THRESHOLD", "/components/0/basisCap", E)],
    );
    exactly(
        &with(|v| set(v, "/components/0/basisCap", json!("0.5"))),
        &[("CAP_BELOW_THRESHOLD", "/components/0/basisCap", E)],
    );
    exactly(
        &with(|v| {
            curve(v);
            set(v, "/components/0/points/0/x", json!("0.5"));
            set(v, "/components/0/basisCap", json!("0.4"));
        }),
        &[("CAP_BELOW_THRESHOLD", "/components/0/basisCap", E)],
    );
    // at or below the gate on the same measure and basis
    exactly(
        &with(|v| {
            set(v, "/components/0/basisCap", json!("2"));
            set(v, "/components/0/gate", json!({"on": {"measure": "bookings"}, "min": "2"}));
        }),
        &[("CAP_BELOW_THRESHOLD", "/components/0/basisCap", E)],
    );
    // a gate on another basis is not comparable
    exactly(
        &with(|v| {
            set(v, "/components/0/basisCap", json!("2"));
            set(v, "/components/0/gate", json!({"on": {"measure": "bookings", "basis": "value"}, "min": "50000"}));
        }),
        &[],
    );
}

#[test]
fn missing_quota() {
    let ds = with(|v| remove(v, "/quotas/1"));
    exactly(&ds, &[("MISSING_QUOTA", "/payees/2", W)]);
    assert!(ds[0].message.contains("ae-ben") && ds[0].message.contains("bookings"), "{}", ds[0].message);
    exactly(
        &with(|v| {
            remove(v, "/quotas/1");
            set(v, "/components/0/basis", json!("value"));
            set(v, "/components/0/tiers/0/to", json!("100000"));
            set(v, "/components/0/tiers/1/from", json!("100000"));
            set(v, "/components/0/tiers/1/to", json!("150000"));
            set(v, "/components/0/tiers/2/from", json!("150000"));
        }),
        &[],
    );
}

// ---------------------------------------------------------------------------------------------
// matrix, milestone, spiff, mbo

#[test]
fn matrix_axes() {
    exactly(
        &with(|v| {
            replace_component_2(v, matrix());
            set(v, "/components/2/rows/breaks", json!([]));
        }),
        &[("AXIS_ORDER", "/components/2/rows/breaks", E), ("MATRIX_SHAPE", "/components/2/rates", E)],
    );
    exactly(
        &with(|v| {
            replace_component_2(v, matrix());
            set(v, "/components/2/columns/breaks/2", json!("1"));
        }),
        &[("AXIS_ORDER", "/components/2/columns/breaks/2", E)],
    );
}

#[test]
fn matrix_shape_and_rates() {
    exactly(
        &with(|v| {
            replace_component_2(v, matrix());
            remove(v, "/components/2/rates/1/2");
        }),
        &[("MATRIX_SHAPE", "/components/2/rates/1", E)],
    );
    exactly(
        &with(|v| {
            replace_component_2(v, matrix());
            set(v, "/components/2/rates/-", json!([{"percent": "1"}, {"percent": "1"}, {"percent": "1"}]));
        }),
        &[("MATRIX_SHAPE", "/components/2/rates", E)],
    );
    exactly(
        &with(|v| {
            replace_component_2(v, matrix());
            set(v, "/components/2/rates/0/0", json!({"multiplier": "1"}));
            set(v, "/components/2/rates/1/2", json!({"percent": "-2"}));
        }),
        &[
            ("MISSING_BASE_RATE", "/components/2/rates/0/0/multiplier", E),
            ("NEGATIVE_RATE", "/components/2/rates/1/2/percent", E),
        ],
    );
}

#[test]
fn milestones() {
    exactly(
        &with(|v| {
            replace_component_2(v, milestone());
            set(v, "/components/2/levels", json!([]));
        }),
        &[("MISSING_LEVELS", "/components/2/levels", E)],
    );
    exactly(
        &with(|v| {
            replace_component_2(v, milestone());
            set(v, "/components/2/levels/1/at", json!("0.5"));
        }),
        &[("MILESTONE_ORDER", "/components/2/levels/1/at", E)],
    );
    exactly(
        &with(|v| {
            replace_component_2(v, milestone());
            set(v, "/components/2/levels/0/amount", json!("-1"));
        }),
        &[("NEGATIVE_AMOUNT", "/components/2/levels/0/amount", E)],
    );
    exactly(
        &with(|v| {
            replace_component_2(v, milestone());
            set(v, "/components/2/scope", json!("transaction"));
        }),
        &[("INVALID_SCOPE", "/components/2/scope", E)],
    );
}

#[test]
fn spiff_window() {
    exactly(
        &with(|v| set(v, "/components/1/window/to", json!("2024-12-01"))),
        &[("WINDOW_DATES", "/components/1/window/to", E)],
    );
    exactly(
        &with(|v| set(v, "/components/1/window", json!({"from": "2026-01-01", "to": "2026-03-31"}))),
        &[("WINDOW_OUTSIDE_YEAR", "/components/1/window", W)],
    );
}

#[test]
fn mbo_objectives_and_weights() {
    exactly(
        &with(|v| {
            replace_component_2(v, mbo());
            set(v, "/components/2/objectives", json!([]));
        }),
        &[("MISSING_OBJECTIVES", "/components/2/objectives", E)],
    );
    let ds = with(|v| {
        replace_component_2(v, mbo());
        set(v, "/components/2/objectives/1/weight", json!("0.3"));
    });
    exactly(&ds, &[("MBO_WEIGHTS", "/components/2/objectives", E)]);
    assert!(ds[0].message.contains("0.9"), "{}", ds[0].message);
    exactly(
        &with(|v| {
            replace_component_2(v, mbo());
            set(v, "/components/2/objectives/0/weight", json!("-0.6"));
            set(v, "/components/2/objectives/1/weight", json!("1.6"));
        }),
        &[("MBO_WEIGHTS", "/components/2/objectives/0/weight", E)],
    );
}

#[test]
fn mbo_levels() {
    exactly(
        &with(|v| {
            replace_component_2(v, mbo());
            set(v, "/components/2/objectives/0/threshold", json!("1.1"));
        }),
        &[("MBO_LEVELS", "/components/2/objectives/0/threshold", E)],
    );
    exactly(
        &with(|v| {
            replace_component_2(v, mbo());
            set(v, "/components/2/objectives/0/stretch", json!("1"));
        }),
        &[("MBO_LEVELS", "/components/2/objectives/0/stretch", E)],
    );
    // threshold equal to target is allowed
    exactly(
        &with(|v| {
            replace_component_2(v, mbo());
            set(v, "/components/2/objectives/0/threshold", json!("1"));
        }),
        &[],
    );
}

#[test]
fn mbo_target() {
    exactly(
        &with(|v| {
            replace_component_2(v, mbo());
            set(v, "/components/2/target", json!({}));
        }),
        &[("MBO_TARGET", "/components/2/target", E)],
    );
    exactly(
        &with(|v| {
            replace_component_2(v, mbo());
            set(v, "/components/2/target", json!({"amount": "1", "fractionOfTargetIncentive": "0.1"}));
            set(v, "/payees/0/targetIncentive", json!("50000"));
        }),
        &[("MBO_TARGET", "/components/2/target", E)],
    );
    exactly(
        &with(|v| {
            replace_component_2(v, mbo());
            set(v, "/components/2/target", json!({"amount": "-1"}));
        }),
        &[("NEGATIVE_AMOUNT", "/components/2/target/amount", E)],
    );
    exactly(
        &with(|v| {
            replace_component_2(v, mbo());
            set(v, "/components/2/target", json!({"fractionOfTargetIncentive": "0.1"}));
        }),
        &[("MISSING_TARGET_INCENTIVE", "/payees/0", E)],
    );
    exactly(
        &with(|v| {
            replace_component_2(v, mbo());
            set(v, "/components/2/target", json!({"fractionOfTargetIncentive": "0.1"}));
            set(v, "/payees/0/targetIncentive", json!("50000"));
        }),
        &[],
    );
}

// ---------------------------------------------------------------------------------------------
// indicators, gates, multipliers, caps

#[test]
fn indicators() {
    exactly(
        &with(|v| set(v, "/components/0/gate", json!({"on": {}, "min": "0.5"}))),
        &[("INDICATOR_SOURCE", "/components/0/gate/on", E)],
    );
    exactly(
        &with(|v| set(v, "/components/0/gate", json!({"on": {"measure": "bookings", "metric": "x"}, "min": "0.5"}))),
        &[("INDICATOR_SOURCE", "/components/0/gate/on", E)],
    );
    exactly(
        &with(|v| set(v, "/components/0/gate", json!({"on": {"measure": "nope"}, "min": "0.5"}))),
        &[("UNKNOWN_MEASURE", "/components/0/gate/on/measure", E)],
    );
    exactly(
        &with(|v| {
            set(v, "/components/0/gate", json!({"on": {"measure": "bookings", "scope": "transaction"}, "min": "0.5"}))
        }),
        &[("INVALID_SCOPE", "/components/0/gate/on/scope", E)],
    );
    exactly(
        &with(|v| {
            set(
                v,
                "/components/0/multipliers",
                json!([{"on": {"metric": "csat", "scope": "transaction"}, "bands": [{"from": "0", "factor": "1"}]}]),
            )
        }),
        &[("INVALID_SCOPE", "/components/0/multipliers/0/on/scope", E)],
    );
    exactly(
        &with(|v| {
            replace_component_2(v, matrix());
            set(v, "/components/2/rows/on", json!({"metric": "corporate-attainment", "measure": "bookings"}));
            set(v, "/components/2/columns/on/measure", json!("nope"));
        }),
        &[
            ("INDICATOR_SOURCE", "/components/2/rows/on", E),
            // the rows read `bookings` attainment, and mgr-maya has no quota on it
            ("MISSING_QUOTA", "/payees/0", W),
            ("UNKNOWN_MEASURE", "/components/2/columns/on/measure", E),
        ],
    );
    // an indicator on attainment of a measure the payee has no quota on
    exactly(
        &with(|v| set(v, "/components/2/gate", json!({"on": {"measure": "bookings"}, "min": "0.5"}))),
        &[("MISSING_QUOTA", "/payees/0", W)],
    );
}

#[test]
fn gates() {
    exactly(
        &with(|v| set(v, "/components/0/gate", json!({"on": {"measure": "bookings"}, "min": "-0.1"}))),
        &[("NEGATIVE_BOUND", "/components/0/gate/min", E)],
    );
    // pay above the threshold: the gate reads the component's own measure and basis
    exactly(
        &with(|v| {
            set(v, "/components/0/gate", json!({"on": {"measure": "bookings"}, "min": "0.5", "payFrom": "threshold"}))
        }),
        &[],
    );
    for on in [
        json!({"measure": "bookings", "basis": "value"}),
        json!({"measure": "team-bookings", "basis": "value"}),
        json!({"measure": "bookings", "of": "manager"}),
        json!({"metric": "corporate-attainment"}),
    ] {
        exactly(
            &with(|v| set(v, "/components/0/gate", json!({"on": on, "min": "0.5", "payFrom": "threshold"}))),
            &[("GATE_THRESHOLD_MISMATCH", "/components/0/gate/payFrom", E)],
        );
    }
    // another measure's attainment: also a warning for each AE without a quota on it
    let ds = with(|v| {
        set(v, "/components/0/gate", json!({"on": {"measure": "team-bookings"}, "min": "0.5", "payFrom": "threshold"}))
    });
    exactly(
        &ds,
        &[
            ("MISSING_QUOTA", "/payees/1", W),
            ("MISSING_QUOTA", "/payees/2", W),
            ("MISSING_QUOTA", "/payees/3", W),
            ("GATE_THRESHOLD_MISMATCH", "/components/0/gate/payFrom", E),
        ],
    );
    // a rate component's basis is the value
    exactly(
        &with(|v| {
            set(
                v,
                "/components/2/gate",
                json!({"on": {"measure": "team-bookings", "basis": "value"}, "min": "1000", "payFrom": "threshold"}),
            )
        }),
        &[],
    );
    exactly(
        &with(|v| {
            set(
                v,
                "/components/2/gate",
                json!({"on": {"measure": "team-bookings"}, "min": "0.5", "payFrom": "threshold"}),
            )
        }),
        &[("GATE_THRESHOLD_MISMATCH", "/components/2/gate/payFrom", E)],
    );
    exactly(
        &with(|v| {
            replace_component_2(v, mbo());
            set(v, "/components/2/gate", json!({"on": {"metric": "score"}, "min": "0.5", "payFrom": "threshold"}));
        }),
        &[("GATE_THRESHOLD_MISMATCH", "/components/2/gate/payFrom", E)],
    );
    exactly(
        &with(|v| {
            replace_component_2(v, milestone());
            set(
                v,
                "/components/2/gate",
                json!({"on": {"measure": "team-bookings"}, "min": "0.5", "payFrom": "threshold"}),
            );
        }),
        &[("GATE_THRESHOLD_MISMATCH", "/components/2/gate/payFrom", E)],
    );
}

fn multiplier(bands: Value) -> impl FnOnce(&mut Value) {
    move |v: &mut Value| set(v, "/components/0/multipliers", json!([{"on": {"metric": "csat"}, "bands": bands}]))
}

#[test]
fn multiplier_bands() {
    let m = "/components/0/multipliers/0/bands";
    exactly(
        &with(multiplier(json!([{"from": "-1", "to": "1", "factor": "0.5"}, {"from": "1", "factor": "1.2"}]))),
        &[],
    );
    exactly(
        &with(multiplier(
            json!([{"from": "1", "to": "2", "factor": "1.2"}, {"from": "0", "to": "1", "factor": "0.5"}]),
        )),
        &[("TIER_ORDER", &format!("{m}/1/from"), E)],
    );
    exactly(
        &with(multiplier(json!([{"from": "0", "to": "1", "factor": "0.5"}, {"from": "0.9", "factor": "1.2"}]))),
        &[("TIER_OVERLAP", &format!("{m}/1/from"), E)],
    );
    // a gap between multiplier bands is allowed: the factor is 1 outside every band
    exactly(
        &with(multiplier(json!([{"from": "0", "to": "0.5", "factor": "0.5"}, {"from": "1", "factor": "1.2"}]))),
        &[],
    );
    exactly(
        &with(multiplier(json!([{"from": "1", "to": "1", "factor": "0.5"}]))),
        &[("TIER_BOUNDS", &format!("{m}/0/to"), E)],
    );
    exactly(
        &with(multiplier(json!([{"from": "0", "factor": "0.5"}, {"from": "1", "factor": "1.2"}]))),
        &[("TIER_OPEN_NOT_LAST", &format!("{m}/0"), E)],
    );
    exactly(
        &with(multiplier(json!([{"from": "0", "factor": "-1"}]))),
        &[("NEGATIVE_RATE", &format!("{m}/0/factor"), E)],
    );
    exactly(&with(multiplier(json!([]))), &[("NO_BANDS", m, W)]);
}

#[test]
fn caps() {
    exactly(
        &with(|v| set(v, "/components/0/caps/0/amount", json!("0"))),
        &[("CAP_NOT_POSITIVE", "/components/0/caps/0/amount", E)],
    );
    exactly(
        &with(|v| set(v, "/components/0/caps/0/per", json!("transaction"))),
        &[("CAP_CARRY_IGNORED", "/components/0/caps/0/excess", W)],
    );
    exactly(
        &with(|v| set(v, "/components/0/caps/-", json!({"amount": "50000", "per": "period"}))),
        &[("DUPLICATE_CAP", "/components/0/caps/1/per", W)],
    );
}

// ---------------------------------------------------------------------------------------------
// payments

#[test]
fn draw_amounts_and_references() {
    exactly(
        &with(|v| set(v, "/payments/draws/0/amount", json!("-1"))),
        &[("NEGATIVE_AMOUNT", "/payments/draws/0/amount", E)],
    );
    exactly(
        &with(|v| set(v, "/payments/draws/0/amount", json!("0"))),
        &[("DRAW_AMOUNT", "/payments/draws/0/amount", E)],
    );
    exactly(
        &with(|v| set(v, "/payments/draws/0/payees/0", json!("nobody"))),
        &[("UNKNOWN_PAYEE", "/payments/draws/0/payees/0", E), ("NO_PAYEES", "/payments/draws/0", W)],
    );
    exactly(
        &with(|v| set(v, "/payments/draws/0/periods/1", json!("Q5"))),
        &[("UNKNOWN_PERIOD", "/payments/draws/0/periods/1", E)],
    );
    exactly(
        &with(|v| {
            remove(v, "/payments/draws/0/payees");
            set(v, "/payments/draws/0/roles", json!(["Director"]));
        }),
        &[("UNKNOWN_ROLE", "/payments/draws/0/roles/0", W), ("NO_PAYEES", "/payments/draws/0", W)],
    );
}

#[test]
fn draw_recovery() {
    for p in ["0", "101"] {
        exactly(
            &with(|v| set(v, "/payments/draws/0/recovery/maxPercent", json!(p))),
            &[("RECOVERY_LIMIT", "/payments/draws/0/recovery/maxPercent", E)],
        );
    }
    exactly(&with(|v| set(v, "/payments/draws/0/recovery/maxPercent", json!("100"))), &[]);
    exactly(
        &with(|v| set(v, "/payments/draws/0/recovery/maxAmount", json!("0"))),
        &[("RECOVERY_LIMIT", "/payments/draws/0/recovery/maxAmount", E)],
    );
    exactly(
        &with(|v| set(v, "/payments/draws/0/kind", json!("nonRecoverable"))),
        &[("RECOVERY_IGNORED", "/payments/draws/0/recovery", W)],
    );
}

#[test]
fn draw_overlap() {
    let ds = with(|v| {
        set(
            v,
            "/payments/draws/-",
            json!({"id": "ae-guarantee", "roles": ["AE"], "kind": "nonRecoverable", "amount": "1000", "periods": ["Q2", "Q3"]}),
        )
    });
    exactly(&ds, &[("DRAW_OVERLAP", "/payments/draws/1", E)]);
    let msg = &ds[0].message;
    assert!(
        msg.contains("ramp-draw") && msg.contains("ae-guarantee") && msg.contains("ae-ben") && msg.contains("Q2"),
        "{msg}"
    );
    // different periods do not overlap
    exactly(
        &with(|v| {
            set(
                v,
                "/payments/draws/-",
                json!({"id": "ae-guarantee", "roles": ["AE"], "kind": "nonRecoverable", "amount": "1000", "periods": ["Q3", "Q4"]}),
            )
        }),
        &[],
    );
    // a draw with neither roles nor payees applies to everybody in every period
    exactly(
        &with(|v| set(v, "/payments/draws/-", json!({"id": "all", "kind": "nonRecoverable", "amount": "1000"}))),
        &[("DRAW_OVERLAP", "/payments/draws/1", E)],
    );
}

#[test]
fn clawback() {
    exactly(
        &with(|v| set(v, "/payments/clawback/components", json!(["commission", "nope"]))),
        &[("UNKNOWN_COMPONENT", "/payments/clawback/components/1", E)],
    );
    exactly(
        &with(|v| set(v, "/payments/clawback/windowDays", json!(0))),
        &[("ZERO_WINDOW", "/payments/clawback/windowDays", W)],
    );
}

fn holdback(h: Value) -> impl FnOnce(&mut Value) {
    move |v: &mut Value| set(v, "/payments/holdbacks", json!([h]))
}

#[test]
fn holdbacks() {
    exactly(
        &with(holdback(
            json!({"id": "h", "percent": "20", "components": ["commission"], "release": {"afterPeriods": 1}}),
        )),
        &[],
    );
    exactly(&with(holdback(json!({"id": "h", "percent": "20", "release": "onPayment"}))), &[]);
    for p in ["0", "100.5"] {
        exactly(
            &with(holdback(json!({"id": "h", "percent": p, "release": {"afterPeriods": 1}}))),
            &[("HOLDBACK_PERCENT", "/payments/holdbacks/0/percent", E)],
        );
    }
    exactly(
        &with(holdback(json!({"id": "h", "percent": "20", "components": ["nope"], "release": {"afterPeriods": 1}}))),
        &[("UNKNOWN_COMPONENT", "/payments/holdbacks/0/components/0", E)],
    );
    exactly(
        &with(holdback(json!({"id": "h", "percent": "20", "release": {"onEvent": ""}}))),
        &[("EMPTY_EVENT", "/payments/holdbacks/0/release/onEvent", E)],
    );
    exactly(
        &with(holdback(json!({"id": "h", "percent": "20", "release": {"afterPeriods": 0}}))),
        &[("HOLDBACK_NO_DELAY", "/payments/holdbacks/0/release/afterPeriods", W)],
    );
    exactly(
        &with(holdback(json!({"id": "h", "percent": "20", "release": {"onDate": "2026-03-01"}}))),
        &[("RELEASE_OUTSIDE_YEAR", "/payments/holdbacks/0/release/onDate", W)],
    );
    let ds = with(|v| {
        set(
            v,
            "/payments/holdbacks",
            json!([
                {"id": "a", "percent": "60", "components": ["commission"], "release": {"afterPeriods": 1}},
                {"id": "b", "percent": "50", "release": {"afterPeriods": 2}}
            ]),
        )
    });
    exactly(&ds, &[("HOLDBACK_TOTAL", "/payments/holdbacks", E)]);
    assert!(ds[0].message.contains("commission") && ds[0].message.contains("110"), "{}", ds[0].message);
}

// ---------------------------------------------------------------------------------------------
// all at once

#[test]
fn every_problem_is_reported_at_once_in_document_order() {
    let ds = with(|v| {
        set(v, "/schemaVersion", json!(3));
        set(v, "/currency", json!("XYZ"));
        set(v, "/rounding/scale", json!(12));
        set(v, "/payees/1/reportsTo/0/manager", json!("ae-ana"));
        set(v, "/payees/0/reportsTo", json!([{"manager": "ae-chen"}]));
        set(v, "/measures/1/filter/rules/0", json!("nope"));
        set(v, "/quotas/2/annual", json!("-800000"));
        set(v, "/crediting/rules/1/levels", json!(0));
        set(v, "/components/0/tiers/1/from", json!("1.2"));
        set(v, "/components/0/caps/0/amount", json!("-1"));
        set(v, "/components/1/window/to", json!("2024-01-01"));
        set(v, "/components/2/rate", json!({"multiplier": "2"}));
        set(v, "/payments/draws/0/amount", json!("0"));
        set(v, "/payments/clawback/components", json!(["nope"]));
    });
    exactly(
        &ds,
        &[
            ("SCHEMA_VERSION", "/schemaVersion", E),
            ("UNKNOWN_CURRENCY", "/currency", E),
            ("ROUNDING_SCALE", "/rounding/scale", E),
            ("MANAGER_CYCLE", "/payees/0/reportsTo/0", E),
            ("SELF_MANAGER", "/payees/1/reportsTo/0/manager", E),
            ("UNKNOWN_RULE", "/measures/1/filter/rules/0", E),
            ("NEGATIVE_AMOUNT", "/quotas/2/annual", E),
            ("INVALID_LEVELS", "/crediting/rules/1/levels", E),
            ("TIER_GAP", "/components/0/tiers/1/from", E),
            ("CAP_NOT_POSITIVE", "/components/0/caps/0/amount", E),
            ("WINDOW_DATES", "/components/1/window/to", E),
            ("MISSING_BASE_RATE", "/components/2/rate/multiplier", E),
            ("DRAW_AMOUNT", "/payments/draws/0/amount", E),
            ("UNKNOWN_COMPONENT", "/payments/clawback/components/0", E),
        ],
    );
    let cycle = has(&ds, "MANAGER_CYCLE", "/payees/0/reportsTo/0", E);
    assert!(cycle.message.contains("mgr-maya -> ae-chen -> mgr-maya"), "{}", cycle.message);
    for d in &ds {
        assert!(!d.message.is_empty() && d.path.starts_with('/'), "{d}");
        assert!(d.code.chars().all(|c| c.is_ascii_uppercase() || c == '_'), "{d}");
    }
}

#[test]
fn diagnostics_of_an_item_come_out_where_the_walk_reaches_it() {
    // a duplicate id of a later component comes after the problems of earlier components
    let ds = with(|v| {
        set(v, "/components/0/caps/0/amount", json!("0"));
        set(v, "/components/2/id", json!("commission"));
        set(v, "/components/2/rate", json!({"percent": "-1"}));
    });
    exactly(
        &ds,
        &[
            ("CAP_NOT_POSITIVE", "/components/0/caps/0/amount", E),
            ("DUPLICATE_ID", "/components/2/id", E),
            ("NEGATIVE_RATE", "/components/2/rate/percent", E),
        ],
    );
    // band bounds and band rates interleave, band by band
    let ds = with(|v| {
        set(v, "/components/0/tiers/0/rate", json!({"percent": "-1"}));
        set(v, "/components/0/tiers/1/from", json!("1.1"));
        set(v, "/components/0/tiers/1/rate", json!({"percent": "-2"}));
        set(v, "/components/0/tiers/2/to", json!("1.5"));
    });
    exactly(
        &ds,
        &[
            ("NEGATIVE_RATE", "/components/0/tiers/0/rate/percent", E),
            ("TIER_GAP", "/components/0/tiers/1/from", E),
            ("NEGATIVE_RATE", "/components/0/tiers/1/rate/percent", E),
            ("TIER_BOUNDS", "/components/0/tiers/2/to", E),
        ],
    );
    // FX sequence problems are reported at the rate concerned, in rate order
    let ds = with(|v| {
        with_fx(v);
        set(v, "/fx/rates/0/from", json!("2025-02-01"));
        set(v, "/fx/rates/0/rate", json!("-1"));
    });
    exactly(&ds, &[("FX_RATE_NOT_POSITIVE", "/fx/rates/0/rate", E), ("FX_GAP", "/fx/rates/0/from", E)]);
}

#[test]
fn extreme_values_do_not_panic() {
    const MAX: &str = "79228162514264337593543950335";
    const MIN: &str = "-79228162514264337593543950335";
    let ds = with(|v| {
        set(
            v,
            "/crediting/rules/0/shares",
            json!([{"payee": "ae-ana", "percent": MAX}, {"payee": "ae-ben", "percent": MAX}]),
        );
        set(v, "/quotas/0/seasonality", json!({"Q1": MAX, "Q2": MAX, "Q3": "1", "Q4": "1"}));
        set(v, "/quotas/1/ramp", json!([MIN, MAX]));
        set(v, "/components/0/tiers/0/from", json!(MIN));
        set(v, "/components/0/basisCap", json!(MAX));
        set(
            v,
            "/components/2",
            json!({"id": "team-override", "roles": ["Manager"], "type": "mbo", "target": {"amount": MAX},
                   "objectives": [{"id": "a", "weight": MAX, "threshold": MIN, "target": "0", "stretch": MAX},
                                  {"id": "b", "weight": MAX, "threshold": "0", "target": "0", "stretch": "0"}]}),
        );
        set(
            v,
            "/payments/holdbacks",
            json!([{"id": "a", "percent": "100", "release": "onPayment"}, {"id": "b", "percent": MAX, "release": "onPayment"},
                   {"id": "c", "percent": MAX, "release": "onPayment"}]),
        );
        set(v, "/calendar/holidays", json!(["+262142-12-31", "-262143-01-01"]));
        set(v, "/payees/1/reportsTo", json!([{"manager": "mgr-maya", "from": "-262143-01-01", "to": "+262142-12-31"}]));
    });
    let split = has(&ds, "SPLIT_TOTAL", "/crediting/rules/0/shares", E);
    assert!(split.message.contains("too large"), "{}", split.message);
    has(&ds, "SEASONALITY_WEIGHTS", "/quotas/0/seasonality", E);
    has(&ds, "MBO_WEIGHTS", "/components/2/objectives", E);
    has(&ds, "HOLDBACK_TOTAL", "/payments/holdbacks", E);
    has(&ds, "NEGATIVE_BOUND", "/components/0/tiers/0/from", E);
    // a year at the very end of the date range
    let ds = with(|v| {
        set(v, "/calendar/yearStart", json!("+262142-12-31"));
        set(v, "/calendar/periodType", json!("month"));
        set(v, "/payments/draws/0/periods", json!(["M01"]));
    });
    has(&ds, "YEAR_OUT_OF_RANGE", "/calendar/yearStart", E);
}

/// Every JSON pointer to a string leaf and every object member of a value.
fn pointers(v: &Value, at: String, leaves: &mut Vec<String>, members: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                members.push(p.clone());
                pointers(x, p, leaves, members);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                pointers(x, format!("{at}/{i}"), leaves, members);
            }
        }
        Value::String(_) => leaves.push(at),
        _ => {}
    }
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    const POOL: &[&str] = &[
        "",
        "-1",
        "0",
        "1",
        "1.5",
        "100",
        "79228162514264337593543950335",
        "2025-01-01",
        "2024-12-31",
        "2026-01-01",
        "+262142-12-31",
        "ae-ana",
        "mgr-maya",
        "nope",
        "Q1",
        "deal-credit",
        "team-rollup",
        "commission",
        "AE",
        "EUR",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn validation_never_panics(edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..POOL.len(), any::<bool>()), 1..12)) {
            let mut v = sample();
            for (which, value, delete) in edits {
                let (mut leaves, mut members) = (Vec::new(), Vec::new());
                pointers(&v, String::new(), &mut leaves, &mut members);
                if delete && !members.is_empty() {
                    let p = members[which.index(members.len())].clone();
                    remove(&mut v, &p);
                } else if !leaves.is_empty() {
                    let p = leaves[which.index(leaves.len())].clone();
                    *v.pointer_mut(&p).unwrap() = json!(POOL[value]);
                }
            }
            let ds = payplan::validate_json(&v.to_string());
            for d in &ds {
                prop_assert!(d.path.is_empty() || d.path.starts_with('/'), "{}", d);
                prop_assert!(!d.message.is_empty());
            }
        }
    }
}
