//! The typed reader against the tree reader: whenever the typed reader reads a document, the tree
//! reader reads the very same inputs or transactions from it (equal, and equal in every decimal's
//! scale: their `Debug` forms are compared too), so that the public readers, which fall back to the
//! tree for anything else, read and refuse every document as before. Over the golden vectors'
//! inputs, the fuzz corpus and mutations of it, generated documents, and a proptest of odd
//! transaction objects under odd limits.

use super::*;
use crate::json::{inputs_from_text, inputs_from_tree, transactions_from_text, transactions_from_tree};
use crate::sample::{generate, GeneratorConfig};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use std::path::Path;

/// What reading `text` gave: whether the tree reader read it, and whether the typed reader did,
/// as inputs and as a transactions document.
#[derive(Debug, Default, Clone, Copy)]
struct Took {
    inputs: (bool, bool),
    transactions: (bool, bool),
}

impl Took {
    /// Whether the typed reader read all that the tree reader read.
    fn complete(&self) -> bool {
        self.inputs.1 == self.inputs.0 && self.transactions.1 == self.transactions.0
    }
}

/// Reads `text` both ways as inputs and as a transactions document; panics on any difference.
fn check(text: &str, limits: &Limits) -> Took {
    let tree = inputs_from_tree(text, limits);
    let typed = inputs(text, limits);
    if let Some(typed) = &typed {
        match &tree {
            Ok(tree) => {
                assert_eq!(typed, tree, "inputs differ: {text}");
                assert_eq!(format!("{typed:?}"), format!("{tree:?}"), "inputs differ: {text}");
            }
            Err(e) => panic!("the typed reader read inputs that the tree reader refuses ({e}): {text}"),
        }
    }
    // the public reader: the tree reader's inputs or error
    if text.len() <= limits.max_inputs_bytes {
        assert_eq!(inputs_from_text(text, limits), tree, "{text}");
    }
    let inputs_read = (tree.is_ok(), typed.is_some());

    let tree = transactions_from_tree(text, limits);
    let typed_txns = transactions_doc(text, limits);
    if let Some(typed) = &typed_txns {
        match &tree {
            Ok(tree) => {
                assert_eq!(typed, tree, "transactions differ: {text}");
                assert_eq!(format!("{typed:?}"), format!("{tree:?}"), "transactions differ: {text}");
            }
            Err(e) => panic!("the typed reader read transactions that the tree reader refuses ({e}): {text}"),
        }
    }
    if text.len() <= limits.max_inputs_bytes && tree.as_ref().map_or(true, |t| t.len() <= limits.max_transactions) {
        assert_eq!(transactions_from_text(text, limits), tree, "{text}");
    }
    Took { inputs: inputs_read, transactions: (tree.is_ok(), typed_txns.is_some()) }
}

