//! Fuzz target: a request's `Cookie`, `Origin` and `Host` headers. A flags byte and 16 bytes
//! of session id, then tagged lines (`C` cookie, `O` origin, `H` host, `A` allowed origin,
//! `L` allowed host, `T` CSRF token, `S` session id text, `U` user), where bytes 1 to 4 in a
//! cookie or token stand for valid signed values; see `livetemplate::__fuzz::cookie_origin`
//! for the invariants.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| livetemplate::__fuzz::cookie_origin(data));
