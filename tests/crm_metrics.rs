//! Sales metrics over the real public CRM export (`../shared/data/crm/`: 8,800 opportunities, 35
//! agents in 3 regional offices). Skipped, with a message, where the folder is absent.
//!
//! For 2017, per agent and per regional office (sales_teams.csv maps agent -> office, used as the
//! team), the won revenue, win rate, average deal size and average sales cycle of
//! `payplan::metrics::compute` are checked against figures computed here from a plain parse of the
//! CSV (no quoted fields), with day counts from a civil-calendar formula rather than chrono. The
//! export's stages `Engaging` and `Prospecting` are open; open rows have no close date or value, and
//! Prospecting rows have no engage date.
//!
//! The totals written as literals were computed independently with Python's decimal module:
//!
//! ```sh
//! python3 -c 'import csv,decimal as D,datetime as T; D.getcontext().prec=40
//! r=list(csv.DictReader(open("sales_pipeline.csv")))
//! w=[x for x in r if x["deal_stage"]=="Won" and "2017"<=x["close_date"]<="2017-12-31"]
//! l=[x for x in r if x["deal_stage"]=="Lost" and "2017"<=x["close_date"]<="2017-12-31"]
//! v=sum(D.Decimal(x["close_value"]) for x in w)
//! d=sorted((T.date.fromisoformat(x["close_date"])-T.date.fromisoformat(x["engage_date"])).days for x in w)
//! print(len(w),len(l),v,D.Decimal(len(w))*100/(len(w)+len(l)),v/len(w),sum(d),D.Decimal(sum(d))/len(w),d[len(d)//2-1:len(d)//2+1])'
//! # 4238 2473 10005534 63.150052153181344061987... 2360.909391222274657857... 219452 51.781972628598395469... [57, 57]
//! ```

mod common;

