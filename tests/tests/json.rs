//! The `json` / `tojson` filters (livetemplate's `serde_json` feature, enabled for this crate):
//! compact and indented, in text, attributes and scripts, over HTML-special and non-ASCII data.

use std::collections::BTreeMap;

use livetemplate_tests::{TRICKY_STRINGS, assert_same};

/// Serialized by serde's derive.
#[derive(serde::Serialize)]
struct Item {
    name: String,
    tags: Vec<&'static str>,
    count: Option<i64>,
    ratio: f64,
}

fn items() -> Vec<Item> {
    TRICKY_STRINGS
        .iter()
        .enumerate()
        .map(|(i, text)| Item {
            name: (*text).to_owned(),
            tags: vec!["<a>", "b&c", "'d'", "\"e\""],
            count: (i % 2 == 0).then_some(i as i64 - 3),
            ratio: i as f64 / 3.0,
        })
        .collect()
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = r#"<div data-json="{{ text|json }}" data-to='{{ text|tojson|safe }}'>{{ text|json }}</div>
<script>var text = {{ text|json|safe }};</script>"#,
    ext = "html"
)]
struct Text<'a> {
    text: &'a str,
}

#[test]
fn json_of_strings() {
    for text in TRICKY_STRINGS {
        assert_same(&Text { text });
    }
    assert_same(&Text {
        text: "\u{0}\u{1f}\u{7f} \u{2028}\u{2029} </script><!-- ]]>",
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = r#"<pre>{{ items|json(2) }}</pre>
<pre>{{ items|tojson(indent = "\t") }}</pre>
<pre data-x="{{ items|json(width) }}">{{ map|json(0) }}</pre>
<script type="application/json">{{ items|json|safe }}</script>
{% for item in items %}<li data-item='{{ item|json }}'>{{ item.name|json }} {{ item.tags|json(" ") }}</li>{% endfor %}"#,
    ext = "html"
)]
struct Items {
    items: Vec<Item>,
    map: BTreeMap<&'static str, (u8, bool, Option<char>)>,
    width: usize,
}

#[test]
fn json_with_and_without_indentation() {
    let map = BTreeMap::from([
        ("<k>", (1, true, Some('&'))),
        ("ünï", (2, false, None)),
        ("", (0, true, Some('🦀'))),
    ]);
    for width in [0, 1, 4, 40] {
        assert_same(&Items {
            items: items(),
            map: map.clone(),
            width,
        });
    }
    assert_same(&Items {
        items: Vec::new(),
        map: BTreeMap::new(),
        width: 2,
    });
}

/// In a text template nothing is escaped: the output is serde_json's, with askama's extra
/// escaping of `&`, `<`, `>` and `'`.
#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = "{{ values|json }}\n{{ values|json(3) }}\n{{ 1.5|json }}",
    ext = "txt"
)]
struct PlainText {
    values: Vec<Option<String>>,
}

#[test]
fn json_in_text_templates() {
    let values = TRICKY_STRINGS
        .iter()
        .map(|s| Some((*s).to_owned()))
        .chain([None])
        .collect();
    assert_same(&PlainText { values });
}

#[test]
fn json_output_is_escaped_json() {
    let tree = assert_same(&Text { text: "<a & 'b'>" });
    assert_eq!(
        tree.to_html(),
        "<div data-json=\"&#34;\\u003ca \\u0026 \\u0027b\\u0027\\u003e&#34;\" \
         data-to='\"\\u003ca \\u0026 \\u0027b\\u0027\\u003e\"'>&#34;\\u003ca \\u0026 \
         \\u0027b\\u0027\\u003e&#34;</div>\n<script>var text = \
         \"\\u003ca \\u0026 \\u0027b\\u0027\\u003e\";</script>"
    );
}
