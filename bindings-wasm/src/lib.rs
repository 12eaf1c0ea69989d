//! WebAssembly bindings of `cvdscreen`: plain JS objects in and out, keyed by
//! exchange-format column names (spec/csv-schema.md). The bindings only translate
//! types and errors; every rule lives in the core.
//!
//! Layout mirrors the core: [`screen`] (`checkRecord`, `assess`), [`meta`]
//! (`fieldRules`, `rules`), [`cell`] (JS value → cell text), [`errors`] and [`dts`]
//! (the TypeScript declarations), [`models`] (the risk models for one record and
//! over `Float64Array` columns, mirroring `cvdscreen::models`).
//! Only [`js`] and the exported functions below touch JS types; the rest is plain
//! Rust, tested natively by `cargo test`.
#![deny(missing_docs)]

pub mod cell;
pub mod dts;
pub mod errors;
pub mod js;
pub mod meta;
pub mod models;
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

/// One record through a model: parse, build the input, evaluate, serialise.
fn one<T: serde::Serialize>(
    record: &JsValue,
    options: &JsValue,
    f: impl FnOnce(
        &cvdscreen::record::ScreeningRecord,
        &models::ModelOptions,
    ) -> Result<T, cvdscreen::models::ModelError>,
) -> Result<JsValue, JsValue> {
    let (rec, opts) = prepare(record, options)?;
    match f(&rec, &opts) {
        Ok(out) => js::to_js(&out),
        Err(e) => Err(model_error(&e)),
    }
}

#[inline(never)]
fn prepare(
    record: &JsValue,
    options: &JsValue,
) -> Result<(cvdscreen::record::ScreeningRecord, models::ModelOptions), JsValue> {
    let opts = js::model_options(options)?;
    Ok((js::model_record(record)?, opts))
}

#[inline(never)]
fn model_error(e: &cvdscreen::models::ModelError) -> JsValue {
    js::failure_error(&models::failure(e))
}

/// `chinaPar10y(input, {range_policy})` → China-PAR 10-year ASCVD risk.
#[wasm_bindgen(js_name = chinaPar10y, skip_typescript)]
pub fn china_par_10y(input: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    one(&input, &options, models::china_par)
}

/// `who2019Lab(input, {region, range_policy})` → WHO 2019 laboratory model.
#[wasm_bindgen(js_name = who2019Lab, skip_typescript)]
pub fn who2019_lab(input: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    one(&input, &options, models::who_lab)
}

/// `who2019NonLab(input, {region, range_policy})` → WHO 2019 non-laboratory model.
#[wasm_bindgen(js_name = who2019NonLab, skip_typescript)]
pub fn who2019_nonlab(input: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    one(&input, &options, models::who_nonlab)
}

/// `pce10y(input, {range_policy})` → Pooled Cohort Equations.
#[wasm_bindgen(js_name = pce10y, skip_typescript)]
pub fn pce_10y(input: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    one(&input, &options, models::pce)
}

/// `prevent10y(input, {range_policy})` → PREVENT base model, 10 years.
#[wasm_bindgen(js_name = prevent10y, skip_typescript)]
pub fn prevent_10y(input: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    one(&input, &options, |r, o| {
        models::prevent(r, cvdscreen::models::prevent2023::Horizon::Years10, o)
    })
}

/// `framinghamCvd10y(input, {range_policy})` → Framingham 2008 general CVD.
#[wasm_bindgen(js_name = framinghamCvd10y, skip_typescript)]
pub fn framingham_cvd_10y(input: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    one(&input, &options, models::framingham)
}

/// Shared body of the batch functions: options, columns (one copy of each JS typed
/// array into the module's memory), the core's batch function, one copy out.
fn batch(columns: &JsValue, options: &JsValue, m: models::BatchModel) -> Result<JsValue, JsValue> {
    let opts = js::model_options(options)?;
    let cols = js::columns(columns, m)?;
    let out = models::run_batch(m, &cols, &opts).map_err(|f| js::failure_error(&f))?;
    Ok(js::batch_result(&out))
}

/// `chinaPar10yBatch(columns, {range_policy})` → `{values, status, ok, flagged, failed}`.
#[wasm_bindgen(js_name = chinaPar10yBatch, skip_typescript)]
pub fn china_par_10y_batch(columns: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    batch(&columns, &options, models::BatchModel::ChinaPar)
}

/// `pce10yBatch(columns, {range_policy})`.
#[wasm_bindgen(js_name = pce10yBatch, skip_typescript)]
pub fn pce_10y_batch(columns: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    batch(&columns, &options, models::BatchModel::Pce)
}

/// `prevent10yBatch(columns, {range_policy})`: 10-year total CVD.
#[wasm_bindgen(js_name = prevent10yBatch, skip_typescript)]
pub fn prevent_10y_batch(columns: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    batch(&columns, &options, models::BatchModel::Prevent10)
}

/// `who2019LabBatch(columns, {region, range_policy})`.
#[wasm_bindgen(js_name = who2019LabBatch, skip_typescript)]
pub fn who2019_lab_batch(columns: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    batch(&columns, &options, models::BatchModel::WhoLab)
}

/// `who2019NonLabBatch(columns, {region, range_policy})`.
#[wasm_bindgen(js_name = who2019NonLabBatch, skip_typescript)]
pub fn who2019_nonlab_batch(columns: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    batch(&columns, &options, models::BatchModel::WhoNonLab)
}

/// `framinghamCvd10yBatch(columns, {range_policy})`.
#[wasm_bindgen(js_name = framinghamCvd10yBatch, skip_typescript)]
pub fn framingham_cvd_10y_batch(columns: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    batch(&columns, &options, models::BatchModel::Framingham)
}

/// `modelInfo()` → id, name, version, citation and input ranges of every model.
#[wasm_bindgen(js_name = modelInfo, skip_typescript)]
pub fn model_info() -> Result<JsValue, JsValue> {
    js::to_js(cvdscreen::models::meta::all_models())
}
