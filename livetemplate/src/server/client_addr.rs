//! [`ClientAddr`]: who sent a request, for the per-client session limit.

use std::net::IpAddr;

/// The address of the client that sent a request, as a request extension.
///
/// [`serve`](super::serve) and [`serve_listener`](super::serve_listener) insert the TCP
/// peer's address in every request; the router counts sessions per address under it
/// ([`Config::max_sessions_per_client`](super::Config::max_sessions_per_client)). When you run
/// the router in your own server, insert it yourself — behind a reverse proxy, from the
/// header your proxy sets (and only your proxy can set):
///
/// ```
/// use http::Request;
/// use livetemplate::server::ClientAddr;
///
/// fn tag<B>(mut request: Request<B>) -> Request<B> {
///     let forwarded = request
///         .headers()
///         .get("x-real-ip")
///         .and_then(|value| value.to_str().ok())
///         .and_then(|text| text.parse().ok());
///     if let Some(addr) = forwarded {
///         request.extensions_mut().insert(ClientAddr(addr));
///     }
///     request
/// }
/// # let request = tag(Request::new(()));
/// # assert!(request.extensions().get::<ClientAddr>().is_none());
/// ```
///
/// A request without one counts only against the global
/// [`max_sessions`](super::Config::max_sessions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);
