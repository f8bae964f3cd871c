//! Server → client frames: updates (with `meta` and `ref`), errors and the heartbeat reply
//! (`docs/src/protocol.md`, "Server → client frames").

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::json;
use super::keys as k;

/// The outcome of an action, as `meta` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Meta {
    /// Whether the action succeeded; a form is reset only on success.
    pub success: bool,
    /// Validation errors by field name.
    pub errors: BTreeMap<String, String>,
    /// The action that ran.
    pub action: Option<String>,
    /// Flash messages to show once, as `(kind, message)` with kind `"info"` or `"error"`
    /// (an extension: sent to our client only).
    pub flash: Vec<(String, String)>,
    /// On a connection's first frame: what the page's controller supports beyond plain
    /// actions (`"change"`: live validation of one field as it is edited).
    pub capabilities: Vec<&'static str>,
}

impl Meta {
    /// A successful action with no errors.
    pub fn ok(action: impl Into<String>) -> Self {
        Meta {
            success: true,
            errors: BTreeMap::new(),
            action: Some(action.into()),
            flash: Vec::new(),
            capabilities: Vec::new(),
        }
    }

    /// The `meta` of a connection's first frame for a controller with these `actions`: a
    /// success, with `capabilities` listing `"change"` when there is a `change` action.
    pub fn connected(actions: &[&str]) -> Self {
        Meta {
            success: true,
            capabilities: [k::ACTION_CHANGE]
                .into_iter()
                .filter(|capability| actions.contains(capability))
                .collect(),
            ..Meta::default()
        }
    }
}

/// An update frame: `{"tree": …, "meta": …, "ref": n}`. `tree` is the JSON from an
/// [`Encoder`](super::Encoder); `meta` and `reference` are left out when `None`. A connection's
/// first frame and the HTTP answers take this form for both clients.
pub fn update(tree: &str, meta: Option<&Meta>, reference: Option<u64>) -> String {
    let mut out = String::with_capacity(tree.len() + 48);
    out.push('{');
    json::key(&mut out, k::FRAME_TREE);
    out.push_str(tree);
    if let Some(meta) = meta {
        out.push(',');
        json::key(&mut out, k::FRAME_META);
        write_meta(&mut out, meta);
    }
    if let Some(reference) = reference {
        out.push(',');
        json::key(&mut out, k::FRAME_REF);
        let _ = write!(out, "{reference}");
    }
    out.push('}');
    out
}

/// Our client's update envelope (an extension): `[tree]` for a frame caused by others,
/// `[ref, tree]` for the answer to a message, `[ref, tree, meta]` (`ref` may be `null`) when
/// there is something to report.
fn short_update(tree: &str, meta: Option<&Meta>, reference: Option<u64>) -> String {
    let mut out = String::with_capacity(tree.len() + 16);
    out.push('[');
    match (reference, meta) {
        (None, None) => {}
        (Some(reference), _) => {
            let _ = write!(out, "{reference},");
        }
        (None, Some(_)) => out.push_str("null,"),
    }
    out.push_str(tree);
    if let Some(meta) = meta {
        out.push(',');
        write_meta(&mut out, meta);
    }
    out.push(']');
    out
}

fn write_meta(out: &mut String, meta: &Meta) {
    out.push('{');
    json::key(out, k::META_SUCCESS);
    out.push_str(if meta.success { "true" } else { "false" });
    out.push(',');
    json::key(out, k::META_ERRORS);
    out.push('{');
    for (i, (field, message)) in meta.errors.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json::string(out, field);
        out.push(':');
        json::string(out, message);
    }
    out.push('}');
    if let Some(action) = &meta.action {
        out.push(',');
        json::key(out, k::META_ACTION);
        json::string(out, action);
    }
    if !meta.flash.is_empty() {
        out.push(',');
        json::key(out, k::META_FLASH);
        out.push('[');
        for (i, (kind, message)) in meta.flash.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('{');
            json::key(out, k::FLASH_KIND);
            json::string(out, kind);
            out.push(',');
            json::key(out, k::FLASH_MESSAGE);
            json::string(out, message);
            out.push('}');
        }
        out.push(']');
    }
    if !meta.capabilities.is_empty() {
        out.push(',');
        json::key(out, k::META_CAPABILITIES);
        out.push('[');
        for (i, capability) in meta.capabilities.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json::string(out, capability);
        }
        out.push(']');
    }
    out.push('}');
}

/// An error frame: `{"type":"error","code":…,"message":…}`; the socket stays open.
pub fn error(code: &str, message: &str) -> String {
    let mut out = String::with_capacity(code.len() + message.len() + 40);
    typed(&mut out, k::TYPE_ERROR);
    out.push(',');
    json::key(&mut out, k::FRAME_CODE);
    json::string(&mut out, code);
    out.push(',');
    json::key(&mut out, k::FRAME_MESSAGE);
    json::string(&mut out, message);
    out.push('}');
    out
}

