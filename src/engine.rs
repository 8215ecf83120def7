//! Evaluation (in progress).
use crate::{Evaluation, Inputs, Plan, Result};

/// Evaluates a plan for a period.
pub fn evaluate(plan: &Plan, inputs: &Inputs, period: &str) -> Result<Evaluation> {
    let _ = (plan, inputs, period);
    Err(crate::Error::overflow("not yet"))
}

/// Evaluates from JSON texts.
pub fn evaluate_json(plan: &str, inputs: &str, period: &str) -> Result<String> {
    let plan = Plan::from_json(plan)?;
    let inputs = Inputs::from_json(inputs)?;
    Ok(evaluate(&plan, &inputs, period)?.to_json())
}
