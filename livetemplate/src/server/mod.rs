//! The HTTP and WebSocket server: one URL per live page (page, probe, JSON, socket, form POST).
//!
//! [`LiveRouter`] maps paths and patterns (`/posts/{id}`) to controllers and is a hyper and tower service, so it mounts in an
//! existing hyper or axum application; [`serve`] runs it alone with graceful shutdown, and
//! [`serve_env`] does so on the address in `ADDR` (what an example's `main` calls).

mod accept;
mod access;
pub(crate) mod action_data;
pub(crate) mod body;
mod check;
mod client_addr;
mod config;
pub(crate) mod connection;
mod endpoint;
mod flash;
pub(crate) mod guard;
mod handoff;
mod not_found;
pub(crate) mod page;
mod router;
pub(crate) mod routes;
mod run;
pub(crate) mod security;

pub use access::{Entry, Guard, Verdict, local_path};
pub use check::{BadLink, CheckError, NavLink};
pub use client_addr::ClientAddr;
pub use config::{Authenticator, Config};
pub use endpoint::Body;
pub use guard::FrameAncestors;
pub use not_found::{DefaultNotFound, NotFoundPage};
pub use page::{DefaultLayout, PageLayout, PageParts, escape_html};
pub use router::{CLIENT_PATH, LiveHandle, LiveRouter, serve, serve_listener};
pub use routes::{MAX_PARAM_LEN, Route};
pub use run::{
    ADDR_VAR, DEFAULT_ADDR, ServeError, env_addr, listen_env, serve_env, shutdown_signal,
};
pub use security::{KeyError, MIN_KEY_LEN, OriginPolicy, SigningKey};
