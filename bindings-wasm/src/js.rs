//! Conversions between JS values and the plain-Rust API. Nothing here may trap on any
//! JS input: every fallible step returns a `CvdscreenError` instead.

use crate::cell::Cell;
use crate::errors::InputError;
use crate::models::{self, BatchModel, BatchOut, Columns, Failure, ModelOptions};
use crate::screen::{known_column, parse_lang, profile_by_name, Options};
use cvdscreen::finding::Lang;
use cvdscreen::models::ModelError;
use cvdscreen::profile::Profile;
use cvdscreen::record::ScreeningRecord;
use cvdscreen::units::ConcUnit;
use js_sys::{Array, Error, Float64Array, Object, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

/// The `name` of every error the module throws.
pub const ERROR_NAME: &str = "CvdscreenError";

/// Builds the thrown JS error: an `Error` named `CvdscreenError` with `field`, `value`
/// and `ruleId`.
pub fn js_error(e: &InputError, value: &JsValue) -> JsValue {
    let err = Error::new(&e.message);
    err.set_name(ERROR_NAME);
    let obj: &JsValue = err.as_ref();
    let field = e.field.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    let rule = e.rule_id.map_or(JsValue::NULL, JsValue::from_str);
    // Setting a property on a fresh Error cannot fail; the results are ignored
    // rather than unwrapped so that nothing here can abort.
    let _ = Reflect::set(obj, &JsValue::from_str("field"), &field);
    let _ = Reflect::set(obj, &JsValue::from_str("value"), value);
    let _ = Reflect::set(obj, &JsValue::from_str("ruleId"), &rule);
    err.into()
}

/// True for an error thrown by this module.
pub fn is_error(v: &JsValue) -> bool {
    v.is_instance_of::<Error>()
        && Reflect::get(v, &JsValue::from_str("name"))
            .ok()
            .and_then(|n| n.as_string())
            .is_some_and(|n| n == ERROR_NAME)
}

/// A description of a JS value's type for messages (`an object`, `an array`, …).
fn type_phrase(v: &JsValue) -> &'static str {
    if Array::is_array(v) {
        "an array"
    } else if v.is_function() {
        "a function"
    } else if v.is_symbol() {
        "a symbol"
    } else if v.is_null() {
        "null"
    } else if v.is_undefined() {
        "undefined"
    } else if v.is_string() {
        "a string"
    } else if v.as_f64().is_some() {
        "a number"
    } else if v.as_bool().is_some() {
        "a boolean"
    } else {
        "an object"
    }
}

fn is_plain_object(v: &JsValue) -> bool {
    v.is_object() && !Array::is_array(v) && !v.is_function()
}

/// One record value → cell.
fn cell(field: &str, v: &JsValue) -> Result<Cell, JsValue> {
    if v.is_null() || v.is_undefined() {
        Ok(Cell::Empty)
    } else if let Some(n) = v.as_f64() {
        Ok(Cell::Number(n))
    } else if let Some(s) = v.as_string() {
        Ok(Cell::Text(s))
    } else if let Some(b) = v.as_bool() {
        Ok(Cell::Bool(b))
    } else if v.is_bigint() {
        // A BigInt is an integer: its decimal text is exact.
        match js_sys::BigInt::unchecked_from_js_ref(v).to_string(10) {
            Ok(s) => Ok(Cell::Text(String::from(s))),
            Err(_) => Err(js_error(&InputError::value_type(field, "a bigint"), v)),
        }
    } else {
        Err(js_error(&InputError::value_type(field, type_phrase(v)), v))
    }
}

/// A JS record → `(column, cell text)` pairs for the core. Keys that are not input
/// columns are ignored (as unknown CSV columns are); symbol keys too.
pub fn record_pairs(record: &JsValue) -> Result<Vec<(&'static str, String)>, JsValue> {
    if !is_plain_object(record) {
        let e = InputError::argument(
            "record",
            type_phrase(record),
            "an object keyed by exchange-format column names",
        );
        return Err(js_error(&e, record));
    }
    let keys = Reflect::own_keys(record)?;
    let mut pairs = Vec::new();
    for key in keys.iter() {
        let Some(name) = key.as_string() else {
            continue;
        };
        let Some(col) = known_column(&name) else {
            continue;
        };
        let v = Reflect::get(record, &key)?;
        pairs.push((col, cell(col, &v)?.to_text()));
    }
    Ok(pairs)
}

