//! Payment rules applied to a period's earnings, in this order:
//!
//! 1. **clawbacks**: a transaction cancelled in this period, at most `windowDays` after its credit
//!    date, gives back the pay its credit lines earned (after gate and multipliers), fully or in
//!    proportion `refundAmount / amount`, per component;
//! 2. **holdbacks**: a percentage of the pay of the listed components (their amounts after gate,
//!    multipliers and caps) is held when that pay is positive; `onPayment` holdbacks hold per
//!    transaction, on its lines' pay. Amounts whose release comes due are paid out: `afterPeriods`
//!    N periods later; `onDate`/`onEvent` in the period of the date, for everything held up to
//!    then; `onPayment` in the period of the transaction's `paymentDate`;
//! 3. **draws**: with net earnings (after 1 and 2) below the draw, the payee gets a top-up to the
//!    draw; a recoverable draw records the top-up as a balance, recovered from later net earnings
//!    above the draw (or above zero once the draw no longer applies), limited per period by
//!    `maxAmount` and `maxPercent` of the period's net earnings, and not before `delayPeriods`
//!    periods after the first period of the draw.

use super::components::Attribution;
use super::Ctx;
use crate::inputs::Transaction;
use crate::money::{pct, sum_c, Checked};
use crate::plan::{ClawbackMode, DrawKind, Release};
use crate::statement::{Adjustment, ComponentResult};
use crate::Result;
use rust_decimal::Decimal;

/// An amount held back.
#[derive(Debug, Clone)]
pub struct Held {
    /// Holdback rule index.
    pub rule: usize,
    /// Amount held.
    pub amount: Decimal,
    /// Period it was held in.
    pub period: usize,
    /// Transaction it is tied to (release on payment).
    pub txn: Option<usize>,
    /// Already released.
    pub released: bool,
}

/// A payee's payment state across the year.
#[derive(Debug, Clone, Default)]
pub struct PayState {
    /// Recoverable draw balance owed.
    pub draw_balance: Decimal,
    /// Holdback ledger.
    pub held: Vec<Held>,
}

impl PayState {
    /// The state at the start of the year (opening balances from the inputs).
    pub(crate) fn opening(ctx: &Ctx<'_>, p: usize) -> Self {
        let id = ctx.plan.payees.get(p).map(|x| x.id.as_str()).unwrap_or("");
        let bal = ctx
            .inputs
            .opening_balances
            .iter()
            .filter(|b| b.payee == id)
            .map(|b| b.draw_balance)
            .fold(Decimal::ZERO, |a, b| a.checked_add(b).unwrap_or(a));
        Self { draw_balance: bal, held: Vec::new() }
    }
}

/// The fraction of a transaction's pay a clawback reverses.
pub(crate) fn clawback_fraction(mode: ClawbackMode, t: &Transaction) -> Result<Decimal> {
    match (mode, t.refund_amount) {
        (ClawbackMode::Proportional, Some(r)) if !t.amount.is_zero() => {
            r.div_c(t.amount, "a refund share").map(|f| f.abs().min(Decimal::ONE))
        }
        _ => Ok(Decimal::ONE),
    }
}

fn adj(
    kind: &str,
    component: Option<String>,
    transaction: Option<String>,
    period: Option<String>,
    amount: Decimal,
    trace: String,
) -> Adjustment {
    Adjustment { kind: kind.into(), component, transaction, period, amount, trace }
}

