//! The WebAssembly binding. It only converts: JSON text in, JSON text out, errors as JSON data.
//! Everything else lives in the core; the JavaScript package (`js/`) wraps this for people.
//!
//! Text crosses the boundary because one `JSON.stringify`/`JSON.parse` pair is faster than
//! converting object graphs field by field, and because the output bytes are then exactly the
//! native crate's (`Evaluation::to_json`), which the golden vectors check.

#[cfg(not(feature = "wasm-ops"))]
use crate::jsonwrite::to_string;
#[cfg(not(feature = "wasm-ops"))]
use crate::CompiledPlan;
use crate::Error;
use wasm_bindgen::prelude::*;

fn js_error(e: &Error) -> JsValue {
    JsValue::from_str(&e.to_json_text())
}

/// Grows the heap once, before a large call, by about what the call will use. The allocator
/// otherwise grows the WebAssembly memory 64 KiB at a time, and each `memory.grow` costs about a
/// millisecond in V8: the first evaluation of 100,000 transactions took 30 times longer than the
/// next ones (measured in js/bench/throughput.mjs). The block is freed at once and stays in the
/// allocator for the call to use. Nothing happens below 1 MiB or when the memory is not available.
#[cfg(not(feature = "wasm-ops"))]
fn reserve(bytes: usize) {
    if bytes < (1 << 20) {
        return;
    }
    let mut block: Vec<u8> = Vec::new();
    if block.try_reserve_exact(bytes).is_ok() {
        // keep the allocation from being optimized away
        std::hint::black_box(&mut block);
    }
}

/// Validates plan JSON: a JSON array of diagnostics (empty when the plan is clean).
#[cfg(not(feature = "wasm-ops"))]
#[wasm_bindgen(js_name = validatePlan)]
pub fn validate_plan(plan_json: &str) -> String {
    to_string(&crate::validate::validate_json(plan_json))
}

/// The crate version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// A compiled plan held inside the WebAssembly instance.
#[cfg(not(feature = "wasm-ops"))]
#[wasm_bindgen]
pub struct WasmPlan {
    inner: CompiledPlan,
}

/// Transactions read into columns inside the WebAssembly instance (`WasmPlan.readColumns`), kept
/// by a `TransactionTable` so that evaluating it again does not read it again.
#[cfg(all(not(feature = "wasm-ops"), feature = "batch-kernel"))]
#[wasm_bindgen]
pub struct WasmColumns {
    inner: crate::columns::TransactionColumns,
}

#[cfg(not(feature = "wasm-ops"))]
#[wasm_bindgen]
impl WasmPlan {
    /// Parses and validates plan JSON; throws the error as JSON text.
    pub fn compile(plan_json: &str) -> Result<WasmPlan, JsValue> {
        CompiledPlan::from_json(plan_json).map(|inner| WasmPlan { inner }).map_err(|e| js_error(&e))
    }

    /// [`WasmPlan::compile`] under limits given as JSON text (`Limits::from_json`).
    #[wasm_bindgen(js_name = compileWithLimits)]
    pub fn compile_with_limits(plan_json: &str, limits_json: &str) -> Result<WasmPlan, JsValue> {
        crate::limits::Limits::from_json(limits_json)
            .and_then(|limits| CompiledPlan::from_json_with_limits(plan_json, limits))
            .map(|inner| WasmPlan { inner })
            .map_err(|e| js_error(&e))
    }

    /// Evaluates inputs JSON for a period; the evaluation as compact JSON.
    pub fn evaluate(&self, inputs_json: &str, period: &str) -> Result<String, JsValue> {
        // an evaluation peaks at about 40 times its input's JSON (36x to 46x measured from 10,000
        // to 30,000 transactions of the benchmark plan, most of it the statements and their JSON)
        // (not for inputs the reader will refuse as too large: the memory would stay reserved)
        if inputs_json.len() <= self.inner.limits().max_inputs_bytes {
            reserve(inputs_json.len().saturating_mul(40));
        }
        self.inner.evaluate_json(inputs_json, period).map_err(|e| js_error(&e))
    }

    /// Reads transactions in the compact form of `TransactionTable` (see
    /// `TransactionColumns::from_wire`: twelve numbers a row in `refs`, the rest in
    /// `columns_json`) with this plan's limits, into columns kept inside the instance for
    /// `evaluateReadColumns`, as often as wanted; `undefined` when the rows are to be sent as a
    /// list instead (then every error is the list reader's). Only with the batch kernel (the Node
    /// modules).
    #[cfg(feature = "batch-kernel")]
    #[wasm_bindgen(js_name = readColumns)]
    pub fn read_columns(&self, refs: &[u32], columns_json: &str) -> Option<WasmColumns> {
        let limits = self.inner.limits();
        // (the columns take about 130 B a row; at most as many rows as the limit allows)
        reserve((refs.len() / crate::columns::WIRE_WIDTH).min(limits.max_transactions).saturating_mul(160));
        crate::columns::TransactionColumns::from_wire(columns_json, refs, limits).map(|inner| WasmColumns { inner })
    }

