//! [`Scope`]: which state of a page a request reaches — one per browser session on an exact
//! route, one per browser session and URL on a route with parameters.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::controller::{Context, RouteParams};
use crate::server::security::SessionId;

/// The browser session a request carries, the URL it names, and the key of the state those
/// reach.
///
/// On an exact route the key is the session id itself, so nothing changes for a page with one
/// URL. On `/posts/{id}` a browser has one state per post: the key is derived from the session
/// id, the route's pattern and the decoded parameters (SHA-256, cut to a session id's 128
/// bits), so `/posts/1` and `/posts/2` are two groups — each counted by the census, each with
/// its own entry in a session store — while `/posts/%31` reaches `/posts/1`'s. A derived key
/// is as unguessable as the session id it comes from, and as long as one.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    /// The browser's session (what its cookie names; what `ctx.session_id()` says).
    session: SessionId,
    /// The route's pattern, for parameterised routes.
    pattern: Option<Arc<str>>,
    params: RouteParams,
    /// The key of the state in the page's groups and in its store.
    key: SessionId,
}

impl Scope {
    /// The one state of `session` on an exact route.
    pub(crate) fn exact(session: SessionId) -> Self {
        Scope {
            key: session.clone(),
            session,
            pattern: None,
            params: RouteParams::default(),
        }
    }

    /// The state of `session` at the URL that matched `pattern` with `params`; an exact
    /// route's when there are no parameters.
    pub(crate) fn new(session: SessionId, pattern: &Arc<str>, params: RouteParams) -> Self {
        if params.is_empty() {
            return Scope::exact(session);
        }
        Scope {
            key: derive_key(&session, pattern, &params),
            session,
            pattern: Some(Arc::clone(pattern)),
            params,
        }
    }

    /// The same URL for another session (after a rotation).
    pub(crate) fn for_session(&self, session: SessionId) -> Self {
        match &self.pattern {
            Some(pattern) => Scope::new(session, pattern, self.params.clone()),
            None => Scope::exact(session),
        }
    }

    /// The browser's session.
    pub(crate) fn session(&self) -> &SessionId {
        &self.session
    }

    /// The state's key.
    pub(crate) fn key(&self) -> &SessionId {
        &self.key
    }

    /// A context of this session at this URL: the session id and the path parameters set.
    pub(crate) fn context(&self) -> Context {
        Context::new(self.session.as_str()).with_params(self.params.clone())
    }
}

/// SHA-256 over a domain tag, the session id, the pattern and each parameter, every part
/// length-prefixed so no two inputs share an encoding; the first 16 bytes.
fn derive_key(session: &SessionId, pattern: &str, params: &RouteParams) -> SessionId {
    let mut hash = Sha256::new();
    let mut part = |bytes: &[u8]| {
        hash.update((bytes.len() as u64).to_be_bytes());
        hash.update(bytes);
    };
    part(b"livetemplate route state");
    part(session.as_str().as_bytes());
    part(pattern.as_bytes());
    for (name, value) in params.iter() {
        part(name.as_bytes());
        part(value.as_bytes());
    }
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    SessionId::from_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_url_of_a_session_has_its_own_key_and_an_exact_route_keeps_the_session_id() {
        let session = SessionId::from_bytes([1; 16]);
        let other = SessionId::from_bytes([2; 16]);
        let pattern: Arc<str> = Arc::from("/posts/{id}");
        let one = |id: &str, session: &SessionId| {
            Scope::new(
                session.clone(),
                &pattern,
                RouteParams::new([("id", id.to_owned())]),
            )
        };
        assert_eq!(Scope::exact(session.clone()).key(), &session);
        assert_eq!(
            Scope::new(session.clone(), &pattern, RouteParams::default()).key(),
            &session
        );
        assert_eq!(one("1", &session).key(), one("1", &session).key());
        assert_ne!(one("1", &session).key(), one("2", &session).key());
        assert_ne!(one("1", &session).key(), one("1", &other).key());
        assert_ne!(one("1", &session).key(), &session);
        // The parts are length-prefixed: moving a byte between name and value changes the key.
        let shifted = Scope::new(session.clone(), &pattern, RouteParams::new([("i", "d1")]));
        assert_ne!(shifted.key(), one("1", &session).key());
        let rotated = one("1", &session).for_session(other.clone());
        assert_eq!(rotated.key(), one("1", &other).key());
        assert_eq!(rotated.session(), &other);
        assert_eq!(rotated.context().param("id"), Some("1"));
        assert_eq!(rotated.context().session_id(), other.as_str());
    }
}
