//! Whitespace control: `-`, `+`, `~` at expression and tag edges, around block tags, in loops and
//! `match`, the `whitespace = "suppress" | "minimize" | "preserve"` modes, and trailing newlines.

use livetemplate_tests::assert_same;

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "whitespace/minus.html")]
struct Minus {
    items: Vec<&'static str>,
    name: &'static str,
    flag: bool,
}

#[test]
fn minus() {
    for flag in [true, false] {
        assert_same(&Minus {
            items: vec![],
            name: "",
            flag,
        });
        assert_same(&Minus {
            items: vec!["a", " b ", "<c>"],
            name: "  spaced  ",
            flag,
        });
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "whitespace/plus_tilde.html")]
struct PlusTilde {
    items: Vec<&'static str>,
    name: &'static str,
    flag: bool,
}

#[test]
fn plus_and_tilde() {
    for flag in [true, false] {
        assert_same(&PlusTilde {
            items: vec![],
            name: "x",
            flag,
        });
        assert_same(&PlusTilde {
            items: vec!["1", "2"],
            name: "<n>",
            flag,
        });
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "whitespace/suppress.html", whitespace = "suppress")]
struct Suppress {
    title: &'static str,
    flag: bool,
    items: Vec<u32>,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "whitespace/minimize.html", whitespace = "minimize")]
struct Minimize {
    title: &'static str,
    flag: bool,
    items: Vec<u32>,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "whitespace/preserve.html", whitespace = "preserve")]
struct Preserve {
    title: &'static str,
    flag: bool,
    items: Vec<u32>,
}

#[test]
fn whitespace_modes() {
    for flag in [true, false] {
        for items in [vec![], vec![1], vec![1, 2, 3]] {
            let title = if flag { "T" } else { " <t> " };
            assert_same(&Suppress {
                title,
                flag,
                items: items.clone(),
            });
            assert_same(&Minimize {
                title,
                flag,
                items: items.clone(),
            });
            assert_same(&Preserve { title, flag, items });
        }
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = "  <p>\n    {% if flag %}\n      {{ name }}\n    {% endif %}\n  </p>  \n",
    ext = "html",
    whitespace = "minimize"
)]
struct MinimizeInline {
    flag: bool,
    name: &'static str,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = "  <p>\n    {% if flag %}\n      {{ name }}\n    {% endif %}\n  </p>  \n",
    ext = "html",
    whitespace = "suppress"
)]
struct SuppressInline {
    flag: bool,
    name: &'static str,
}

#[test]
fn inline_sources_with_modes() {
    for flag in [true, false] {
        assert_same(&MinimizeInline { flag, name: "n" });
        assert_same(&SuppressInline { flag, name: "n" });
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "whitespace/no_newline.html")]
struct NoNewline {
    title: &'static str,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "whitespace/two_newlines.html")]
struct TwoNewlines {
    title: &'static str,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "whitespace/crlf.html")]
struct Crlf {
    title: &'static str,
}

#[test]
fn trailing_newlines_and_crlf() {
    for title in ["t", ""] {
        assert_same(&NoNewline { title });
        assert_same(&TwoNewlines { title });
        assert_same(&Crlf { title });
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "whitespace/loops_ws.html")]
struct LoopsWs {
    rows: Vec<Vec<&'static str>>,
    mode: u8,
    items: Vec<i32>,
}

#[test]
fn whitespace_in_loops_and_match() {
    for mode in [0, 1, 2] {
        assert_same(&LoopsWs {
            rows: vec![],
            mode,
            items: vec![],
        });
        assert_same(&LoopsWs {
            rows: vec![vec!["a", "b"], vec![], vec!["<c>"]],
            mode,
            items: vec![1, 2, 3],
        });
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "whitespace/empty.html")]
struct Empty;

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "whitespace/only_newline.html")]
struct OnlyNewline;

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "whitespace/crlf_trim.html")]
struct CrlfTrim {
    title: &'static str,
}

#[test]
fn empty_templates_and_trimmed_crlf() {
    assert_same(&Empty);
    assert_same(&OnlyNewline);
    assert_same(&CrlfTrim { title: " t " });
    assert_same(&CrlfTrim { title: "" });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "whitespace/composed.html")]
struct ComposedPreserve {
    title: &'static str,
    items: Vec<u8>,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "whitespace/composed.html", whitespace = "suppress")]
struct ComposedSuppress {
    title: &'static str,
    items: Vec<u8>,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "whitespace/composed.html", whitespace = "minimize")]
struct ComposedMinimize {
    title: &'static str,
    items: Vec<u8>,
}

#[test]
fn whitespace_modes_through_extends_include_and_macros() {
    for items in [vec![], vec![1, 2]] {
        for title in ["t", " <t> "] {
            assert_same(&ComposedPreserve {
                title,
                items: items.clone(),
            });
            assert_same(&ComposedSuppress {
                title,
                items: items.clone(),
            });
            assert_same(&ComposedMinimize {
                title,
                items: items.clone(),
            });
        }
    }
}