use payplan::metrics::{compute, leaderboard, Dataset, MetricName, MetricsRequest, Opportunity, Scope, Stage};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::Path;

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (Howard Hinnant's days_from_civil), independent of
/// chrono.
fn civil_days(s: &str) -> i64 {
    let mut it = s.split('-').map(|p| p.parse::<i64>().expect("date part"));
    let (y, m, d) = (it.next().expect("y"), it.next().expect("m"), it.next().expect("d"));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// What the test computes itself for a group of agents.
#[derive(Default, Debug)]
struct Expected {
    won: u64,
    lost: u64,
    revenue: Decimal,
    cycle_days: i64,
}

impl Expected {
    fn win_rate(&self) -> Option<Decimal> {
        let closed = self.won + self.lost;
        (closed > 0).then(|| Decimal::from(self.won) * Decimal::ONE_HUNDRED / Decimal::from(closed))
    }
    fn average_deal(&self) -> Option<Decimal> {
        (self.won > 0).then(|| self.revenue / Decimal::from(self.won))
    }
    fn average_cycle(&self) -> Option<Decimal> {
        (self.won > 0).then(|| Decimal::from(self.cycle_days) / Decimal::from(self.won))
    }
}

fn opt_date(s: &str) -> Option<chrono::NaiveDate> {
    (!s.is_empty()).then(|| s.parse().expect("date"))
}

fn request(dir: &Path) -> (MetricsRequest, Vec<BTreeMap<String, String>>, BTreeMap<String, String>) {
    let pipeline = common::csv_rows(dir.join("sales_pipeline.csv"));
    let teams: BTreeMap<String, String> = common::csv_rows(dir.join("sales_teams.csv"))
        .into_iter()
        .map(|t| (t["sales_agent"].clone(), t["regional_office"].clone()))
        .collect();
    let opportunities = pipeline
        .iter()
        .map(|r| Opportunity {
            id: r["opportunity_id"].clone(),
            owner: r["sales_agent"].clone(),
            amount: (!r["close_value"].is_empty()).then(|| r["close_value"].parse().expect("value")),
            stage: match r["deal_stage"].as_str() {
                "Won" => Stage::Won,
                "Lost" => Stage::Lost,
                "Engaging" | "Prospecting" => Stage::Open,
                other => panic!("unknown stage {other}"),
            },
            created_date: None,
            engaged_date: opt_date(&r["engage_date"]),
            close_date: opt_date(&r["close_date"]),
            probability: None,
            product: Some(r["product"].clone()),
            region: None,
            is_new_customer: false,
        })
        .collect();
    let req = MetricsRequest {
        from: "2017-01-01".parse().expect("d"),
        to: "2017-12-31".parse().expect("d"),
        scope: Scope::All,
        previous_from: None,
        previous_to: None,
        remaining_quota: None,
        data: Dataset { opportunities, teams: teams.clone(), ..Default::default() },
    };
    (req, pipeline, teams)
}

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

#[test]
fn crm_2017_metrics_per_agent_and_office() {
    let Some(dir) = common::crm_dir("the CRM metrics test") else { return };
    let (mut req, pipeline, teams) = request(&dir);
    assert_eq!(req.data.opportunities.len(), 8800);

    // independent figures per agent and per office, from the CSV rows
    let mut by_agent: BTreeMap<String, Expected> = BTreeMap::new();
    let mut by_office: BTreeMap<String, Expected> = BTreeMap::new();
    let mut all = Expected::default();
    for r in pipeline.iter().filter(|r| r["close_date"].starts_with("2017-")) {
        let office = teams[&r["sales_agent"]].clone();
        for e in [by_agent.entry(r["sales_agent"].clone()).or_default(), by_office.entry(office).or_default(), &mut all]
        {
            match r["deal_stage"].as_str() {
                "Won" => {
                    e.won += 1;
                    e.revenue += d(&r["close_value"]);
                    e.cycle_days += civil_days(&r["close_date"]) - civil_days(&r["engage_date"]);
                }
                "Lost" => e.lost += 1,
                _ => unreachable!("only closed rows have a close date"),
            }
        }
    }

    // the whole export, against literals computed with Python (see the module comment)
    let total = compute(&req).expect("compute");
    assert_eq!((total.won_deals, total.lost_deals), (4238, 2473));
    assert_eq!(total.won_revenue, Decimal::from(10_005_534));
    assert_eq!(total.win_rate_closed.value.expect("rate").round_dp(10), d("63.1500521532"));
    assert_eq!(total.average_deal_size.value.expect("avg").round_dp(10), d("2360.9093912223"));
    assert_eq!((total.sales_cycle_days.count, total.sales_cycle_days.total), (4238, Decimal::from(219_452)));
    assert_eq!(total.sales_cycle_days.mean.expect("mean").round_dp(10), d("51.7819726286"));
    assert_eq!(total.sales_cycle_days.median, Some(Decimal::from(57)));
    // and against the figures computed here
    assert_eq!(total.win_rate_closed.value, all.win_rate());
    assert_eq!(total.average_deal_size.value, all.average_deal());
    assert_eq!(total.sales_cycle_days.mean, all.average_cycle());
    // open opportunities: 1,589 Engaging + 500 Prospecting, no values
    assert_eq!(total.exclusions.open_without_amount, 2089);
    assert_eq!(total.open_pipeline, Decimal::ZERO);
    assert_eq!(total.payees.len(), 35);

    // per agent: every agent of sales_teams.csv (5 have no opportunities: all none, no error)
    let mut without = 0;
    for agent in teams.keys() {
        req.scope = Scope::Payee(agent.clone());
        let r = compute(&req).expect("compute agent");
        let e = by_agent.get(agent);
        let zero = Expected::default();
        let e = e.unwrap_or(&zero);
        if e.won + e.lost == 0 {
            without += 1;
        }
        assert_eq!((r.won_deals, r.lost_deals), (e.won, e.lost), "{agent}");
        assert_eq!(r.won_revenue, e.revenue, "{agent}");
        assert_eq!(r.win_rate_closed.value, e.win_rate(), "{agent}");
        assert_eq!(r.average_deal_size.value, e.average_deal(), "{agent}");
        assert_eq!(r.sales_cycle_days.total, Decimal::from(e.cycle_days), "{agent}");
        assert_eq!(r.sales_cycle_days.mean, e.average_cycle(), "{agent}");
    }
    assert_eq!(without, 5);

    // per regional office, as teams
    for (office, e) in &by_office {
        req.scope = Scope::Team(office.clone());
        let r = compute(&req).expect("compute office");
        assert_eq!((r.won_deals, r.lost_deals), (e.won, e.lost), "{office}");
        assert_eq!(r.won_revenue, e.revenue, "{office}");
        assert_eq!(r.win_rate_closed.value, e.win_rate(), "{office}");
        assert_eq!(r.average_deal_size.value, e.average_deal(), "{office}");
        assert_eq!(r.sales_cycle_days.mean, e.average_cycle(), "{office}");
    }
    // office totals, by hand from the Python run: won / lost / revenue
    let lit: Vec<_> = by_office.iter().map(|(o, e)| (o.as_str(), e.won, e.lost, e.revenue)).collect();
    assert_eq!(
        lit,
        [
            ("Central", 1629, 975, Decimal::from(3_346_293)),
            ("East", 1171, 687, Decimal::from(3_090_594)),
            ("West", 1438, 811, Decimal::from(3_568_647)),
        ]
    );

    // leaderboard by won revenue: Darcel Schlecht leads with 1,153,214 (349 won, 204 lost)
    req.scope = Scope::All;
    let board = leaderboard(&req, MetricName::WonRevenue, &[]).expect("leaderboard");
    let top: Vec<_> = board.iter().take(3).map(|r| (r.payee.as_str(), r.rank, r.value)).collect();
    assert_eq!(
        top,
        [
            ("Darcel Schlecht", Some(1), Some(Decimal::from(1_153_214))),
            ("Vicki Laflamme", Some(2), Some(Decimal::from(478_396))),
            ("Kary Hendrixson", Some(3), Some(Decimal::from(454_298))),
        ]
    );
    // the 5 agents without opportunities tie at zero revenue, sharing rank 31
    assert!(board.iter().rev().take(5).all(|r| r.rank == Some(31) && r.value == Some(Decimal::ZERO)));
    // by win rate they are none: unranked, after everyone
    let board = leaderboard(&req, MetricName::WinRateClosed, &[]).expect("leaderboard");
    assert_eq!(board.iter().filter(|r| r.rank.is_none()).count(), 5);
    assert!(board.iter().rev().take(5).all(|r| r.rank.is_none()));
    // by office membership: an office's leaderboard ranks only its agents
    req.scope = Scope::Team("East".into());
    let east = leaderboard(&req, MetricName::AverageDealSize, &[]).expect("leaderboard");
    assert_eq!(east.len(), teams.values().filter(|o| *o == "East").count());
}
