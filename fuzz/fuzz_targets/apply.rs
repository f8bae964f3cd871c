//! Fuzz target: arbitrary text as the `"tree"` of a server frame, for the Rust reference
//! client's tree cache (`livetemplate::testing::ClientTree`, feature `testing`), both models.
//!
//! The input is applied twice per model: as an update on top of a fixed, valid first tree (the
//! cart page of `docs/src/protocol.md`, "Trees"), and as a first tree of its own. `apply` must return `Ok` or
//! `Err`, and `html` must not panic afterwards. The same text is also read as a whole server
//! frame (`ServerFrame::parse`, both envelopes), whose tree, if any, is applied too.

#![no_main]

use libfuzzer_sys::fuzz_target;
use livetemplate::testing::{ClientTree, ServerFrame};
use livetemplate::wire::ClientKind;

/// A valid first tree: statics with fingerprints, a text slot, and a keyed list.
const FIRST: &str = r#"{"s":["<h1>","</h1><ul>","</ul>"],"f":0,"0":"Cart","1":{"s":["<li data-key=\"","\">","</li>"],"f":1,"d":[{"0":"p7","1":"Apples"}],"m":{"idKey":"0"}}}"#;

fuzz_target!(|data: &[u8]| {
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
});
