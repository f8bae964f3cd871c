//! Helpers for the differential template corpus: render with askama and with livetemplate, compare.
//!
//! Every test in `tests/tests/` declares a struct deriving both `askama::Template` and
//! `livetemplate::LiveTemplate` from the same `#[template(...)]` attribute, renders it for several
//! data values, and calls [`assert_same`]: the two renders must be byte-identical. The returned
//! [`Rendered`] tree can then be inspected for its structure (statics, slots, keyed lists).

use std::fmt::Write as _;

pub mod chat;
pub mod http;

use livetemplate::Rendered;
use livetemplate::render::{List, Slot, Slots};

/// Renders `value` with askama and with livetemplate, asserts that the HTML is byte-identical,
/// and returns livetemplate's tree for further structural checks.
///
/// # Panics
///
/// When either render fails, or when the two outputs differ; the message shows both strings, the
/// first differing byte and the tree's shape.
#[track_caller]
pub fn assert_same<T>(value: &T) -> Rendered
where
    T: askama::Template + livetemplate::LiveTemplate,
{
    let name = std::any::type_name::<T>();
    let expected = match askama::Template::render(value) {
        Ok(html) => html,
        Err(err) => panic!("askama failed to render {name}: {err}"),
    };
    let tree = match livetemplate::LiveTemplate::render_tree(value) {
        Ok(tree) => tree,
        Err(err) => {
            panic!("livetemplate failed to render {name} (askama rendered {expected:?}): {err}")
        }
    };
    let got = tree.to_html();
    if expected != got {
        panic!("{}", diff_message(name, &expected, &got, &tree));
    }
    tree
}

/// Renders `value` both ways and asserts that both renders fail (as askama's does for a `?` on an
/// `Err` value, or a failing custom filter), returning the two error messages.
///
/// # Panics
///
/// When either render succeeds.
#[track_caller]
pub fn assert_both_fail<T>(value: &T) -> (String, String)
where
    T: askama::Template + livetemplate::LiveTemplate,
{
    let name = std::any::type_name::<T>();
    let ours = livetemplate::LiveTemplate::render_tree(value).map(|tree| tree.to_html());
    match (askama::Template::render(value), ours) {
        (Err(theirs), Err(ours)) => (theirs.to_string(), ours.to_string()),
        (theirs, ours) => panic!(
            "{name}: expected both renders to fail, got askama: {theirs:?}, livetemplate: {ours:?}"
        ),
    }
}

/// Builds the failure message of [`assert_same`]: both outputs in full, the first differing byte
/// with some context around it, and the tree's shape.
pub fn diff_message(name: &str, expected: &str, got: &str, tree: &Rendered) -> String {
    let at = expected
        .bytes()
        .zip(got.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| expected.len().min(got.len()));
    let mut msg = String::new();
    let _ = writeln!(msg, "askama and livetemplate differ for {name}");
    let _ = writeln!(
        msg,
        "first difference at byte {at} (askama: {} bytes, livetemplate: {} bytes)",
        expected.len(),
        got.len()
    );
    let _ = writeln!(msg, "  askama:       …{:?}…", context(expected, at));
    let _ = writeln!(msg, "  livetemplate: …{:?}…", context(got, at));
    let _ = writeln!(msg, "--- askama (expected) ---\n{expected}\n--- end ---");
    let _ = writeln!(msg, "--- livetemplate (got) ---\n{got}\n--- end ---");
    let _ = writeln!(msg, "--- tree ---\n{}", shape(tree));
    msg
}

/// A window of `s` around byte `at`, widened to char boundaries.
fn context(s: &str, at: usize) -> &str {
    let mut start = at.saturating_sub(30);
    while !s.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + 30).min(s.len());
    while !s.is_char_boundary(end) {
        end += 1;
    }
    &s[start..end]
}

/// A compact, indented description of a tree: statics parts and slot kinds, for failure messages.
pub fn shape(tree: &Rendered) -> String {
    let mut out = String::new();
    write_shape(tree.statics().parts(), tree.slots(), 0, &mut out);
    out
}

fn write_shape(parts: &[&str], slots: Slots<'_>, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(out, "{pad}statics {parts:?}");
    for (i, slot) in slots.enumerate() {
        match slot {
            Slot::Text(text) => {
                let _ = writeln!(out, "{pad}[{i}] Text {text:?}");
            }
            Slot::Node(node) => {
                let _ = writeln!(out, "{pad}[{i}] Node");
                write_shape(node.statics().parts(), node.slots(), depth + 1, out);
            }
            Slot::List(list) => {
                let _ = writeln!(
                    out,
                    "{pad}[{i}] List key_slot={:?} items={} statics {:?}",
                    list.key_slot(),
                    list.items().count(),
                    list.statics().parts()
                );
                for (n, item) in list.items().enumerate() {
                    let _ = writeln!(out, "{pad}  item {n}");
                    write_shape(&[], item.slots(), depth + 2, out);
                }
            }
        }
    }
}

/// The kind of each top-level slot of a tree: `"text"`, `"node"` or `"list"`.
pub fn slot_kinds(tree: &Rendered) -> Vec<&'static str> {
    tree.slots().map(kind).collect()
}

/// The kind of one slot value: `"text"`, `"node"` or `"list"`.
pub fn kind(slot: Slot<'_>) -> &'static str {
    match slot {
        Slot::Text(_) => "text",
        Slot::Node(_) => "node",
        Slot::List(_) => "list",
    }
}

/// Every list in a tree, depth first in template order (lists inside list items included).
pub fn lists(tree: &Rendered) -> Vec<List<'_>> {
    let mut out = Vec::new();
    collect_lists(tree.slots(), &mut out);
    out
}

fn collect_lists<'r>(slots: Slots<'r>, out: &mut Vec<List<'r>>) {
    for slot in slots {
        match slot {
            Slot::Text(_) => {}
            Slot::Node(node) => collect_lists(node.slots(), out),
            Slot::List(list) => {
                out.push(list);
                for item in list.items() {
                    collect_lists(item.slots(), out);
                }
            }
        }
    }
}

/// Strings that exercise escaping: every HTML special, quotes, unicode, emoji and empty.
pub const TRICKY_STRINGS: &[&str] = &[
    "",
    "plain",
    "<script>alert('x')</script>",
    "a & b < c > d \"e\" 'f'",
    "&amp; already &lt;escaped&gt;",
    "/ slash \\ backslash ` backtick = equals",
    "emoji 🦀🎉 and ünïcødé — “quotes” ‘single’",
    "  leading and trailing spaces  ",
    "line one\nline two\n\nparagraph",
    "{{ not a tag }} {% nor this %}",
];
