//! Render-time values (`askama::get_value`, `|value`): a live page has none, so both renders
//! fail the same way askama's `render()` without values does.

use livetemplate_tests::assert_both_fail;

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = r#"<p>{{ askama::get_value::<u32>("count")? }}</p>"#,
    ext = "html"
)]
struct Function;

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(source = r#"<p>{{ ("count"|value::<u32>)? }}</p>"#, ext = "html")]
struct Filter;

#[test]
fn values_are_missing_in_both() {
    assert_both_fail(&Function);
    assert_both_fail(&Filter);
}
