//! The wire format: frames in and out, as `../shared/PROTOCOL.md` specifies.
//!
//! This is the only module that spells wire keys. [`Encoder`] writes trees and patches for
//! one connection; [`frame`] wraps them (and errors) into frames.

mod decode;
pub use decode::{ActionKind, ClientMessage, FormData, Limits, decode};
mod encode;
mod error;
pub use error::{NameProblem, ProtocolError};
pub mod frame;
mod json;
mod keys;

pub use encode::{ClientKind, Encoder};
pub use frame::Meta;