fn option_value(options: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    Reflect::get(options, &JsValue::from_str(name))
}

fn lang_option(options: &JsValue) -> Result<Lang, JsValue> {
    let v = option_value(options, "lang")?;
    if v.is_undefined() || v.is_null() {
        return Ok(Lang::default());
    }
    match v.as_string() {
        Some(s) => parse_lang(&s).map_err(|e| js_error(&e, &v)),
        None => {
            let e = InputError::option(
                "lang",
                format!("is {}, expected `en` or `zh`", type_phrase(&v)),
            );
            Err(js_error(&e, &v))
        }
    }
}

fn profile_option(options: &JsValue) -> Result<Profile, JsValue> {
    let v = option_value(options, "profile")?;
    if v.is_undefined() || v.is_null() {
        return Ok(Profile::default());
    }
    if let Some(name) = v.as_string() {
        return profile_by_name(&name).map_err(|e| js_error(&e, &v));
    }
    if is_plain_object(&v) {
        return serde_wasm_bindgen::from_value::<Profile>(v.clone())
            .map_err(|err| js_error(&InputError::option("profile", err), &v));
    }
    let e = InputError::option(
        "profile",
        format!(
            "is {}, expected a profile name or an options object",
            type_phrase(&v)
        ),
    );
    Err(js_error(&e, &v))
}

fn options_object(options: &JsValue) -> Result<Option<&JsValue>, JsValue> {
    if options.is_undefined() || options.is_null() {
        Ok(None)
    } else if is_plain_object(options) {
        Ok(Some(options))
    } else {
        let e = InputError::argument("options", type_phrase(options), "an object");
        Err(js_error(&e, options))
    }
}

/// `{lang}`.
pub fn lang_only(options: &JsValue) -> Result<Lang, JsValue> {
    match options_object(options)? {
        None => Ok(Lang::default()),
        Some(o) => lang_option(o),
    }
}

/// `{lang, profile}`.
pub fn options(options: &JsValue) -> Result<Options, JsValue> {
    match options_object(options)? {
        None => Ok(Options::default()),
        Some(o) => Ok(Options {
            lang: lang_option(o)?,
            profile: profile_option(o)?,
        }),
    }
}

/// Serialises a result as plain JS objects (maps become objects, `None` → `null`).
pub fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(JsValue::from)
}

/// A model failure as the thrown `CvdscreenError` (`value`: the offending number).
pub fn failure_error((e, v): &Failure) -> JsValue {
    js_error(e, &v.map_or(JsValue::NULL, JsValue::from_f64))
}

/// `{range_policy, region}` of the model functions.
pub fn model_options(options: &JsValue) -> Result<ModelOptions, JsValue> {
    let mut o = ModelOptions::default();
    let Some(obj) = options_object(options)? else {
        return Ok(o);
    };
    for (name, is_region) in [("range_policy", false), ("region", true)] {
        let v = option_value(obj, name)?;
        if v.is_undefined() || v.is_null() {
            continue;
        }
        let Some(s) = v.as_string() else {
            let e = InputError::option(name, format!("is {}, expected a string", type_phrase(&v)));
            return Err(js_error(&e, &v));
        };
        let r = if is_region {
            models::parse_region(&s).map(|c| o.calibration = c)
        } else {
            models::parse_policy(&s).map(|p| o.policy = p)
        };
        r.map_err(|e| js_error(&e, &v))?;
    }
    Ok(o)
}

/// A model record → the typed record (model fields only).
pub fn model_record(record: &JsValue) -> Result<ScreeningRecord, JsValue> {
    let pairs = record_pairs(record)?;
    models::parse_record(&pairs).map_err(|e| {
        let v = e.field.as_deref().map_or(JsValue::UNDEFINED, |f| {
            Reflect::get(record, &JsValue::from_str(f)).unwrap_or(JsValue::UNDEFINED)
        });
        js_error(&e, &v)
    })
}

