//! Typed forms: binding an action's data into a struct, leniently, with a message per field.
//!
//! [`bind`] reads a form struct from [`FormData`] with the leniency browsers' text values need
//! (its docs list the rules), [`get`] reads one field, and [`bind_valid`] also runs the form's
//! [`Validate`]. Failures are a [`BindError`]: [`FieldErrors`], a message per field name.

use serde::de::DeserializeOwned;

use crate::wire::FormData;

mod errors;
mod lenient;
#[cfg(test)]
mod tests;

pub use errors::{BindError, FieldErrors};

use lenient::{MissingDe, RootDe, ValueDe, run};

/// Binds the form data into `T`, leniently; on failure every field that did not bind is
/// reported, by name.
///
/// Browsers send form values as text, and the two clients differ in the details (the existing
/// client sends a lone checkbox as `true` and only the last value of a `<select multiple>`),
/// so binding reads a form struct with the leniency a form needs:
///
/// | the field's type | accepts |
/// |---|---|
/// | integers | a JSON number, or a string holding one (`"42"`, `" 7 "`, `"+3"`, `"1e3"`); a fraction, a value out of the type's range, a negative number into an unsigned type are errors |
/// | `f32`, `f64` | a JSON number, or a string holding a finite number (`"-1.5"`) |
/// | `bool` | `true`/`false`; `1`/`0`; the strings `true`/`false`, `on`/`off`, `yes`/`no`, `1`/`0`, in any case |
/// | `String` | a string as sent (`"007"` stays `"007"`); a number or bool as its text |
/// | `char` | a string of exactly one character |
/// | `Option<T>` | a missing field, `null` or `""` as `None`; anything else as `Some` |
/// | `Vec<T>`, tuples | an array (a repeated name), or a single value as one element; `null` and `""` as an empty list |
/// | enums | a string naming a unit variant (or a number or bool, by its text); `{"Variant": value}` for the others |
/// | structs, maps | a JSON object (the form data itself, or a nested object) |
///
/// A single-valued type (a number, a bool, a string, an enum) given an array takes the array's
/// last value, as a browser's plain form post does for a repeated name (`<input type="hidden"
/// name="agree" value="off">` before a checkbox of the same name binds to the checkbox when
/// checked). Serde's rules are kept: a missing field is an error ("is required") unless it is
/// an `Option` or has `#[serde(default)]` — so an unchecked checkbox, which the browser does
/// not send, binds to `false` only in a `#[serde(default)] bool` field.
///
/// # Errors
///
/// Errors name their field, and all of them are reported.
///
/// A [`BindError`] holds [`FieldErrors`]: the field's name (`"title"`, or `"address.city"` in
/// a nested struct; a list's values are reported under the list's name) to a message such as
/// `"is required"`, `"must be a whole number"` or `"must be at most 255"`.
///
/// Every field is checked, not only up to the first error: a value that does not fit its
/// type is recorded and a stand-in (zero, `false`, `""`, an empty list, `None`) takes its
/// place, so the rest of the form is still read. Errors that serde raises itself — a missing
/// field, an unknown enum variant, a custom `Deserialize` refusing a value, an unknown field
/// under `deny_unknown_fields` — stop serde's pass; binding then notes the error, replaces
/// that field by a stand-in (or skips the unknown field) and binds again, until a pass has no
/// new such error. A stand-in a custom type refuses (a `NonZeroU32`'s zero) ends the passes
/// early, with the errors found so far.
///
/// Leniency applies to the types serde asks for by name. Types that buffer their input first
/// (`#[serde(flatten)]`, `#[serde(untagged)]` and internally tagged enums) read the values as
/// sent, without the string-to-number rules.
///
/// # Example
///
/// ```
/// use livetemplate::form::bind;
/// use livetemplate::FormData;
/// use serde::Deserialize;
///
/// #[derive(Debug, Deserialize, PartialEq)]
/// struct Item {
///     title: String,
///     qty: u32,
///     tags: Vec<String>,
///     #[serde(default)]
///     done: bool,
///     note: Option<String>,
/// }
///
/// let mut data = FormData::new();
/// data.insert("title", "Milk");
/// data.insert("qty", "2");
/// data.insert("tags", "dairy"); // a single value into a Vec
/// data.insert("done", true); // a lone checkbox
/// let item: Item = bind(&data)?;
/// assert_eq!(item.qty, 2);
/// assert_eq!(item.tags, ["dairy"]);
/// assert!(item.done);
/// assert_eq!(item.note, None);
///
/// let mut data = FormData::new();
/// data.insert("qty", "two");
/// data.insert("tags", serde_json::json!([]));
/// let err = bind::<Item>(&data).unwrap_err();
/// assert_eq!(err.field_errors().get("title"), Some("is required"));
/// assert_eq!(err.field_errors().get("qty"), Some("must be a whole number"));
/// # Ok::<(), livetemplate::form::BindError>(())
/// ```
pub fn bind<T: DeserializeOwned>(data: &FormData) -> Result<T, BindError> {
    let map = data.as_map();
    run("", |state| T::deserialize(RootDe { map, state }))
}

