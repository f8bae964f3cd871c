//! The route table: exact paths and patterns with parameters (`/posts/{id}`), matched by
//! `matchit` (axum's router), with the parameters percent-decoded and checked.
//!
//! | path asked for | route `/posts/{id}` | why |
//! |---|---|---|
//! | `/posts/7` | `id = "7"` | |
//! | `/posts/caf%C3%A9` | `id = "café"` | percent-decoded as UTF-8 |
//! | `/posts/a%2Fb` | `id = "a/b"` | one segment; the escape is decoded (as axum does) |
//! | `/posts/%FF` | 404 | not UTF-8 once decoded |
//! | `/posts/..`, `/posts/%2E` | 404 | a dot segment names no page |
//! | `/posts/` , `/posts//` | 404 | a parameter is never empty |
//! | `/posts/7/` | 404 | trailing slashes count: `/posts/7/` is another path |
//! | `/posts/` + 1025 bytes | 404 | over [`MAX_PARAM_LEN`] |

use std::collections::HashMap;
use std::sync::Arc;

use percent_encoding::percent_decode_str;

use super::access::Guard;
use super::check::NavLink;
use super::endpoint::Endpoint;
use crate::controller::RouteParams;

/// The longest path parameter served, in bytes as sent (percent-encoded): a longer one is
/// answered `404 Not Found` before any controller runs. 1 KiB.
pub const MAX_PARAM_LEN: usize = 1024;

/// One row of the route table, as [`LiveRouter::routes`](super::LiveRouter::routes) lists
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Route {
    /// The path or pattern given to `route` (`/`, `/posts/{id}`).
    pub pattern: String,
    /// The controller's type name (`std::any::type_name`), for reading, not for parsing.
    pub controller: &'static str,
    /// Whether the page's session states are kept in a store as well as in memory
    /// (`route_with_store`, or `route_shared` with Redis configured).
    pub stored: bool,
    /// The name of the [guard](super::Guard) group the route belongs to
    /// ([`LiveRouter::guarded`](super::LiveRouter::guarded)), if any.
    pub guard: Option<String>,
}

impl Route {
    /// Whether the pattern has parameters (`/posts/{id}`) rather than being one exact path.
    pub fn has_params(&self) -> bool {
        !is_exact(&self.pattern)
    }
}

/// The pages by route.
#[derive(Clone, Default)]
pub(crate) struct Table {
    routes: Vec<Route>,
    pages: Vec<Arc<dyn Endpoint>>,
    /// Per route: its guard group, if any.
    guards: Vec<Option<Arc<Guard>>>,
    /// Per route: its template's static `lvt-nav` links and its controller's `push_*`
    /// literals, for [`check`](super::LiveRouter::check).
    links: Vec<[&'static [NavLink]; 2]>,
    /// Exact paths: one hash lookup, as before routes had parameters.
    exact: HashMap<String, usize>,
    /// Every route, exact ones too, so a conflict between any two is found when added.
    matcher: matchit::Router<usize>,
    /// Whether any route has parameters: without one, a path not in `exact` is not looked up
    /// again.
    parameterised: bool,
}

impl Table {
    /// Checks `pattern` and reserves its place; the page follows with [`push`](Self::push).
    ///
    /// # Panics
    ///
    /// When `pattern` does not start with `/`, is not a valid pattern, or conflicts with a
    /// route added before (the same path, or `/posts/{id}` next to `/posts/{slug}`): a
    /// programming error, found when the router is built, never at request time.
    pub(crate) fn reserve(&mut self, pattern: &str) {
        assert!(
            pattern.starts_with('/'),
            "route `{pattern}`: a route is a path starting with `/`"
        );
        let index = self.routes.len();
        if let Err(error) = self.matcher.insert(pattern, index) {
            match error {
                matchit::InsertError::Conflict { with } => {
                    panic!("route `{pattern}` conflicts with route `{with}` added before it")
                }
                other => panic!("route `{pattern}` is not a valid pattern: {other}"),
            }
        }
    }

    /// Adds the page of the pattern just [reserved](Self::reserve), its guard group and the
    /// links its template and controller name.
    pub(crate) fn push(
        &mut self,
        route: Route,
        page: Arc<dyn Endpoint>,
        guard: Option<Arc<Guard>>,
        links: [&'static [NavLink]; 2],
    ) {
        let index = self.routes.len();
        if is_exact(&route.pattern) {
            self.exact.insert(route.pattern.clone(), index);
        } else {
            self.parameterised = true;
        }
        self.routes.push(route);
        self.pages.push(page);
        self.guards.push(guard);
        self.links.push(links);
    }

    /// Whether a group named `name` guards any route already.
    pub(crate) fn has_guard(&self, name: &str) -> bool {
        self.guards
            .iter()
            .flatten()
            .any(|guard| guard.name() == name)
    }

    /// Every link the routes' templates and controllers name.
    pub(crate) fn links(&self) -> impl Iterator<Item = &'static NavLink> + '_ {
        self.links.iter().flatten().flat_map(|links| links.iter())
    }

    /// The routes, in the order they were added.
    pub(crate) fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The route serving `path` and its decoded parameters; `None` when no route matches, or
    /// a parameter is too long, not UTF-8 once decoded, empty or a dot segment.
    pub(crate) fn find(&self, path: &str) -> Option<Found<'_>> {
        if let Some(&index) = self.exact.get(path) {
            return self.found(index, RouteParams::default());
        }
        if !self.parameterised {
            return None;
        }
        let matched = self.matcher.at(path).ok()?;
        let index = *matched.value;
        let mut pairs = Vec::with_capacity(matched.params.len());
        for (name, raw) in matched.params.iter() {
            match decode(raw) {
                Ok(value) => pairs.push((name, value)),
                Err(why) => {
                    tracing::debug!(parameter = name, why, "path parameter refused: 404");
                    return None;
                }
            }
        }
        self.found(index, RouteParams::new(pairs))
    }