/// Like [`check`], for a document written in the usual way: the typed reader must read all that the
/// tree reader reads, as inputs and as a transactions document (and the tree reader must read it).
fn check_usual(text: &str, limits: &Limits) {
    let took = check(text, limits);
    assert!(took.inputs.0 || took.transactions.0, "the tree reader refuses: {text}");
    assert!(took.complete(), "the typed reader did not read a usual document ({took:?}): {text}");
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Files of a directory, sorted (none when it does not exist).
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| (e.path().display().to_string(), std::fs::read(e.path()).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn golden_vectors_inputs() {
    let mut n = 0;
    for (name, bytes) in files(&root().join("tests/vectors")) {
        if !name.ends_with(".json") {
            continue;
        }
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let Some(inputs) = v.get("inputs") else { continue };
        let limits = Limits::default();
        let mut texts = vec![inputs.to_string(), serde_json::to_string_pretty(inputs).unwrap()];
        if let Some(txns) = inputs.get("transactions") {
            // the transactions alone, as an array
            texts.extend([txns.to_string(), serde_json::to_string_pretty(txns).unwrap()]);
        }
        for text in texts {
            check_usual(&text, &limits);
            n += 1;
        }
    }
    assert!(n > 100, "{n} documents");
}

/// Generated inputs: the benchmark's data (splits, cancellations), with options, attributes,
/// currencies, quantities and every date, compact and pretty.
#[test]
fn generated_documents() {
    for (i, cfg) in [
        GeneratorConfig { count: 300, ..GeneratorConfig::default() },
        GeneratorConfig { count: 200, split_every: 2, cancel_every: 3, seed: 7, ..GeneratorConfig::default() },
    ]
    .into_iter()
    .enumerate()
    {
        let mut txns = generate(&cfg);
        for (k, t) in txns.iter_mut().enumerate() {
            if k % 3 == i {
                t.currency = Some("EUR".into());
                t.quantity = Some(rust_decimal::Decimal::new(k as i64 * 7 - 300, (k % 4) as u32));
                t.booking_date = t.close_date;
                t.invoice_date = t.close_date;
                t.payment_date = t.close_date;
                t.refund_amount = Some(rust_decimal::Decimal::new(-(k as i64), 2));
                t.region = Some(format!("région \"{k}\" ✓ \u{1F600}\t/\\"));
                t.attributes.insert("segment".into(), format!("s{}", k % 5));
                t.attributes.insert("é\n".into(), String::new());
            }
        }
        let mut inputs = Inputs { transactions: txns, ..Inputs::default() };
        inputs.options.detail = crate::inputs::Detail::Summary;
        inputs.events.push(crate::inputs::Event { id: "e".into(), date: chrono::NaiveDate::default() });
        let limits = Limits::default();
        for text in [serde_json::to_string(&inputs).unwrap(), serde_json::to_string_pretty(&inputs).unwrap()] {
            check_usual(&text, &limits);
            assert_eq!(inputs_from_text(&text, &limits).unwrap(), inputs);
        }
        for text in [
            serde_json::to_string(&inputs.transactions).unwrap(),
            serde_json::to_string_pretty(&inputs.transactions).unwrap(),
        ] {
            check(&text, &limits);
            assert_eq!(transactions_doc(&text, &limits).as_ref(), Some(&inputs.transactions));
        }
    }
}

#[path = "../../../tests/common/mutate.rs"]
mod mutate;
use mutate::Rng;

const TOKENS: &[&str] = &[
    "null",
    "\"\"",
    "[]",
    "{}",
    "-1",
    "\"-1\"",
    "1e999",
    "\"NaN\"",
    "\"79228162514264337593543950336\"",
    "\"0.0000000000000000000000000001\"",
    "\"9999-12-31\"",
    "\"0000-00-00\"",
    "[[[[[[[[",
    "\"\\ud800\"",
    "\"\\u0041\"",
    ",",
    ":",
    "\"",
    "\"id\": \"X\", ",
    "\"amount\": \"1\", ",
    "\"owner\": null, ",
    " \n\t",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    mutate::mutate(rng, seed, TOKENS, 3)
}

/// The fuzz corpus (every target's seeds and any regressions) and mutations of the inputs seeds,
/// under the default limits and small ones.
#[test]
fn fuzz_corpus_and_mutations() {
    let fuzz = root().join("fuzz");
    let mut docs: Vec<Vec<u8>> = Vec::new();
    for dir in ["seeds", "regressions"] {
        for entry in std::fs::read_dir(fuzz.join(dir)).into_iter().flatten().flatten() {
            docs.extend(files(&entry.path()).into_iter().map(|(_, d)| d));
        }
    }
    assert!(docs.len() > 100, "{} fuzz inputs", docs.len());
    let seeds: Vec<Vec<u8>> = files(&fuzz.join("seeds/inputs")).into_iter().map(|(_, d)| d).collect();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for i in 0..3000 {
        docs.push(mutate(&mut rng, &seeds[i % seeds.len()]));
    }
    let small = Limits { max_depth: 3, max_string_bytes: 6, ..Limits::default() };
    let (mut read, mut complete) = (0, 0);
    for d in &docs {
        let text = String::from_utf8_lossy(d);
        for limits in [Limits::default(), small] {
            let took = check(&text, &limits);
            if took.inputs.0 || took.transactions.0 {
                read += 1;
                complete += usize::from(took.complete());
                if !took.complete() && std::env::var_os("SHOW").is_some() {
                    eprintln!("INCOMPLETE {took:?} {text}");
                }
            }
        }
    }
    // the typed reader is exercised, not only skipped: it reads all that the tree reads
    // (but for a repeated key whose first value it cannot read)
    assert!(read > 100 && complete * 100 >= read * 95, "the typed reader read {complete} of the {read} read");
}

// ---- a proptest of odd transaction objects ----

/// Whitespace between tokens.
const WS: &[&str] = &["", "", "", " ", "\n  ", "\t", "\r\n"];

/// Strings: plain, escaped, Unicode (valid where a string is expected).
const STRINGS: &[&str] = &[
    "\"ae-ana\"",
    "\"rep\"",
    "\"\"",
    "\"O\\\"Brien\"",
    "\"back\\\\slash\"",
    "\"\\u00e9t\\u00E9\"",
    "\"\\ud83d\\ude00\"",
    "\"été ✓ 😀\"",
    "\"a\\/b\\n\\t\\r\\b\\f\"",
    "\"longer than eight bytes, and more\"",
];
const DECIMALS: &[&str] = &[
    "\"12000.00\"",
    "\"0\"",
    "\"-1200\"",
    "\"0.5\"",
    "\"1.50\"",
    "\"999999999999999999\"",
    "\"9999999999999999999.5\"",
    "\"-0\"",
    "\".5\"",
    "\"+1\"",
    "\"1.\"",
    "\"0.0000000000000000000000000001\"",
    "\"\\u0031\\u0032\"",
];
const BAD_DECIMALS: &[&str] = &[
    "\"1e3\"",
    "\"1,5\"",
    "\"79228162514264337593543950336\"",
    "\"0.00000000000000000000000000001\"",
    "\" 1\"",
    "\"-\"",
    "\"abc\"",
    "12",
];
const DATES: &[&str] = &[
    "\"2025-01-15\"",
    "\"2024-02-29\"",
    "\"2025-1-5\"",
    "\" 2025-01-01\"",
    "\"+262142-06-01\"",
    "\"0000-01-01\"",
    "\"9999-12-31\"",
    "\"2025-\\u0030\\u0031-01\"",
];
const BAD_DATES: &[&str] =
    &["\"2025-02-30\"", "\"2025-13-01\"", "\"2025-01-01 x\"", "\"20250101\"", "\"\"", "20250101"];
/// Values of other types or malformed JSON.
const ODD: &[&str] = &[
    "null",
    "true",
    "1",
    "-1.5",
    "1e400",
    "0.1e-999",
    "[]",
    "{}",
    "[1,]",
    "{\"a\":1}",
    "[[[[[[]]]]]]",
    "nul",
    "\"unterminated",
    "\"ctl\u{1}\"",
    "\"\\x\"",
    "\"\\ud800\"",
];
const KEYS: &[&str] = &[
    "id",
    "owner",
    "amount",
    "currency",
    "quantity",
    "closeDate",
    "bookingDate",
    "invoiceDate",
    "paymentDate",
    "cancellationDate",
    "refundAmount",
    "product",
    "type",
    "region",
    "splits",
    "attributes",
];
const ODD_KEYS: &[&str] =
    &["\"cancelDate\"", "\"ID\"", "\"\"", "\"id \"", "\"\\u0069d\"", "\"amou\\u006et\"", "\"é\"", "1"];

/// A rendered value for `key`: mostly a valid one, sometimes not.
fn value(key: usize, pick: u8, n: usize) -> String {
    let of = |list: &[&str]| list[n % list.len()].to_string();
    let kind = match key {
        0 | 1 | 3 | 11 | 12 | 13 => 's',
        2 | 4 | 10 => 'd',
        14 => 'p',
        15 => 'a',
        _ => 't',
    };
    match pick {
        0..=199 => match kind {
            's' => of(STRINGS),
            'd' => of(DECIMALS),
            't' => of(DATES),
            'p' => {
                let split = |p: &str, c: &str| format!("{{\"payee\": {p}, \"percent\": {c}}}");
                match n % 5 {
                    0 => "[]".into(),
                    1 => format!("[{}]", split(&of(STRINGS), &of(DECIMALS))),
                    2 => format!("[{}, {}]", split("\"a\"", "\"50\""), split("\"b\"", "\"50\"")),
                    3 => "[{\"percent\": \"1\", \"payee\": \"x\", \"payee\": \"y\"}]".into(),
                    _ => "[ { \"payee\" : \"a\" , \"percent\" : \"100\" } ]".into(),
                }
            }
            _ => match n % 4 {
                0 => "{}".into(),
                1 => format!("{{\"segment\": {}, \"k\": \"v\"}}", of(STRINGS)),
                2 => "{\"k\": \"1\", \"k\": \"2\"}".into(),
                _ => "{\"\\u006b\": \"é\"}".into(),
            },
        },
        200..=209 if matches!(kind, 's' | 't' | 'd') && key != 0 && key != 2 => "null".into(),
        200..=219 => match kind {
            'd' => of(BAD_DECIMALS),
            't' => of(BAD_DATES),
            'p' => ["null", "{}", "[{\"payee\": \"a\"}]", "[{\"payee\": \"a\", \"percent\": \"1\", \"x\": 1}]", "[[]]"]
                [n % 5]
                .into(),
            'a' => ["null", "[]", "{\"k\": 1}", "{\"k\": null}"][n % 4].into(),
            _ => of(BAD_DECIMALS),
        },
        220..=234 => of(ODD),
        // a long string (over small limits)
        235..=244 => format!("\"{}\"", "x".repeat(n % 300)),
        _ => of(STRINGS),
    }
}

/// One transaction object: `fields` are (key index or odd key, value pick, variant), rendered with
/// whitespace `ws`; `id` and `amount` come first unless `drop` says otherwise.
fn transaction_text(fields: &[(u8, u8, usize)], drop: u8, ws: &[usize]) -> String {
    let mut w = ws.iter().cycle().map(|&i| WS[i % WS.len()]);
    let mut entries: Vec<(String, String)> = Vec::new();
    if drop != 1 {
        entries.push(("\"id\"".into(), value(0, 0, fields.len())));
    }
    if drop != 2 {
        entries.push(("\"amount\"".into(), value(2, 0, fields.len() + 1)));
    }
    for &(k, pick, n) in fields {
        let k = usize::from(k);
        if k < KEYS.len() {
            entries.push((format!("\"{}\"", KEYS[k]), value(k, pick, n)));
        } else {
            entries.push((ODD_KEYS[k % ODD_KEYS.len()].to_string(), value(k % KEYS.len(), pick, n)));
        }
    }
    let mut s = String::from("{");
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(w.next().unwrap_or(""));
        s.push_str(k);
        s.push_str(w.next().unwrap_or(""));
        s.push(':');
        s.push_str(w.next().unwrap_or(""));
        s.push_str(v);
        s.push_str(w.next().unwrap_or(""));
    }
    if drop == 3 {
        // a trailing comma
        s.push(',');
    }
    s.push('}');
    s
}

fn field() -> impl Strategy<Value = (u8, u8, usize)> {
    // keys: mostly known ones (16), sometimes odd ones
    (prop_oneof![15 => 0u8..16, 1 => 16u8..24], any::<u8>(), 0usize..1000)
}

fn txn() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(field(), 0..8),
        prop_oneof![8 => Just(0u8), 1 => 1u8..4],
        prop::collection::vec(0usize..7, 1..6),
    )
        .prop_map(|(fields, drop, ws)| transaction_text(&fields, drop, &ws))
}