    /// Evaluates columns read by `readColumns` with the other inputs as JSON: the evaluation as
    /// compact JSON.
    #[cfg(feature = "batch-kernel")]
    #[wasm_bindgen(js_name = evaluateReadColumns)]
    pub fn evaluate_read_columns(
        &self,
        columns: &WasmColumns,
        inputs_json: &str,
        period: &str,
    ) -> Result<String, JsValue> {
        let limits = self.inner.limits();
        // (an estimate of what a row takes during a summary beside its columns: two copies of its
        // two or three 32-byte lines while they are sorted, its sort pair and the rest)
        reserve(columns.inner.len().min(limits.max_transactions).saturating_mul(384));
        let rest = crate::Inputs::from_json_with_limits(inputs_json, limits).map_err(|e| js_error(&e))?;
        self.inner.evaluate_columns(&columns.inner, &rest, period).map(|e| e.to_json()).map_err(|e| js_error(&e))
    }

    /// The period ids, as a JSON array.
    #[wasm_bindgen(js_name = periods)]
    pub fn periods(&self) -> String {
        to_string(self.inner.periods())
    }

    /// The validation warnings, as a JSON array of diagnostics.
    pub fn warnings(&self) -> String {
        to_string(self.inner.warnings())
    }

    /// Opens a live preview session for a payee and period over inputs JSON (only in the preview
    /// module, feature `wasm-preview`, so that the plan-evaluation module stays small).
    #[cfg(feature = "wasm-preview")]
    #[wasm_bindgen(js_name = openSession)]
    pub fn open_session(&self, inputs_json: &str, payee: &str, period: &str) -> Result<WasmSession, JsValue> {
        if inputs_json.len() <= self.inner.limits().max_inputs_bytes {
            reserve(inputs_json.len().saturating_mul(40));
        }
        let inputs = crate::Inputs::from_json(inputs_json).map_err(|e| js_error(&e))?;
        crate::session::Session::open(&self.inner, &inputs, payee, period)
            .map(|inner| WasmSession { inner })
            .map_err(|e| js_error(&e))
    }
}

/// A live preview session held inside the WebAssembly instance (see `crate::session`).
#[cfg(all(feature = "wasm-preview", not(feature = "wasm-ops")))]
#[wasm_bindgen]
pub struct WasmSession {
    inner: crate::session::Session,
}

#[cfg(all(feature = "wasm-preview", not(feature = "wasm-ops")))]
#[wasm_bindgen]
impl WasmSession {
    /// What adding (or replacing) a transaction would do; the preview as JSON.
    pub fn preview(&self, txn_json: &str) -> Result<String, JsValue> {
        self.inner.preview_json(txn_json).map_err(|e| js_error(&e))
    }

    /// What removing a transaction would do; the preview as JSON.
    #[wasm_bindgen(js_name = previewRemove)]
    pub fn preview_remove(&self, id: &str) -> Result<String, JsValue> {
        self.inner.preview_remove(id).map(|p| to_string(&p)).map_err(|e| js_error(&e))
    }

    /// Sets the deal being edited (JSON); `previewAmount` then previews it with new amounts.
    pub fn edit(&mut self, txn_json: &str) -> Result<(), JsValue> {
        let t = crate::json::transaction_from_text(txn_json).map_err(|e| js_error(&e))?;
        self.inner.edit(t).map_err(|e| js_error(&e))
    }

    /// The deal being edited with a new amount (and close date and product when not empty): the
    /// compact text of `Session::preview_amount_text`.
    #[wasm_bindgen(js_name = previewAmount)]
    pub fn preview_amount(&mut self, amount: &str, close_date: &str, product: &str) -> Result<String, JsValue> {
        self.inner.preview_amount_fields(amount, close_date, product).map(str::to_string).map_err(|e| js_error(&e))
    }

    /// The full preview of the deal being edited (pay lines and trace included) as JSON.
    #[wasm_bindgen(js_name = previewEdited)]
    pub fn preview_edited(&self) -> Result<String, JsValue> {
        self.inner.preview_edited().map(|p| to_string(&p)).map_err(|e| js_error(&e))
    }

    /// Adds or replaces a transaction; the change as JSON.
    pub fn upsert(&mut self, txn_json: &str) -> Result<String, JsValue> {
        self.inner.upsert_json(txn_json).map_err(|e| js_error(&e))
    }

    /// Removes a transaction; the change as JSON.
    pub fn remove(&mut self, id: &str) -> Result<String, JsValue> {
        self.inner.remove(id).map(|p| to_string(&p)).map_err(|e| js_error(&e))
    }

    /// The current figures as JSON.
    pub fn summary(&self) -> String {
        to_string(&self.inner.summary())
    }

    /// The payee's full statement as JSON.
    pub fn statement(&self) -> Result<String, JsValue> {
        self.inner.statement().map(|s| to_string(&s)).map_err(|e| js_error(&e))
    }
}

/// Runs a JSON operation (quota planning, metrics, leaderboards, territory balancing; see
/// `crate::ops`): the result as compact JSON, or the error as JSON text. Only in the operations
/// module (feature `wasm-ops`), so that the plan-evaluation module stays small.
#[cfg(feature = "wasm-ops")]
#[wasm_bindgen(js_name = runOperation)]
pub fn run_operation(operation: &str, request_json: &str) -> Result<String, JsValue> {
    crate::ops::run_json(operation, request_json).map_err(|e| js_error(&e))
}
