//! Preview sessions give the same figures as a full evaluation.
//!
//! For every golden plan vector and every payee on its statements, a session is opened and put
//! through random edits (new deals, changed amounts and dates, removals). After each preview the
//! figures are compared with a full evaluation of the edited inputs; after each committed edit the
//! session's figures and its full statement are compared with the full evaluation's.
//!
//! Back-dated deals (credited before other lines of a marginal table whose lines are rounded one
//! by one) are previewed and saved from per-band sums instead of re-rating the later lines: a
//! property test over random sessions with many lines per band and amounts on the bounds, and the
//! benchmark's session, check those previews and saves against full evaluations, that the
//! keystroke path computes the previews and that saves move the later lines without rating them.

mod common;

use payplan::sample::Rng;
use payplan::session::{Mode, Session};
use payplan::{CompiledPlan, Inputs, Statement, Transaction};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("vectors")
}

fn load(p: PathBuf) -> Value {
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

/// The plan vectors that evaluate without error: (name, plan, inputs, period).
fn vectors() -> Vec<(String, CompiledPlan, Inputs, String)> {
    let mut out = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let v = load(path.clone());
        if v.get("op").is_some() || v.get("expectError").is_some() {
            continue;
        }
        let mut plan = match v["base"].as_str() {
            Some(b) => load(dir().join("bases").join(format!("{b}.json"))),
            None => Value::Null,
        };
        common::merge_patch(&mut plan, &v["plan"]);
        let Ok(compiled) = CompiledPlan::from_json(&plan.to_string()) else { continue };
        let inputs = v.get("inputs").cloned().unwrap_or(Value::Object(Default::default()));
        let Ok(inputs) = Inputs::from_json(&inputs.to_string()) else { continue };
        let period = v["period"].as_str().unwrap().to_string();
        out.push((v["name"].as_str().unwrap().to_string(), compiled, inputs, period));
    }
    out
}

fn full_statement(plan: &CompiledPlan, inputs: &Inputs, period: &str, payee: &str) -> Option<Statement> {
    let ev = plan.evaluate(inputs, period).ok()?;
    ev.statements.into_iter().find(|s| s.payee == payee)
}

fn check_against(session: &Session, want: &Statement, what: &str) {
    let comps: Vec<(String, String)> =
        want.components.iter().map(|c| (c.component.clone(), c.amount.to_string())).collect();
    let ours: Vec<(String, String)> = session.components().iter().map(|(c, a)| (c.clone(), a.to_string())).collect();
    assert_eq!(ours, comps, "{what}: components");
    assert_eq!(session.payout().to_string(), want.payout.to_string(), "{what}: payout");
    assert_eq!(session.earnings().to_string(), want.earnings.to_string(), "{what}: earnings");
    assert_eq!(session.measures(), want.measures.as_slice(), "{what}: measures");
}

/// A random edit of the session: a new deal modelled on an existing one, a changed one, or a
/// removal.
fn random_txn(rng: &mut Rng, inputs: &Inputs, n: usize, start: chrono::NaiveDate, days: i64) -> Option<Transaction> {
    if inputs.transactions.is_empty() {
        return None;
    }
    let i = rng.below(inputs.transactions.len() as u64) as usize;
    let mut t = inputs.transactions.get(i)?.clone();
    if rng.below(3) > 0 {
        t.id = format!("zz-new-{n:03}");
    }
    let cents = 100 + rng.below(20_000_000) as i64;
    t.amount = rust_decimal::Decimal::new(cents, 2);
    if rng.below(10) == 0 {
        t.amount = -t.amount / rust_decimal::Decimal::from(10);
        t.quantity = None;
    }
    t.refund_amount = None;
    t.cancellation_date = None;
    let d = start + chrono::Duration::days(rng.below(days.max(1) as u64) as i64);
    t.close_date = Some(d);
    t.booking_date = t.booking_date.map(|_| d);
    t.invoice_date = t.invoice_date.map(|_| d);
    Some(t)
}

fn upsert(inputs: &mut Inputs, t: Transaction) {
    match inputs.transactions.iter_mut().find(|x| x.id == t.id) {
        Some(x) => *x = t,
        None => inputs.transactions.push(t),
    }
}

