//! The wire format: frames in and out, as `../shared/PROTOCOL.md` specifies.
//!
//! This is the only module that spells wire keys. [`Encoder`] writes trees and patches for
//! one connection; [`frame`] wraps them (and errors) into frames.

pub mod apply;
pub(crate) mod decode;
pub use decode::{ActionKind, ClientMessage, Limits, decode};
// Public as `crate::form::FormData`.
pub(crate) use decode::FormData;
mod encode;
mod error;
pub use error::{NameProblem, ProtocolError};
// The frames around trees and errors; public (hidden) for the frame-size tests and benches.
#[doc(hidden)]
pub mod frame;
mod json;
mod keys;

pub use encode::{ClientKind, Encoder};
pub(crate) use frame::Meta;
