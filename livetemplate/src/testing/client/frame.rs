//! [`ServerFrame`]: one text frame from the server as a client reads it, in either envelope.

use serde_json::{Map, Value};

#[cfg(doc)]
use super::ClientTree;
use super::error::{ApplyError, shape};
use crate::wire::keys as k;

/// A server frame as a client reads it: either envelope, any frame type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ServerFrame {
    /// A tree or an update: `{"tree":…,"meta":…,"ref":n}`, or our client's short envelope
    /// `[tree]`, `[ref, tree]`, `[ref, tree, meta]`.
    Update {
        /// The `"tree"` value, for [`ClientTree::apply`].
        tree: Value,
        /// The outcome of the client's action, when sent.
        meta: Option<Value>,
        /// The `ref` of the client message this frame answers.
        reference: Option<u64>,
    },
    /// `{"type":"error","code":…,"message":…}`.
    Error {
        /// The error code.
        code: String,
        /// The human-readable message.
        message: String,
    },
    /// `{"type":"redirect","to":…}`.
    Redirect {
        /// Where to go.
        to: String,
    },
    /// `{"pong":true}`.
    Pong,
}

impl ServerFrame {
    /// Reads one text frame from the server.
    ///
    /// ```
    /// use livetemplate::testing::ServerFrame;
    ///
    /// let frame = ServerFrame::parse(r#"[7,{"0":1}]"#)?;
    /// assert_eq!(frame.reference(), Some(7));
    /// # Ok::<(), livetemplate::testing::ApplyError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self, ApplyError> {
        let value: Value =
            serde_json::from_str(text).map_err(|err| ApplyError::Json(err.to_string()))?;
        let frame_shape = || shape(&"frame", "an update, error, redirect or pong frame");
        match value {
            Value::Array(mut parts) => {
                let reference = |value: &Value| match value {
                    Value::Null => Ok(None),
                    other => other.as_u64().map(Some).ok_or_else(frame_shape),
                };
                let (reference, tree, meta) = match parts.len() {
                    1 => (None, parts.remove(0), None),
                    2 => {
                        let tree = parts.remove(1);
                        (reference(&parts[0])?, tree, None)
                    }
                    3 => {
                        let meta = parts.remove(2);
                        let tree = parts.remove(1);
                        (reference(&parts[0])?, tree, Some(meta))
                    }
                    _ => return Err(frame_shape()),
                };
                Ok(ServerFrame::Update {
                    tree,
                    meta,
                    reference,
                })
            }
            Value::Object(mut object) => {
                if let Some(tree) = object.remove(k::FRAME_TREE) {
                    let reference = match object.get(k::FRAME_REF) {
                        None => None,
                        Some(value) => Some(value.as_u64().ok_or_else(frame_shape)?),
                    };
                    return Ok(ServerFrame::Update {
                        tree,
                        meta: object.remove(k::FRAME_META),
                        reference,
                    });
                }
                let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
                match object.get(k::FRAME_TYPE).and_then(Value::as_str) {
                    Some(k::TYPE_ERROR) => Ok(ServerFrame::Error {
                        code: text(k::FRAME_CODE).ok_or_else(frame_shape)?,
                        message: text(k::FRAME_MESSAGE).unwrap_or_default(),
                    }),
                    Some(k::TYPE_REDIRECT) => Ok(ServerFrame::Redirect {
                        to: text(k::FRAME_TO).ok_or_else(frame_shape)?,
                    }),
                    _ if object.get(k::FRAME_PONG) == Some(&Value::Bool(true)) => {
                        Ok(ServerFrame::Pong)
                    }
                    _ => Err(frame_shape()),
                }
            }
            _ => Err(frame_shape()),
        }
    }

    /// The `ref` an update answers, if any.
    pub fn reference(&self) -> Option<u64> {
        match self {
            ServerFrame::Update { reference, .. } => *reference,
            _ => None,
        }
    }

    /// The frame in the plain object form of the protocol (`docs/src/protocol.md`) (`{"tree":…,"meta":…,"ref":n}`,
    /// `{"type":"error",…}`, …), whichever envelope it came in: handy for assertions.
    pub fn to_object(&self) -> Value {
        let mut object = Map::new();
        match self {
            ServerFrame::Update {
                tree,
                meta,
                reference,
            } => {
                object.insert(k::FRAME_TREE.into(), tree.clone());
                if let Some(meta) = meta {
                    object.insert(k::FRAME_META.into(), meta.clone());
                }
                if let Some(reference) = reference {
                    object.insert(k::FRAME_REF.into(), Value::from(*reference));
                }
            }
            ServerFrame::Error { code, message } => {
                object.insert(k::FRAME_TYPE.into(), k::TYPE_ERROR.into());
                object.insert(k::FRAME_CODE.into(), code.as_str().into());
                object.insert(k::FRAME_MESSAGE.into(), message.as_str().into());
            }
            ServerFrame::Redirect { to } => {
                object.insert(k::FRAME_TYPE.into(), k::TYPE_REDIRECT.into());
                object.insert(k::FRAME_TO.into(), to.as_str().into());
            }
            ServerFrame::Pong => {
                object.insert(k::FRAME_PONG.into(), Value::Bool(true));
            }
        }
        Value::Object(object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_frames_in_both_envelopes() -> Result<(), ApplyError> {
        let tree = serde_json::json!({"0": 1});
        for (text, reference, meta) in [
            (r#"[{"0":1}]"#, None, None),
            (r#"[3,{"0":1}]"#, Some(3), None),
            (
                r#"[null,{"0":1},{"success":false}]"#,
                None,
                Some(serde_json::json!({"success": false})),
            ),
            (r#"{"tree":{"0":1},"ref":3}"#, Some(3), None),
        ] {
            assert_eq!(
                ServerFrame::parse(text)?,
                ServerFrame::Update {
                    tree: tree.clone(),
                    meta,
                    reference
                },
                "{text}"
            );
        }
        assert_eq!(
            ServerFrame::parse(r#"[3,{"0":1}]"#)?.to_object(),
            serde_json::json!({"tree": {"0": 1}, "ref": 3})
        );
        assert_eq!(ServerFrame::parse(r#"{"pong":true}"#)?, ServerFrame::Pong);
        assert_eq!(
            ServerFrame::parse(r#"{"type":"redirect","to":"/x"}"#)?,
            ServerFrame::Redirect { to: "/x".into() }
        );
        assert_eq!(
            ServerFrame::parse(r#"{"type":"error","code":"bad","message":"m"}"#)?,
            ServerFrame::Error {
                code: "bad".into(),
                message: "m".into()
            }
        );
        for bad in ["[]", "[1,2,3,4]", r#"["x",{}]"#, "{}", "7", "{"] {
            assert!(ServerFrame::parse(bad).is_err(), "{bad}");
        }
        Ok(())
    }
}
