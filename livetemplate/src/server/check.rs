//! [`LiveRouter::check`](super::LiveRouter::check): every static `lvt-nav` link of the routes'
//! templates (and, once live navigation has them, every `ctx.push_patch`/`push_navigate`
//! literal) must name a route.

/// One static link, as `#[derive(LiveTemplate)]` lists it (`LiveTemplate::NAV_LINKS`). Not
/// public API.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NavLink {
    /// The `href` as written.
    pub href: &'static str,
    /// The template file, as written in its attribute (`<inline template>` for `source`).
    pub file: &'static str,
    /// The 1-based line of the `<a` in that file.
    pub line: u32,
}

/// A static `lvt-nav` link that names no route, found by
/// [`LiveRouter::check`](super::LiveRouter::check).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BadLink {
    /// The template file, as written in its `#[template(path = …)]` (`<inline template>`
    /// for `source = …`).
    pub file: &'static str,
    /// The 1-based line of the link in that file.
    pub line: u32,
    /// The link's `href`, as written.
    pub href: String,
    /// The route pattern closest to the link's path (by edit distance), if any route exists
    /// and the link is a path at all.
    pub nearest: Option<String>,
}

impl std::fmt::Display for BadLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Self {
            file, line, href, ..
        } = self;
        if path_of(href).is_none() {
            return write!(
                f,
                "{file}:{line}: lvt-nav link `{href}` is not a path on this site (write `/…`)"
            );
        }
        write!(f, "{file}:{line}: lvt-nav link `{href}` names no route")?;
        match &self.nearest {
            Some(nearest) => write!(f, "; nearest route: `{nearest}`"),
            None => Ok(()),
        }
    }
}

/// Why [`LiveRouter::check`](super::LiveRouter::check) failed: every link that names no
/// route, one per line in the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckError {
    links: Vec<BadLink>,
}

impl CheckError {
    /// The links that name no route, by file and line.
    pub fn links(&self) -> &[BadLink] {
        &self.links
    }
}

impl std::fmt::Display for CheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} link(s) name no route:", self.links.len())?;
        for link in &self.links {
            write!(f, "\n  {link}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CheckError {}

/// Checks `links` with `matches` (whether a path reaches a route) against `patterns`.
pub(crate) fn check<'a>(
    links: impl IntoIterator<Item = &'a NavLink>,
    matches: impl Fn(&str) -> bool,
    patterns: &[&str],
) -> Result<(), CheckError> {
    let mut seen = std::collections::HashSet::new();
    let mut bad = Vec::new();
    for link in links {
        // A template served by two routes is listed twice: checked once.
        if !seen.insert(*link) {
            continue;
        }
        let nearest = match path_of(link.href) {
            Some(path) if matches(path) => continue,
            Some(path) => nearest(path, patterns),
            None => None,
        };
        bad.push(BadLink {
            file: link.file,
            line: link.line,
            href: link.href.to_owned(),
            nearest,
        });
    }
    if bad.is_empty() {
        return Ok(());
    }
    bad.sort_by(|a, b| (a.file, a.line, &a.href).cmp(&(b.file, b.line, &b.href)));
    Err(CheckError { links: bad })
}

/// The path of a link on this site (`/posts/2?x#y` → `/posts/2`); `None` for anything else
/// (another origin, `//host`, a relative path, `javascript:`).
fn path_of(href: &str) -> Option<&str> {
    let path = href.split(['?', '#']).next().unwrap_or_default();
    (path.starts_with('/') && !path.starts_with("//") && !path.contains('\\')).then_some(path)
}

/// The pattern with the smallest edit distance to `path` (the first added on a tie).
fn nearest(path: &str, patterns: &[&str]) -> Option<String> {
    patterns
        .iter()
        .min_by_key(|pattern| distance(path, pattern))
        .map(|pattern| (*pattern).to_owned())
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn link(href: &'static str, line: u32) -> NavLink {
        NavLink {
            href,
            file: "nav.html",
            line,
        }
    }

    #[test]
    fn edit_distance() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("/post/2", "/posts/{id}"), 5);
        assert_eq!(distance("/abut", "/about"), 1);
    }

    #[test]
    fn paths_of_links() {
        assert_eq!(path_of("/posts/2?tab=1#top"), Some("/posts/2"));
        assert_eq!(path_of("/"), Some("/"));
        for foreign in [
            "//evil.example/x",
            "https://x.example/",
            "posts/2",
            "javascript:alert(1)",
            "/\\evil",
            "",
        ] {
            assert_eq!(path_of(foreign), None, "{foreign}");
        }
    }

    #[test]
    fn bad_links_are_listed_once_with_the_nearest_route() {
        let patterns = ["/", "/about", "/posts/{id}"];
        let matches = |path: &str| path == "/" || path == "/about" || path.starts_with("/posts/");
        let links = [
            link("/about", 1),
            link("/posts/7?x=1", 2),
            link("/abut", 3),
            link("/abut", 3),
            link("https://elsewhere.example/", 4),
        ];
        let error = check(&links, matches, &patterns)
            .err()
            .unwrap_or_else(|| panic!("passed"));
        assert_eq!(error.links().len(), 2);
        assert_eq!(error.links()[0].nearest.as_deref(), Some("/about"));
        assert_eq!(
            error.to_string(),
            "2 link(s) name no route:\n  nav.html:3: lvt-nav link `/abut` names no route; nearest route: `/about`\n  nav.html:4: lvt-nav link `https://elsewhere.example/` is not a path on this site (write `/…`)"
        );
        assert_eq!(check(&links[..2], matches, &patterns), Ok(()));
    }
}
