//! The static `lvt-nav` links of a template's files, with file and line, for
//! `LiveRouter::check`.
//!
//! Read from each file's source with everything that is not literal text (expressions, tags,
//! comments) masked out, so offsets, and so lines, are the file's own:
//!
//! | markup | listed |
//! |---|---|
//! | `<a href="/posts/2" lvt-nav>` | `/posts/2` |
//! | `<a lvt-nav href='/about?tab=1'>` | `/about?tab=1` |
//! | `<a href="/posts/{{ id }}" lvt-nav>` | no: the value holds template output |
//! | `<a href="/posts/2">` | no: not a live-navigation link |
//! | `<!-- <a href="/x" lvt-nav> -->`, `{# … #}` | no: a comment |

use askama_parser::Node;
use askama_parser::node::LetValueOrBlock;

/// Marks a byte that is not literal template text.
const MASK: u8 = 0;

/// One static `lvt-nav` link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    /// The `href` as written.
    pub(crate) href: String,
    /// The template file in messages (its path as written, or `<inline template>`).
    pub(crate) file: String,
    /// 1-based line of the `<a` in that file.
    pub(crate) line: u32,
}

/// The links of one parsed file whose text is `source`.
pub(crate) fn links(source: &str, nodes: &[Box<Node<'_>>], file: &str) -> Vec<Link> {
    let mut literal = vec![false; source.len()];
    mark_literals(nodes, &mut literal);
    let masked: Vec<u8> = source
        .bytes()
        .zip(&literal)
        .map(|(byte, &lit)| if lit { byte } else { MASK })
        .collect();
    scan(&masked, file)
}

/// Marks the bytes of every literal text node, in every branch and block.
fn mark_literals(nodes: &[Box<Node<'_>>], literal: &mut [bool]) {
    for node in nodes {
        match &**node {
            Node::Lit(lit) => {
                if let Some(range) = lit.span().byte_range()
                    && let Some(bytes) = literal.get_mut(range)
                {
                    bytes.fill(true);
                }
            }
            Node::BlockDef(b) => mark_literals(&b.nodes, literal),
            Node::Macro(m) => mark_literals(&m.nodes, literal),
            Node::Call(c) => mark_literals(&c.nodes, literal),
            Node::If(i) => i
                .branches
                .iter()
                .for_each(|b| mark_literals(&b.nodes, literal)),
            Node::Match(m) => m.arms.iter().for_each(|a| mark_literals(&a.nodes, literal)),
            Node::Loop(l) => {
                mark_literals(&l.body, literal);
                mark_literals(&l.else_nodes, literal);
            }
            Node::Let(l) => {
                if let LetValueOrBlock::Block { nodes, .. } = &l.val {
                    mark_literals(nodes, literal);
                }
            }
            // A filter block transforms its text: what reaches the page is not known here.
            _ => {}
        }
    }
}

/// The `lvt-nav` links of masked markup.
fn scan(markup: &[u8], file: &str) -> Vec<Link> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(offset) = markup.get(at..).and_then(|rest| find(rest, b"<")) {
        let lt = at + offset;
        let rest = &markup[lt..];
        if rest.starts_with(b"<!--") {
            at = find(&rest[4..], b"-->").map_or(markup.len(), |end| lt + 4 + end + 3);
            continue;
        }
        let name_end = rest[1..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(rest.len(), |n| n + 1);
        let (attrs, end) = attributes(rest, name_end);
        at = lt + end.max(1);
        if !rest[1..name_end].eq_ignore_ascii_case(b"a") {
            continue;
        }
        let navigates = attrs.iter().any(|(name, _)| name == "lvt-nav");
        let href = attrs
            .iter()
            .find(|(name, _)| name == "href")
            .and_then(|(_, value)| value.as_deref());
        if let Some(href) = href
            && navigates
            && !href.contains(char::from(MASK))
        {
            let line = markup[..lt].iter().filter(|&&b| b == b'\n').count() + 1;
            found.push(Link {
                href: href.trim().to_owned(),
                file: file.to_owned(),
                line: u32::try_from(line).unwrap_or(u32::MAX),
            });
        }
    }
    found
}

/// The attributes of the tag in `tag` (which starts with `<`) from `from` up to its `>`:
/// lower-cased names and values as written (`None` for a bare attribute); and the offset just
/// after the `>` (or the end).
fn attributes(tag: &[u8], from: usize) -> (Vec<(String, Option<String>)>, usize) {
    let text = |range: std::ops::Range<usize>| String::from_utf8_lossy(&tag[range]).into_owned();
    let mut attrs = Vec::new();
    let mut i = from;
    loop {
        while i < tag.len() && (tag[i].is_ascii_whitespace() || tag[i] == b'/') {
            i += 1;
        }
        if i >= tag.len() || tag[i] == b'>' {
            return (attrs, (i + 1).min(tag.len()));
        }
        let start = i;
        while i < tag.len()
            && !matches!(tag[i], b'=' | b'>' | b'/')
            && !tag[i].is_ascii_whitespace()
        {
            i += 1;
        }
        let name = text(start..i).to_ascii_lowercase();
        while i < tag.len() && tag[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < tag.len() && tag[i] == b'=' {
            i += 1;
            while i < tag.len() && tag[i].is_ascii_whitespace() {
                i += 1;
            }
            let value = if i < tag.len() && matches!(tag[i], b'"' | b'\'') {
                let quote = tag[i];
                let value_start = i + 1;
                let end = tag[value_start..]
                    .iter()
                    .position(|&b| b == quote)
                    .map_or(tag.len(), |e| value_start + e);
                i = (end + 1).min(tag.len());
                value_start..end
            } else {
                let value_start = i;
                while i < tag.len() && !tag[i].is_ascii_whitespace() && tag[i] != b'>' {
                    i += 1;
                }
                value_start..i
            };
            attrs.push((name, Some(text(value))));
        } else if name.is_empty() {
            i += 1;
        } else {
            attrs.push((name, None));
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hrefs(source: &str) -> Vec<(String, u32)> {
        let syntax = askama_parser::Syntax::default();
        let parsed = askama_parser::Parsed::new(source.into(), None, &syntax)
            .unwrap_or_else(|e| panic!("{e:?}"));
        links(parsed.source(), parsed.nodes(), "t.html")
            .into_iter()
            .map(|link| (link.href, link.line))
            .collect()
    }

    #[test]
    fn static_lvt_nav_links_with_their_lines() {
        let source = "<nav>\n<a href=\"/posts/2\" lvt-nav>two</a>\n<A LVT-NAV HREF='/about?x=1'>about</A>\n<a href=\"/plain\">not live</a>\n</nav>";
        assert_eq!(
            hrefs(source),
            [("/posts/2".to_owned(), 2), ("/about?x=1".to_owned(), 3)]
        );
    }

    #[test]
    fn dynamic_hrefs_comments_and_branches() {
        let source = concat!(
            "{# <a href=\"/a\" lvt-nav> #}\n",
            "<!-- <a href=\"/b\" lvt-nav> -->\n",
            "<a href=\"/posts/{{ id }}\" lvt-nav>dyn</a>\n",
            "{% if x %}\n<a href=\"/c\" lvt-nav>c</a>{% else %}<a lvt-nav href=/d>d</a>{% endif %}\n",
            "{% for i in items %}<a title=\"{{ i }}\" href=\"/e\" lvt-nav>e</a>{% endfor %}",
        );
        assert_eq!(
            hrefs(source),
            [
                ("/c".to_owned(), 5),
                ("/d".to_owned(), 5),
                ("/e".to_owned(), 6)
            ]
        );
    }
}