/// The keystroke path (`edit` + `preview_amount`) gives the figures of a full preview of the deal
/// with each amount; returns how many amounts it computed itself.
fn check_keystrokes(session: &mut Session, t: &Transaction, what: &str) -> usize {
    use rust_decimal::Decimal;
    session.edit(t.clone()).unwrap_or_else(|e| panic!("{what}: edit {}: {e}", t.id));
    let mut fast = 0;
    for amount in [t.amount, Decimal::new(12_345, 2), t.amount.abs() * Decimal::TWO + Decimal::new(1, 2), Decimal::ZERO]
    {
        let q = session.preview_amount(amount, None, None).unwrap_or_else(|e| panic!("{what}: {e}")).clone();
        let p = session.preview(&Transaction { amount, ..t.clone() }).unwrap();
        let what = format!("{what}: keystroke {} at {amount} (keystroke path: {})", t.id, q.keystroke);
        assert_eq!(q.payout, p.payout, "{what}: payout");
        assert_eq!(q.earnings, p.earnings, "{what}: earnings");
        assert_eq!(q.credited, p.credited, "{what}: credited");
        let comps: Vec<(String, Decimal)> =
            session.components().iter().map(|c| c.0.clone()).zip(q.components.iter().copied()).collect();
        let want: Vec<(String, Decimal)> =
            p.components.iter().map(|c| (c.component.clone(), c.amount.change)).collect();
        assert_eq!(comps, want, "{what}: components");
        let att: Vec<(usize, Decimal)> = q.attainment.clone();
        let want: Vec<Decimal> = p.measures.iter().filter_map(|m| m.after.attainment).collect();
        assert_eq!(att.iter().map(|a| a.1).collect::<Vec<_>>(), want, "{what}: attainment");
        let bands: Vec<(String, Option<usize>, Option<usize>)> =
            q.bands_crossed.iter().map(|(c, f, to)| (session.components()[*c].0.clone(), *f, *to)).collect();
        let want: Vec<(String, Option<usize>, Option<usize>)> =
            p.bands_crossed.iter().map(|b| (b.component.clone(), b.from, b.to)).collect();
        assert_eq!(bands, want, "{what}: bands crossed");
        fast += usize::from(q.keystroke);
    }
    fast
}

