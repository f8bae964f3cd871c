//! Both client models on the same frames: short forms, list operations, statics by `"f"`,
//! errors with their paths, the legacy quirks and the limits.

use super::*;
use crate::wire::ClientKind;

fn client(kind: ClientKind, frames: &[&str]) -> Result<String, ApplyError> {
    let mut client = ClientTree::new(kind);
    for frame in frames {
        client.apply(frame)?;
    }
    client.html()
}

fn both(frames: &[&str]) -> [Result<String, ApplyError>; 2] {
    [
        client(ClientKind::Livetemplate, frames),
        client(ClientKind::Legacy, frames),
    ]
}

const CART: &str = r#"{"s":["<h1>","</h1><ul>","</ul>"],"0":"Cart",
    "1":{"s":["<li data-key=\"","\">","</li>"],"d":[{"0":"p7","1":"Apples"}],"m":{"idKey":"0"}}}"#;

#[test]
fn short_forms() {
    let ours = |frames: &[&str]| client(ClientKind::Livetemplate, frames);
    let first = r#"{"s":["<div>","</div><ul>","</ul>"],"f":0,"0":{"s":["<b>","</b>"],"f":1,"0":7},
        "1":{"s":["<li id=\"","\">","</li>"],"f":2,"d":[[1,"a"],[2,"b"]],"m":{"idKey":"0"}}}"#;
    assert_eq!(
        ours(&[first]),
        Ok(r#"<div><b>7</b></div><ul><li id="1">a</li><li id="2">b</li></ul>"#.to_owned())
    );
    // A known table by position, empty text for nothing, numbered list operations with
    // whole-number keys.
    assert_eq!(
        ours(&[first, r#"{"0":""}"#, r#"{"0":[1,"x"],"1":[[0,1],[3,[3,"c"],[4,"d"]],[2,3,[5,"e"]],[1,2,{"1":"B"}],[4,[0,"z"]],[5,0,2,3,5,4]]}"#]),
        Ok(r#"<div><b>x</b></div><ul><li id="0">z</li><li id="2">B</li><li id="3">c</li><li id="5">e</li><li id="4">d</li></ul>"#.to_owned())
    );
    // Removes of several keys in one operation.
    assert_eq!(
        ours(&[first, r#"{"1":[[0,1,2]]}"#]),
        Ok("<div><b>7</b></div><ul></ul>".to_owned())
    );
    fn shape_at(path: &str) -> impl Fn(Result<String, ApplyError>) -> bool + '_ {
        move |result| matches!(result, Err(ApplyError::Shape { path: p, .. }) if p == path)
    }
    assert_eq!(
        ours(&[first, r#"{"0":[9,"x"]}"#]),
        Err(ApplyError::UnknownStatics {
            path: "tree.0".to_owned(),
            id: 9
        })
    );
    assert_eq!(
        ours(&[first, r#"{"0":[1]}"#]),
        Err(ApplyError::SlotCount {
            path: "tree.0".to_owned(),
            expected: 1,
            found: 0
        })
    );
    assert!(shape_at("tree.1[0]")(ours(&[first, r#"{"1":[[9,1]]}"#])));
    assert!(shape_at("tree.1[0]")(ours(&[first, r#"{"1":[[0]]}"#])));
    assert!(shape_at("tree.1[0]")(ours(&[
        first,
        r#"{"1":[[1,1.5,{}]]}"#
    ])));
    assert!(shape_at("tree.0")(ours(&[first, r#"{"0":[-1]}"#])));
    assert_eq!(
        ours(&[first, r#"{"1":[[0,8]]}"#]),
        Err(ApplyError::MissingKey {
            path: "tree.1[0]".to_owned(),
            key: "8".to_owned()
        })
    );
}

#[test]
fn first_frame_and_text_update() {
    for html in both(&[CART, r#"{"0":"My cart"}"#]) {
        assert_eq!(
            html,
            Ok("<h1>My cart</h1><ul><li data-key=\"p7\">Apples</li></ul>".to_owned())
        );
    }
}

#[test]
fn updates_apply_in_slot_order_not_string_order() {
    // Slot 2 teaches table 5; slot 10 (after it in slot order, before it as a string)
    // names it.
    let first = r#"{"s":["","","","","","","","","","","",""],"f":0,
        "0":"","1":"","2":"","3":"","4":"","5":"","6":"","7":"","8":"","9":"","10":""}"#;
    let update = r#"{"2":{"s":["<b>","</b>"],"f":5,"0":"x"},"10":{"f":5,"0":"y"}}"#;
    assert_eq!(
        client(ClientKind::Livetemplate, &[first, update]),
        Ok("<b>x</b><b>y</b>".to_owned())
    );
}

#[test]
fn numbers_and_bools_are_text() {
    let frame = r#"{"s":["","|","|","|","|",""],"0":42,"1":true,"2":1.5,"3":1e21,"4":-0.0000001}"#;
    for html in both(&[frame]) {
        assert_eq!(html, Ok("42|true|1.5|1e+21|-1e-7".to_owned()));
    }
}

#[test]
fn list_operations_in_order() {
    let ops = r#"{"1":[["r","p7"],["a",[{"0":"p9","1":"Kiwis"}]],["p",[{"0":"p1","1":"Figs"}]],
        ["i","p1",{"0":"p2","1":"Dates"}],["u","p9",{"1":"Limes"}],["o",["p9","p1","p2"]]]}"#;
    for html in both(&[CART, ops]) {
        assert_eq!(
            html,
            Ok("<h1>Cart</h1><ul><li data-key=\"p9\">Limes</li><li data-key=\"p1\">Figs</li><li data-key=\"p2\">Dates</li></ul>".to_owned())
        );
    }
}

#[test]
fn items_keyed_by_k() {
    let first = r#"{"s":["<p>","</p>"],"0":{"s":["<b>","</b>"],"d":[{"0":"x","_k":"0"},{"0":"y","_k":"1"}]}}"#;
    let update = r#"{"0":[["r","1"],["u","0",{"0":"z"}],["a",[{"0":"w","_k":"1"}]]]}"#;
    for html in both(&[first, update]) {
        assert_eq!(html, Ok("<p><b>z</b><b>w</b></p>".to_owned()));
    }
}

#[test]
fn statics_cache_by_f() {
    let first = r#"{"s":["<div>","</div>"],"f":0,"0":{"s":["<b>","</b>"],"f":1,"0":"a"}}"#;
    let flip = r#"{"0":{"s":["<i>","</i>"],"f":2,"0":"b"}}"#;
    let back = r#"{"0":{"f":1,"0":"c"}}"#;
    assert_eq!(
        client(ClientKind::Livetemplate, &[first, flip, back]),
        Ok("<div><b>c</b></div>".to_owned())
    );
    assert_eq!(
        client(
            ClientKind::Livetemplate,
            &[first, r#"{"0":{"f":9,"0":"c"}}"#]
        ),
        Err(ApplyError::UnknownStatics {
            path: "tree.0".to_owned(),
            id: 9
        })
    );
    // The existing client ignores "f": it merges the slots into the node it holds.
    assert_eq!(
        client(ClientKind::Legacy, &[first, flip, back]),
        Ok("<div><i>c</i></div>".to_owned())
    );
}

#[test]
fn replaced_node_drops_old_slots() {
    let first = r#"{"s":["<div>","</div>"],"0":{"s":["<b>","|","</b>"],"0":"a","1":"b"}}"#;
    let flip = r#"{"0":{"s":["<i>","</i>"],"0":"c"}}"#;
    for html in both(&[first, flip]) {
        assert_eq!(html, Ok("<div><i>c</i></div>".to_owned()));
    }
}

#[test]
fn errors() {
    type Case = (&'static [&'static str], fn(&ApplyError) -> bool);
    let cases: &[Case] = &[
        (&["{"], |e| matches!(e, ApplyError::Json(_))),
        (&[r#"{"0":"x"}"#], |e| *e == ApplyError::NoTree),
        (
            &[CART, r#"{"1":[["r","nope"]]}"#],
            |e| matches!(e, ApplyError::MissingKey { key, .. } if key == "nope"),
        ),
        (&[CART, r#"{"1":[["x"]]}"#], |e| {
            matches!(e, ApplyError::Shape { .. })
        }),
        (&[CART, r#"{"0":[["r","p7"]]}"#], |e| {
            matches!(e, ApplyError::Shape { .. })
        }),
        (&[r#"{"s":["a","b"]}"#], |e| {
            matches!(
                e,
                ApplyError::SlotCount {
                    expected: 1,
                    found: 0,
                    ..
                }
            )
        }),
    ];
    for (frames, expected) in cases {
        for result in both(frames) {
            match result {
                Err(err) => {
                    assert!(expected(&err), "{frames:?}: unexpected error {err}");
                    assert!(!err.to_string().is_empty());
                }
                Ok(html) => panic!("{frames:?}: expected an error, got {html:?}"),
            }
        }
    }
}

#[test]
fn slots_past_the_last_one() {
    let update = r#"{"1":[["u","p7",{"5":"x"}]]}"#;
    assert_eq!(
        client(ClientKind::Livetemplate, &[CART, update]),
        Err(ApplyError::UnknownKey {
            path: "tree.1[0]".to_owned(),
            key: "5".to_owned()
        })
    );
    // The existing client merges the stray slot in and never renders it.
    assert_eq!(
        client(ClientKind::Legacy, &[CART, update]),
        Ok("<h1>Cart</h1><ul><li data-key=\"p7\">Apples</li></ul>".to_owned())
    );
}

#[test]
fn bad_frame_changes_nothing() {
    for kind in [ClientKind::Livetemplate, ClientKind::Legacy] {
        let mut client = ClientTree::new(kind);
        assert!(client.apply(CART).is_ok());
        assert!(
            client
                .apply(r#"{"0":"x","1":[["r","p7"],["r","p7"]]}"#)
                .is_err()
        );
        assert_eq!(
            client.html(),
            Ok("<h1>Cart</h1><ul><li data-key=\"p7\">Apples</li></ul>".to_owned())
        );
    }
}

#[test]
fn depth_is_limited() {
    let mut deep = String::from("\"x\"");
    for _ in 0..(MAX_DEPTH + 2) {
        deep = format!(r#"{{"s":["",""],"0":{deep}}}"#);
    }
    for result in both(&[&deep]) {
        assert!(
            matches!(
                result,
                Err(ApplyError::TooDeep { .. } | ApplyError::Json(_))
            ),
            "{result:?}"
        );
    }
}

#[test]
fn legacy_quirks() {
    // Text that looks like a Go template action renders as nothing.
    let frame = r#"{"s":["<p>","</p>"],"0":"{{ name }}"}"#;
    assert_eq!(
        client(ClientKind::Legacy, &[frame]),
        Ok("<p></p>".to_owned())
    );
    assert_eq!(
        client(ClientKind::Livetemplate, &[frame]),
        Ok("<p>{{ name }}</p>".to_owned())
    );
    // A list replaced by a node holding a list is merged, not replaced: the old "d" stays
    // and the result still renders as the old list.
    let first = r#"{"s":["<div>","</div>"],"0":{"s":["",""],"0":{"s":["<i>","</i>"],"d":[{"0":"a","_k":"0"}]}}}"#;
    let flip = r#"{"0":{"s":["<p>","</p>"],"0":{"s":["",""],"0":{"s":["<b>","</b>"],"d":[{"0":"b","_k":"0"}]}}}}"#;
    assert_eq!(
        client(ClientKind::Livetemplate, &[first, flip]),
        Ok("<div><p><b>b</b></p></div>".to_owned())
    );
    assert_ne!(
        client(ClientKind::Legacy, &[first, flip]),
        Ok("<div><p><b>b</b></p></div>".to_owned())
    );
}

#[test]
fn html_size_is_limited() {
    let big = "x".repeat(1 << 20);
    let refs: Vec<String> = (0..40).map(|i| format!(r#""{i}":{{"f":1}}"#)).collect();
    let gaps = vec!["\"\""; 41].join(",");
    let frame = format!(
        r#"{{"s":[{gaps}],"f":0,"0":{{"s":["{big}"],"f":1}},{}}}"#,
        refs[1..].join(",")
    );
    let mut client = ClientTree::new(ClientKind::Livetemplate);
    assert_eq!(client.apply(&frame), Ok(()));
    assert_eq!(client.html(), Err(ApplyError::TooLarge));
}

#[test]
fn garbage_never_panics() {
    let inputs = [
        "",
        "null",
        "[]",
        "[[\"r\"]]",
        "{\"s\":[]}",
        "{\"s\":\"x\"}",
        "{\"s\":[1]}",
        "{\"f\":-1}",
        "{\"f\":0}",
        "{\"s\":[\"\",\"\"],\"0\":{\"s\":[\"\"],\"d\":\"x\"}}",
        "{\"s\":[\"\",\"\"],\"0\":{\"s\":[\"\"],\"d\":[1],\"m\":{\"idKey\":\"9\"}}}",
        "{\"s\":[\"\",\"\"],\"0\":{\"s\":[\"\",\"\"],\"d\":[{\"0\":\"a\"}],\"m\":{\"idKey\":\"0\"}}}",
        "{\"0\":[[\"o\",[\"a\",\"a\"]]]}",
        "{\"0\":[[\"a\",[{}],[\"x\",\"y\",\"z\"]]]}",
        "{\"0\":[[\"i\",\"a\",[{\"0\":1}]],[\"p\",{}],[\"u\",\"a\",null]]}",
        "{\"0\":{\"0\":{\"0\":null}}}",
        "{\"0\":[[1,2]]}",
        "{\"01\":\"x\",\"18446744073709551616\":1}",
    ];
    for kind in [ClientKind::Livetemplate, ClientKind::Legacy] {
        let mut client = ClientTree::new(kind);
        for input in inputs {
            let _ = client.apply(input);
            let _ = client.html();
        }
    }
}
