//! JSON Schema (draft 2020-12) of the plan document and of the inputs (feature `schema`), derived
//! with schemars from the same serde types the engine reads.
//!
//! The committed copies are `schemas/plan.schema.json` and `schemas/inputs.schema.json`
//! (regenerate them with `cargo run --features cli -- schema --out schemas`; a test fails when they
//! are stale).
//!
//! Decimals travel as strings on the wire (a JSON number is refused), so every decimal is described
//! as `{"type": "string", "pattern": DECIMAL_PATTERN}`, never as a number; dates are
//! `{"type": "string", "format": "date"}` (`YYYY-MM-DD`).
//!
//! ```
//! let schema = payplan::schema::plan_schema();
//! assert_eq!(schema["title"], "payplan plan document");
//! assert_eq!(schema["properties"]["calendar"]["$ref"], "#/$defs/Calendar");
//! ```

use crate::inputs::Inputs;
use crate::plan::Plan;
use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::{json, Value};

/// The `$id` of the plan schema.
pub const PLAN_SCHEMA_ID: &str = "urn:payplan:schema:plan:1";
/// The `$id` of the inputs schema.
pub const INPUTS_SCHEMA_ID: &str = "urn:payplan:schema:inputs:1";
/// The `$id` of the evaluation (output) schema.
pub const EVALUATION_SCHEMA_ID: &str = "urn:payplan:schema:evaluation:1";
/// The `$id` of the diagnostics list schema.
pub const DIAGNOSTICS_SCHEMA_ID: &str = "urn:payplan:schema:diagnostics:1";

/// The pattern of a decimal string in the schemas: an optional minus sign, digits, optionally a
/// point and digits (`"1054"`, `"-12.50"`, `"0.08"`).
pub const DECIMAL_PATTERN: &str = r"^-?[0-9]+(\.[0-9]+)?$";

/// The pattern schemars 1.x gives `rust_decimal::Decimal` when describing what can be deserialized
/// (it allows JSON numbers too, which our `serde-str` wire format refuses).
const SCHEMARS_DECIMAL_PATTERN: &str = r"^-?\d+(\.\d+)?([eE]\d+)?$";

/// The JSON Schema of the plan document ([`Plan`]).
pub fn plan_schema() -> Value {
    schema_of::<Plan>(
        PLAN_SCHEMA_ID,
        "payplan plan document",
        "A sales compensation plan (schemaVersion 1): calendar, payees, measures, quotas, crediting rules, \
         pay components and payment rules. Decimals are strings, dates are YYYY-MM-DD.",
    )
}

/// The JSON Schema of the inputs of an evaluation ([`Inputs`]).
pub fn inputs_schema() -> Value {
    schema_of::<Inputs>(
        INPUTS_SCHEMA_ID,
        "payplan evaluation inputs",
        "What an evaluation takes besides the plan: transactions, closed statements, MBO scores, metrics, \
         events, opening balances and options. Decimals are strings, dates are YYYY-MM-DD.",
    )
}

/// The JSON Schema of an evaluation result ([`crate::Evaluation`]): the statements, the accounting,
/// the excluded and rejected transactions.
pub fn evaluation_schema() -> Value {
    schema_of::<crate::Evaluation>(
        EVALUATION_SCHEMA_ID,
        "payplan evaluation",
        "The result of evaluating a plan for a period: one statement per payee with credit lines, measures, \
         component results with band breakdowns, adjustments, payout, balances and traces; the accounting of \
         every input transaction. Decimals are strings, dates are YYYY-MM-DD.",
    )
}

/// The JSON Schema of a list of plan diagnostics (what validation returns).
pub fn diagnostics_schema() -> Value {
    schema_of::<Vec<crate::Diagnostic>>(
        DIAGNOSTICS_SCHEMA_ID,
        "payplan diagnostics",
        "Problems found in a plan: each with a stable code, a severity, a JSON pointer into the plan and a message.",
    )
}

/// The `$id` of the operations schema.
pub const OPERATIONS_SCHEMA_ID: &str = "urn:payplan:schema:operations:1";

/// The JSON Schema of the requests and results of the JSON operations ([`crate::ops`]): quota
/// planning, metrics, leaderboards and territory balancing.
pub fn operations_schema() -> Value {
    schema_of::<crate::ops::Operations>(
        OPERATIONS_SCHEMA_ID,
        "payplan operations",
        "Requests and results of the quota-planning, sales-metrics and territory-balancing operations. \
         Decimals are strings, dates are YYYY-MM-DD.",
    )
}