#[test]
fn sessions_match_full_evaluation() {
    let mut incremental = 0;
    let mut replayed = 0;
    let mut previews = 0;
    let mut keystrokes = 0;
    let mut back_dated = 0;
    let mut moved_saves = 0;
    let mut rerated = 0;
    let mut reasons = std::collections::BTreeMap::new();
    for (name, plan, inputs, period) in vectors() {
        let Ok(ev) = plan.evaluate(&inputs, &period) else { continue };
        let Some(pd) = plan.periods().iter().find(|p| p.id == period).cloned() else { continue };
        let days = (pd.end - pd.start).num_days() + 1;
        for st in &ev.statements {
            let what = format!("{name} / {} / {period}", st.payee);
            let mut session =
                Session::open(&plan, &inputs, &st.payee, &period).unwrap_or_else(|e| panic!("{what}: {e}"));
            check_against(&session, st, &format!("{what}: opened"));
            match session.mode() {
                Mode::Incremental => incremental += 1,
                Mode::Replay => {
                    replayed += 1;
                    *reasons.entry(session.replay_reason().unwrap_or("").to_string()).or_insert(0) += 1;
                }
            }
            let mut full = inputs.clone();
            let mut rng = Rng::new(name.len() as u64 * 7919 + st.payee.len() as u64);
            let edits: usize = std::env::var("SESSION_EDITS").ok().and_then(|v| v.parse().ok()).unwrap_or(12);
            for n in 0..edits {
                let remove = rng.below(5) == 0;
                if std::env::var_os("SESSION_DEBUG").is_some() {
                    eprintln!(
                        "{what} edit {n}: remove={remove} mode={:?} txns={:?}",
                        session.mode(),
                        session
                            .inputs()
                            .transactions
                            .iter()
                            .map(|t| (t.id.clone(), t.amount.to_string(), t.close_date))
                            .collect::<Vec<_>>()
                    );
                }
                if remove && !session.is_empty() {
                    let ids: Vec<String> = session.inputs().transactions.iter().map(|t| t.id.clone()).collect();
                    let id = ids[rng.below(ids.len() as u64) as usize].clone();
                    let p = session.preview_remove(&id).unwrap_or_else(|e| panic!("{what}: preview remove {id}: {e}"));
                    let mut after = full.clone();
                    after.transactions.retain(|t| t.id != id);
                    let Some(want) = full_statement(&plan, &after, &period, &st.payee) else { continue };
                    assert_eq!(p.payout.after.to_string(), want.payout.to_string(), "{what}: preview remove {id}");
                    session.remove(&id).unwrap();
                    full = after;
                } else {
                    let Some(t) = random_txn(&mut rng, &full, n, pd.start, days) else { continue };
                    let mut after = full.clone();
                    upsert(&mut after, t.clone());
                    let want = full_statement(&plan, &after, &period, &st.payee);
                    match session.preview(&t) {
                        Ok(p) => {
                            previews += 1;
                            let Some(want) = want else { continue };
                            assert_eq!(
                                p.payout.after.to_string(),
                                want.payout.to_string(),
                                "{what}: preview of {} {} on {:?} ({:?})",
                                t.id,
                                t.amount,
                                t.close_date,
                                p.mode
                            );
                            for c in &p.components {
                                let w = want.component(&c.component).map(|x| x.amount.to_string());
                                assert_eq!(Some(c.amount.after.to_string()), w, "{what}: preview {}", c.component);
                            }
                            // the deal's pay lines, as the full statement has them (trace included)
                            for l in &p.lines {
                                let w = want.component(&l.component).and_then(|c| {
                                    c.lines.iter().find(|x| x.transaction == t.id && x.credit == l.line.credit)
                                });
                                assert_eq!(Some(&l.line), w, "{what}: preview line of {} in {}", t.id, l.component);
                            }
                            // (a deal closing before another of the session: for a marginal table,
                            // its lines after it move)
                            let back = session
                                .inputs()
                                .transactions
                                .iter()
                                .any(|x| x.id != t.id && x.close_date > t.close_date);
                            let fast = check_keystrokes(&mut session, &t, &what);
                            keystrokes += fast;
                            back_dated += if back { fast } else { 0 };
                            session.upsert(t).unwrap();
                            moved_saves += usize::from(back && session.last_save_rerated() == Some(0));
                            rerated += session.last_save_rerated().unwrap_or(0);
                            full = after;
                        }
                        // a deal the plan rejects (a rule that needs splits, say): the full
                        // evaluation rejects it too, and the session is unchanged
                        Err(e) => {
                            assert_eq!(e.code(), "TRANSACTION_REJECTED", "{what}: {e}");
                            continue;
                        }
                    }
                }
                let want = full_statement(&plan, &full, &period, &st.payee).unwrap();
                check_against(&session, &want, &format!("{what}: after edit {n}"));
            }
            let want = full_statement(&plan, &full, &period, &st.payee).unwrap();
            assert_eq!(session.statement().unwrap(), want, "{what}: the session's statement");
        }
    }
    eprintln!(
        "sessions: {incremental} incremental, {replayed} replayed, {previews} previews ({keystrokes} amounts on the keystroke path, {back_dated} of back-dated deals; {moved_saves} back-dated deals saved rating no line again, {rerated} lines rated again by saves); replay reasons: {reasons:?}"
    );
    assert!(keystrokes >= 100, "the keystroke path must be exercised ({keystrokes} amounts)");
    assert!(back_dated >= 100, "the keystroke path must cover back-dated deals ({back_dated} amounts)");
    assert!(incremental >= 60, "the incremental path must be exercised ({incremental} sessions)");
}

fn full_payout(plan: &CompiledPlan, inputs: &Inputs, payee: &str) -> String {
    full_statement(plan, inputs, "Q1", payee).map(|s| s.payout.to_string()).unwrap_or_default()
}