fn limits() -> impl Strategy<Value = Limits> {
    prop_oneof![
        4 => Just(Limits::default()),
        1 => (0u32..7, prop_oneof![Just(0usize), Just(4), Just(12), Just(40), Just(65_536)]).prop_map(|(d, s)| Limits {
            max_depth: d,
            max_string_bytes: s,
            ..Limits::default()
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// Inputs documents of odd transactions, with other keys, a repeated `transactions` key, odd
    /// roots, trailing bytes and truncation.
    #[test]
    fn odd_transactions(
        txns in prop::collection::vec(txn(), 0..5),
        shape in 0u8..12,
        cut in any::<prop::sample::Index>(),
        limits in limits(),
    ) {
        let list = format!("[{}]", txns.join(", "));
        let text = match shape {
            0 => format!("{{\"transactions\": {list}}}"),
            1 => format!(" {{ \"options\" : {{ \"detail\" : \"summary\" }} , \"transactions\" :\n{list} }} \n"),
            2 => format!("{{\"transactions\": [], \"transactions\": {list}}}"),
            3 => format!("{{\"transactions\": {list}, \"transactions\": [{{\"id\": 1}}]}}"),
            4 => format!("{{\"transactions\": {list}, \"scores\": [], \"events\": [{{\"id\": \"e\", \"date\": \"2025-01-01\"}}]}}"),
            5 => format!("{{\"transactions\": {list}, \"foo\": 1}}"),
            6 => list.clone(),
            7 => format!("{{\"transactions\": {list}}} x"),
            8 => format!("{{\"t\\u0072ansactions\": {list}, \"options\": {{\"strict\": true}}}}"),
            9 => format!("{{\"transactions\": {list}, \"options\": {{\"strict\": 1}}}}"),
            10 => format!("{{\"transactions\": {list}}}").chars().take(cut.index(list.len() + 20)).collect(),
            _ => format!("{{\"transactions\": [{list}]}}"),
        };
        check(&text, &limits);
    }

    /// Transactions documents: an array of odd transactions.
    #[test]
    fn odd_transactions_arrays(txns in prop::collection::vec(txn(), 0..4), limits in limits()) {
        check(&format!("[{}]", txns.join(",")), &limits);
    }
}

/// The proptest's transactions are often usual ones: the typed reader is exercised, not only
/// skipped.
#[test]
fn generated_transactions_are_often_read() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = prop::collection::vec(txn(), 1..4);
    let (mut read, mut complete, n) = (0, 0, 2000);
    for _ in 0..n {
        let txns = strategy.new_tree(&mut runner).unwrap().current();
        let took = check(&format!("{{\"transactions\": [{}]}}", txns.join(", ")), &Limits::default());
        if took.inputs.0 {
            read += 1;
            complete += usize::from(took.complete());
            if !took.complete() && std::env::var_os("SHOW").is_some() {
                eprintln!("INCOMPLETE {took:?} {}", txns.join(", "));
            }
        }
    }
    // (the typed reader gives up on a repeated key whose first value it cannot read)
    assert!(
        read > n / 5 && read < n && complete * 100 >= read * 85,
        "the typed reader read {complete} of the {read} read"
    );
}
