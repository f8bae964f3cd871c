//! Every filter askama 0.16 knows, with arguments (positional, named, defaulted), chains, filter
//! blocks and custom filters, rendered by askama and by livetemplate over HTML-special and
//! non-ASCII data: the outputs must be byte-identical.

use std::fmt::Display;

/// The data every template here is rendered with.
const TEXTS: &[&str] = &[
    "",
    " ",
    "plain",
    "  <a href=\"x?y=1&z='2'\">Link</a>  ",
    "ǆemal ßtraße ÉCOLE 🦀 crab",
    "line one\nline two\n\n\nline <three>\r\nend\n",
    "tab\there & there",
    "a/b c?d=e&f#g%h+i~j",
];

/// Renders `value` both ways and compares.
#[track_caller]
fn check<T: askama::Template + livetemplate::LiveTemplate>(value: &T) {
    let expected = askama::Template::render(value).expect("askama renders");
    let got = livetemplate::LiveTemplate::render_tree(value)
        .expect("livetemplate renders")
        .to_html();
    assert_eq!(expected, got, "askama vs livetemplate");
}

#[allow(
    unreachable_pub,
    reason = "askama::filter_fn generates `pub` builder items"
)]
mod filters {
    use std::fmt::Display;

    /// Surrounds the value with `open` and `close`.
    #[askama::filter_fn]
    pub(crate) fn surround(
        value: impl Display,
        _env: &dyn askama::Values,
        open: &str,
        #[optional(")")] close: &str,
    ) -> askama::Result<String> {
        Ok(format!("{open}{value}{close}"))
    }

    /// The value's length in chars.
    #[askama::filter_fn]
    pub(crate) fn chars(value: impl Display, _env: &dyn askama::Values) -> askama::Result<usize> {
        Ok(value.to_string().chars().count())
    }
}

/// Filters reached by a qualified path.
#[allow(
    unreachable_pub,
    reason = "askama::filter_fn generates `pub` builder items"
)]
mod my {
    pub mod path {
        use std::fmt::Display;

        /// Repeats the value `n` times, separated by `sep`.
        #[askama::filter_fn]
        pub(crate) fn repeat<N: std::borrow::Borrow<usize>>(
            value: impl Display,
            _env: &dyn askama::Values,
            n: N,
            #[optional("")] sep: &str,
        ) -> askama::Result<String> {
            let value = value.to_string();
            Ok(vec![value.as_str(); *n.borrow()].join(sep))
        }
    }
}