    fn found(&self, index: usize, params: RouteParams) -> Option<Found<'_>> {
        Some(Found {
            page: self.pages.get(index)?,
            params,
            pattern: &self.routes.get(index)?.pattern,
            guard: self.guards.get(index)?.as_ref(),
        })
    }
}

/// A route [found](Table::find) for a path.
pub(crate) struct Found<'a> {
    pub(crate) page: &'a Arc<dyn Endpoint>,
    pub(crate) params: RouteParams,
    pub(crate) pattern: &'a str,
    pub(crate) guard: Option<&'a Arc<Guard>>,
}

/// The parameters `path` has as an address of the route `pattern` (decoded and checked as
/// the router does); `Ok(None)` when it is not one; an error when `pattern` is invalid. For
/// `LiveTest::mount_at`.
#[cfg(feature = "testing")]
pub(crate) fn params_of(
    pattern: &str,
    path: &str,
) -> Result<Option<RouteParams>, matchit::InsertError> {
    let mut matcher = matchit::Router::new();
    matcher.insert(pattern, ())?;
    let Ok(matched) = matcher.at(path) else {
        return Ok(None);
    };
    let mut pairs = Vec::with_capacity(matched.params.len());
    for (name, raw) in matched.params.iter() {
        let Ok(value) = decode(raw) else {
            return Ok(None);
        };
        pairs.push((name, value));
    }
    Ok(Some(RouteParams::new(pairs)))
}

/// Whether `pattern` is one exact path (no `{parameter}`, no `{{` escape).
fn is_exact(pattern: &str) -> bool {
    !pattern.contains(['{', '}'])
}

