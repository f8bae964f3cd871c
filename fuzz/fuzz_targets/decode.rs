//! Fuzz target: arbitrary bytes as a client frame, decoded with the default limits.
//!
//! `decode` must return `Ok` or `Err` (never panic, never overflow the stack); every error
//! must render as a small error frame; every accepted message must read back from its own
//! encoding (floats up to serde_json's parsing precision, see `same`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use livetemplate::wire::{ClientMessage, Limits, decode};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    match decode(data, &limits) {
        Ok(message) => {
            let again = decode(message.to_json(), &limits.max_frame_bytes(usize::MAX));
            match again {
                Ok(again) => assert!(same(&message, &again), "{message:?} read back as {again:?}"),
                Err(err) => panic!("{message:?} does not read back: {err}"),
            }
        }
        Err(err) => {
            let frame = err.to_frame();
            assert!(frame.len() < 1024, "error frame too long: {frame}");
            assert!(!err.code().is_empty());
        }
    }
});

/// Equal messages, except that floats may differ in the last bit: serde_json (without its
/// `float_roundtrip` feature) does not always parse a float to the nearest `f64`, so printing
/// and re-parsing can move it by one ulp.
fn same(a: &ClientMessage, b: &ClientMessage) -> bool {
    a.action == b.action
        && a.submitter == b.submitter
        && a.reference == b.reference
        && a.data.len() == b.data.len()
        && a.data
            .iter()
            .zip(b.data.iter())
            .all(|((na, va), (nb, vb))| na == nb && same_value(va, vb))
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => x == y || (x - y).abs() <= x.abs().max(y.abs()) * 1e-15,
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_value(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((kx, vx), (ky, vy))| kx == ky && same_value(vx, vy))
        }
        _ => a == b,
    }
}
