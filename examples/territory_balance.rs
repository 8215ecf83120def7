//! Balances 10,000 generated accounts over 50 payees and prints how even the result is.
//!
//! ```sh
//! cargo run --release --example territory_balance
//! ```
use payplan::territory::{balance, sample_request, BalanceOptions};
use rust_decimal::Decimal;
use std::time::Instant;

fn pct(x: Option<Decimal>) -> String {
    x.map(|p| format!("{}%", p.round_dp(8))).unwrap_or_else(|| "none".into())
}

fn main() -> Result<(), payplan::Error> {
    let req = sample_request(2025, 10_000, 50);
    let fixed = req.accounts.iter().filter(|a| a.fixed_owner.is_some()).count();
    println!("{} accounts ({fixed} fixed) over {} payees, seed 2025", req.accounts.len(), req.payees.len());

    // the greedy placement alone, for comparison
    let greedy_req = payplan::territory::BalanceRequest {
        options: BalanceOptions { max_iterations: 0, ..Default::default() },
        ..req.clone()
    };
    let start = Instant::now();
    let greedy = balance(&greedy_req)?;
    let greedy_time = start.elapsed();

    let start = Instant::now();
    let r = balance(&req)?;
    let time = start.elapsed();

    for (name, r, t) in [("greedy (LPT) only", &greedy, greedy_time), ("LPT + local search", &r, time)] {
        let f = &r.figures;
        println!("\n{name}: {t:.1?}");
        println!("  total potential    {}", f.total);
        println!("  ideal (total / N)  {}", f.ideal.round_dp(2));
        println!("  lower bound        {} ({:?})", f.lower_bound.round_dp(2), f.lower_bound_basis);
        println!("  max / min load     {} / {}", f.max_load, f.min_load);
        println!(
            "  max/min ratio      {}",
            f.max_min_ratio.map(|x| x.round_dp(8).to_string()).unwrap_or("none".into())
        );
        println!(
            "  max deviation      {} ({} of the ideal)",
            f.max_deviation.round_dp(2),
            pct(f.max_deviation_percent)
        );
        println!("  gap to lower bound {} ({})", f.gap.round_dp(2), pct(f.gap_percent));
        println!(
            "  search: {} moves, {} swaps, {} payee pairs examined, {}",
            r.search.moves,
            r.search.swaps,
            r.search.pairs_examined,
            if r.search.converged { "converged" } else { "stopped at the cap" }
        );
    }
    Ok(())
}
