//! Forms: an action's data, binding it to typed structs, and validating them.
//!
//! Every transport hands an action its data as [`FormData`]: the fields of the form that was
//! submitted or changed, and the value of the button that was clicked. An action can read it
//! raw (`ctx.data()`), or take a typed argument that `#[live_controller]` binds from it:
//! `form: T` for any `T: Deserialize` ([`bind`]), `form: Valid<T>` to also run `T`'s
//! [`Validate`] ([`bind_valid`]). Binding and validation failures become [`FieldErrors`],
//! which the template shows next to each field.
//!
//! ```
//! use livetemplate::{FieldErrors, FormData, Validate};
//!
//! #[derive(serde::Deserialize)]
//! struct NewTodo {
//!     title: String,
//! }
//!
//! impl Validate for NewTodo {
//!     fn validate(&self) -> Result<(), FieldErrors> {
//!         let mut errors = FieldErrors::new();
//!         if self.title.trim().is_empty() {
//!             errors.add("title", "Say what to do");
//!         }
//!         errors.into_result()
//!     }
//! }
//!
//! let mut data = FormData::new();
//! data.insert("title", "  ");
//! let Err(error) = livetemplate::form::bind_valid::<NewTodo>(&data) else {
//!     panic!("an empty title is refused")
//! };
//! assert_eq!(error.field_errors().get("title"), Some("Say what to do"));
//! ```

pub use crate::controller::form::{BindError, FieldErrors, Validate, bind, bind_valid, get};
pub use crate::wire::decode::FormData;
