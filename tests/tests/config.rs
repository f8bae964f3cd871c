//! A custom configuration file (`config = "…"`, like `askama.toml`) with a custom `syntax` and a
//! custom escaper bound to a file extension.

use std::fmt;

use livetemplate_tests::assert_same;

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    path = "options/syntax.html",
    config = "askama-custom.toml",
    syntax = "angle"
)]
struct Angle {
    name: String,
    flag: bool,
    items: Vec<&'static str>,
}

#[test]
fn custom_syntax_from_config() {
    assert_same(&Angle {
        name: "<n>".into(),
        flag: true,
        items: vec![],
    });
    assert_same(&Angle {
        name: String::new(),
        flag: false,
        items: vec!["a", "<b>"],
    });
}

/// An escaper that upper-cases text and replaces `<`/`>` with `[`/`]`; configured for `.shout`.
#[derive(Debug, Clone, Copy)]
struct Shouty;

impl askama::filters::Escaper for Shouty {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, string: &str) -> fmt::Result {
        for c in string.chars() {
            match c {
                '<' => dest.write_char('[')?,
                '>' => dest.write_char(']')?,
                c => {
                    for u in c.to_uppercase() {
                        dest.write_char(u)?;
                    }
                }
            }
        }
        Ok(())
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "options/custom_escaper.shout", config = "askama-custom.toml")]
struct CustomEscaper<'a> {
    text: &'a str,
}

#[test]
fn custom_escaper_from_config() {
    for text in livetemplate_tests::TRICKY_STRINGS {
        assert_same(&CustomEscaper { text });
    }
}
