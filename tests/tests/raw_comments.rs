//! `{% raw %}` blocks (with whitespace control) and comments: inline, multi-line, nested, and
//! with `-`, `+`, `~` whitespace control.

use livetemplate_tests::assert_same;

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "raw_comments/raw.html")]
struct Raw {
    name: String,
}

#[test]
fn raw_blocks() {
    assert_same(&Raw { name: "n".into() });
    assert_same(&Raw {
        name: "{{ <n> }}".into(),
    });
    assert_same(&Raw {
        name: String::new(),
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "raw_comments/comments.html")]
struct Comments {
    name: String,
    items: Vec<u8>,
}

#[test]
fn comments() {
    assert_same(&Comments {
        name: "c".into(),
        items: vec![],
    });
    assert_same(&Comments {
        name: "{# <c> #}".into(),
        items: vec![1, 2, 3],
    });
}
