//! The wire format: frames in and out, as the book's protocol page (`docs/src/protocol.md`)
//! specifies.
//!
//! Its private `keys` module is the only place the server spells a wire key, op name, error
//! code or close code. [`Encoder`] writes trees and patches for one connection; [`frame`]
//! wraps them (and errors) into frames.

pub mod apply;
mod decode;
pub use decode::{ActionKind, ClientMessage, FormData, Limits, decode};
mod encode;
mod error;
pub use error::{NameProblem, ProtocolError};
pub mod frame;
mod json;
pub(crate) mod keys;

pub use encode::{ClientKind, Encoder};
pub use frame::Meta;