/// The `$id` of the preview-session schema.
pub const SESSION_SCHEMA_ID: &str = "urn:payplan:schema:session:1";

/// The JSON Schema of what preview sessions return ([`crate::session::Preview`] and
/// [`crate::session::SessionSummary`]).
pub fn session_schema() -> Value {
    schema_of::<crate::session::SessionTypes>(
        SESSION_SCHEMA_ID,
        "payplan preview session",
        "What a live preview session returns: the change a deal makes to a payee's period (per component, \
         earnings, payout, measures, bands crossed, the deal's pay lines) and the session's current figures. \
         Decimals are strings, dates are YYYY-MM-DD.",
    )
}

/// Every schema with the file name it is committed under in `schemas/`.
pub fn all_schemas() -> Vec<(&'static str, Value)> {
    vec![
        ("plan.schema.json", plan_schema()),
        ("inputs.schema.json", inputs_schema()),
        ("evaluation.schema.json", evaluation_schema()),
        ("diagnostics.schema.json", diagnostics_schema()),
        ("operations.schema.json", operations_schema()),
        ("session.schema.json", session_schema()),
    ]
}

/// A schema as the committed files hold it: pretty JSON with a trailing newline.
///
/// ```
/// let text = payplan::schema::to_pretty_json(&payplan::schema::inputs_schema());
/// assert!(text.ends_with("}\n"));
/// ```
pub fn to_pretty_json(schema: &Value) -> String {
    let mut text = serde_json::to_string_pretty(schema).unwrap_or_default();
    text.push('\n');
    text
}

fn schema_of<T: JsonSchema>(id: &str, title: &str, description: &str) -> Value {
    let generator = SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<T>();
    let mut value = schema.to_value();
    decimals_as_strings(&mut value);
    if let Value::Object(map) = &mut value {
        // `$schema` first, then identity, then the rest in schemars' order
        let schema_uri = map.remove("$schema");
        let mut out = serde_json::Map::new();
        if let Some(uri) = schema_uri {
            out.insert("$schema".into(), uri);
        }
        out.insert("$id".into(), json!(id));
        out.insert("title".into(), json!(title));
        out.insert("description".into(), json!(description));
        map.remove("title");
        map.remove("description");
        out.append(map);
        return Value::Object(out);
    }
    value
}

/// Rewrites every schemars decimal schema (`type: ["string", "number"]`) as a decimal string.
fn decimals_as_strings(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("pattern").and_then(Value::as_str) == Some(SCHEMARS_DECIMAL_PATTERN) {
                let nullable = match map.get("type") {
                    Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
                    _ => false,
                };
                let ty = if nullable { json!(["string", "null"]) } else { json!("string") };
                map.insert("type".into(), ty);
                map.insert("pattern".into(), json!(DECIMAL_PATTERN));
            }
            for v in map.values_mut() {
                decimals_as_strings(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(decimals_as_strings),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
        out.push(v);
        match v {
            Value::Object(m) => m.values().for_each(|x| walk(x, out)),
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }

    #[test]
    fn no_number_typed_decimals() {
        for schema in [plan_schema(), inputs_schema()] {
            let mut all = Vec::new();
            walk(&schema, &mut all);
            for v in &all {
                if let Some(p) = v.get("pattern") {
                    assert_eq!(p, DECIMAL_PATTERN);
                    assert!(v["type"] == "string" || v["type"] == json!(["string", "null"]), "{v}");
                }
                // nothing in a plan or inputs is a JSON float
                assert_ne!(v.get("type"), Some(&json!("number")), "{v}");
                if let Some(Value::Array(types)) = v.get("type") {
                    assert!(!types.contains(&json!("number")), "{v}");
                }
            }
        }
    }

    #[test]
    fn decimals_and_dates_described() {
        let plan = plan_schema();
        assert_eq!(plan["$id"], PLAN_SCHEMA_ID);
        assert_eq!(plan["$schema"], "https://json-schema.org/draft/2020-12/schema");
        let tx = &inputs_schema()["$defs"]["Transaction"]["properties"];
        assert_eq!(tx["amount"]["type"], "string");
        assert_eq!(tx["amount"]["pattern"], DECIMAL_PATTERN);
        assert_eq!(tx["closeDate"]["format"], "date");
    }
}
