//! The `decode` target (a client frame, as the socket and the JSON `POST` read it) and the
//! `apply` target (a server frame's tree, for the reference client).

use serde_json::Value;

use super::ACTIONS;
use crate::server::{action_data, connection};
use crate::wire::{self, ActionKind, ClientMessage, Limits};

/// Decodes `data` as a client frame with the default limits, then names its action as the
/// connection does.
///
/// # Panics
///
/// When an error renders as an error frame of 1 KiB or more or without a code, when an
/// accepted message does not read back from its own encoding (floats up to serde_json's
/// parsing precision: see `same`), when it names an action the name check refuses, or when
/// the action or the data the controller would get break the rule of
/// `server::action_data` (a `submit` runs its submitter only when that is a client action;
/// the page's hidden fields never reach an action).
pub fn decode(data: &[u8]) {
    let limits = Limits::default();
    match wire::decode(data, &limits) {
        Ok(message) => {
            let again = wire::decode(message.to_json(), &limits.max_frame_bytes(usize::MAX));
            match again {
                Ok(again) => assert!(same(&message, &again), "{message:?} read back as {again:?}"),
                Err(err) => panic!("{message:?} does not read back: {err}"),
            }
            check_action(&message, &limits);
        }
        Err(err) => {
            let frame = err.to_frame();
            assert!(frame.len() < 1024, "error frame too long: {frame}");
            assert!(!err.code().is_empty(), "an error without a code: {err}");
        }
    }
}

/// The action and data an accepted message gives the controller.
fn check_action(message: &ClientMessage, limits: &Limits) {
    if let Err(err) = wire::check_action_name(&message.action, limits) {
        panic!("decode accepted an action name the name check refuses: {err}");
    }
    let action = connection::action_of(message, ACTIONS);
    let submitter = message.submitter.as_deref();
    let expected = match submitter {
        Some(name) if message.kind() == ActionKind::Submit && ACTIONS.contains(&name) => name,
        _ => message.action.as_str(),
    };
    assert_eq!(action, expected, "the action of {message:?}");
    let data = action_data::without_page_fields(message.data.clone());
    for field in action_data::PAGE_FIELDS {
        assert!(
            !data.contains(field),
            "page field {field} reached the action"
        );
    }
    for (name, value) in message.data.iter() {
        if !action_data::PAGE_FIELDS.contains(&name.as_str()) {
            assert_eq!(data.get(name), Some(value), "field {name:?} changed");
        }
    }
}

/// Equal messages, except that floats may differ in the last bit: serde_json (without its
/// `float_roundtrip` feature) does not always parse a float to the nearest `f64`, so printing
/// and re-parsing can move it by one ulp.
fn same(a: &ClientMessage, b: &ClientMessage) -> bool {
    a.action == b.action
        && a.submitter == b.submitter
        && a.reference == b.reference
        && a.data.len() == b.data.len()
        && a.data
            .iter()
            .zip(b.data.iter())
            .all(|((na, va), (nb, vb))| na == nb && same_value(va, vb))
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => x == y || (x - y).abs() <= x.abs().max(y.abs()) * 1e-15,
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_value(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((kx, vx), (ky, vy))| kx == ky && same_value(vx, vy))
        }
        _ => a == b,
    }
}

/// A valid first tree: statics with fingerprints, a text slot, and a keyed list (the cart page
/// of `docs/src/protocol.md`, "Trees").
#[cfg(feature = "testing")]
const FIRST: &str = r#"{"s":["<h1>","</h1><ul>","</ul>"],"f":0,"0":"Cart","1":{"s":["<li data-key=\"","\">","</li>"],"f":1,"d":[{"0":"p7","1":"Apples"}],"m":{"idKey":"0"}}}"#;

/// Applies `data` (lossy UTF-8) as a server frame's `"tree"` to the reference client
/// (`testing::ClientTree`), both models: as an update on top of `FIRST` and as a first tree
/// of its own; the same text is also read as a whole server frame (`ServerFrame::parse`, both
/// envelopes), whose tree, if any, is applied too.
///
/// # Panics
///
/// When `apply` or `html` panics, or the fixed first tree is refused.
#[cfg(feature = "testing")]
pub fn apply(data: &[u8]) {
    use crate::testing::{ClientTree, ServerFrame};
    use crate::wire::ClientKind;

    let text = String::from_utf8_lossy(data);
    if let Ok(ServerFrame::Update { tree, .. }) = ServerFrame::parse(&text) {
        let mut client = ClientTree::new(ClientKind::Livetemplate);
        if client.apply(FIRST).is_ok() && client.apply(&tree.to_string()).is_ok() {
            let _ = client.html();
        }
    }
    for kind in [ClientKind::Livetemplate, ClientKind::Legacy] {
        let mut tree = ClientTree::new(kind);
        assert_eq!(
            tree.apply(FIRST),
            Ok(()),
            "the fixed first tree was refused"
        );
        let _ = tree.apply(&text);
        let _ = tree.html();

        let mut tree = ClientTree::new(kind);
        if tree.apply(&text).is_ok() {
            let _ = tree.html();
        }
    }
}
