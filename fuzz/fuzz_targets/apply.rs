//! Fuzz target: arbitrary text as the `"tree"` of a server frame, for the Rust reference
//! client's tree cache (`livetemplate::testing::ClientTree`, feature `testing`), both models.
//!
//! The input is applied twice per model: as an update on top of a fixed, valid first tree (the
//! cart page of `docs/src/protocol.md`, "Trees"), and as a first tree of its own. `apply` must
//! return `Ok` or `Err`, and `html` must not panic afterwards. The same text is also read as a
//! whole server frame (`ServerFrame::parse`, both envelopes), whose tree, if any, is applied
//! too. The checks are `livetemplate::__fuzz::apply`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| livetemplate::__fuzz::apply(data));
