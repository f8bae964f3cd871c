//! Code generation: lowered pieces → the body of `LiveTemplate::render_tree`.
//!
//! Two modes share the pieces. *Tree mode* builds a `Rendered`: adjacent literal text merges
//! into one `&'static` statics part, each `{{ }}` becomes a text slot, `if`/`match` a nested
//! node, `for` a list whose items share one table. *Write mode* renders straight into a string,
//! as askama does; it serves the constructs that cannot be split into slots (`{% filter %}`,
//! `{% let %}` blocks, and loops that `break` or `continue`, whose items differ in shape).

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::ir::{Branch, Loop, Piece};

/// Statements that build the root node into the builder `__lvt_b`.
pub(crate) fn root(pieces: &[Piece]) -> TokenStream {
    node(pieces)
}

/// What a slot holds, for finding item keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlotKind {
    Text,
    Structure,
}

/// A statics table under construction, with the code that fills its slots.
#[derive(Default)]
struct Table {
    parts: Vec<String>,
    current: String,
    slots: Vec<SlotKind>,
    code: TokenStream,
}

impl Table {
    /// Ends the current static part at a slot whose value `code` pushes into the builder.
    fn slot(&mut self, kind: SlotKind, code: TokenStream) {
        self.parts.push(std::mem::take(&mut self.current));
        self.slots.push(kind);
        self.code.extend(code);
    }

    fn finish(mut self) -> (Vec<String>, Vec<SlotKind>, TokenStream) {
        self.parts.push(self.current);
        (self.parts, self.slots, self.code)
    }
}