/// Binds one field of the form data into `T`, with the same leniency as [`bind`].
///
/// A missing field is an error ("is required") unless `T` is an `Option`.
///
/// ```
/// use livetemplate::form::get;
/// use livetemplate::FormData;
///
/// let data: FormData = [("page", "3")].into_iter().collect();
/// assert_eq!(get::<u32>(&data, "page")?, 3);
/// assert_eq!(get::<Option<u32>>(&data, "size")?, None);
/// let err = get::<u32>(&data, "size").unwrap_err();
/// assert_eq!(err.field_errors().get("size"), Some("is required"));
/// # Ok::<(), livetemplate::form::BindError>(())
/// ```
pub fn get<T: DeserializeOwned>(data: &FormData, name: &str) -> Result<T, BindError> {
    run(name, |state| match data.get(name) {
        Some(value) => T::deserialize(ValueDe {
            value,
            path: name,
            state,
        }),
        None => T::deserialize(MissingDe),
    })
}

/// Binds the form data into `T` (as [`bind`]), then runs `T`'s [`Validate`]; the messages of
/// either step come back as the [`BindError`]'s field errors. Validation runs only when
/// binding succeeded.
///
/// A form type may implement [`Validate`]; [`bind_valid`] binds and then validates, and the
/// messages of both end up in the same [`FieldErrors`]:
///
/// ```
/// use livetemplate::form::{bind_valid, FieldErrors, Validate};
/// use livetemplate::FormData;
/// use serde::Deserialize;
///
/// #[derive(Debug, Deserialize)]
/// struct SignUp {
///     name: String,
///     age: u8,
///     #[serde(default)]
///     newsletter: bool,
/// }
///
/// impl Validate for SignUp {
///     fn validate(&self) -> Result<(), FieldErrors> {
///         let mut errors = FieldErrors::new();
///         errors.check("name", !self.name.trim().is_empty(), "must not be empty");
///         errors.check("age", self.age >= 18, "must be at least 18");
///         errors.into_result()
///     }
/// }
///
/// let data: FormData = [("name", "Ada"), ("age", "36")].into_iter().collect();
/// let form: SignUp = bind_valid(&data)?;
/// assert_eq!((form.name.as_str(), form.age, form.newsletter), ("Ada", 36, false));
///
/// let data: FormData = [("name", " "), ("age", "12")].into_iter().collect();
/// let err = bind_valid::<SignUp>(&data).unwrap_err();
/// assert_eq!(err.field_errors().get("name"), Some("must not be empty"));
/// assert_eq!(err.field_errors().get("age"), Some("must be at least 18"));
/// # Ok::<(), livetemplate::form::BindError>(())
/// ```
pub fn bind_valid<T: DeserializeOwned + Validate>(data: &FormData) -> Result<T, BindError> {
    let form: T = bind(data)?;
    form.validate()?;
    Ok(form)
}

/// Checks a bound form: implemented by form types, and run by [`bind_valid`] (and by an
/// action's `form: Valid<T>` argument).
///
/// ```
/// use livetemplate::{FieldErrors, Validate};
///
/// struct Transfer { amount: u64, to: String }
///
/// impl Validate for Transfer {
///     fn validate(&self) -> Result<(), FieldErrors> {
///         let mut errors = FieldErrors::new();
///         errors
///             .check("amount", self.amount > 0, "must be more than 0")
///             .check("to", self.to.len() == 34, "must be 34 characters long");
///         errors.into_result()
///     }
/// }
///
/// let errors = Transfer { amount: 0, to: String::new() }.validate().unwrap_err();
/// assert_eq!(errors.len(), 2);
/// ```
pub trait Validate {
    /// `Ok(())` when the form is valid, or a message for each invalid field.
    fn validate(&self) -> Result<(), FieldErrors>;
}
