//! Fuzz target: a plain form POST (no JavaScript). The first byte picks the `Content-Type`
//! (urlencoded; multipart with the boundary on the input's first line; the first line as the
//! content type; multipart with boundary `XyZ`), the next two the body limit and the chunk
//! size; the rest is the body. It is read and parsed as the server does, then its CSRF field
//! and its action are read; see `livetemplate::__fuzz::form_body` for the invariants.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| livetemplate::__fuzz::form_body(data));
