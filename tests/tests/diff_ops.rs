//! Which operations the diff chooses: only changed slots, moves as remove + insert, a reorder
//! only when it is smaller, statics sent once per connection.
//!
//! Frames are written as our client receives them, in its short forms (`[code, …]` list
//! operations, positional items, whole numbers as numbers; see `livetemplate::wire::Encoder`).

use livetemplate::LiveTemplate;
use livetemplate::diff::diff;
use livetemplate::wire::{ClientKind, Encoder};

#[derive(askama::Template, LiveTemplate)]
#[template(path = "diff_ops/rows.html")]
struct Rows {
    title: &'static str,
    rows: Vec<(u32, String, bool)>,
}

fn rows(ids: &[u32]) -> Rows {
    Rows {
        title: "Rows",
        rows: ids
            .iter()
            .map(|&id| (id, format!("row {id}"), false))
            .collect(),
    }
}

/// The patch frames' `tree` JSON for `states`, after a first full tree.
fn patches(client: ClientKind, states: &[Rows]) -> Vec<String> {
    let mut encoder = Encoder::new(client);
    let trees: Vec<_> = states
        .iter()
        .map(|s| LiveTemplate::render_tree(s).expect("render"))
        .collect();
    let _ = encoder.tree(&trees[0]);
    trees
        .windows(2)
        .map(|pair| encoder.patch(&diff(&pair[0], &pair[1])))
        .collect()
}

#[test]
fn unchanged_render_is_an_empty_patch() {
    assert_eq!(
        patches(ClientKind::Livetemplate, &[rows(&[1, 2]), rows(&[1, 2])]),
        ["{}"]
    );
}

#[test]
fn text_change_sends_only_that_slot() {
    let mut changed = rows(&[1, 2]);
    changed.title = "Renamed";
    assert_eq!(
        patches(ClientKind::Livetemplate, &[rows(&[1, 2]), changed]),
        [r#"{"0":"Renamed"}"#]
    );
}

#[test]
fn edit_inside_an_item_is_an_update_of_its_changed_slots() {
    let mut changed = rows(&[1, 2, 3]);
    changed.rows[1].1 = "edited".into();
    assert_eq!(
        patches(ClientKind::Livetemplate, &[rows(&[1, 2, 3]), changed]),
        [r#"{"1":[[1,2,{"1":"edited"}]]}"#]
    );
}

#[test]
fn branch_flip_sends_statics_once_then_only_their_id() {
    let mut done = rows(&[1]);
    done.rows[0].2 = true;
    let frames = patches(
        ClientKind::Livetemplate,
        &[rows(&[1]), done, rows(&[1]), {
            let mut again = rows(&[1]);
            again.rows[0].2 = true;
            again
        }],
    );
    assert_eq!(
        frames[0],
        r#"{"1":[[1,1,{"2":{"s":[" <b>done</b>"],"f":2}}]]}"#
    );
    // Back to the branch that renders nothing: empty text, no table.
    assert_eq!(frames[1], r#"{"1":[[1,1,{"2":""}]]}"#);
    // Again the table the client holds: its id alone.
    assert_eq!(frames[2], r#"{"1":[[1,1,{"2":[2]}]]}"#);
    // The existing client has no statics cache: every new subtree carries its statics, and
    // `"d":null` so that it replaces (rather than merges into) what was there.
    let legacy = patches(
        ClientKind::Legacy,
        &[rows(&[1]), {
            let mut d = rows(&[1]);
            d.rows[0].2 = true;
            d
        }],
    );
    assert_eq!(
        legacy[0],
        r#"{"1":[["u","1",{"2":{"s":[" <b>done</b>"],"d":null}}]]}"#
    );
}

#[test]
fn append_prepend_insert_remove() {
    let frames = patches(
        ClientKind::Livetemplate,
        &[
            rows(&[1, 2]),
            rows(&[1, 2, 3]),
            rows(&[0, 1, 2, 3]),
            rows(&[0, 1, 5, 2, 3]),
            rows(&[0, 5, 3]),
        ],
    );
    assert_eq!(frames[0], r#"{"1":[[3,[3,"row 3",""]]]}"#);
    assert_eq!(frames[1], r#"{"1":[[4,[0,"row 0",""]]]}"#);
    assert_eq!(frames[2], r#"{"1":[[2,1,[5,"row 5",""]]]}"#);
    // Removes share one operation.
    assert_eq!(frames[3], r#"{"1":[[0,1,2]]}"#);
}

#[test]
fn one_moved_item_is_resent_not_the_whole_list() {
    let before: Vec<u32> = (1..=100).collect();
    let mut after = before.clone();
    let last = after.pop().unwrap_or_default();
    after.insert(0, last);
    let frames = patches(ClientKind::Livetemplate, &[rows(&before), rows(&after)]);
    assert_eq!(frames[0], r#"{"1":[[0,100],[4,[100,"row 100",""]]]}"#);
}

#[test]
fn reversal_is_one_reorder() {
    let before: Vec<u32> = (1..=20).collect();
    let after: Vec<u32> = before.iter().rev().copied().collect();
    let frames = patches(ClientKind::Livetemplate, &[rows(&before), rows(&after)]);
    let expected_order: Vec<String> = after.iter().map(u32::to_string).collect();
    assert_eq!(
        frames[0],
        format!(r#"{{"1":[[5,{}]]}}"#, expected_order.join(","))
    );
}
