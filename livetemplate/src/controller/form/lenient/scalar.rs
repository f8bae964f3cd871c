//! Scalar conversions: integers, floats and bools from form values, with the messages for misfits.

use std::fmt;

use serde_json::{Number, Value};

use super::{BOOL, NUMBER, REQUIRED, WHOLE};

/// The integer types, with their bounds for messages.
pub(super) trait Int: Copy + Default + fmt::Display + TryFrom<u128> + TryFrom<i128> {
    const MIN: Self;
    const MAX: Self;
}

macro_rules! int {
    ($($t:ty),*) => {
        $(impl Int for $t {
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
        })*
    };
}
int!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize
);

fn too_big<N: Int>() -> String {
    format!("must be at most {}", N::MAX)
}

fn too_small<N: Int>() -> String {
    format!("must be at least {}", N::MIN)
}

pub(super) fn int_from_value<N: Int>(value: &Value) -> Result<N, String> {
    match value {
        Value::Number(n) => int_from_number(n),
        Value::String(s) => int_from_str(s),
        Value::Null => Err(REQUIRED.into()),
        _ => Err(WHOLE.into()),
    }
}

fn int_from_number<N: Int>(n: &Number) -> Result<N, String> {
    if let Some(u) = n.as_u64() {
        N::try_from(u128::from(u)).map_err(|_| too_big::<N>())
    } else if let Some(i) = n.as_i64() {
        N::try_from(i128::from(i)).map_err(|_| too_small::<N>())
    } else {
        n.as_f64().map_or(Err(WHOLE.into()), int_from_float)
    }
}

pub(super) fn int_from_str<N: Int>(s: &str) -> Result<N, String> {
    use std::num::IntErrorKind;
    let text = s.trim();
    if text.is_empty() {
        return Err(NUMBER.into());
    }
    let parsed = if text.starts_with('-') {
        text.parse::<i128>()
            .map(|i| N::try_from(i).map_err(|_| too_small::<N>()))
    } else {
        text.parse::<u128>()
            .map(|u| N::try_from(u).map_err(|_| too_big::<N>()))
    };
    match parsed {
        Ok(result) => result,
        Err(err) => match err.kind() {
            IntErrorKind::PosOverflow => Err(too_big::<N>()),
            IntErrorKind::NegOverflow => Err(too_small::<N>()),
            _ => match text.parse::<f64>() {
                Ok(f) if f.is_finite() => int_from_float(f),
                _ => Err(WHOLE.into()),
            },
        },
    }
}

/// An integer from a float with no fractional part (`3.0`, `1e3`).
fn int_from_float<N: Int>(f: f64) -> Result<N, String> {
    /// 2^127 and 2^128: beyond them, `as` saturates.
    const I128_MIN: f64 = -1.7014118346046923e38;
    const U128_END: f64 = 3.402823669209385e38;
    if !f.is_finite() || f.fract() != 0.0 {
        Err(WHOLE.into())
    } else if f < 0.0 {
        if f < I128_MIN {
            return Err(too_small::<N>());
        }
        N::try_from(f as i128).map_err(|_| too_small::<N>())
    } else {
        if f >= U128_END {
            return Err(too_big::<N>());
        }
        N::try_from(f as u128).map_err(|_| too_big::<N>())
    }
}

pub(super) fn float_from_value(value: &Value) -> Result<f64, &'static str> {
    match value {
        Value::Number(n) => n.as_f64().ok_or(NUMBER),
        Value::String(s) => float_from_str(s),
        Value::Null => Err(REQUIRED),
        _ => Err(NUMBER),
    }
}

pub(super) fn float_from_str(s: &str) -> Result<f64, &'static str> {
    match s.trim().parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(f),
        _ => Err(NUMBER),
    }
}

/// An `f32` from an `f64`, refusing values out of its range.
pub(super) fn narrow(f: f64) -> Result<f32, String> {
    let max = f64::from(f32::MAX);
    if f > max {
        Err(format!("must be at most {}", f32::MAX))
    } else if f < -max {
        Err(format!("must be at least {}", f32::MIN))
    } else {
        Ok(f as f32)
    }
}

pub(super) fn bool_from_value(value: &Value) -> Result<bool, &'static str> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) => match n.as_u64() {
            Some(0) => Ok(false),
            Some(1) => Ok(true),
            _ => Err(BOOL),
        },
        Value::String(s) => bool_from_str(s),
        Value::Null => Err(REQUIRED),
        _ => Err(BOOL),
    }
}

pub(super) fn bool_from_str(s: &str) -> Result<bool, &'static str> {
    const WORDS: [(&str, bool); 8] = [
        ("true", true),
        ("on", true),
        ("yes", true),
        ("1", true),
        ("false", false),
        ("off", false),
        ("no", false),
        ("0", false),
    ];
    let text = s.trim();
    WORDS
        .iter()
        .find(|(word, _)| text.eq_ignore_ascii_case(word))
        .map(|&(_, b)| b)
        .ok_or(BOOL)
}
