//! WebAssembly bindings of `cvdscreen`: plain JS objects in and out, keyed by
//! exchange-format column names (spec/csv-schema.md). The bindings only translate
//! types and errors; every rule lives in the core.
//!
//! Layout mirrors the core: [`screen`] (`checkRecord`, `assess`), [`meta`]
//! (`fieldRules`, `rules`), [`cell`] (JS value → cell text), [`errors`] and [`dts`]
//! (the TypeScript declarations). The model and batch functions will get a
//! `models.rs` of their own, mirroring `cvdscreen::models`, when the core has them.
//! Only [`js`] and the exported functions below touch JS types; the rest is plain
//! Rust, tested natively by `cargo test`.
#![deny(missing_docs)]

pub mod cell;
pub mod dts;
pub mod errors;
pub mod js;
pub mod meta;
pub mod screen;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = include_str!("../types/cvdscreen.d.ts");

/// `checkRecord(record, {lang, profile})` → `{qc_status, findings}`.
#[wasm_bindgen(js_name = checkRecord, skip_typescript)]
pub fn check_record(record: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let opts = js::options(&options)?;
    let pairs = js::record_pairs(&record)?;
    js::to_js(&screen::check(&pairs, &opts))
}

/// `assess(record, {lang, profile})` → output columns plus details.
#[wasm_bindgen(skip_typescript)]
pub fn assess(record: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let opts = js::options(&options)?;
    let pairs = js::record_pairs(&record)?;
    js::to_js(&screen::assess(&pairs, &opts))
}

/// `fieldRules({lang})` → one entry per input column.
#[wasm_bindgen(js_name = fieldRules, skip_typescript)]
pub fn field_rules(options: JsValue) -> Result<JsValue, JsValue> {
    let lang = js::lang_only(&options)?;
    js::to_js(&meta::fields(lang))
}

/// `rules()` → the rule registry.
#[wasm_bindgen(skip_typescript)]
pub fn rules() -> Result<JsValue, JsValue> {
    js::to_js(&meta::rules())
}

/// `inputColumns()` → input column names in exchange-format order.
#[wasm_bindgen(js_name = inputColumns, skip_typescript)]
pub fn input_columns() -> Vec<String> {
    cvdscreen::exchange::Col::ALL
        .iter()
        .map(|c| c.name().to_string())
        .collect()
}

/// `outputColumns()` → output column names in order.
#[wasm_bindgen(js_name = outputColumns, skip_typescript)]
pub fn output_columns() -> Vec<String> {
    cvdscreen::output::OUTPUT_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .collect()
}

/// `isCvdscreenError(e)`.
#[wasm_bindgen(js_name = isCvdscreenError, skip_typescript)]
pub fn is_cvdscreen_error(error: JsValue) -> bool {
    js::is_error(&error)
}

/// `version()` → the package version.
#[wasm_bindgen(skip_typescript)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