/// The benchmark's session (the sample plan, one account executive's deals over Q1), with fewer
/// deals so that the commission stays below its period cap of 25,000: deals back-dated to before
/// the quota bounds are reached, between them and after them, with amounts that move many later
/// lines across the bounds. The keystroke path computes every one, with the figures of a full
/// evaluation.
#[test]
fn back_dated_deals_of_the_benchmark_take_the_keystroke_path() {
    use payplan::sample::{generate, GeneratorConfig};
    let plan = CompiledPlan::from_json(payplan::sample::SAMPLE_PLAN_JSON).unwrap();
    let cfg = GeneratorConfig {
        count: 1100,
        owners: vec!["ae-ana".into()],
        from: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        days: 88,
        amount_range: (20, 420),
        split_every: 0,
        cancel_every: 0,
        ..Default::default()
    };
    let inputs = Inputs { transactions: generate(&cfg), ..Default::default() };
    let mut session = Session::open(&plan, &inputs, "ae-ana", "Q1").unwrap();
    assert_eq!(session.mode(), Mode::Incremental, "{:?}", session.replay_reason());
    // (the quota, 200,000, is reached with about 900 of the 1,100 deals; a deal of 30,000 before
    // them moves about 140 lines across it, and the 2 x 8% band starts at 300,000)
    let mut checked = 0;
    for date in ["2025-01-02", "2025-01-25", "2025-02-14", "2025-03-30"] {
        let deal = Transaction {
            id: "EDITED".into(),
            owner: Some("ae-ana".into()),
            amount: Decimal::new(100_050, 2),
            close_date: date.parse().ok(),
            product: Some("Platform".into()),
            kind: Some("new".into()),
            ..Default::default()
        };
        session.edit(deal.clone()).unwrap();
        for amount in
            [Decimal::new(100_050, 2), Decimal::new(1, 2), Decimal::new(3_000_000, 2), Decimal::new(1_242_424, 2)]
        {
            let q = session.preview_amount(amount, None, None).unwrap().clone();
            assert!(q.keystroke, "{date} {amount}: the keystroke path");
            let t = Transaction { amount, ..deal.clone() };
            let mut after = inputs.clone();
            after.transactions.push(t.clone());
            let st = full_statement(&plan, &after, "Q1", "ae-ana").unwrap();
            let commission = st.component("commission").unwrap().amount;
            assert!(commission < Decimal::from(25_000), "{date} {amount}: under the cap ({commission})");
            assert_eq!(q.payout.after, st.payout, "{date} {amount}: keystroke");
            let p = session.preview(&t).unwrap();
            assert_eq!(p.payout, q.payout, "{date} {amount}: preview");
            checked += 1;
        }
    }
    assert_eq!(checked, 16);
}

/// A session opened on the rep's own deals alone (every transaction concerns the rep: the opening
/// reuses the context it made to find them) is the session opened on the whole team's deals (the
/// rep's are kept and evaluated again): the same figures, transactions, memory and previews, and
/// the full evaluation's figures. With cancelled deals among them, and in the replay mode as well
/// (a draw applies to Ben).
#[test]
fn a_session_of_the_reps_own_deals_is_the_session_of_the_teams() {
    use payplan::sample::{generate, GeneratorConfig};
    let plan = CompiledPlan::from_json(payplan::sample::SAMPLE_PLAN_JSON).unwrap();
    let mut modes = Vec::new();
    for (cancel_every, rep) in [(0, "ae-ana"), (0, "ae-ben"), (25, "ae-ana")] {
        let cfg = GeneratorConfig {
            count: 600,
            owners: vec!["ae-ana".into(), "ae-ben".into(), "ae-chen".into()],
            from: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            days: 180,
            amount_range: (200, 4_000),
            split_every: 0,
            cancel_every,
            ..Default::default()
        };
        let team = Inputs { transactions: generate(&cfg), ..Default::default() };
        for (period, last) in [("Q1", "2025-03-31"), ("Q2", "2025-06-30")] {
            // the rep's deals credited by the period's end (later ones are not the session's)
            let last: chrono::NaiveDate = last.parse().unwrap();
            let own: Vec<Transaction> = team
                .transactions
                .iter()
                .filter(|t| t.owner.as_deref() == Some(rep) && t.close_date.is_some_and(|d| d <= last))
                .cloned()
                .collect();
            assert!(own.len() > 80 && own.len() < 250, "{rep}: {} deals", own.len());
            let own = Inputs { transactions: own, ..Default::default() };
            let alone = Session::open(&plan, &own, rep, period).unwrap();
            let among = Session::open(&plan, &team, rep, period).unwrap();
            assert_eq!(alone.mode(), among.mode(), "{rep} {period}");
            modes.push((rep, cancel_every, period, alone.mode()));
            assert_eq!(alone.summary(), among.summary(), "{rep} {period}");
            assert_eq!(alone.inputs(), among.inputs(), "{rep} {period}");
            assert_eq!(alone.memory_bytes(), among.memory_bytes(), "{rep} {period}");
            check_against(&alone, &full_statement(&plan, &team, period, rep).unwrap(), rep);
            let deal = Transaction {
                id: "NEW".into(),
                owner: Some(rep.into()),
                amount: Decimal::new(1_234_567, 2),
                close_date: if period == "Q1" { "2025-03-10" } else { "2025-05-10" }.parse().ok(),
                product: Some("Platform".into()),
                kind: Some("new".into()),
                ..Default::default()
            };
            let (a, b) = (alone.preview(&deal).unwrap(), among.preview(&deal).unwrap());
            assert_eq!(a, b, "{rep} {period}: preview");
            assert!(a.credited && a.earnings.after > a.earnings.before, "{rep} {period}: the deal pays");
        }
    }
    // (Ana works incrementally, with cancelled deals among hers too; a draw applies to Ben, whose
    // sessions replay)
    use Mode::{Incremental, Replay};
    assert_eq!(
        modes,
        [
            ("ae-ana", 0, "Q1", Incremental),
            ("ae-ana", 0, "Q2", Incremental),
            ("ae-ben", 0, "Q1", Replay),
            ("ae-ben", 0, "Q2", Replay),
            ("ae-ana", 25, "Q1", Incremental),
            ("ae-ana", 25, "Q2", Incremental)
        ]
    );
}

