//! Templates derived on an `enum`: one template matching on `self`.

use livetemplate_tests::assert_same;

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

// Per-variant templates (`#[template]` on each variant) are not supported by `LiveTemplate`:
// the derive rejects them with a clear message (see livetemplate-macros/tests/ui).
