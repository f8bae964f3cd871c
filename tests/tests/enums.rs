//! Templates derived on an `enum`: one template matching on `self`, or askama's per-variant
//! templates (`#[template(...)]` on each variant, defaults from the enum's attribute).

use std::fmt::Display;

use livetemplate::LiveTemplate as _;
use livetemplate_tests::{TRICKY_STRINGS, assert_same};

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "options/area.html")]
enum Area {
    Square(f32),
    Rectangle { a: f32, b: f32 },
    Circle { radius: f32 },
}

#[test]
fn enum_with_one_template() {
    assert_same(&Area::Square(2.0));
    assert_same(&Area::Rectangle { a: 1.5, b: -3.0 });
    assert_same(&Area::Circle { radius: 0.5 });
    assert_same(&Area::Circle { radius: 7.0 });
}

/// Tuple, struct and unit variants, each with its own template: inline sources and a file, with
/// `ext` from the enum's attribute.
#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(ext = "html")]
enum Inline {
    #[template(source = "<b>{{ self.0 }}</b>")]
    Bold(String),
    #[template(path = "enums/link.html")]
    Link { href: String, text: String },
    #[template(source = "<i>{{ self.0 }}</i> &amp; <u>{{ self.1|upper }}</u>")]
    Pair(u32, String),
    #[template(source = "<hr title=\"{{ Self::NAME }}\">")]
    Divider,
    #[template(source = "<button name=\"save\">Save</button><br>")]
    Break,
}

impl Inline {
    /// Named as `Self::NAME` in a variant's template: `Self` is the enum, as in askama.
    const NAME: &'static str = "inline <hr>";

    /// Called from a variant's template through `self`, which derefs to the enum.
    fn label(&self) -> &'static str {
        match self {
            Inline::Link { .. } => "a <link>",
            _ => "other",
        }
    }
}

#[test]
fn per_variant_tuple_struct_and_unit() {
    for text in TRICKY_STRINGS {
        assert_same(&Inline::Bold((*text).into()));
        assert_same(&Inline::Link {
            href: format!("/x?q={text}"),
            text: (*text).into(),
        });
        assert_same(&Inline::Pair(7, (*text).into()));
    }
    assert_same(&Inline::Divider);
    assert_same(&Inline::Break);
    assert_eq!(
        Inline::Link {
            href: "/".into(),
            text: "home".into()
        }
        .render_tree()
        .expect("renders")
        .to_html(),
        "<a href=\"/\" title=\"a &#60;link&#62;\">home</a>"
    );
}

#[test]
fn per_variant_statics_are_separate() {
    let bold = assert_same(&Inline::Bold("x".into()));
    let pair = assert_same(&Inline::Pair(1, "x".into()));
    let divider = assert_same(&Inline::Divider);
    assert_eq!(bold.statics().parts(), &["<b>", "</b>"]);
    assert_eq!(pair.statics().parts(), &["<i>", "</i> &amp; <u>", "</u>"]);
    assert_eq!(divider.statics().parts(), &["<hr title=\"", "\">"]);
    assert_eq!(Inline::ACTIONS, &["save"]);
}

/// Variant templates with control flow over the variant's fields.
#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(ext = "html")]
enum Blocks {
    #[template(source = "{% if items.is_empty() %}<p>{{ title }}: none</p>{% else %}\
        <h2>{{ title }}</h2><ul>{% for item in items %}\
        <li data-key=\"{{ loop.index }}\">{{ item }}{% if loop.last %}.{% endif %}</li>\
        {% endfor %}</ul>{% endif %}")]
    List { title: String, items: Vec<String> },
    #[template(source = "{% match self.0 %}{% when Some(9) %}<b>9</b>\
        {% when Some(n) %}{{ n }}{% when None %}-{% endmatch %}\
        {% for c in self.1.chars() %}[{{ c }}]{% endfor %}")]
    Count(Option<u32>, String),
    #[template(source = "{% if let Self::Empty = self.0 %}<em>empty</em>{% endif %}")]
    Empty,
}