/// Computes the payment adjustments of payee `p` in period `k`.
pub(crate) fn apply_payments(
    ctx: &Ctx<'_>,
    p: usize,
    k: usize,
    results: &[ComponentResult],
    earnings: Decimal,
    st: &mut PayState,
    attributed: &Attribution,
) -> Result<Vec<Adjustment>> {
    let plan = ctx.plan;
    let mut out: Vec<Adjustment> = Vec::new();
    let Some(period) = ctx.periods.get(k) else {
        return Ok(out);
    };
    let Some(payee) = plan.payees.get(p) else {
        return Ok(out);
    };

    // 1. clawbacks
    if let Some(cb) = &plan.payments.clawback {
        let mut txns: Vec<usize> = ctx
            .by_payee
            .get(p)
            .map(|v| v.iter().filter_map(|&i| ctx.lines.get(i)).filter(|l| !l.reversal).map(|l| l.txn).collect())
            .unwrap_or_default();
        crate::small::sort_indices(&mut txns, &|a, b| {
            ctx.inputs.transactions.get(a).map(|t| &t.id).cmp(&ctx.inputs.transactions.get(b).map(|t| &t.id))
        });
        txns.dedup();
        for ti in txns {
            let Some(t) = ctx.inputs.transactions.get(ti) else {
                continue;
            };
            let Some(cancel) = t.cancellation_date else {
                continue;
            };
            if !period.contains(cancel) {
                continue;
            }
            let Some(credit_date) = crate::credit::credit_date(t, plan.crediting.credit_date) else {
                continue;
            };
            let days = (cancel - credit_date).num_days();
            if days > i64::from(cb.window_days) {
                continue;
            }
            let frac = clawback_fraction(cb.mode, t)?;
            for (c, comp) in plan.components.iter().enumerate() {
                if !cb.components.is_empty() && !cb.components.contains(&comp.id) {
                    continue;
                }
                let paid = attributed.get(p, ti, c);
                if paid.is_zero() {
                    continue;
                }
                let back = ctx.line_round(paid.mul_c(frac, "a clawback")?);
                let how = if frac == Decimal::ONE {
                    "fully".to_string()
                } else {
                    format!(
                        "in proportion {} (refund {} of {})",
                        frac.normalize(),
                        t.refund_amount.unwrap_or_default(),
                        t.amount
                    )
                };
                out.push(adj(
                    "clawback",
                    Some(comp.id.clone()),
                    Some(t.id.clone()),
                    None,
                    -back,
                    format!("{} cancelled on {cancel}, {days} day(s) after its credit date {credit_date} (window {} days): {} pay of {paid} reversed {how}", t.id, cb.window_days, comp.id),
                ));
            }
        }
    }

    // 2. holdbacks: hold, then release what is due
    for (h, hb) in plan.payments.holdbacks.iter().enumerate() {
        let applies = |id: &str| hb.components.is_empty() || hb.components.iter().any(|x| x == id);
        let f = pct(hb.percent);
        if matches!(hb.release, Release::OnPayment) {
            // per transaction, on the pay attributed to it this period
            for r in results.iter().filter(|r| applies(&r.component)) {
                let mut seen: Vec<&str> = Vec::new();
                for line in &r.lines {
                    if seen.contains(&line.transaction.as_str()) {
                        continue;
                    }
                    seen.push(&line.transaction);
                    let Some(&ti) = ctx.txn_index.get(line.transaction.as_str()) else {
                        continue;
                    };
                    let base: Decimal = sum_c(
                        r.lines.iter().filter(|l| l.transaction == line.transaction).map(|l| l.amount),
                        "a holdback",
                    )?;
                    if base <= Decimal::ZERO {
                        continue;
                    }
                    let amt = ctx.line_round(base.mul_c(f, "a holdback")?);
                    st.held.push(Held { rule: h, amount: amt, period: k, txn: Some(ti), released: false });
                    out.push(adj(
                        "holdback",
                        Some(r.component.clone()),
                        Some(line.transaction.clone()),
                        None,
                        -amt,
                        format!(
                            "{}% of {} pay on {} held until the customer pays (holdback `{}`)",
                            hb.percent.normalize(),
                            r.component,
                            line.transaction,
                            hb.id
                        ),
                    ));
                }
            }
        } else {
            let base = sum_c(results.iter().filter(|r| applies(&r.component)).map(|r| r.amount), "a holdback")?;
            if base > Decimal::ZERO {
                let amt = ctx.line_round(base.mul_c(f, "a holdback")?);
                if !amt.is_zero() {
                    st.held.push(Held { rule: h, amount: amt, period: k, txn: None, released: false });
                    out.push(adj(
                        "holdback",
                        None,
                        None,
                        None,
                        -amt,
                        format!("{}% of {base} held back (holdback `{}`)", hb.percent.normalize(), hb.id),
                    ));
                }
            }
        }
    }
    for held in st.held.iter_mut().filter(|x| !x.released) {
        let Some(hb) = plan.payments.holdbacks.get(held.rule) else {
            continue;
        };
        let due: Option<usize> = match &hb.release {
            // released in the period of the date (or event) together with everything held up to
            // then; what is held after that period stays held
            Release::OnDate(d) => ctx.periods.iter().position(|x| x.contains(*d)).filter(|r| *r >= held.period),
            Release::AfterPeriods(n) => Some(held.period.saturating_add(*n as usize)),
            Release::OnEvent(e) => ctx
                .inputs
                .events
                .iter()
                .filter(|x| &x.id == e)
                .map(|x| x.date)
                .min()
                .and_then(|d| ctx.periods.iter().position(|x| x.contains(d)))
                .filter(|r| *r >= held.period),
            Release::OnPayment => held
                .txn
                .and_then(|t| ctx.inputs.transactions.get(t))
                .and_then(|t| t.payment_date)
                .and_then(|d| ctx.periods.iter().position(|x| x.contains(d)))
                .map(|i| i.max(held.period)),
        };
        if due == Some(k) {
            held.released = true;
            let from = ctx.periods.get(held.period).map(|x| x.id.clone());
            let txn = held.txn.and_then(|t| ctx.inputs.transactions.get(t)).map(|t| t.id.clone());
            let why = match &hb.release {
                Release::OnDate(d) => format!("release date {d}"),
                Release::AfterPeriods(n) => format!("{n} period(s) after it was held"),
                Release::OnEvent(e) => format!("event `{e}`"),
                Release::OnPayment => "the customer paid".into(),
            };
            out.push(adj(
                "holdbackRelease",
                None,
                txn,
                from.clone(),
                held.amount,
                format!("{} held in {} released ({why})", held.amount, from.unwrap_or_default()),
            ));
        }
    }

    // 3. draws
    let net = earnings.add_c(sum_c(out.iter().map(|a| a.amount), "net earnings")?, "net earnings")?;
    let draw = plan.payments.draws.iter().find(|d| super::selects(&d.roles, &d.payees, payee));
    let active = crate::quota::active_in(payee, period);
    let draw_now = draw.filter(|d| active && (d.periods.is_empty() || d.periods.contains(&period.id)));
    let floor = draw_now.map(|d| d.amount).unwrap_or(Decimal::ZERO);
    if let Some(d) = draw_now {
        if net < d.amount {
            let top = ctx.line_round(d.amount.sub_c(net, "a draw")?);
            let kind = if d.kind == DrawKind::Recoverable { "recoverable" } else { "non-recoverable" };
            if d.kind == DrawKind::Recoverable {
                st.draw_balance = st.draw_balance.add_c(top, "a draw balance")?;
            }
            out.push(adj(
                "drawTopUp",
                None,
                None,
                None,
                top,
                format!(
                    "net earnings {net} are below the {kind} draw of {}: top-up {top}{}",
                    d.amount,
                    if d.kind == DrawKind::Recoverable {
                        format!(", owed balance now {}", st.draw_balance)
                    } else {
                        String::new()
                    }
                ),
            ));
            return Ok(out);
        }
    }
    if st.draw_balance > Decimal::ZERO && net > floor {
        let (limit_amt, limit_pct, delay) = match draw {
            Some(d) => (d.recovery.max_amount, d.recovery.max_percent, d.recovery.delay_periods),
            None => (None, None, 0),
        };
        let first = draw
            .map(|d| {
                if d.periods.is_empty() {
                    0
                } else {
                    ctx.periods.iter().position(|x| d.periods.contains(&x.id)).unwrap_or(0)
                }
            })
            .unwrap_or(0);
        if k >= first.saturating_add(delay as usize) {
            let mut rec = net.sub_c(floor, "a draw recovery")?.min(st.draw_balance);
            let mut why = Vec::new();
            if let Some(a) = limit_amt {
                if rec > a {
                    rec = a;
                    why.push(format!("limited to {a} a period"));
                }
            }
            if let Some(pc) = limit_pct {
                let lim = ctx.line_round(net.mul_c(pct(pc), "a draw recovery")?);
                if rec > lim {
                    rec = lim;
                    why.push(format!("limited to {}% of net earnings {net}", pc.normalize()));
                }
            }
            let rec = ctx.line_round(rec);
            if rec > Decimal::ZERO {
                st.draw_balance = st.draw_balance.sub_c(rec, "a draw balance")?;
                let why = if why.is_empty() { String::new() } else { format!(" ({})", why.join(", ")) };
                out.push(adj(
                    "drawRecovery",
                    None,
                    None,
                    None,
                    -rec,
                    format!(
                        "recovery of the draw balance from earnings above {floor}: {rec}{why}; balance now {}",
                        st.draw_balance
                    ),
                ));
            }
        }
    }
    Ok(out)
}
