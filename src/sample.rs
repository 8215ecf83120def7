//! Embedded sample plan (in progress).
/// The sample plan.
pub const SAMPLE_PLAN_JSON: &str = include_str!("../examples/plans/account-executive.json");

/// The demo report (in progress).
pub fn demo_report() -> crate::Result<String> {
    Ok(String::new())
}

#[cfg(test)]
mod tests {
    #[test]
    fn sample_parses() {
        let p = crate::Plan::from_json(super::SAMPLE_PLAN_JSON).unwrap();
        assert_eq!(p.components.len(), 3);
        let bad = super::SAMPLE_PLAN_JSON.replace("\"mustTotal\"", "\"mustTotl\"");
        let e = crate::Plan::from_json(&bad).unwrap_err();
        println!("{e}");
        let bad = super::SAMPLE_PLAN_JSON.replace("\"40000\"", "40000");
        let e = crate::Plan::from_json(&bad).unwrap_err();
        println!("{e}");
        let bad = super::SAMPLE_PLAN_JSON.replace("\"maxPercent\"", "\"maxPrcent\"");
        let e = crate::Plan::from_json(&bad).unwrap_err();
        println!("{e}");
        let bad = super::SAMPLE_PLAN_JSON.replace("\"perDeal\"", "\"perDea\"");
        let e = crate::Plan::from_json(&bad).unwrap_err();
        println!("{e}");
    }
}
