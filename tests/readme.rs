//! The README's worked example, checked.

use payplan::{evaluate, Inputs, Plan};

#[test]
fn readme_worked_example() {
    let plan = Plan::from_json(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/plans/account-executive.json"))
            .unwrap(),
    )
    .unwrap();
    let inputs = Inputs::from_json(
        r#"{ "transactions": [
  { "id": "D-1", "owner": "ae-ana", "amount": "150000", "closeDate": "2025-01-20", "product": "Platform", "type": "new" },
  { "id": "D-2", "owner": "ae-ana", "amount": "100000", "closeDate": "2025-02-20", "product": "Platform", "type": "renewal" }
]}"#,
    )
    .unwrap();
    let result = evaluate(&plan, &inputs, "Q1").unwrap();
    let ana = result.statement("ae-ana").unwrap();
    assert_eq!(ana.payout.to_string(), "22500.00");
    let commission = ana.component("commission").unwrap();
    assert_eq!(commission.amount.to_string(), "22000.00");
    assert_eq!(commission.lines[0].amount.to_string(), "12000.00");
    assert_eq!(
        commission.lines[1].trace,
        "D-2 credit 100000.00: 50000.00 in band 0 at 1 x 8% + 50000.00 in band 1 at 1.5 x 8% = 10000.00"
    );
    assert_eq!(ana.component("platform-spiff").unwrap().amount.to_string(), "500.00");
    // Ben's prorated, ramped Q1 quota: 200000 x (28 x 0.25 + 17 x 0.5) / 90
    let ben = result.statement("ae-ben").unwrap();
    assert_eq!(ben.measure("bookings").unwrap().period.quota.unwrap().round_dp(2).to_string(), "34444.44");
}
