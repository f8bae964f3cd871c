//! The action names a template uses, read from its static markup at compile time.
//!
//! Per the protocol, these attributes name actions: `<button name>`, `<input type="submit"
//! name>`, `<form name>`, `lvt-form:action` and `lvt-on:<event>` on any element. A value that
//! contains template output (`name="{{ x }}"`) is dynamic and cannot be checked; it is skipped.

use super::ir::Piece;

/// Marks template output inside the flattened markup.
const DYNAMIC: char = '\0';

/// Action names in order of first use, without duplicates.
pub(crate) fn actions(pieces: &[Piece]) -> Vec<String> {
    let mut markup = String::new();
    flatten(pieces, &mut markup);
    let mut found: Vec<String> = Vec::new();
    for tag in tags(&markup) {
        for name in tag_actions(&tag) {
            if !found.contains(&name) {
                found.push(name);
            }
        }
    }
    found
}

/// All markup of the template, every branch included, with dynamic values marked.
fn flatten(pieces: &[Piece], out: &mut String) {
    for piece in pieces {
        match piece {
            Piece::Lit(text) => out.push_str(text),
            Piece::Write(_) => out.push(DYNAMIC),
            Piece::Stmt(_) | Piece::Break | Piece::Continue | Piece::LetBlock { .. } => {}
            Piece::Scope(body) => flatten(body, out),
            Piece::If(branches) => {
                for branch in branches {
                    flatten(&branch.body, out);
                }
            }
            Piece::Match { arms, .. } => {
                for (_, body) in arms {
                    flatten(body, out);
                }
            }
            Piece::Loop(l) => {
                flatten(&l.body, out);
                if let Some(else_body) = &l.else_body {
                    flatten(else_body, out);
                }
            }
            // A filter transforms its body: what reaches the page is not known here.
            Piece::FilterBlock { .. } => out.push(DYNAMIC),
        }
    }
}

/// A start tag: its name and attributes (`None` value for bare attributes).
#[derive(Debug, PartialEq)]
struct Tag {
    name: String,
    attrs: Vec<(String, Option<String>)>,
}

fn tags(markup: &str) -> Vec<Tag> {
    let mut tags = Vec::new();
    let mut rest = markup;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        if rest.starts_with("!--") {
            rest = rest.find("-->").map_or("", |end| &rest[end + 3..]);
            continue;
        }
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        if name_len == 0 {
            continue;
        }
        let name = rest[..name_len].to_ascii_lowercase();
        let (attrs, consumed) = attributes(&rest[name_len..]);
        rest = &rest[name_len + consumed..];
        tags.push(Tag { name, attrs });
    }
    tags
}

/// Parses attributes up to the closing `>`; returns them and the bytes consumed.
fn attributes(text: &str) -> (Vec<(String, Option<String>)>, usize) {
    let bytes = text.as_bytes();
    let mut attrs = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b'>' {
            return (attrs, (i + 1).min(bytes.len()));
        }
        let start = i;
        while i < bytes.len()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
            && !bytes[i].is_ascii_whitespace()
        {
            i += 1;
        }
        let name = text[start..i].to_ascii_lowercase();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let value = if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                let value_start = i + 1;
                let end = text[value_start..]
                    .find(quote as char)
                    .map_or(text.len(), |e| value_start + e);
                i = (end + 1).min(text.len());
                &text[value_start..end]
            } else {
                let value_start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                    i += 1;
                }
                &text[value_start..i]
            };
            attrs.push((name, Some(value.to_owned())));
        } else if !name.is_empty() {
            attrs.push((name, None));
        } else {
            i += 1;
        }
    }
}

fn tag_actions(tag: &Tag) -> Vec<String> {
    let attr = |name: &str| {
        tag.attrs
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    };
    let mut names = Vec::new();
    let is_submit_input = tag.name == "input"
        && attr("type")
            .is_some_and(|t| t.eq_ignore_ascii_case("submit") || t.eq_ignore_ascii_case("image"));
    let is_action_button =
        tag.name == "button" && !attr("type").is_some_and(|t| t.eq_ignore_ascii_case("reset"));
    if is_action_button || is_submit_input || tag.name == "form" {
        names.extend(attr("name"));
    }
    for (name, value) in &tag.attrs {
        if (name.starts_with("lvt-on:") || name == "lvt-form:action")
            && let Some(value) = value
        {
            names.push(value);
        }
    }
    names
        .into_iter()
        .map(str::trim)
        .filter(|n| !n.is_empty() && !n.contains(DYNAMIC))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(markup: &str) -> Vec<String> {
        actions(&[Piece::Lit(markup.to_owned())])
    }

    #[test]
    fn reads_every_action_attribute() {
        let markup = r#"<form name="create" lvt-form:action="update">
            <input name="title"><input type="submit" name="save">
            <button name="add">Add</button><button type="reset" name="clear">x</button>
            <li lvt-on:click="toggle" lvt-on:keydown='search'></li><button name="add">again</button>
        </form>"#;
        assert_eq!(
            names(markup),
            ["create", "update", "save", "add", "toggle", "search"]
        );
    }

    #[test]
    fn skips_dynamic_names_and_comments() {
        let pieces = [
            Piece::Lit("<button name=\"".into()),
            Piece::Write(proc_macro2::TokenStream::new()),
            Piece::Lit("\">x</button><!-- <button name=\"hidden\"> --><button name=remove>".into()),
        ];
        assert_eq!(actions(&pieces), ["remove"]);
    }
}
