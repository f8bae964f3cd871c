//! The HTTP and WebSocket server: one URL per live page (page, probe, JSON, socket, form POST).
//!
//! Being built (issue 5): today it holds the security primitives — signed session cookies,
//! CSRF tokens and the `Origin` check — that the handlers will use.

pub mod security;
