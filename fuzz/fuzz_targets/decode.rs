//! Fuzz target: arbitrary bytes as a client frame, decoded with the default limits.
//!
//! `decode` must return `Ok` or `Err` (never panic, never overflow the stack); every error
//! must render as a small error frame; every accepted message must read back from its own
//! encoding (floats up to serde_json's parsing precision) and name its action as the
//! connection does. The checks are `livetemplate::__fuzz::decode`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| livetemplate::__fuzz::decode(data));