#[test]
fn per_variant_control_flow() {
    for text in TRICKY_STRINGS {
        assert_same(&Blocks::List {
            title: (*text).into(),
            items: TRICKY_STRINGS.iter().map(|s| (*s).to_owned()).collect(),
        });
        assert_same(&Blocks::Count(Some(text.len() as u32), (*text).into()));
        assert_same(&Blocks::Count(Some(9), (*text).into()));
    }
    assert_same(&Blocks::List {
        title: "t".into(),
        items: Vec::new(),
    });
    assert_same(&Blocks::Count(None, String::new()));
    assert_same(&Blocks::Empty);
}

/// Variants without a template of their own render the enum's template (with `self` the enum);
/// a variant's attribute inherits the enum's template when it names none (`block` is not
/// inherited: it is the variant's own).
#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "enums/page.html")]
enum Page {
    Note(String),
    Alert {
        level: &'static str,
        message: String,
    },
    #[template(block = "head")]
    Title(String),
    #[template(
        source = "<p>{{ self.0 }}</p><button name=\"dismiss\">x</button>",
        ext = "html"
    )]
    Inline(String),
    Blank,
}

impl Page {
    fn title(&self) -> String {
        match self {
            Page::Title(title) => format!("<{title}>"),
            _ => "Page".into(),
        }
    }
}

#[test]
fn per_variant_with_the_enum_template_as_fallback() {
    for text in TRICKY_STRINGS {
        assert_same(&Page::Note((*text).into()));
        assert_same(&Page::Alert {
            level: "warn",
            message: (*text).into(),
        });
        assert_same(&Page::Title((*text).into()));
        assert_same(&Page::Inline((*text).into()));
    }
    assert_same(&Page::Blank);
    assert_eq!(Page::ACTIONS, &["dismiss"]);
}

/// The enum's `escape` and `whitespace` apply to the variants' templates.
#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(ext = "html", escape = "none", whitespace = "suppress")]
enum Plain {
    #[template(source = "  <{{ self.0 }}>  {% if true %}  x  {% endif %}  ")]
    Raw(String),
    #[template(
        source = "  <{{ self.0 }}>  ",
        escape = "html",
        whitespace = "preserve"
    )]
    Escaped(String),
}

#[test]
fn per_variant_inherits_escape_and_whitespace() {
    for text in TRICKY_STRINGS {
        assert_same(&Plain::Raw((*text).into()));
        assert_same(&Plain::Escaped((*text).into()));
    }
}

/// Generic enums with a lifetime: the variant structs borrow the fields for their own lifetime.
#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(ext = "html")]
enum Message<'a, T: Display> {
    #[template(source = "<p>{{ self.0 }}</p>")]
    Text(&'a str),
    #[template(
        source = "<p>{{ value }} {{ unit }}{% if value.to_string().len() > 2 %}!{% endif %}</p>"
    )]
    Value { value: T, unit: &'a str },
    #[template(source = "{% for m in self.0 %}{{ m }}{% endfor %}")]
    Many(Vec<Message<'a, T>>),
    #[template(source = "<p>{{ Self::kind() }}</p>")]
    Nothing,
}

impl<T: Display> Message<'_, T> {
    /// Reached as `Self::kind()` from a variant's template, with the enum's generics.
    fn kind() -> &'static str {
        "<nothing>"
    }
}

#[test]
fn per_variant_generics_and_lifetimes() {
    for text in TRICKY_STRINGS {
        assert_same(&Message::<u64>::Text(text));
        assert_same(&Message::Value {
            value: *text,
            unit: text,
        });
    }
    assert_same(&Message::Value {
        value: 1234.5,
        unit: "m<sup>2</sup>",
    });
    assert_same(&Message::<u8>::Nothing);
    assert_same(&Message::Many(vec![
        Message::Text("a & b"),
        Message::Value {
            value: 3,
            unit: "<kg>",
        },
        Message::Nothing,
        Message::Many(vec![Message::Text("nested")]),
    ]));
}