/// The reply to a `__ping__` heartbeat: `{"pong":true}`.
pub fn pong() -> String {
    let mut out = String::with_capacity(16);
    out.push('{');
    json::key(&mut out, k::FRAME_PONG);
    out.push_str("true}");
    out
}

/// Opens a typed frame: `{"type":"…"`.
fn typed(out: &mut String, kind: &str) {
    out.push('{');
    json::key(out, k::FRAME_TYPE);
    json::string(out, kind);
}

/// The frame answering a client's action. The existing `@livetemplate/client` needs `meta` on
/// every reply; ours reads a reply without `meta` as a success with no errors, so `meta` is
/// sent to it only when there is something to say, in the short envelope
/// (`[ref, tree]` / `[ref, tree, meta]`).
pub fn reply(client: super::ClientKind, tree: &str, meta: &Meta, reference: Option<u64>) -> String {
    match client {
        // Flash messages are an extension the existing client does not read.
        super::ClientKind::Legacy if !meta.flash.is_empty() => {
            let meta = Meta {
                flash: Vec::new(),
                ..meta.clone()
            };
            update(tree, Some(&meta), reference)
        }
        super::ClientKind::Legacy => update(tree, Some(meta), reference),
        super::ClientKind::Livetemplate => {
            let needs_meta = !meta.success || !meta.errors.is_empty() || !meta.flash.is_empty();
            short_update(tree, needs_meta.then_some(meta), reference)
        }
    }
}

/// A frame caused by someone else (a sync from another tab, a broadcast, a push): no `meta`,
/// no `ref`. `{"tree": …}` for `@livetemplate/client`, `[tree]` for ours.
pub fn push(client: super::ClientKind, tree: &str) -> String {
    match client {
        super::ClientKind::Legacy => update(tree, None, None),
        super::ClientKind::Livetemplate => short_update(tree, None, None),
    }
}

/// A redirect (an extension, sent only to our client): `{"type":"redirect","to":…}`.
pub fn redirect(to: &str) -> String {
    let mut out = String::with_capacity(to.len() + 32);
    typed(&mut out, k::TYPE_REDIRECT);
    out.push(',');
    json::key(&mut out, k::FRAME_TO);
    json::string(&mut out, to);
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ClientKind;

    #[test]
    fn first_frame_meta_lists_capabilities() {
        let with = update("{}", Some(&Meta::connected(&["add", "change"])), None);
        assert_eq!(
            with,
            r#"{"tree":{},"meta":{"success":true,"errors":{},"capabilities":["change"]}}"#
        );
        let without = update("{}", Some(&Meta::connected(&["add"])), None);
        assert_eq!(
            without,
            r#"{"tree":{},"meta":{"success":true,"errors":{}}}"#
        );
    }

    #[test]
    fn typed_frames_and_flash() {
        assert_eq!(
            error("rate_limited", "slow \"down\""),
            r#"{"type":"error","code":"rate_limited","message":"slow \"down\""}"#
        );
        assert_eq!(redirect("/next"), r#"{"type":"redirect","to":"/next"}"#);
        assert_eq!(pong(), r#"{"pong":true}"#);
        let meta = Meta {
            flash: vec![("info".into(), "Saved".into())],
            errors: [("title".to_owned(), "is required".to_owned())].into(),
            ..Meta::ok("save")
        };
        assert_eq!(
            update("{}", Some(&meta), Some(3)),
            concat!(
                r#"{"tree":{},"meta":{"success":true,"errors":{"title":"is required"},"#,
                r#""action":"save","flash":[{"kind":"info","message":"Saved"}]},"ref":3}"#
            )
        );
    }

    #[test]
    fn envelopes_per_client() {
        let ok = Meta::ok("add");
        let failed = Meta {
            success: false,
            ..Meta::ok("add")
        };
        assert_eq!(
            reply(ClientKind::Livetemplate, "{}", &ok, Some(4)),
            "[4,{}]"
        );
        assert_eq!(
            reply(ClientKind::Livetemplate, "{}", &failed, None),
            r#"[null,{},{"success":false,"errors":{},"action":"add"}]"#
        );
        assert_eq!(
            reply(ClientKind::Legacy, "{}", &ok, Some(4)),
            r#"{"tree":{},"meta":{"success":true,"errors":{},"action":"add"},"ref":4}"#
        );
        assert_eq!(push(ClientKind::Livetemplate, "{}"), "[{}]");
        assert_eq!(push(ClientKind::Legacy, "{}"), r#"{"tree":{}}"#);
    }
}