/// The columns object of a batch function for model `m`: numeric columns as
/// `Float64Array`, codes as `Uint8Array` or `Float64Array`, each lipid as
/// `<name>_mmol` or `<name>_mgdl`. Lengths are checked before anything is copied;
/// each column is then copied once into the module's memory (`to_vec`: straight into
/// uninitialised capacity, no zero-fill first).
pub fn columns(cols: &JsValue, m: BatchModel) -> Result<Columns, JsValue> {
    if !is_plain_object(cols) {
        let e = InputError::argument(
            "columns",
            type_phrase(cols),
            "an object of Float64Array / Uint8Array columns",
        );
        return Err(js_error(&e, cols));
    }
    let get = |name: &str| Reflect::get(cols, &JsValue::from_str(name));
    let bad = |name: &str, v: &JsValue, want: &str| {
        let e = InputError::column(name, format!("is {}, expected {want}", type_phrase(v)));
        js_error(&e, v)
    };
    // Resolve every column first (typed, one length), then copy.
    let mut n: Option<u32> = None;
    let mut check_len = |name: &'static str, len: u32| -> Result<(), JsValue> {
        match n {
            Some(first) if first != len => Err(failure_error(&models::failure(
                &ModelError::LengthMismatch {
                    field: name,
                    len: len as usize,
                    expected: first as usize,
                },
            ))),
            _ => {
                n = Some(len);
                Ok(())
            }
        }
    };
    let mut floats = Vec::new();
    for &name in m.float_columns() {
        let v = get(name)?;
        let a = v
            .dyn_ref::<Float64Array>()
            .ok_or_else(|| bad(name, &v, "a Float64Array"))?;
        check_len(name, a.length())?;
        floats.push((name, a.clone()));
    }
    let mut codes = Vec::new();
    for &name in m.code_columns() {
        let v = get(name)?;
        let a = if let Some(a) = v.dyn_ref::<Uint8Array>() {
            check_len(name, a.length())?;
            Ok(a.clone())
        } else if let Some(a) = v.dyn_ref::<Float64Array>() {
            check_len(name, a.length())?;
            Err(a.clone())
        } else {
            return Err(bad(name, &v, "a Uint8Array or Float64Array"));
        };
        codes.push((name, a));
    }
    let mut lipids = Vec::new();
    for &base in m.lipids() {
        let (mmol, mgdl) = if base == "tc" {
            ("tc_mmol", "tc_mgdl")
        } else {
            ("hdl_mmol", "hdl_mgdl")
        };
        let (a, b) = (get(mmol)?, get(mgdl)?);
        let (name, v, unit) = match (a.is_undefined(), b.is_undefined()) {
            (false, true) => (mmol, a, ConcUnit::MmolL),
            (true, false) => (mgdl, b, ConcUnit::MgDl),
            (both_missing, _) => {
                let which = if both_missing { "neither" } else { "both" };
                let e = InputError::column(
                    mmol,
                    format!(
                        "{which} `{mmol}` and `{mgdl}` given; give exactly one (mmol/L or mg/dL)"
                    ),
                );
                return Err(js_error(&e, &JsValue::NULL));
            }
        };
        let arr = v
            .dyn_ref::<Float64Array>()
            .ok_or_else(|| bad(name, &v, "a Float64Array"))?;
        check_len(name, arr.length())?;
        lipids.push((name, arr.clone(), unit));
    }
    let n = n.unwrap_or(0) as usize;
    let fail = |f: Failure| failure_error(&f);
    let mut c = Columns::default();
    for (name, a) in floats {
        models::reserve::<f64>(name, n).map_err(fail)?;
        c.f.push(a.to_vec());
    }
    for (name, a) in codes {
        models::reserve::<u8>(name, n).map_err(fail)?;
        c.u.push(match a {
            Ok(u8s) => u8s.to_vec(),
            Err(f64s) => {
                models::reserve::<f64>(name, n).map_err(fail)?;
                f64s.to_vec().into_iter().map(models::code_of).collect()
            }
        });
    }
    for (name, a, unit) in lipids {
        models::reserve::<f64>(name, n).map_err(fail)?;
        c.lipids.push((a.to_vec(), unit));
    }
    Ok(c)
}

/// `{values: Float64Array, status: Uint8Array, ok, flagged, failed}`.
pub fn batch_result(b: &BatchOut) -> JsValue {
    let o = Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    };
    set("values", &Float64Array::from(&b.values[..]).into());
    set("status", &Uint8Array::from(&b.status[..]).into());
    set("ok", &JsValue::from_f64(b.summary.ok as f64));
    set("flagged", &JsValue::from_f64(b.summary.flagged as f64));
    set("failed", &JsValue::from_f64(b.summary.failed as f64));
    o.into()
}
