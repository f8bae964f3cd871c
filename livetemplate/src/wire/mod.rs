//! The wire format: frames in and out, as the book's protocol page (`docs/src/protocol.md`)
//! specifies.
//!
//! Its private `keys` module is the only place the server spells a wire key, op name, error
//! code or close code. [`Encoder`] writes trees and patches for one connection; [`frame`]
//! wraps them (and errors) into frames.

pub(crate) mod decode;
pub use decode::{ActionKind, ClientMessage, Limits, decode};
// Public as `crate::form::FormData`.
pub(crate) use decode::{FormData, check_action_name};
mod encode;
mod error;
pub use error::{NameProblem, ProtocolError};
// The frames around trees and errors; public (hidden) for the frame-size tests and benches.
#[doc(hidden)]
pub mod frame;
mod json;
pub(crate) mod keys;

pub use encode::{ClientKind, Encoder};
pub(crate) use frame::Meta;