/// A marginal table on bookings whose bounds fall at 1,000 and 2,500 (attainment of a quarterly
/// quota of 1,000; 5%, 12.5%, 20%), lines rounded half-even to cents; optionally a per-transaction
/// cap of 30, a gate paying from its threshold (a floor at 300), a basis cap at 4,000 and
/// inclusive upper bounds.
fn tiered_plan(cap: bool, floor: bool, ceil: bool, inclusive: bool) -> CompiledPlan {
    let mut comp = json!({
        "id": "commission", "type": "tiered", "roles": ["AE"], "measure": "bookings", "basis": "attainment",
        "method": "marginal", "bounds": if inclusive { "inclusiveUpper" } else { "halfOpen" },
        "tiers": [
            { "from": "0", "to": "1.0", "rate": { "percent": "5" } },
            { "from": "1.0", "to": "2.5", "rate": { "percent": "12.5" } },
            { "from": "2.5", "rate": { "percent": "20" } }
        ]
    });
    if cap {
        comp["caps"] = json!([{ "amount": "30", "per": "transaction" }]);
    }
    if floor {
        comp["gate"] = json!({ "on": { "measure": "bookings" }, "min": "0.3", "payFrom": "threshold" });
    }
    if ceil {
        comp["basisCap"] = json!("4.0");
    }
    let plan = json!({
        "schemaVersion": 1, "id": "t", "version": "1", "currency": "USD",
        "rounding": { "mode": "halfEven", "stage": "line" },
        "calendar": { "yearStart": "2025-01-01", "periodType": "quarter" },
        "payees": [{ "id": "rep", "role": "AE" }],
        "measures": [{ "id": "bookings", "kind": "amount" }],
        "quotas": [{ "payee": "rep", "measure": "bookings", "annual": "4000" }],
        "crediting": { "rules": [{ "type": "direct", "id": "d" }] },
        "components": [comp]
    });
    CompiledPlan::from_json(&plan.to_string()).unwrap()
}

fn rep_deal(id: String, cents: i64, day: i64) -> Transaction {
    Transaction {
        id,
        owner: Some("rep".into()),
        amount: Decimal::new(cents, 2),
        close_date: Some(chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Duration::days(day)),
        ..Default::default()
    }
}