/// `static` declaration of a table named `__LVT_STATICS`; `key`: a list's slot holding each
/// item's key.
fn statics_decl(parts: &[String], key: Option<u32>) -> TokenStream {
    let fingerprint = Literal::u64_suffixed(fingerprint(parts));
    let table = match key {
        None => quote!(::livetemplate::render::Statics::new(&[#(#parts),*], #fingerprint)),
        Some(slot) => quote! {
            ::livetemplate::render::Statics::list(&[#(#parts),*], #fingerprint, ::core::option::Option::Some(#slot))
        },
    };
    quote! {
        static __LVT_STATICS: ::livetemplate::render::Statics = #table;
    }
}

/// A stable fingerprint of a statics table (FNV-1a over the parts and their boundaries).
pub(crate) fn fingerprint(parts: &[String]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

/// Statements that push a node for `pieces`, with its own statics table.
fn node(pieces: &[Piece]) -> TokenStream {
    let mut table = Table::default();
    sequence(pieces, &mut table);
    let (parts, _, code) = table.finish();
    let decl = statics_decl(&parts, None);
    quote!({
        #decl
        let __lvt_n = __lvt_b.open_node(&__LVT_STATICS);
        #code
        __lvt_b.close(__lvt_n);
    })
}

fn sequence(pieces: &[Piece], table: &mut Table) {
    for piece in pieces {
        match piece {
            Piece::Lit(text) => table.current.push_str(text),
            Piece::Write(code) => table.slot(SlotKind::Text, text_slot(code)),
            Piece::Stmt(code) => table.code.extend(code.clone()),
            Piece::Scope(body) => {
                let outer = std::mem::take(&mut table.code);
                sequence(body, table);
                let inner = std::mem::replace(&mut table.code, outer);
                table.code.extend(quote!({ #inner }));
            }
            Piece::If(branches) => table.slot(SlotKind::Structure, if_node(branches)),
            Piece::Match { scrutinee, arms } => {
                let arms = arms.iter().map(|(pattern, body)| {
                    let body = node(body);
                    quote!(#pattern => #body)
                });
                table.slot(SlotKind::Structure, quote!(match #scrutinee { #(#arms)* }));
            }
            Piece::Loop(l) if Piece::has_loop_control(&l.body) => {
                // Items would differ in shape: the whole loop is one text slot.
                let written = write_loop(l);
                table.slot(SlotKind::Structure, written_text(&written));
            }
            Piece::Loop(l) => table.slot(SlotKind::Structure, list(l)),
            Piece::FilterBlock { body, output } => {
                let source = capture(body);
                let text = text_slot(output);
                table.slot(
                    SlotKind::Text,
                    quote!({
                        let __lvt_filter_source = #source;
                        #text
                    }),
                );
            }
            Piece::LetBlock { target, body } => {
                let value = capture(body);
                table.code.extend(quote!(#target = #value;));
            }
            // Never reached: loops holding these are written in write mode.
            Piece::Break => table.code.extend(quote!(break;)),
            Piece::Continue => table.code.extend(quote!(continue;)),
        }
    }
}

/// A text slot: the already-escaped value written through askama's writer into the builder.
fn text_slot(code: &TokenStream) -> TokenStream {
    quote! {
        let __lvt_t = __lvt_b.text_start();
        (&&&::livetemplate::__private::askama::filters::Writable(&(#code)))
            .askama_write(__lvt_b.text(), __lvt_values)?;
        __lvt_b.text_end(__lvt_t);
    }
}

/// A text slot holding what write-mode code writes into `__lvt_w`.
fn written_text(body: &TokenStream) -> TokenStream {
    quote! {
        let __lvt_t = __lvt_b.text_start();
        {
            #[allow(unused_mut)]
            let mut __lvt_w: &mut ::std::string::String = __lvt_b.text();
            #body
        }
        __lvt_b.text_end(__lvt_t);
    }
}

fn if_node(branches: &[Branch]) -> TokenStream {
    let mut tokens = TokenStream::new();
    let mut has_else = false;
    for (i, branch) in branches.iter().enumerate() {
        let body = node(&branch.body);
        match (&branch.cond, i) {
            (Some(cond), 0) => tokens.extend(quote!(if #cond #body)),
            (Some(cond), _) => tokens.extend(quote!(else if #cond #body)),
            (None, _) => {
                tokens.extend(quote!(else #body));
                has_else = true;
            }
        }
    }
    if !has_else {
        let empty = node(&[]);
        tokens.extend(quote!(else #empty));
    }
    tokens
}

fn list(l: &Loop) -> TokenStream {
    let mut table = Table::default();
    sequence(&l.body, &mut table);
    let (parts, slots, code) = table.finish();
    let key = key_slot(&parts, &slots).and_then(|k| u32::try_from(k).ok());
    let decl = statics_decl(&parts, key);
    let Loop {
        setup,
        pattern,
        else_body,
        ..
    } = l;
    let mark = else_body.as_ref().map(|_| quote!(__lvt_did_loop = true;));
    let list = quote!({
        #decl
        #setup
        let __lvt_l = __lvt_b.open_list(&__LVT_STATICS);
        for (#pattern, __lvt_item) in
            ::livetemplate::__private::askama::helpers::TemplateLoop::new(__lvt_iter)
        {
            #mark
            let __lvt_i = __lvt_b.open_item();
            #code
            __lvt_b.close(__lvt_i);
        }
        __lvt_b.close(__lvt_l);
    });
    match else_body {
        None => list,
        Some(else_body) => {
            // A node holding the list, replaced by the `else` branch when the loop is empty.
            let else_node = node(else_body);
            let wrapper = statics_decl(&[String::new(), String::new()], None);
            quote!({
                #wrapper
                let __lvt_wrap = __lvt_b.open_node(&__LVT_STATICS);
                let mut __lvt_did_loop = false;
                #list
                if __lvt_did_loop {
                    __lvt_b.close(__lvt_wrap);
                } else {
                    __lvt_b.truncate(__lvt_wrap);
                    #else_node
                }
            })
        }
    }
}

/// The slot of an item's key: the value of `data-key="…"` (preferred) or `id="…"` on the item's
/// root element, when it is a single text slot.
pub(crate) fn key_slot(parts: &[String], slots: &[SlotKind]) -> Option<usize> {
    let first = parts.first()?.trim_start();
    if !first.starts_with('<') || first.starts_with("</") || first.starts_with("<!") {
        return None;
    }
    let mut tag = String::new();
    let mut found: Option<(usize, bool)> = None;
    for (slot, kind) in slots.iter().enumerate() {
        let text = if slot == 0 {
            first
        } else {
            parts[slot].as_str()
        };
        if outside_quotes_contains(&tag, text, '>') {
            break;
        }
        tag.push_str(text);
        if *kind == SlotKind::Text
            && let Some(attr) = open_attribute(&tag)
            && parts
                .get(slot + 1)
                .is_some_and(|next| next.contains(['"', '\'']))
        {
            let is_data_key = attr.eq_ignore_ascii_case("data-key");
            if is_data_key || attr.eq_ignore_ascii_case("id") {
                match found {
                    Some((_, true)) => {}
                    _ => found = Some((slot, is_data_key)),
                }
            }
        }
        tag.push('\0');
    }
    found.map(|(slot, _)| slot)
}

/// Whether `text`, appended to `tag`, contains `needle` outside a quoted attribute value.
fn outside_quotes_contains(tag: &str, text: &str, needle: char) -> bool {
    let mut quote = quote_state(tag);
    for c in text.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == needle => return true,
            None => {}
        }
    }
    false
}

fn quote_state(tag: &str) -> Option<char> {
    let mut quote = None;
    for c in tag.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None => {}
        }
    }
    quote
}

/// The attribute whose quoted value is open at the end of `tag`, with no slot in it yet.
fn open_attribute(tag: &str) -> Option<&str> {
    let quote = quote_state(tag)?;
    let start = tag.rfind(quote)?;
    let value = &tag[start + 1..];
    if value.contains('\0') {
        return None;
    }
    let before = tag[..start].trim_end().strip_suffix('=')?.trim_end();
    let name_start = before
        .rfind(|c: char| c.is_whitespace() || c == '\0')
        .map_or(0, |i| i + 1);
    Some(&before[name_start..])
}

/// Renders pieces into a new `String` (write mode) and yields it.
fn capture(pieces: &[Piece]) -> TokenStream {
    let body = write(pieces);
    quote!({
        let mut __lvt_w = ::std::string::String::new();
        #body
        __lvt_w
    })
}

/// Write mode: code that appends the pieces' output to `__lvt_w: String`.
fn write(pieces: &[Piece]) -> TokenStream {
    let mut tokens = TokenStream::new();
    for piece in pieces {
        tokens.extend(match piece {
            Piece::Lit(text) => quote!(__lvt_w.push_str(#text);),
            Piece::Write(code) => write_value(code),
            Piece::Stmt(code) => code.clone(),
            Piece::Scope(body) => {
                let body = write(body);
                quote!({ #body })
            }
            Piece::If(branches) => {
                let mut tokens = TokenStream::new();
                for (i, branch) in branches.iter().enumerate() {
                    let body = write(&branch.body);
                    tokens.extend(match (&branch.cond, i) {
                        (Some(cond), 0) => quote!(if #cond { #body }),
                        (Some(cond), _) => quote!(else if #cond { #body }),
                        (None, _) => quote!(else { #body }),
                    });
                }
                tokens
            }
            Piece::Match { scrutinee, arms } => {
                let arms = arms.iter().map(|(pattern, body)| {
                    let body = write(body);
                    quote!(#pattern => { #body })
                });
                quote!(match #scrutinee { #(#arms)* })
            }
            Piece::Loop(l) => write_loop(l),
            Piece::FilterBlock { body, output } => {
                let source = capture(body);
                let value = write_value(output);
                quote!({
                    let __lvt_filter_source = #source;
                    #value
                })
            }
            Piece::LetBlock { target, body } => {
                let value = capture(body);
                quote!(#target = #value;)
            }
            Piece::Break => quote!(break;),
            Piece::Continue => quote!(continue;),
        });
    }
    tokens
}

fn write_value(code: &TokenStream) -> TokenStream {
    quote! {
        (&&&::livetemplate::__private::askama::filters::Writable(&(#code)))
            .askama_write(&mut __lvt_w, __lvt_values)?;
    }
}

fn write_loop(l: &Loop) -> TokenStream {
    let Loop {
        setup,
        pattern,
        body,
        else_body,
    } = l;
    let body = write(body);
    let else_part = else_body.as_ref().map(|else_body| {
        let else_body = write(else_body);
        quote!(if !__lvt_did_loop { #else_body })
    });
    quote!({
        #setup
        let mut __lvt_did_loop = false;
        for (#pattern, __lvt_item) in
            ::livetemplate::__private::askama::helpers::TemplateLoop::new(__lvt_iter)
        {
            __lvt_did_loop = true;
            #body
        }
        #else_part
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn finds_data_key_on_root_element() {
        let p = parts(&["\n  <li class=\"", "\" data-key=\"", "\">", "</li>"]);
        let kinds = [SlotKind::Text; 3];
        assert_eq!(key_slot(&p, &kinds), Some(1));
    }

    #[test]
    fn prefers_data_key_over_id() {
        let p = parts(&["<tr id=\"row-", "\" data-key=\"", "\">", "</tr>"]);
        assert_eq!(key_slot(&p, &[SlotKind::Text; 3]), Some(1));
        let p = parts(&["<tr id=\"row-", "\">", "</tr>"]);
        assert_eq!(key_slot(&p, &[SlotKind::Text; 2]), Some(0));
    }

    #[test]
    fn ignores_keys_outside_the_root_tag_or_shared_with_other_slots() {
        let p = parts(&["<li>", "<span id=\"", "\"></span></li>"]);
        assert_eq!(key_slot(&p, &[SlotKind::Text; 2]), None);
        let p = parts(&["<li data-key=\"", "-", "\">", "</li>"]);
        assert_eq!(key_slot(&p, &[SlotKind::Text; 3]), None);
        let p = parts(&["text ", " more"]);
        assert_eq!(key_slot(&p, &[SlotKind::Text]), None);
        let p = parts(&["<li data-key=\"", "\">", "</li>"]);
        assert_eq!(key_slot(&p, &[SlotKind::Structure, SlotKind::Text]), None);
    }

    #[test]
    fn fingerprints_differ_by_boundaries() {
        assert_ne!(
            fingerprint(&parts(&["ab", "c"])),
            fingerprint(&parts(&["a", "bc"]))
        );
        assert_eq!(
            fingerprint(&parts(&["a", "b"])),
            fingerprint(&parts(&["a", "b"]))
        );
    }
}
