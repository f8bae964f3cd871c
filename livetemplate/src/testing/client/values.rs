//! JSON values as the JavaScript client reads them: slot keys, statics arrays, numbers as
//! `String(n)` writes them, and the shapes of list operations (for messages).

use crate::wire::keys as k;
use serde_json::{Map, Number, Value};

/// The list operations of the long form, for messages (both models read them).
pub(super) const OP_SHAPES: &str = "an operation: [\"r\",key], [\"u\",key,changes], [\"i\",after,item], [\"a\",items,statics?,meta?], [\"p\",items,statics?] or [\"o\",keys]";

/// A slot key in canonical form (`"0"`, `"12"`; not `"01"`) as a number.
pub(super) fn slot_index(key: &str) -> Option<usize> {
    let canonical = !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_digit())
        && (key == "0" || !key.starts_with('0'));
    if canonical { key.parse().ok() } else { None }
}

/// The strings of a statics array; `None` when it is not a non-empty array of strings.
pub(super) fn statics_parts(value: &Value) -> Option<Vec<String>> {
    let Value::Array(parts) = value else {
        return None;
    };
    if parts.is_empty() {
        return None;
    }
    parts
        .iter()
        .map(|part| part.as_str().map(str::to_owned))
        .collect()
}

/// A JSON number as JavaScript's `String(n)` writes it.
pub(super) fn number_text(number: &Number) -> String {
    const SAFE: u64 = 1 << 53;
    if let Some(n) = number.as_i64()
        && n.unsigned_abs() <= SAFE
    {
        return n.to_string();
    }
    if let Some(n) = number.as_u64()
        && n <= SAFE
    {
        return n.to_string();
    }
    match number.as_f64() {
        Some(n) => js_number(n),
        None => number.to_string(),
    }
}

/// A float as JavaScript's `String(n)` writes it (shortest round trip, `e+` exponents).
fn js_number(n: f64) -> String {
    if n == 0.0 {
        return "0".to_owned();
    }
    if !n.is_finite() {
        let text = if n.is_nan() {
            "NaN"
        } else if n > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        };
        return text.to_owned();
    }
    if (1e-6..1e21).contains(&n.abs()) {
        return format!("{n}");
    }
    let text = format!("{n:e}");
    match text.split_once('e') {
        Some((mantissa, exponent)) if !exponent.starts_with('-') => {
            format!("{mantissa}e+{exponent}")
        }
        _ => text,
    }
}

/// Whether an object carries statics (`"s"` or `"f"`): a whole node or list.
pub(super) fn has_statics(object: &Map<String, Value>) -> bool {
    object.contains_key(k::STATICS) || object.contains_key(k::FINGERPRINT)
}