/// Amounts in cents: any up to 80.00, or 25.00, 50.00, 75.00 (running sums then land on the bounds).
fn cents() -> impl Strategy<Value = i64> {
    prop_oneof![1i64..8_000, (1i64..4).prop_map(|k| k * 2_500)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random sessions (many lines per band, dates on a few days, amounts on the bounds, maybe a
    /// few credit memos) and random edits: new deals back-dated anywhere, changed amounts and dates,
    /// removals, some of them saved. Every preview, every amount on the keystroke path and the
    /// session after every save equal a full evaluation; without credit memos (whose negative
    /// credit lowers the basis), the keystroke path computes every amount itself and every save
    /// moves the later lines without rating them.
    #[test]
    fn back_dated_previews_equal_full_evaluation(
        deals in prop::collection::vec((cents(), 0i64..13), 20..160),
        edits in prop::collection::vec((0u8..4, any::<prop::sample::Index>(), prop_oneof![cents(), 1i64..300_000], 0i64..13, any::<bool>()), 1..10),
        options in (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
        memos in prop::collection::vec((1i64..50_000, 0i64..13), 0..3),
    ) {
        let plan = tiered_plan(options.0, options.1, options.2, options.3);
        // dates on 13 days a week apart: many deals on one day, in id order
        let mut full = Inputs {
            transactions: deals.iter().enumerate().map(|(i, (c, d))| rep_deal(format!("T{i:03}"), *c, d * 7)).collect(),
            ..Default::default()
        };
        for (i, (c, d)) in memos.iter().enumerate() {
            full.transactions.push(rep_deal(format!("M{i}"), -c, d * 7));
        }
        let mut session = Session::open(&plan, &full, "rep", "Q1").unwrap();
        prop_assert_eq!(session.mode(), Mode::Incremental);
        for (n, (kind, index, cents, day, save)) in edits.into_iter().enumerate() {
            let ids: Vec<String> = full.transactions.iter().map(|t| t.id.clone()).collect();
            let id = index.get(&ids).clone();
            if kind == 0 && !session.is_empty() {
                let mut after = full.clone();
                after.transactions.retain(|t| t.id != id);
                let p = session.preview_remove(&id).unwrap();
                prop_assert_eq!(p.payout.after.to_string(), full_payout(&plan, &after, "rep"), "remove {}", id);
                if save {
                    let memos = full.transactions.iter().any(|x| x.amount < Decimal::ZERO);
                    session.remove(&id).unwrap();
                    if !memos {
                        prop_assert_eq!(session.last_save_rerated(), Some(0), "remove {} in place", id);
                    }
                    full = after;
                    check_against(&session, &full_statement(&plan, &full, "Q1", "rep").unwrap(), &format!("removed {id}"));
                }
                continue;
            }
            // a new deal (its id between the others' on its day, or after them), or a changed one
            let id = match kind { 1 => format!("{id}x"), 2 => format!("U{n}"), _ => id };
            let t = rep_deal(id, cents, day * 7);
            let mut after = full.clone();
            upsert(&mut after, t.clone());
            let want = full_payout(&plan, &after, "rep");
            let p = session.preview(&t).unwrap();
            prop_assert_eq!(p.payout.after.to_string(), want.clone(), "preview {} {} on {:?}", t.id, t.amount, t.close_date);
            session.edit(t.clone()).unwrap();
            for amount in [t.amount, t.amount * Decimal::from(3) + Decimal::new(1, 2)] {
                let q = session.preview_amount(amount, None, None).unwrap().clone();
                if full.transactions.iter().all(|x| x.amount > Decimal::ZERO) {
                    prop_assert!(q.keystroke, "keystroke path for {} at {}", t.id, amount);
                }
                let mut after = full.clone();
                upsert(&mut after, Transaction { amount, ..t.clone() });
                prop_assert_eq!(q.payout.after.to_string(), full_payout(&plan, &after, "rep"), "keystroke {} at {}", t.id, amount);
            }
            if save {
                let memos = full.transactions.iter().any(|x| x.amount < Decimal::ZERO);
                let what = format!("saved {} {} on {:?}", t.id, t.amount, t.close_date);
                session.upsert(t).unwrap();
                if !memos {
                    prop_assert_eq!(session.last_save_rerated(), Some(0), "{} in place", what);
                }
                full = after;
                prop_assert_eq!(session.payout().to_string(), full_payout(&plan, &full, "rep"));
                check_against(&session, &full_statement(&plan, &full, "Q1", "rep").unwrap(), &what);
            }
        }
    }
}
