//! A route's path parameters (`/posts/{id}` → `id`), as the controller reads them.

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::form;
use crate::wire::FormData;

/// One parameter: its name in the pattern and its decoded value.
type Pair = (Box<str>, Box<str>);

/// The path parameters of the URL a page was reached at: `/posts/{id}` served at `/posts/7`
/// has `id = "7"`. Empty on an exact route.
///
/// Values are percent-decoded UTF-8. The router builds them; a test builds its own with
/// [`RouteParams::new`]. Read them through [`Context::param`](super::Context::param) and
/// [`Context::params`](super::Context::params).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RouteParams {
    /// Name and value, in the pattern's order. Shared: every context of a page's state
    /// carries the same list.
    pairs: Option<Arc<[Pair]>>,
}

impl fmt::Debug for RouteParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl RouteParams {
    /// Parameters from `(name, value)` pairs, values already decoded.
    pub fn new<N, V>(pairs: impl IntoIterator<Item = (N, V)>) -> Self
    where
        N: Into<String>,
        V: Into<String>,
    {
        let pairs: Vec<Pair> = pairs
            .into_iter()
            .map(|(name, value)| (name.into().into(), value.into().into()))
            .collect();
        if pairs.is_empty() {
            return RouteParams::default();
        }
        RouteParams {
            pairs: Some(pairs.into()),
        }
    }

    /// The value of parameter `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find_map(|(key, value)| (key == name).then_some(value))
    }

    /// Every parameter as `(name, value)`, in the pattern's order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|(name, value)| (&**name, &**value))
    }

    /// How many parameters there are.
    pub fn len(&self) -> usize {
        self.pairs.as_deref().map_or(0, <[_]>::len)
    }

    /// Whether there are none (an exact route).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The parameters bound into `T`, leniently as a form is (`"42"` binds to `42`).
    pub fn bind<T: DeserializeOwned>(&self) -> Result<T, ParamsError> {
        let mut data = FormData::new();
        for (name, value) in self.iter() {
            data.insert(name, value);
        }
        form::bind(&data).map_err(|error| {
            let (name, message) = error
                .field_errors()
                .iter()
                .next()
                .map(|(name, message)| (name.to_owned(), message.to_owned()))
                .unwrap_or_default();
            ParamsError { name, message }
        })
    }
}

/// A path parameter that does not bind as the controller needs (`/posts/abc` where `id` is a
/// number): the address names no page.
///
/// Converted with `?` into an [`ActionError::not_found`](super::ActionError::not_found), so
/// `let p: PostParams = ctx.params()?;` in `mount` answers the request `404 Not Found`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamsError {
    name: String,
    message: String,
}

impl ParamsError {
    /// The parameter that did not bind (empty when the error names none).
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for ParamsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.is_empty() {
            write!(f, "no page at this address: {}", self.message)
        } else {
            write!(
                f,
                "no page at this address: path parameter `{}` {}",
                self.name, self.message
            )
        }
    }
}

impl std::error::Error for ParamsError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Post {
        id: u32,
        slug: Option<String>,
    }

    #[test]
    fn parameters_bind_leniently_and_a_bad_one_is_named() {
        let params = RouteParams::new([("id", "7"), ("slug", "hello world")]);
        assert_eq!(params.get("slug"), Some("hello world"));
        assert_eq!(params.len(), 2);
        assert_eq!(
            params.bind::<Post>(),
            Ok(Post {
                id: 7,
                slug: Some("hello world".to_owned())
            })
        );
        let bad = RouteParams::new([("id", "seven")]).bind::<Post>();
        let Err(error) = bad else {
            panic!("`seven` bound as a number: {bad:?}");
        };
        assert_eq!(error.name(), "id");
        assert!(error.to_string().contains("`id`"), "{error}");
        assert!(RouteParams::default().is_empty());
        assert!(RouteParams::new(Vec::<(String, String)>::new()).is_empty());
    }
}
