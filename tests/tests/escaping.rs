//! Escaping: HTML specials in every context of an `.html` template, `.txt` (no escaping), `.xml`,
//! `escape = "none"` and `escape = "html"` overrides, value types (numbers, smart pointers,
//! custom `Display`, `HtmlSafe` types, nested templates) and unicode data.

use std::borrow::Cow;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use livetemplate_tests::{TRICKY_STRINGS, assert_same};

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "escaping/page.html")]
struct Page<'a> {
    text: &'a str,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "escaping/plain.txt")]
struct Plain<'a> {
    text: &'a str,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "escaping/plain.txt", escape = "html")]
struct PlainForcedHtml<'a> {
    text: &'a str,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "escaping/none.html", escape = "none")]
struct NoneEscape<'a> {
    text: &'a str,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(source = "<p>{{ text }}</p>|{{ text|e }}", ext = "txt")]
struct InlineTxt<'a> {
    text: &'a str,
}

#[test]
fn escaping_by_extension_and_mode() {
    for text in TRICKY_STRINGS {
        assert_same(&Page { text });
        assert_same(&Plain { text });
        assert_same(&PlainForcedHtml { text });
        assert_same(&NoneEscape { text });
        assert_same(&InlineTxt { text });
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "escaping/feed.xml")]
struct Feed {
    entries: Vec<String>,
}

#[test]
fn xml_escapes() {
    assert_same(&Feed { entries: vec![] });
    assert_same(&Feed {
        entries: TRICKY_STRINGS.iter().map(|s| s.to_string()).collect(),
    });
}

/// A type whose `Display` writes HTML specials: escaped unless `|safe`.
struct Custom;

impl fmt::Display for Custom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<custom & 'display'>")
    }
}

/// A type marked HTML-safe: never escaped.
struct SafeCustom;

impl fmt::Display for SafeCustom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<i>trusted</i>")
    }
}

impl askama::filters::HtmlSafe for SafeCustom {}

#[derive(askama::Template)]
#[template(path = "escaping/_inner.html")]
struct Inner {
    value: String,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "escaping/types.html")]
struct Types {
    int: u64,
    neg: i8,
    float: f32,
    flag: bool,
    ch: char,
    big: i128,
    owned: String,
    boxed: Box<str>,
    cow: Cow<'static, str>,
    rc: Rc<str>,
    arc: Arc<String>,
    custom: Custom,
    safe_custom: SafeCustom,
    inner: Inner,
}

#[test]
fn value_types() {
    for (i, text) in TRICKY_STRINGS.iter().enumerate() {
        assert_same(&Types {
            int: i as u64 * 1_000_000_007,
            neg: -(i as i8),
            float: i as f32 / 3.0,
            flag: i % 2 == 0,
            ch: text.chars().next().unwrap_or('\''),
            big: -(i as i128) << 100,
            owned: text.to_string(),
            boxed: (*text).into(),
            cow: Cow::Borrowed(text),
            rc: Rc::from(*text),
            arc: Arc::new(text.to_string()),
            custom: Custom,
            safe_custom: SafeCustom,
            inner: Inner {
                value: text.to_string(),
            },
        });
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "escaping/unicode.html")]
struct Unicode<'a> {
    lang: &'a str,
    greeting: &'a str,
}

#[test]
fn unicode_and_emoji() {
    for (lang, greeting) in [
        ("en", "hello"),
        ("ja", "こんにちは世界"),
        ("ar", "مرحبا <بالعالم>"),
        ("emoji", "👋🏽 👨‍👩‍👧 🦀"),
        ("de", "straße ǅ İstanbul"),
        ("", ""),
    ] {
        assert_same(&Unicode { lang, greeting });
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "escaping/mixed.html")]
struct MixedHtml<'a> {
    text: &'a str,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "escaping/mixed.txt")]
struct MixedTxt<'a> {
    text: &'a str,
}

#[test]
fn includes_and_imports_across_extensions() {
    for text in TRICKY_STRINGS {
        assert_same(&MixedHtml { text });
        assert_same(&MixedTxt { text });
    }
}
