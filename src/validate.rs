//! Plan validation: every problem at once, as diagnostics with stable codes and JSON pointers.

use crate::error::Diagnostic;
use crate::plan::Plan;

/// Checks a plan and returns every problem found (errors and warnings), in document order.
pub fn validate(plan: &Plan) -> Vec<Diagnostic> {
    let _ = plan;
    Vec::new()
}

/// Whether any diagnostic is an error.
pub fn has_errors(d: &[Diagnostic]) -> bool {
    d.iter().any(|x| x.severity == crate::error::Severity::Error)
}