fn is_short(s: &&&str) -> bool {
    s.len() < 3
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = "{{ t|capitalize }}|{{ t|lower }}|{{ t|lowercase }}|{{ t|upper }}|{{ t|uppercase }}|\
{{ t|title }}|{{ t|titlecase }}|[{{ t|trim }}]|{{ t|trim|upper|truncate(4) }}|\
{{ t | title | lower | capitalize }}|{{ \"  <MiXeD>  \"|trim|lower }}",
    ext = "html"
)]
struct Case<'a> {
    t: &'a str,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = "[{{ t|center(n) }}][{{ t|center(length = 9) }}][{{ t|truncate(n) }}]\
[{{ t|truncate(length = 2) }}][{{ t|wordcount }}][{{ t|wordcount * 2 }}]\
[{{ \"a b  c\"|wordcount }}]{% if t|wordcount > 1 %}many{% endif %}\n\
{{ t|indent(2) }}|{{ t|indent(n, true) }}|{{ t|indent(\"> \", first = true, blank = true) }}|\
{{ t|indent(width = 3, blank = true) }}|{{ t|indent(prefix, false, true) }}",
    ext = "html"
)]
struct Layout<'a> {
    t: &'a str,
    n: usize,
    prefix: &'a str,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = "{{ t|escape }}|{{ t|e }}|{{ t|e(\"txt\") }}|{{ t|escape(\"html\") }}|\
{{ t|escape(escaper = \"none\") }}|{{ t|safe }}|{{ t|safe|e }}|{{ t|e|e }}|{{ t|e|safe }}|\
{{ t|urlencode }}|{{ t|urlencode_strict }}|{{ t|urlencode|upper }}|\
<a href=\"/q?x={{ t|urlencode_strict }}\">{{ t|linebreaks }}</a>|{{ t|linebreaksbr }}|\
{{ t|paragraphbreaks }}|{{ t|linebreaksbr|safe }}|{{ t|upper|linebreaks }}",
    ext = "html"
)]
struct Escapes<'a> {
    t: &'a str,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = "{{ t|escape }}|{{ t|e(\"html\") }}|{{ t|safe }}|{{ t|urlencode }}|\
{{ t|linebreaks }}|{{ t|linebreaksbr }}|{{ t|paragraphbreaks }}|{{ n|pluralize(\"<one>\", \"<many>\") }}",
    ext = "txt"
)]
struct TextEscapes<'a> {
    t: &'a str,
    n: i32,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = "{{ \"{}-{}:{:?}\"|format(t, n, t) }}|{{ \"<{}>\"|format(t) }}|{{ \"plain\"|format }}|\
{{ n|fmt(\"{:>6}\") }}|{{ t|fmt(\"[{:?}]\") }}|{{ x|fmt(\"{:.3}\") }}|{{ n|fmt(\"{:#x}\")|upper }}|\
{{ bytes|filesizeformat }}|{{ bytes|filesizeformat(0) }}|{{ bytes|filesizeformat(precision = 4) }}|\
{{ 1500|filesizeformat }}|{{ n|filesizeformat }}",
    ext = "html"
)]
struct Formats<'a> {
    t: &'a str,
    n: u32,
    x: f64,
    bytes: u64,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = "{{ words|join(\", \") }}|{{ words|join(sep) }}|{{ nums|join(\"<&>\") }}|\
{{ [1, 2, 3]|join(separator = \"-\") }}|\
{% for w in words|unique %}{{ w }};{% endfor %}|\
{% for n in nums|reject(2) %}{{ n }},{% endfor %}|\
{% for w in words|reject(self::is_short) %}{{ w|upper }},{% endfor %}|\
{% for w in words|reject(filter = \"b\") %}{{ w }},{% endfor %}",
    ext = "html"
)]
struct Collections<'a> {
    words: Vec<&'a str>,
    sep: &'a str,
    nums: Vec<i32>,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = "{{ n }} item{{ n|pluralize }}, pon{{ n|pluralize(\"y\", \"ies\") }}, \
{{ n|pluralize(\"<child>\", \"<children & co>\") }}, dog{{ n|pluralize(plural = \"gies\") }}, \
{{ n|pluralize(singular = \"ǆ\") }}, {{ n|pluralize(sg, pl) }}, \
cat{{ 1|pluralize }} cat{{ 2|pluralize }} {{ -1|pluralize(\"one\", \"many\") }} \
{{ 1u8|pluralize(\"a\", \"b\") }} {{ 0|pluralize(\"a\", \"b\") }} {{ 1_0|pluralize(\"a\", \"b\") }} \
{{ big|pluralize(\"a\", \"b\") }} {{ n|pluralize('c', 'd') }} {{ n|pluralize(true, 3) }}",
    ext = "html"
)]
struct Plurals<'a> {
    n: i64,
    big: u128,
    sg: &'a str,
    pl: &'a str,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = "{% let greeting = name.as_str() %}{% decl later %}\
{{ greeting|defined_or(\"Hi\") }} {{ nothing|defined_or(\"fallback <x>\") }} \
{{ later|defined_or(\"not yet\") }} {{ greeting|default(\"unused\") }} \
{{ nothing|default(\"default <d>\") }} {{ nothing|default(default_value = \"named\") }} \
{{ count|default(99, true) }} {{ count|default(99, boolean = true) }} \
{{ name.as_str()|assigned_or(\"anon\") }} {{ maybe.as_deref()|assigned_or(\"<none>\") }} \
{{ count|assigned_or(-1) }} {{ nothing|assigned_or(\"n/a\") }} \
{{ later|assigned_or(fallback = \"unassigned\") }} \
{{ name|ref|deref }} {{ *name|ref }} {% let c = count|ref %}{{ c|deref + 1 }}\
{% if true %}{% endif %}{% let later = 5 %} {{ later|defined_or(0) }} {{ later|assigned_or(0) }}",
    ext = "html"
)]
struct Defaults {
    name: String,
    count: u32,
    maybe: Option<String>,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = "{{ t|surround(\"(\") }}|{{ t|surround(\"<\", \">\") }}|{{ t|surround(\"[\", close = \"]\") }}|\
{{ t|surround(open = \"{\", close = \"}\") }}|{{ t|chars }}|{{ t|chars + 1 }}|\
{{ t|my::path::repeat(n) }}|{{ t|my::path::repeat(2, sep = \"<&>\") }}|\
{{ t|self::my::path::repeat(n, \"/\")|upper }}|{{ t|upper|surround(\"«\")|my::path::repeat(2)|safe }}|\
{% if t|chars > 3 %}long{% else %}short{% endif %}",
    ext = "html"
)]
struct Custom<'a> {
    t: &'a str,
    n: usize,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = "<section>{% filter upper %}hello {{ t }} & <b>friends</b>{% endfilter %}|\
{% filter trim|lower|surround(\"(\") %}  SHOUT {{ t }}  {% endfilter %}|\
{% filter linebreaksbr %}{{ t }}\nnext{% endfilter %}|\
{% filter escape %}<i>{{ t }}</i>{% endfilter %}|\
{% filter safe %}<i>{{ t }}</i>{% endfilter %}|\
{% filter wordcount %}{{ t }} one two{% endfilter %}|\
{% filter indent(2, true) %}a\n{{ t }}{% endfilter %}|\
{% filter center(30)|urlencode %}{{ t }}{% endfilter %}</section>",
    ext = "html"
)]
struct Blocks<'a> {
    t: &'a str,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = "{% if let Ok(v) = \"key\"|value::<u32> %}{{ v }}{% else %}no value{% endif %}",
    ext = "html"
)]
struct Values;

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = "{% for (i, w) in words.iter().enumerate() %}{{ i|pluralize(\"<1>\", w) }}:\
{{ w|upper|center(7) }}:{{ w|e|truncate(2) }}{% if !loop.last %}, {% endif %}{% endfor %}",
    ext = "html"
)]
struct InLoop<'a> {
    words: Vec<&'a str>,
}

