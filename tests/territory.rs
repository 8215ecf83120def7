//! Property tests of territory balancing against brute force on small cases, through the public API.

use payplan::territory::{balance, Account, BalanceOptions, BalanceRequest, BalanceResult, Payee};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Small requests: up to 7 accounts (potentials in tenths, some zero, some fixed) over 1 to 3 payees.
fn small_request() -> impl Strategy<Value = BalanceRequest> {
    (1usize..=3, prop::collection::vec((0i64..200, 0usize..6), 0..=7)).prop_map(|(m, accounts)| {
        let payees: Vec<Payee> = (0..m).map(|p| Payee { id: format!("p{p}") }).collect();
        let accounts = accounts
            .into_iter()
            .enumerate()
            .map(|(i, (tenths, fix))| Account {
                id: format!("a{i}"),
                potential: Decimal::new(if tenths < 20 { 0 } else { tenths }, 1),
                workload: None,
                // one account in three, roughly, is fixed
                fixed_owner: if fix < m && fix % 2 == 0 { Some(format!("p{fix}")) } else { None },
            })
            .collect();
        BalanceRequest { accounts, payees, options: BalanceOptions::default() }
    })
}

/// The best possible max load, by trying every assignment that respects the fixed owners.
fn optimum(req: &BalanceRequest) -> Decimal {
    let m = req.payees.len();
    let n = req.accounts.len();
    let mut best: Option<Decimal> = None;
    let mut code = vec![0usize; n];
    loop {
        let ok =
            req.accounts.iter().zip(&code).all(|(a, &p)| a.fixed_owner.as_ref().is_none_or(|f| *f == format!("p{p}")));
        if ok {
            let mut loads = vec![Decimal::ZERO; m];
            for (a, &p) in req.accounts.iter().zip(&code) {
                loads[p] += a.potential;
            }
            let max = loads.into_iter().max().unwrap();
            best = Some(best.map_or(max, |b| b.min(max)));
        }
        // next assignment in base m
        let mut i = 0;
        loop {
            if i == n {
                return best.unwrap_or_default();
            }
            code[i] += 1;
            if code[i] < m {
                break;
            }
            code[i] = 0;
            i += 1;
        }
    }
}

fn loads(r: &BalanceResult) -> BTreeMap<String, Decimal> {
    r.payees.iter().map(|p| (p.payee.clone(), p.potential)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn bounds_hold_against_brute_force(req in small_request()) {
        let r = balance(&req).unwrap();
        let f = &r.figures;
        let m = Decimal::from(req.payees.len() as u64);
        // every account once, fixed ones with their owner, totals consistent
        prop_assert_eq!(r.assignments.len(), req.accounts.len());
        for a in &req.accounts {
            let x = r.assignments.iter().find(|x| x.account == a.id).unwrap();
            if let Some(owner) = &a.fixed_owner {
                prop_assert_eq!(&x.payee, owner);
            }
        }
        let sum: Decimal = r.payees.iter().map(|p| p.potential).sum();
        prop_assert_eq!(sum, f.total);
        prop_assert_eq!(f.max_load, loads(&r).into_values().max().unwrap());
        // lower bound <= optimum <= result
        let opt = optimum(&req);
        prop_assert!(f.lower_bound <= opt, "bound {} above the optimum {}", f.lower_bound, opt);
        prop_assert!(opt <= f.max_load);
        prop_assert!(f.gap >= Decimal::ZERO);
        // max <= max(heaviest fixed load, ideal + largest free account)
        let mut fixed: BTreeMap<&str, Decimal> = BTreeMap::new();
        for a in &req.accounts {
            if let Some(o) = &a.fixed_owner {
                *fixed.entry(o).or_default() += a.potential;
            }
        }
        let heaviest_fixed = fixed.values().copied().max().unwrap_or_default();
        let largest_free = req.accounts.iter().filter(|a| a.fixed_owner.is_none()).map(|a| a.potential).max().unwrap_or_default();
        prop_assert!(f.max_load <= heaviest_fixed.max(f.ideal + largest_free));
        // without fixed accounts: Graham's LPT bound, 3N max <= (4N - 1) opt, and max - min <= largest
        if fixed.is_empty() {
            prop_assert!(Decimal::from(3) * m * f.max_load <= (Decimal::from(4) * m - Decimal::ONE) * opt);
            prop_assert!(f.max_load - f.min_load <= largest_free);
        }
        // the search never makes the greedy placement worse
        let greedy = balance(&BalanceRequest { options: BalanceOptions { max_iterations: 0, ..Default::default() }, ..req.clone() }).unwrap();
        prop_assert!(f.max_load <= greedy.figures.max_load);
        prop_assert!(f.min_load >= greedy.figures.min_load);
        prop_assert!(r.search.converged);
    }

    #[test]
    fn order_of_the_request_does_not_matter(req in small_request(), seed in any::<u64>()) {
        let mut shuffled = req.clone();
        let mut rng = payplan::sample::Rng::new(seed);
        for i in (1..shuffled.accounts.len()).rev() {
            shuffled.accounts.swap(i, rng.below(i as u64 + 1) as usize);
        }
        for i in (1..shuffled.payees.len()).rev() {
            shuffled.payees.swap(i, rng.below(i as u64 + 1) as usize);
        }
        prop_assert_eq!(balance(&req).unwrap().to_json(), balance(&shuffled).unwrap().to_json());
    }
}