/// One parameter as sent, decoded; why not when it names no page.
fn decode(raw: &str) -> Result<String, &'static str> {
    if raw.len() > MAX_PARAM_LEN {
        return Err("longer than MAX_PARAM_LEN");
    }
    let value = percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| "not UTF-8 once percent-decoded")?;
    // A catch-all's value has several segments: none may be a dot segment.
    if value.is_empty()
        || value
            .split('/')
            .any(|segment| matches!(segment, "." | ".."))
    {
        return Err("empty or a dot segment");
    }
    Ok(value.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table whose "pages" are told apart by the route they were added for.
    fn table(patterns: &[&str]) -> Table {
        let mut table = Table::default();
        for pattern in patterns {
            table.reserve(pattern);
            table.push(
                Route {
                    pattern: (*pattern).to_owned(),
                    controller: "Test",
                    stored: false,
                    guard: None,
                },
                Arc::new(Named) as Arc<dyn Endpoint>,
                None,
                [&[], &[]],
            );
        }
        table
    }

    struct Named;

    impl Endpoint for Named {
        fn handle(
            self: Arc<Self>,
            _: http::request::Parts,
            _: Option<bytes::Bytes>,
            _: RouteParams,
            _: super::super::endpoint::Visitor,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = http::Response<super::super::Body>> + Send>,
        > {
            Box::pin(async { http::Response::new(super::super::Body::default()) })
        }
    }

    /// The pattern `path` reaches and its parameters.
    fn find(table: &Table, path: &str) -> Option<(String, Vec<(String, String)>)> {
        let found = table.find(path)?;
        let index = table
            .pages
            .iter()
            .position(|p| Arc::ptr_eq(p, found.page))?;
        let pairs = found
            .params
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        Some((table.routes[index].pattern.clone(), pairs))
    }

    fn one(pattern: &str, name: &str, value: &str) -> Option<(String, Vec<(String, String)>)> {
        Some((
            pattern.to_owned(),
            vec![(name.to_owned(), value.to_owned())],
        ))
    }

    #[test]
    fn exact_routes_win_and_parameters_are_decoded() {
        let t = table(&["/", "/posts/new", "/posts/{id}", "/files/{*rest}"]);
        assert_eq!(find(&t, "/"), Some(("/".to_owned(), vec![])));
        assert_eq!(
            find(&t, "/posts/new"),
            Some(("/posts/new".to_owned(), vec![]))
        );
        assert_eq!(find(&t, "/posts/7"), one("/posts/{id}", "id", "7"));
        assert_eq!(
            find(&t, "/posts/caf%C3%A9"),
            one("/posts/{id}", "id", "café")
        );
        assert_eq!(find(&t, "/posts/a%2Fb"), one("/posts/{id}", "id", "a/b"));
        assert_eq!(find(&t, "/posts/a+b"), one("/posts/{id}", "id", "a+b"));
        assert_eq!(
            find(&t, "/files/a/b.txt"),
            one("/files/{*rest}", "rest", "a/b.txt")
        );
        assert_eq!(t.routes().len(), 4);
        assert!(t.routes()[2].has_params() && !t.routes()[1].has_params());
    }

    #[test]
    fn malformed_long_empty_and_dot_parameters_match_nothing() {
        let t = table(&["/posts/{id}", "/files/{*rest}"]);
        for path in [
            "/posts/%FF",
            "/posts/..",
            "/posts/.",
            "/posts/%2E%2E",
            "/posts/%2e",
            "/posts/",
            "/posts//",
            "/posts/7/",
            "/posts",
            "//posts/7",
            "/files/a/../b",
            "/files/a/%2E%2E/b",
            "/nothing",
        ] {
            assert_eq!(find(&t, path), None, "{path}");
        }
        let longest = format!("/posts/{}", "x".repeat(MAX_PARAM_LEN));
        assert_eq!(
            find(&t, &longest).map(|(p, _)| p),
            Some("/posts/{id}".to_owned())
        );
        let over = format!("/posts/{}", "x".repeat(MAX_PARAM_LEN + 1));
        assert_eq!(find(&t, &over), None);
        // The limit is on the bytes sent: 400 escapes are 1200 bytes.
        assert_eq!(find(&t, &format!("/posts/{}", "%41".repeat(400))), None);
    }

    #[test]
    fn a_table_with_exact_routes_only_never_consults_the_matcher() {
        let t = table(&["/", "/about"]);
        assert!(!t.parameterised);
        assert_eq!(find(&t, "/about"), Some(("/about".to_owned(), vec![])));
        assert_eq!(find(&t, "/about/"), None);
    }

    fn panic_message(patterns: &'static [&'static str]) -> String {
        let Err(panic) = std::panic::catch_unwind(|| table(patterns)) else {
            return String::new();
        };
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default()
    }

    #[test]
    fn conflicting_and_invalid_patterns_panic_when_added_naming_both_routes() {
        let conflict = panic_message(&["/posts/{id}", "/posts/{slug}"]);
        assert!(
            conflict.contains("`/posts/{slug}` conflicts with route `/posts/{id}`"),
            "{conflict}"
        );
        let twice = panic_message(&["/", "/"]);
        assert!(
            twice.contains("route `/` conflicts with route `/`"),
            "{twice}"
        );
        let invalid = panic_message(&["/posts/{}"]);
        assert!(
            invalid.contains("`/posts/{}` is not a valid pattern"),
            "{invalid}"
        );
        let relative = panic_message(&["posts"]);
        assert!(relative.contains("starting with `/`"), "{relative}");
        assert_eq!(
            panic_message(&["/posts/{id}", "/posts/{id}/edit", "/posts/new"]),
            ""
        );
    }

    /// Not a check (no timing assertions here): the lookup cost beside the exact-path
    /// `HashMap` the router used before, printed. Run with
    /// `cargo test --release -p livetemplate --lib routes::tests::lookup_cost -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn lookup_cost() {
        let exact = ["/", "/about", "/todos", "/chat", "/posts/new"];
        let before: HashMap<String, Arc<dyn Endpoint>> = exact
            .iter()
            .map(|path| ((*path).to_owned(), Arc::new(Named) as Arc<dyn Endpoint>))
            .collect();
        let exact_only = table(&exact);
        let mixed = table(&[
            "/",
            "/about",
            "/todos",
            "/chat",
            "/posts/new",
            "/posts/{id}",
            "/posts/{id}/edit",
            "/files/{*rest}",
        ]);
        let rounds = 5_000_000_u32;
        let time = |name: &str, lookup: &dyn Fn() -> bool| {
            for _ in 0..3 {
                let start = std::time::Instant::now();
                let hits = (0..rounds).filter(|_| lookup()).count();
                let ns = start.elapsed().as_nanos() as f64 / f64::from(rounds);
                println!("{name}: {ns:.1} ns a lookup ({hits} hits)");
            }
        };
        let path = std::hint::black_box;
        time("before: HashMap::get(/todos)", &|| {
            // What the router did before: `get`, then clone the page.
            before.get(path("/todos")).cloned().is_some()
        });
        time("exact routes only: find(/todos)", &|| {
            exact_only.find(path("/todos")).is_some()
        });
        time("with patterns: find(/todos)", &|| {
            mixed.find(path("/todos")).is_some()
        });
        time("with patterns: find(/posts/12345)", &|| {
            mixed.find(path("/posts/12345")).is_some()
        });
        time("with patterns: find(/nowhere)", &|| {
            mixed.find(path("/nowhere")).is_some()
        });
    }
}
