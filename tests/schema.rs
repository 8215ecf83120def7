//! The committed JSON Schemas (`schemas/*.schema.json`) must be what the types generate today, so
//! that a change to the plan or inputs format is always a visible change in review.
#![cfg(feature = "schema")]

use payplan::schema::{inputs_schema, plan_schema, to_pretty_json};
use std::path::Path;

fn check(name: &str, generated: &serde_json::Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas").join(name);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = to_pretty_json(generated);
    // compare ignoring line endings, so a checkout with CRLF does not fail
    if committed.replace("\r\n", "\n") != generated {
        let first = committed.lines().zip(generated.lines()).position(|(a, b)| a != b);
        panic!(
            "schemas/{name} is stale or missing (first difference at line {}).\n\
             The plan or inputs types changed; regenerate the committed schemas with\n\n    \
             cargo run --features cli -- schema --out schemas\n\nand commit the result.",
            first.map_or_else(|| "end of file".to_string(), |i| (i + 1).to_string())
        );
    }
}

#[test]
fn plan_schema_is_up_to_date() {
    check("plan.schema.json", &plan_schema());
}

#[test]
fn inputs_schema_is_up_to_date() {
    check("inputs.schema.json", &inputs_schema());
}

#[test]
fn sample_plan_has_only_schema_known_properties() {
    // a light structural check without a JSON Schema validator: every top-level key of the sample
    // plan is a property of the schema, and every required property is present
    let schema = plan_schema();
    let plan: serde_json::Value = serde_json::from_str(payplan::sample::SAMPLE_PLAN_JSON).unwrap();
    let props = schema["properties"].as_object().unwrap();
    for key in plan.as_object().unwrap().keys() {
        assert!(props.contains_key(key), "sample plan key `{key}` is not in the schema");
    }
    for req in schema["required"].as_array().unwrap() {
        assert!(plan.get(req.as_str().unwrap()).is_some(), "sample plan lacks required `{req}`");
    }
}

#[test]
fn evaluation_schema_is_up_to_date() {
    check("evaluation.schema.json", &payplan::schema::evaluation_schema());
}

#[test]
fn operations_schema_is_up_to_date() {
    check("operations.schema.json", &payplan::schema::operations_schema());
}

#[test]
fn diagnostics_schema_is_up_to_date() {
    check("diagnostics.schema.json", &payplan::schema::diagnostics_schema());
}