fn texts() -> impl Iterator<Item = (usize, &'static str)> {
    TEXTS.iter().copied().enumerate()
}

#[test]
fn case_filters() {
    for (_, t) in texts() {
        check(&Case { t });
    }
}

#[test]
fn layout_filters() {
    for (i, t) in texts() {
        check(&Layout {
            t,
            n: i * 2,
            prefix: "<»>",
        });
    }
}

#[test]
fn escaping_filters() {
    for (i, t) in texts() {
        check(&Escapes { t });
        check(&TextEscapes {
            t,
            n: i32::try_from(i).unwrap_or_default() - 1,
        });
    }
}

#[test]
fn formatting_filters() {
    for (i, t) in texts() {
        let i = u32::try_from(i).unwrap_or_default();
        check(&Formats {
            t,
            n: i * 1000,
            x: f64::from(i) / 3.0,
            bytes: u64::from(i).pow(9),
        });
    }
    check(&Formats {
        t: "max",
        n: u32::MAX,
        x: f64::NAN,
        bytes: u64::MAX,
    });
}

#[test]
fn collection_filters() {
    check(&Collections {
        words: vec!["a", "<b>", "a", "c&d", "b", "ǆǆǆ"],
        sep: " & ",
        nums: vec![1, 2, 3, 2, 5],
    });
    check(&Collections {
        words: vec![],
        sep: "",
        nums: vec![],
    });
    check(&Collections {
        words: vec!["b", "b"],
        sep: "\"",
        nums: vec![2, 2],
    });
}

#[test]
fn pluralize_filter() {
    for n in [-2, -1, 0, 1, 2, 12, i64::MIN] {
        check(&Plurals {
            n,
            big: n.unsigned_abs().into(),
            sg: "<s>",
            pl: "«p»",
        });
    }
}

#[test]
fn default_filters() {
    check(&Defaults {
        name: "Ann".into(),
        count: 3,
        maybe: Some("<set>".into()),
    });
    check(&Defaults {
        name: String::new(),
        count: 0,
        maybe: None,
    });
    check(&Defaults {
        name: "<&>ǆ".into(),
        count: 0,
        maybe: Some(String::new()),
    });
}

#[test]
fn custom_filters() {
    for (i, t) in texts() {
        check(&Custom { t, n: i % 3 });
    }
}

#[test]
fn filter_blocks() {
    for (_, t) in texts() {
        check(&Blocks { t });
    }
}

#[test]
fn value_filter() {
    check(&Values);
}

#[test]
fn filters_in_loops() {
    check(&InLoop {
        words: vec!["<a>", "ǆemal", "", "x & y"],
    });
    check(&InLoop { words: vec![] });
}

/// The custom filters themselves, so that a broken helper is not mistaken for a generator bug.
#[test]
fn custom_filter_helpers() {
    fn show(value: impl Display) -> String {
        value.to_string()
    }
    assert_eq!(show(1), "1");
    assert!(is_short(&&"ab"));
}
