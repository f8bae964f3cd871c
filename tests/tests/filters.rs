//! askama's built-in filters, with arguments (positional and named) and chained, filter blocks,
//! and custom filters from a `filters` module.

use livetemplate_tests::{TRICKY_STRINGS, assert_both_fail, assert_same};

/// Custom filters, found by askama (and so by livetemplate) through the `filters` module in scope.
#[allow(
    unreachable_pub,
    reason = "askama::filter_fn generates `pub` builder items"
)]
mod filters {
    use std::fmt::Display;

    /// Upper-cases and adds an exclamation mark.
    #[askama::filter_fn]
    pub(crate) fn shout(value: impl Display, _env: &dyn askama::Values) -> askama::Result<String> {
        Ok(format!("{}!", value.to_string().to_uppercase()))
    }

    /// Repeats the value `n` times.
    #[askama::filter_fn]
    pub(crate) fn repeat<N: std::borrow::Borrow<usize>>(
        value: impl Display,
        _env: &dyn askama::Values,
        n: N,
    ) -> askama::Result<String> {
        Ok(value.to_string().repeat(*n.borrow()))
    }

    /// Wraps the value between `open` and an optional `close`.
    #[askama::filter_fn]
    pub(crate) fn wrap(
        value: impl Display,
        _env: &dyn askama::Values,
        open: &str,
        #[optional("")] close: &str,
    ) -> askama::Result<String> {
        Ok(format!("{open}{value}{close}"))
    }

    /// Fails on an empty value.
    #[askama::filter_fn]
    pub(crate) fn non_empty(
        value: impl Display,
        _env: &dyn askama::Values,
    ) -> askama::Result<String> {
        let s = value.to_string();
        if s.is_empty() {
            Err(askama::Error::Fmt)
        } else {
            Ok(s)
        }
    }
}

fn is_odd(n: &&i32) -> bool {
    **n % 2 != 0
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "filters/case.html")]
struct Case<'a> {
    text: &'a str,
}

#[test]
fn case_filters() {
    for text in TRICKY_STRINGS {
        assert_same(&Case { text });
    }
    assert_same(&Case {
        text: "hello wORLD ǆemal ßtraße",
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "filters/layout.html")]
struct Layout<'a> {
    text: &'a str,
    width: usize,
    block: &'a str,
}

#[test]
fn center_truncate_wordcount_indent() {
    for (i, text) in TRICKY_STRINGS.iter().enumerate() {
        assert_same(&Layout {
            text,
            width: i * 3,
            block: "first\nsecond\n\n  third <x>\n",
        });
    }
    assert_same(&Layout {
        text: "🦀🦀🦀🦀🦀🦀",
        width: 4,
        block: "",
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "filters/lines.html")]
struct Lines<'a> {
    text: &'a str,
}

#[test]
fn linebreak_filters() {
    for text in TRICKY_STRINGS {
        assert_same(&Lines { text });
    }
    assert_same(&Lines {
        text: "hello\nworld\n\nfrom\n\n\n\naskama\r\n<b>",
    });
    assert_same(&Lines { text: "\n\n\n" });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "filters/format.html")]
struct Format<'a> {
    n: i64,
    name: &'a str,
    ratio: f64,
    bytes: u64,
}

#[test]
fn format_fmt_filesizeformat() {
    assert_same(&Format {
        n: 42,
        name: "bob",
        ratio: 0.5,
        bytes: 1_500_000,
    });
    assert_same(&Format {
        n: -1,
        name: "<\"q\">",
        ratio: 1.0 / 3.0,
        bytes: 0,
    });
    assert_same(&Format {
        n: i64::MAX,
        name: "",
        ratio: -2.25,
        bytes: u64::MAX,
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "filters/collections.html")]
struct Collections<'a> {
    words: Vec<&'a str>,
    sep: &'a str,
    nums: Vec<i32>,
    count: i64,
}

#[test]
fn join_unique_reject_pluralize() {
    assert_same(&Collections {
        words: vec!["a", "<b>", "a", "c&d"],
        sep: " & ",
        nums: vec![1, 2, 3, 2, 5],
        count: 1,
    });
    assert_same(&Collections {
        words: vec![],
        sep: "",
        nums: vec![],
        count: 0,
    });
    assert_same(&Collections {
        words: vec!["only"],
        sep: "\"",
        nums: vec![2, 2, 2],
        count: -1,
    });
    assert_same(&Collections {
        words: vec!["x", "y"],
        sep: "|",
        nums: vec![-3, 4],
        count: 12,
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "filters/escape_filters.html")]
struct EscapeFilters<'a> {
    text: &'a str,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "filters/escape_filters.txt")]
struct EscapeFiltersTxt<'a> {
    text: &'a str,
}

#[test]
fn escape_safe_urlencode() {
    for text in TRICKY_STRINGS {
        assert_same(&EscapeFilters { text });
        assert_same(&EscapeFiltersTxt { text });
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "filters/defaults.html")]
struct Defaults {
    name: String,
    count: u32,
    maybe: Option<String>,
}

#[test]
fn defined_or_assigned_or_default() {
    assert_same(&Defaults {
        name: "Ann".into(),
        count: 3,
        maybe: Some("<set>".into()),
    });
    assert_same(&Defaults {
        name: String::new(),
        count: 0,
        maybe: None,
    });
    assert_same(&Defaults {
        name: "<&>".into(),
        count: 0,
        maybe: Some(String::new()),
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "filters/custom.html")]
struct Custom<'a> {
    text: &'a str,
    times: usize,
}

#[test]
fn custom_filters() {
    for (i, text) in TRICKY_STRINGS.iter().enumerate() {
        assert_same(&Custom { text, times: i % 3 });
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(source = "<p>{{ text|non_empty }}</p>", ext = "html")]
struct Failing<'a> {
    text: &'a str,
}

#[test]
fn failing_custom_filter() {
    assert_same(&Failing { text: "<ok>" });
    assert_both_fail(&Failing { text: "" });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "filters/block.html")]
struct Block<'a> {
    name: &'a str,
    items: Vec<u32>,
    flag: bool,
}

#[test]
fn filter_blocks() {
    assert_same(&Block {
        name: "world",
        items: vec![1, 2, 3],
        flag: true,
    });
    assert_same(&Block {
        name: "<Ünïcode & \"Q\">",
        items: vec![],
        flag: false,
    });
    assert_same(&Block {
        name: "",
        items: vec![7],
        flag: true,
    });
}
