//! Typed forms: binding an action's data into a struct, leniently, with a message per field.
//!
//! [`bind`] reads a form struct from [`FormData`] with the leniency browsers' text values need
//! (its docs list the rules), [`get`] reads one field, and [`bind_valid`] also runs the form's
//! [`Validate`]. Failures are a [`BindError`]: [`FieldErrors`], a message per field name.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess,
    SeqAccess, VariantAccess, Visitor,
};
use serde_json::{Map, Number, Value};

use crate::wire::FormData;

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

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
/// use livetemplate::controller::bind;
/// use livetemplate::wire::FormData;
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
/// # Ok::<(), livetemplate::controller::BindError>(())
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
/// use livetemplate::controller::get;
/// use livetemplate::wire::FormData;
///
/// let data: FormData = [("page", "3")].into_iter().collect();
/// assert_eq!(get::<u32>(&data, "page")?, 3);
/// assert_eq!(get::<Option<u32>>(&data, "size")?, None);
/// let err = get::<u32>(&data, "size").unwrap_err();
/// assert_eq!(err.field_errors().get("size"), Some("is required"));
/// # Ok::<(), livetemplate::controller::BindError>(())
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
/// use livetemplate::controller::{bind_valid, FieldErrors, Validate};
/// use livetemplate::wire::FormData;
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
/// # Ok::<(), livetemplate::controller::BindError>(())
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
/// use livetemplate::controller::{FieldErrors, Validate};
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

/// Messages by form field name: what the client shows next to each input (`meta.errors`).
///
/// Keys are form field names (`"title"`; `"address.city"` for a nested struct's field; `""`
/// when the form data as a whole does not fit the type). Each field keeps its first message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    /// No errors.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` for `field`, unless the field already has a message.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) -> &mut Self {
        self.0.entry(field.into()).or_insert_with(|| message.into());
        self
    }

    /// Records `message` for `field` when `ok` is false (the condition states what a valid
    /// value satisfies); chainable.
    pub fn check(
        &mut self,
        field: impl Into<String>,
        ok: bool,
        message: impl Into<String>,
    ) -> &mut Self {
        if !ok {
            self.add(field, message);
        }
        self
    }

    /// The message for `field`.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// Whether `field` has a message.
    pub fn contains(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// How many fields have a message.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no field has a message.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields and their messages, sorted by field name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .map(|(field, message)| (field.as_str(), message.as_str()))
    }

    /// Adds `other`'s messages for the fields that have none yet.
    pub fn merge(&mut self, other: FieldErrors) {
        for (field, message) in other.0 {
            self.0.entry(field).or_insert(message);
        }
    }

    /// `Ok(())` when there are no errors, else `Err(self)`: the end of a
    /// [`validate`](Validate::validate) body.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// The underlying map.
    pub fn as_map(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    /// The underlying map, by value.
    pub fn into_map(self) -> BTreeMap<String, String> {
        self.0
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (field, message)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            if field.is_empty() {
                f.write_str(message)?;
            } else {
                write!(f, "{field} {message}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

impl From<BTreeMap<String, String>> for FieldErrors {
    fn from(map: BTreeMap<String, String>) -> Self {
        FieldErrors(map)
    }
}

impl From<FieldErrors> for BTreeMap<String, String> {
    fn from(errors: FieldErrors) -> Self {
        errors.0
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for FieldErrors {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut errors = FieldErrors::new();
        errors.extend(iter);
        errors
    }
}

impl<K: Into<String>, V: Into<String>> Extend<(K, V)> for FieldErrors {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (field, message) in iter {
            self.add(field, message);
        }
    }
}

impl IntoIterator for FieldErrors {
    type Item = (String, String);
    type IntoIter = std::collections::btree_map::IntoIter<String, String>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Form data that did not bind into its type, or did not validate: a message per field.
///
/// ```
/// use livetemplate::controller::get;
/// use livetemplate::wire::FormData;
///
/// let data: FormData = [("count", "-3")].into_iter().collect();
/// let err = get::<u32>(&data, "count").unwrap_err();
/// assert_eq!(err.field_errors().get("count"), Some("must be at least 0"));
/// assert_eq!(err.to_string(), "invalid form data: count must be at least 0");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindError {
    errors: FieldErrors,
}

impl BindError {
    /// The messages, by field name (never empty).
    pub fn field_errors(&self) -> &FieldErrors {
        &self.errors
    }

    /// The messages, by value.
    pub fn into_field_errors(self) -> FieldErrors {
        self.errors
    }
}

impl From<FieldErrors> for BindError {
    fn from(errors: FieldErrors) -> Self {
        BindError { errors }
    }
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid form data: {}", self.errors)
    }
}

impl std::error::Error for BindError {}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

const REQUIRED: &str = "is required";
const NUMBER: &str = "must be a number";
const WHOLE: &str = "must be a whole number";
const BOOL: &str = "must be true or false";
const TEXT: &str = "must be text";
const CHAR: &str = "must be a single character";
const LIST: &str = "must be a list";
const OBJECT: &str = "must be a group of fields";
const EMPTY: &str = "must be empty";
const NO_VALUE: &str = "must have a value";
const UNKNOWN_FIELD: &str = "is not a known field";

// ---------------------------------------------------------------------------------------------
// The passes
// ---------------------------------------------------------------------------------------------

/// The most serde passes one binding makes (each pass after the first follows an error that
/// stopped serde, so this also bounds how many such errors are reported).
const MAX_PASSES: usize = 256;

/// How deep a stand-in value may nest (stand-ins of structs hold stand-ins of their fields).
const MAX_STAND_IN_DEPTH: u8 = 32;

/// What one pass shares between its deserializers.
#[derive(Default)]
struct State {
    /// Errors recorded in this pass (a stand-in took the value's place).
    errors: RefCell<BTreeMap<String, String>>,
    /// Fields whose value (present or missing) is replaced by a stand-in.
    fill: BTreeSet<String>,
    /// Fields left out (unknown under `deny_unknown_fields`).
    skip: BTreeSet<String>,
}

impl State {
    fn record(&self, path: &str, message: impl Into<String>) {
        self.errors
            .borrow_mut()
            .entry(path.to_owned())
            .or_insert_with(|| message.into());
    }
}

/// Runs `pass` until it succeeds without errors, or stops making progress; `root` names
/// errors that belong to no field.
fn run<T>(root: &str, mut pass: impl FnMut(&State) -> Result<T, Error>) -> Result<T, BindError> {
    let mut found = BTreeMap::new();
    let mut state = State::default();
    for _ in 0..MAX_PASSES {
        let result = pass(&state);
        for (path, message) in state.errors.take() {
            found.entry(path).or_insert(message);
        }
        match result {
            Ok(value) if found.is_empty() => return Ok(value),
            Ok(_) => break,
            Err(err) => {
                let progressed = match &err.path {
                    Some(path) if err.kind == Kind::Unknown => state.skip.insert(path.clone()),
                    Some(path) => state.fill.insert(path.clone()),
                    None => false,
                };
                let path = err.path.unwrap_or_else(|| root.to_owned());
                found.entry(path).or_insert(err.message);
                if !progressed {
                    break;
                }
            }
        }
    }
    Err(BindError {
        errors: FieldErrors(found),
    })
}

/// "1 value", "2 values".
fn count(n: usize) -> String {
    if n == 1 {
        "1 value".to_owned()
    } else {
        format!("{n} values")
    }
}

/// `parent.key`, or `key` at the top.
fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

// ---------------------------------------------------------------------------------------------
// The deserializer's error
// ---------------------------------------------------------------------------------------------

/// An error that stops a serde pass.
#[derive(Debug)]
struct Error {
    /// The field it belongs to, once known.
    path: Option<String>,
    message: String,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Other,
    /// A struct's field was missing (its path is set by the struct that misses it).
    Missing(&'static str),
    /// An unknown field under `deny_unknown_fields`.
    Unknown,
}

impl Error {
    fn new(message: impl Into<String>) -> Self {
        Error {
            path: None,
            message: message.into(),
            kind: Kind::Other,
        }
    }

    /// The message for a variant name that is not one of `variants`.
    fn unknown_variant_message(variants: &[&str]) -> String {
        if variants.is_empty() {
            "is not a known choice".to_owned()
        } else {
            format!("must be one of: {}", variants.join(", "))
        }
    }

    /// Sets the path unless a deeper one is already set.
    fn at(mut self, path: &str) -> Self {
        if self.path.is_none() {
            self.path = Some(path.to_owned());
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<M: fmt::Display>(message: M) -> Self {
        Error::new(message.to_string())
    }

    fn invalid_type(_: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Error::new(format!("must be {expected}"))
    }

    fn invalid_value(_: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Error::new(format!("must be {expected}"))
    }

    fn invalid_length(len: usize, expected: &dyn de::Expected) -> Self {
        Error::new(format!("has {}, but must be {expected}", count(len)))
    }

    fn unknown_variant(_: &str, expected: &'static [&'static str]) -> Self {
        Error::new(Error::unknown_variant_message(expected))
    }

    fn unknown_field(_: &str, _: &'static [&'static str]) -> Self {
        Error {
            kind: Kind::Unknown,
            ..Error::new(UNKNOWN_FIELD)
        }
    }

    fn missing_field(field: &'static str) -> Self {
        Error {
            kind: Kind::Missing(field),
            ..Error::new(REQUIRED)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Scalar conversions
// ---------------------------------------------------------------------------------------------

/// The integer types, with their bounds for messages.
trait Int: Copy + Default + fmt::Display + TryFrom<u128> + TryFrom<i128> {
    const MIN: Self;
    const MAX: Self;
}

macro_rules! int {
    ($($t:ty),*) => {
        $(impl Int for $t {
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
        })*
    };
}
int!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize
);

fn too_big<N: Int>() -> String {
    format!("must be at most {}", N::MAX)
}

fn too_small<N: Int>() -> String {
    format!("must be at least {}", N::MIN)
}

fn int_from_value<N: Int>(value: &Value) -> Result<N, String> {
    match value {
        Value::Number(n) => int_from_number(n),
        Value::String(s) => int_from_str(s),
        Value::Null => Err(REQUIRED.into()),
        _ => Err(WHOLE.into()),
    }
}

fn int_from_number<N: Int>(n: &Number) -> Result<N, String> {
    if let Some(u) = n.as_u64() {
        N::try_from(u128::from(u)).map_err(|_| too_big::<N>())
    } else if let Some(i) = n.as_i64() {
        N::try_from(i128::from(i)).map_err(|_| too_small::<N>())
    } else {
        n.as_f64().map_or(Err(WHOLE.into()), int_from_float)
    }
}

fn int_from_str<N: Int>(s: &str) -> Result<N, String> {
    use std::num::IntErrorKind;
    let text = s.trim();
    if text.is_empty() {
        return Err(NUMBER.into());
    }
    let parsed = if text.starts_with('-') {
        text.parse::<i128>()
            .map(|i| N::try_from(i).map_err(|_| too_small::<N>()))
    } else {
        text.parse::<u128>()
            .map(|u| N::try_from(u).map_err(|_| too_big::<N>()))
    };
    match parsed {
        Ok(result) => result,
        Err(err) => match err.kind() {
            IntErrorKind::PosOverflow => Err(too_big::<N>()),
            IntErrorKind::NegOverflow => Err(too_small::<N>()),
            _ => match text.parse::<f64>() {
                Ok(f) if f.is_finite() => int_from_float(f),
                _ => Err(WHOLE.into()),
            },
        },
    }
}

/// An integer from a float with no fractional part (`3.0`, `1e3`).
fn int_from_float<N: Int>(f: f64) -> Result<N, String> {
    /// 2^127 and 2^128: beyond them, `as` saturates.
    const I128_MIN: f64 = -1.7014118346046923e38;
    const U128_END: f64 = 3.402823669209385e38;
    if !f.is_finite() || f.fract() != 0.0 {
        Err(WHOLE.into())
    } else if f < 0.0 {
        if f < I128_MIN {
            return Err(too_small::<N>());
        }
        N::try_from(f as i128).map_err(|_| too_small::<N>())
    } else {
        if f >= U128_END {
            return Err(too_big::<N>());
        }
        N::try_from(f as u128).map_err(|_| too_big::<N>())
    }
}

fn float_from_value(value: &Value) -> Result<f64, &'static str> {
    match value {
        Value::Number(n) => n.as_f64().ok_or(NUMBER),
        Value::String(s) => float_from_str(s),
        Value::Null => Err(REQUIRED),
        _ => Err(NUMBER),
    }
}

fn float_from_str(s: &str) -> Result<f64, &'static str> {
    match s.trim().parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(f),
        _ => Err(NUMBER),
    }
}

/// An `f32` from an `f64`, refusing values out of its range.
fn narrow(f: f64) -> Result<f32, String> {
    let max = f64::from(f32::MAX);
    if f > max {
        Err(format!("must be at most {}", f32::MAX))
    } else if f < -max {
        Err(format!("must be at least {}", f32::MIN))
    } else {
        Ok(f as f32)
    }
}

fn bool_from_value(value: &Value) -> Result<bool, &'static str> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) => match n.as_u64() {
            Some(0) => Ok(false),
            Some(1) => Ok(true),
            _ => Err(BOOL),
        },
        Value::String(s) => bool_from_str(s),
        Value::Null => Err(REQUIRED),
        _ => Err(BOOL),
    }
}

fn bool_from_str(s: &str) -> Result<bool, &'static str> {
    const WORDS: [(&str, bool); 8] = [
        ("true", true),
        ("on", true),
        ("yes", true),
        ("1", true),
        ("false", false),
        ("off", false),
        ("no", false),
        ("0", false),
    ];
    let text = s.trim();
    WORDS
        .iter()
        .find(|(word, _)| text.eq_ignore_ascii_case(word))
        .map(|&(_, b)| b)
        .ok_or(BOOL)
}

// ---------------------------------------------------------------------------------------------
// The deserializers
// ---------------------------------------------------------------------------------------------

/// The form data itself: an object at the top, with no name.
struct RootDe<'de, 'a> {
    map: &'de Map<String, Value>,
    state: &'a State,
}

impl<'de> Deserializer<'de> for RootDe<'de, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visit_object(self.map, "", &[], self.state, visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visit_object(self.map, "", fields, self.state, visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map enum identifier
    }
}

/// A field that was not sent (for [`get`]): `None` for an `Option`, else "is required".
struct MissingDe;

impl<'de> Deserializer<'de> for MissingDe {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        Err(Error::new(REQUIRED))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

/// Hands an object to `visitor` as a map, catching a missing field's error to name it.
fn visit_object<'de, V: Visitor<'de>>(
    map: &'de Map<String, Value>,
    path: &str,
    fields: &'static [&'static str],
    state: &State,
    visitor: V,
) -> Result<V::Value, Error> {
    let filled: Vec<&'static str> = if state.fill.is_empty() {
        Vec::new()
    } else {
        fields
            .iter()
            .copied()
            .filter(|field| !map.contains_key(*field) && state.fill.contains(&join(path, field)))
            .collect()
    };
    let access = Entries {
        entries: map.iter(),
        filled: filled.into_iter(),
        pending: None,
        path,
        state,
    };
    visitor.visit_map(access).map_err(|err| match err.kind {
        Kind::Missing(field) => err.at(&join(path, field)),
        _ => err,
    })
}

/// The members of an object, then the stand-ins for missing fields that need one.
struct Entries<'de, 'a> {
    entries: serde_json::map::Iter<'de>,
    filled: std::vec::IntoIter<&'static str>,
    /// The value of the key just read (`None`: a stand-in), and its path.
    pending: Option<(Option<&'de Value>, String)>,
    path: &'a str,
    state: &'a State,
}

impl<'de> MapAccess<'de> for Entries<'de, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let mut next = None;
        for (key, value) in self.entries.by_ref() {
            let path = join(self.path, key);
            if !self.state.skip.contains(&path) {
                next = Some((key.as_str(), Some(value), path));
                break;
            }
        }
        let (key, value, path) = match next {
            Some(next) => next,
            None => match self.filled.next() {
                Some(field) => (field, None, join(self.path, field)),
                None => return Ok(None),
            },
        };
        let value = value.filter(|_| !self.state.fill.contains(&path));
        let key = seed.deserialize(KeyDe(key)).map_err(|err| err.at(&path))?;
        self.pending = Some((value, path));
        Ok(Some(key))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Error> {
        let (value, path) = self
            .pending
            .take()
            .ok_or_else(|| Error::new("a value was read before its key"))?;
        match value {
            Some(value) => seed.deserialize(ValueDe {
                value,
                path: &path,
                state: self.state,
            }),
            None => seed.deserialize(StandIn { depth: 0 }),
        }
        .map_err(|err| err.at(&path))
    }
}

/// The values of a list, each under the list's own name.
struct Items<'de, 'a> {
    items: std::slice::Iter<'de, Value>,
    path: &'a str,
    state: &'a State,
}

impl<'de> SeqAccess<'de> for Items<'de, '_> {
    type Error = Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Error> {
        match self.items.next() {
            Some(value) => seed
                .deserialize(ValueDe {
                    value,
                    path: self.path,
                    state: self.state,
                })
                .map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// An enum value: the variant's name, and its content for `{"Variant": content}`.
struct Variant<'de, 'a> {
    name: Cow<'de, str>,
    content: Option<&'de Value>,
    path: &'a str,
    state: &'a State,
}

impl<'de, 'a> EnumAccess<'de> for Variant<'de, 'a> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self), Error> {
        let name: &str = &self.name;
        let variant = seed.deserialize(IntoDeserializer::<Error>::into_deserializer(name))?;
        Ok((variant, self))
    }
}

impl<'de> Variant<'de, '_> {
    fn content(&self) -> Result<ValueDe<'de, '_>, Error> {
        match self.content {
            Some(value) => Ok(ValueDe {
                value,
                path: self.path,
                state: self.state,
            }),
            None => Err(Error::new(NO_VALUE)),
        }
    }
}

impl<'de> VariantAccess<'de> for Variant<'de, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, Error> {
        seed.deserialize(self.content()?)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        self.content()?.deserialize_tuple(len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.content()?.deserialize_struct("", fields, visitor)
    }
}

/// One value of the form data, with the name errors are reported under.
///
/// A value that does not fit the type asked for is recorded as an error, and a stand-in is
/// handed to the visitor, so that the pass goes on to the other fields.
struct ValueDe<'de, 'a> {
    value: &'de Value,
    path: &'a str,
    state: &'a State,
}

impl<'de> ValueDe<'de, '_> {
    fn record(&self, message: impl Into<String>) {
        self.state.record(self.path, message);
    }

    /// The single value: the last one of an array (a repeated name), `None` for `[]`.
    fn single(&self) -> Option<&'de Value> {
        let mut value = self.value;
        while let Value::Array(items) = value {
            value = items.last()?;
        }
        Some(value)
    }

    fn int<N: Int>(&self) -> N {
        let result = match self.single() {
            Some(value) => int_from_value(value),
            None => Err(REQUIRED.into()),
        };
        result.unwrap_or_else(|message| {
            self.record(message);
            N::default()
        })
    }

    fn float(&self) -> f64 {
        self.single()
            .map_or(Err(REQUIRED), float_from_value)
            .unwrap_or_else(|message| {
                self.record(message);
                0.0
            })
    }

    fn text(&self) -> Result<Cow<'de, str>, &'static str> {
        match self.single() {
            Some(Value::String(s)) => Ok(Cow::Borrowed(s)),
            Some(Value::Number(n)) => Ok(Cow::Owned(n.to_string())),
            Some(Value::Bool(b)) => Ok(Cow::Borrowed(if *b { "true" } else { "false" })),
            Some(Value::Object(_)) => Err(TEXT),
            Some(Value::Null) | None => Err(REQUIRED),
            Some(Value::Array(_)) => Err(TEXT),
        }
    }

    fn seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let items: &'de [Value] = match self.value {
            Value::Array(items) => items,
            Value::Null => &[],
            Value::String(s) if s.is_empty() => &[],
            Value::Object(_) => {
                self.record(LIST);
                &[]
            }
            single => std::slice::from_ref(single),
        };
        let mut access = Items {
            items: items.iter(),
            path: self.path,
            state: self.state,
        };
        let value = visitor.visit_seq(&mut access)?;
        let left = access.items.len();
        if left > 0 {
            // A tuple took fewer values than were sent.
            self.record(format!("must have at most {}", count(items.len() - left)));
        }
        Ok(value)
    }

    fn object<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(map) => visit_object(map, self.path, fields, self.state, visitor),
            Value::Null => {
                self.record(REQUIRED);
                visitor.visit_map(StandInFields::new(fields, 1))
            }
            _ => {
                self.record(OBJECT);
                visitor.visit_map(StandInFields::new(fields, 1))
            }
        }
    }
}

macro_rules! lenient_ints {
    ($($method:ident => $visit:ident: $t:ty),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let n: $t = self.int();
            visitor.$visit(n)
        })*
    };
}

impl<'de> Deserializer<'de> for ValueDe<'de, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or_default())
                }
            }
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(_) => self.seq(visitor),
            Value::Object(map) => visit_object(map, self.path, &[], self.state, visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let b = self
            .single()
            .map_or(Err(REQUIRED), bool_from_value)
            .unwrap_or_else(|message| {
                self.record(message);
                false
            });
        visitor.visit_bool(b)
    }

    lenient_ints! {
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_i128 => visit_i128: i128,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_u128 => visit_u128: u128,
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let f = narrow(self.float()).unwrap_or_else(|message| {
            self.record(message);
            0.0
        });
        visitor.visit_f32(f)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_f64(self.float())
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let c = match self.text() {
            Ok(text) => {
                let mut chars = text.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Ok(c),
                    _ => Err(CHAR),
                }
            }
            Err(message) => Err(message),
        };
        visitor.visit_char(c.unwrap_or_else(|message| {
            self.record(message);
            ' '
        }))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.text() {
            Ok(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            Ok(Cow::Owned(s)) => visitor.visit_string(s),
            Err(message) => {
                self.record(message);
                visitor.visit_borrowed_str("")
            }
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.text() {
            Ok(Cow::Borrowed(s)) => visitor.visit_borrowed_bytes(s.as_bytes()),
            Ok(Cow::Owned(s)) => visitor.visit_byte_buf(s.into_bytes()),
            Err(message) => {
                self.record(message);
                visitor.visit_borrowed_bytes(&[])
            }
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => visitor.visit_none(),
            Value::String(s) if s.is_empty() => visitor.visit_none(),
            Value::Array(items) if items.is_empty() => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            _ => self.record(EMPTY),
        }
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.seq(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.object(&[], visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.object(fields, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let (variant, content) = match self.single() {
            Some(Value::String(s)) => (Cow::Borrowed(s.as_str()), None),
            Some(Value::Number(n)) => (Cow::Owned(n.to_string()), None),
            Some(Value::Bool(b)) => (Cow::Owned(b.to_string()), None),
            Some(Value::Object(map)) if map.len() == 1 => match map.iter().next() {
                Some((key, content)) => (Cow::Borrowed(key.as_str()), Some(content)),
                None => (Cow::Borrowed(""), None),
            },
            Some(Value::Null) | None => {
                self.record(REQUIRED);
                return StandIn { depth: 0 }.deserialize_enum(name, variants, visitor);
            }
            Some(_) => {
                self.record(Error::unknown_variant_message(variants));
                return StandIn { depth: 0 }.deserialize_enum(name, variants, visitor);
            }
        };
        visitor.visit_enum(Variant {
            name: variant,
            content,
            path: self.path,
            state: self.state,
        })
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

/// A key of an object: a field's name, or a map's key (numbers and bools parsed from it).
struct KeyDe<'de>(&'de str);

macro_rules! key_ints {
    ($($method:ident => $visit:ident: $t:ty),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let n: $t = int_from_str(self.0).map_err(Error::new)?;
            visitor.$visit(n)
        })*
    };
}

impl<'de> Deserializer<'de> for KeyDe<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_bool(bool_from_str(self.0).map_err(Error::new)?)
    }

    key_ints! {
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_i128 => visit_i128: i128,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_u128 => visit_u128: u128,
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let f = float_from_str(self.0).map_err(Error::new)?;
        visitor.visit_f32(narrow(f).map_err(Error::new)?)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_f64(float_from_str(self.0).map_err(Error::new)?)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        BorrowedStrDeserializer::<Error>::new(self.0).deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

// ---------------------------------------------------------------------------------------------
// Stand-ins
// ---------------------------------------------------------------------------------------------

/// A value that fits any type asked for by name: zero, `false`, `""`, `None`, an empty list,
/// a struct of stand-ins, an enum's first variant. It takes the place of a value that did not
/// bind, so that the other fields are still read; the binding fails anyway.
#[derive(Clone, Copy)]
struct StandIn {
    depth: u8,
}

impl StandIn {
    fn deeper(self) -> Result<StandIn, Error> {
        if self.depth >= MAX_STAND_IN_DEPTH {
            Err(Error::new("nests too deeply"))
        } else {
            Ok(StandIn {
                depth: self.depth + 1,
            })
        }
    }
}

macro_rules! stand_in_scalars {
    ($($method:ident => $visit:ident($($value:expr)?)),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            visitor.$visit($($value)?)
        })*
    };
}

impl<'de> Deserializer<'de> for StandIn {
    type Error = Error;

    stand_in_scalars! {
        deserialize_any => visit_unit(),
        deserialize_unit => visit_unit(),
        deserialize_ignored_any => visit_unit(),
        deserialize_bool => visit_bool(false),
        deserialize_i8 => visit_i8(0),
        deserialize_i16 => visit_i16(0),
        deserialize_i32 => visit_i32(0),
        deserialize_i64 => visit_i64(0),
        deserialize_i128 => visit_i128(0),
        deserialize_u8 => visit_u8(0),
        deserialize_u16 => visit_u16(0),
        deserialize_u32 => visit_u32(0),
        deserialize_u64 => visit_u64(0),
        deserialize_u128 => visit_u128(0),
        deserialize_f32 => visit_f32(0.0),
        deserialize_f64 => visit_f64(0.0),
        deserialize_char => visit_char(' '),
        deserialize_str => visit_borrowed_str(""),
        deserialize_string => visit_borrowed_str(""),
        deserialize_identifier => visit_borrowed_str(""),
        deserialize_bytes => visit_borrowed_bytes(&[]),
        deserialize_byte_buf => visit_borrowed_bytes(&[]),
        deserialize_option => visit_none(),
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self.deeper()?)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(StandInItems {
            remaining: 0,
            item: self,
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(StandInItems {
            remaining: len,
            item: self.deeper()?,
        })
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_tuple(len, visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_map(StandInFields::new(&[], self.depth))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_map(StandInFields::new(fields, self.deeper()?.depth))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match variants.first() {
            Some(variant) => visitor.visit_enum(StandInVariant {
                name: variant,
                inner: self.deeper()?,
            }),
            None => Err(Error::new("is not a known choice")),
        }
    }
}

/// The elements of a stand-in tuple.
struct StandInItems {
    remaining: usize,
    item: StandIn,
}

impl<'de> SeqAccess<'de> for StandInItems {
    type Error = Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Error> {
        if self.remaining == 0 {
            return Ok(None);
        }
        self.remaining -= 1;
        seed.deserialize(self.item).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.remaining)
    }
}

/// The fields of a stand-in struct, each a stand-in.
struct StandInFields {
    fields: std::slice::Iter<'static, &'static str>,
    item: StandIn,
}

impl StandInFields {
    fn new(fields: &'static [&'static str], depth: u8) -> Self {
        StandInFields {
            fields: fields.iter(),
            item: StandIn { depth },
        }
    }
}

impl<'de> MapAccess<'de> for StandInFields {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.fields.next() {
            Some(field) => seed.deserialize(KeyDe(field)).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Error> {
        seed.deserialize(self.item)
    }
}

/// A stand-in enum value: the first variant, with stand-in content.
struct StandInVariant {
    name: &'static str,
    inner: StandIn,
}

impl<'de> EnumAccess<'de> for StandInVariant {
    type Error = Error;
    type Variant = StandIn;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, StandIn), Error> {
        let variant = seed.deserialize(KeyDe(self.name))?;
        Ok((variant, self.inner))
    }
}

impl<'de> VariantAccess<'de> for StandIn {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_tuple(len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_map(StandInFields::new(fields, self.depth))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::num::NonZeroU32;

    use proptest::prelude::*;
    use serde::Deserialize;
    use serde_json::json;

    use super::*;
    use crate::wire::{Limits, decode};

    /// Form data from a JSON object literal.
    fn form(value: Value) -> FormData {
        match value {
            Value::Object(map) => FormData::from(map),
            other => panic!("not an object: {other}"),
        }
    }

    /// The field errors of a binding that must fail.
    fn errors_of<T: std::fmt::Debug>(result: Result<T, BindError>) -> BTreeMap<String, String> {
        match result {
            Ok(value) => panic!("bound, but should not have: {value:?}"),
            Err(err) => err.into_field_errors().into_map(),
        }
    }

    fn errs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(field, message)| ((*field).to_owned(), (*message).to_owned()))
            .collect()
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Todo {
        title: String,
        qty: u32,
        price: f64,
        #[serde(default)]
        done: bool,
        note: Option<String>,
        due: Option<u32>,
        tags: Vec<String>,
    }

    fn todo() -> Todo {
        Todo {
            title: "Milk".into(),
            qty: 2,
            price: 1.25,
            done: true,
            note: None,
            due: None,
            tags: vec!["a".into(), "b".into()],
        }
    }

    #[test]
    fn binds_strings_as_the_existing_client_sends_them() {
        let data = form(json!({
            "title": "Milk", "qty": "2", "price": "1.25", "done": "on",
            "note": "", "due": "", "tags": ["a", "b"]
        }));
        assert_eq!(bind::<Todo>(&data), Ok(todo()));
    }

    #[test]
    fn binds_json_numbers_and_booleans_as_our_client_sends_them() {
        let data = form(json!({
            "title": "Milk", "qty": 2, "price": 1.25, "done": true,
            "note": null, "tags": ["a", "b"]
        }));
        assert_eq!(bind::<Todo>(&data), Ok(todo()));
    }

    #[test]
    fn binds_a_real_client_frame() -> Result<(), Box<dyn std::error::Error>> {
        let msg = decode(
            r#"{"action":"add","data":{"title":"Milk","qty":"2","price":"1.25","done":true,"tags":["a","b"]}}"#,
            &Limits::default(),
        )?;
        assert_eq!(bind::<Todo>(&msg.data)?, todo());
        Ok(())
    }

    #[test]
    fn lone_checkbox_true_binds_a_bool() {
        #[derive(Debug, Deserialize)]
        struct F {
            agree: bool,
        }
        assert!(bind::<F>(&form(json!({"agree": true}))).is_ok_and(|f| f.agree));
    }

    #[test]
    fn bool_words_in_any_case() {
        for (text, expected) in [
            ("true", true),
            ("TRUE", true),
            ("on", true),
            ("On", true),
            ("yes", true),
            ("YES", true),
            ("1", true),
            (" true ", true),
            ("false", false),
            ("False", false),
            ("off", false),
            ("no", false),
            ("No", false),
            ("0", false),
        ] {
            let data = form(json!({ "b": text }));
            assert_eq!(get::<bool>(&data, "b"), Ok(expected), "{text:?}");
        }
        assert_eq!(get::<bool>(&form(json!({"b": 1})), "b"), Ok(true));
        assert_eq!(get::<bool>(&form(json!({"b": 0})), "b"), Ok(false));
    }

    #[test]
    fn bad_bools_are_errors() {
        for value in [
            json!("maybe"),
            json!(""),
            json!(2),
            json!(0.5),
            json!({"a": 1}),
        ] {
            let data = form(json!({ "b": value }));
            assert_eq!(
                errors_of(get::<bool>(&data, "b")),
                errs(&[("b", "must be true or false")]),
                "{value}"
            );
        }
    }

    #[test]
    fn absent_bool_is_false_only_with_serde_default() {
        #[derive(Debug, Deserialize)]
        struct WithDefault {
            #[serde(default)]
            agree: bool,
        }
        #[derive(Debug, Deserialize)]
        struct WithoutDefault {
            #[allow(dead_code)]
            agree: bool,
        }
        assert!(bind::<WithDefault>(&FormData::new()).is_ok_and(|f| !f.agree));
        assert_eq!(
            errors_of(bind::<WithoutDefault>(&FormData::new())),
            errs(&[("agree", "is required")])
        );
    }

    #[test]
    fn serde_default_values_are_kept() {
        fn five() -> u32 {
            5
        }
        #[derive(Debug, Deserialize)]
        struct F {
            #[serde(default = "five")]
            n: u32,
            #[serde(default)]
            tags: Vec<String>,
        }
        let f = bind::<F>(&FormData::new());
        assert!(f.is_ok_and(|f| f.n == 5 && f.tags.is_empty()));
    }

    #[test]
    fn struct_level_default_fills_missing_fields() {
        #[derive(Debug, Deserialize, Default)]
        #[serde(default)]
        struct F {
            page: u32,
            query: String,
        }
        let f = bind::<F>(&form(json!({"page": "3"})));
        assert!(f.is_ok_and(|f| f.page == 3 && f.query.is_empty()));
    }

    #[test]
    fn missing_required_fields_are_reported() {
        assert_eq!(
            errors_of(bind::<Todo>(&FormData::new())),
            errs(&[
                ("price", "is required"),
                ("qty", "is required"),
                ("tags", "is required"),
                ("title", "is required"),
            ])
        );
    }

    #[test]
    fn null_in_a_required_field_is_required() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct F {
            title: String,
            n: u32,
            b: bool,
        }
        let data = form(json!({"title": null, "n": null, "b": null}));
        assert_eq!(
            errors_of(bind::<F>(&data)),
            errs(&[
                ("b", "is required"),
                ("n", "is required"),
                ("title", "is required")
            ])
        );
    }

    #[test]
    fn options_are_none_when_missing_null_or_empty() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct F {
            a: Option<u32>,
            b: Option<u32>,
            c: Option<f64>,
            d: Option<String>,
            e: Option<bool>,
            f: Option<Vec<String>>,
        }
        let data = form(json!({"b": null, "c": "", "d": "", "e": "", "f": []}));
        assert_eq!(
            bind::<F>(&data),
            Ok(F {
                a: None,
                b: None,
                c: None,
                d: None,
                e: None,
                f: None
            })
        );
        let data = form(json!({"a": "1", "b": 2, "c": "-0.5", "d": "x", "e": "on", "f": "t"}));
        assert_eq!(
            bind::<F>(&data),
            Ok(F {
                a: Some(1),
                b: Some(2),
                c: Some(-0.5),
                d: Some("x".into()),
                e: Some(true),
                f: Some(vec!["t".into()]),
            })
        );
    }

    #[test]
    fn a_bad_value_in_an_option_is_still_an_error() {
        let data = form(json!({"n": "abc"}));
        assert_eq!(
            errors_of(get::<Option<u32>>(&data, "n")),
            errs(&[("n", "must be a whole number")])
        );
    }

    #[test]
    fn empty_string_for_a_required_number() {
        let data = form(json!({"n": "", "x": "  "}));
        assert_eq!(
            errors_of(get::<u32>(&data, "n")),
            errs(&[("n", "must be a number")])
        );
        assert_eq!(
            errors_of(get::<f64>(&data, "n")),
            errs(&[("n", "must be a number")])
        );
        assert_eq!(
            errors_of(get::<i64>(&data, "x")),
            errs(&[("x", "must be a number")])
        );
    }

    #[test]
    fn integers_from_strings() {
        let data = form(json!({
            "a": "42", "b": " 7 ", "c": "+3", "d": "007", "e": "-12", "f": "3.0", "g": "1e3",
            "h": "-0"
        }));
        assert_eq!(get::<u32>(&data, "a"), Ok(42));
        assert_eq!(get::<u8>(&data, "b"), Ok(7));
        assert_eq!(get::<i16>(&data, "c"), Ok(3));
        assert_eq!(get::<u64>(&data, "d"), Ok(7));
        assert_eq!(get::<i32>(&data, "e"), Ok(-12));
        assert_eq!(get::<u32>(&data, "f"), Ok(3));
        assert_eq!(get::<usize>(&data, "g"), Ok(1000));
        assert_eq!(get::<u32>(&data, "h"), Ok(0));
        assert_eq!(get::<i128>(&data, "e"), Ok(-12));
        assert_eq!(get::<u128>(&data, "a"), Ok(42));
        assert_eq!(get::<isize>(&data, "e"), Ok(-12));
    }

    #[test]
    fn integers_from_json_numbers() {
        let data = form(json!({"a": 42, "b": -5, "c": 3.0, "d": u64::MAX, "e": i64::MIN}));
        assert_eq!(get::<u32>(&data, "a"), Ok(42));
        assert_eq!(get::<i8>(&data, "b"), Ok(-5));
        assert_eq!(get::<u16>(&data, "c"), Ok(3));
        assert_eq!(get::<u64>(&data, "d"), Ok(u64::MAX));
        assert_eq!(get::<i64>(&data, "e"), Ok(i64::MIN));
        assert_eq!(get::<u128>(&data, "d"), Ok(u128::from(u64::MAX)));
    }

    #[test]
    fn big_numbers_overflow_with_the_bound_in_the_message() {
        let data = form(json!({
            "count": "4294967296", "small": "256", "neg": "-129",
            "huge": "99999999999999999999999999999999999999999999999999",
            "hugeneg": "-99999999999999999999999999999999999999999999999999",
            "json": 1e20, "jsonbig": 4294967296u64, "u128": "340282366920938463463374607431768211456",
            "exp": "1e400"
        }));
        let check = |result: Result<(), BindError>, field: &str, message: &str| {
            assert_eq!(errors_of(result), errs(&[(field, message)]));
        };
        check(
            get::<u32>(&data, "count").map(drop),
            "count",
            "must be at most 4294967295",
        );
        check(
            get::<u8>(&data, "small").map(drop),
            "small",
            "must be at most 255",
        );
        check(
            get::<i8>(&data, "neg").map(drop),
            "neg",
            "must be at least -128",
        );
        check(
            get::<u64>(&data, "huge").map(drop),
            "huge",
            "must be at most 18446744073709551615",
        );
        check(
            get::<i64>(&data, "hugeneg").map(drop),
            "hugeneg",
            "must be at least -9223372036854775808",
        );
        check(
            get::<u64>(&data, "json").map(drop),
            "json",
            "must be at most 18446744073709551615",
        );
        check(
            get::<u32>(&data, "jsonbig").map(drop),
            "jsonbig",
            "must be at most 4294967295",
        );
        check(
            get::<u128>(&data, "u128").map(drop),
            "u128",
            "must be at most 340282366920938463463374607431768211455",
        );
        check(
            get::<u32>(&data, "exp").map(drop),
            "exp",
            "must be a whole number",
        );
        assert_eq!(get::<u32>(&data, "small"), Ok(256));
    }

    #[test]
    fn negative_into_unsigned() {
        for value in [json!("-1"), json!(-1), json!(-1.0), json!("-1e2")] {
            let data = form(json!({ "n": value }));
            assert_eq!(
                errors_of(get::<u32>(&data, "n")),
                errs(&[("n", "must be at least 0")]),
                "{value}"
            );
        }
    }

    #[test]
    fn fractions_into_integers() {
        for value in [
            json!("1.5"),
            json!(1.5),
            json!("0.1"),
            json!("-2.5"),
            json!("1e-3"),
        ] {
            let data = form(json!({ "n": value }));
            assert_eq!(
                errors_of(get::<u32>(&data, "n")),
                errs(&[("n", "must be a whole number")]),
                "{value}"
            );
        }
    }

    #[test]
    fn non_numbers_into_integers() {
        for value in [
            json!("abc"),
            json!("12abc"),
            json!("0x10"),
            json!("1_000"),
            json!("٤٢"),
            json!("４２"),
            json!("NaN"),
            json!("inf"),
            json!("-"),
            json!(true),
            json!({"a": "1"}),
        ] {
            let data = form(json!({ "n": value }));
            assert_eq!(
                errors_of(get::<i32>(&data, "n")),
                errs(&[("n", "must be a whole number")]),
                "{value}"
            );
        }
    }

    #[test]
    fn floats_from_strings_and_numbers() {
        let data = form(json!({"a": "-1.5", "b": 2, "c": " 1e3 ", "d": "3", "e": -0.25}));
        assert_eq!(get::<f64>(&data, "a"), Ok(-1.5));
        assert_eq!(get::<f64>(&data, "b"), Ok(2.0));
        assert_eq!(get::<f64>(&data, "c"), Ok(1000.0));
        assert_eq!(get::<f32>(&data, "d"), Ok(3.0));
        assert_eq!(get::<f32>(&data, "e"), Ok(-0.25));
    }

    #[test]
    fn bad_floats() {
        for value in [
            json!("abc"),
            json!("NaN"),
            json!("inf"),
            json!("-infinity"),
            json!("1e400"),
            json!(false),
        ] {
            let data = form(json!({ "x": value }));
            assert_eq!(
                errors_of(get::<f64>(&data, "x")),
                errs(&[("x", "must be a number")]),
                "{value}"
            );
        }
        let data = form(json!({"x": "1e39", "y": -1e39}));
        assert_eq!(
            errors_of(get::<f32>(&data, "x")),
            errs(&[(
                "x",
                "must be at most 340282350000000000000000000000000000000"
            )])
        );
        assert_eq!(
            errors_of(get::<f32>(&data, "y")),
            errs(&[(
                "y",
                "must be at least -340282350000000000000000000000000000000"
            )])
        );
    }

    #[test]
    fn strings_stay_strings() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct F {
            zip: String,
            code: String,
            flag: String,
            n: String,
            x: String,
        }
        let data = form(json!({"zip": "007", "code": "1e3", "flag": "true", "n": 7, "x": 1.5}));
        assert_eq!(
            bind::<F>(&data),
            Ok(F {
                zip: "007".into(),
                code: "1e3".into(),
                flag: "true".into(),
                n: "7".into(),
                x: "1.5".into(),
            })
        );
        let data = form(json!({"s": true, "t": ""}));
        assert_eq!(get::<String>(&data, "s"), Ok("true".to_owned()));
        assert_eq!(get::<String>(&data, "t"), Ok(String::new()));
    }

    #[test]
    fn objects_are_not_text() {
        let data = form(json!({"s": {"a": "b"}}));
        assert_eq!(
            errors_of(get::<String>(&data, "s")),
            errs(&[("s", "must be text")])
        );
    }

    #[test]
    fn unicode_round_trips() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct F {
            title: String,
            tags: Vec<String>,
            #[serde(rename = "prénom")]
            first: String,
            initial: char,
        }
        let data = form(json!({
            "title": "Ça va? 👋🏽 مرحبا \u{202e}", "tags": ["日本", "🦀"], "prénom": "Zoë",
            "initial": "Ž"
        }));
        assert_eq!(
            bind::<F>(&data),
            Ok(F {
                title: "Ça va? 👋🏽 مرحبا \u{202e}".into(),
                tags: vec!["日本".into(), "🦀".into()],
                first: "Zoë".into(),
                initial: 'Ž',
            })
        );
        let data = form(json!({"initial": "👋🏽"}));
        assert_eq!(
            errors_of(get::<char>(&data, "initial")),
            errs(&[("initial", "must be a single character")])
        );
    }

    #[test]
    fn vec_from_an_array_or_a_single_value() {
        let data = form(json!({
            "group": ["a", "b"], "select": "b", "lone": true, "nums": ["1", 2, " 3 "],
            "one": "4", "empty": "", "null": null, "none": []
        }));
        assert_eq!(
            get::<Vec<String>>(&data, "group"),
            Ok(vec!["a".into(), "b".into()])
        );
        assert_eq!(get::<Vec<String>>(&data, "select"), Ok(vec!["b".into()]));
        assert_eq!(get::<Vec<String>>(&data, "lone"), Ok(vec!["true".into()]));
        assert_eq!(get::<Vec<bool>>(&data, "lone"), Ok(vec![true]));
        assert_eq!(get::<Vec<u32>>(&data, "nums"), Ok(vec![1, 2, 3]));
        assert_eq!(get::<Vec<u32>>(&data, "one"), Ok(vec![4]));
        assert_eq!(get::<Vec<u32>>(&data, "empty"), Ok(vec![]));
        assert_eq!(get::<Vec<u32>>(&data, "null"), Ok(vec![]));
        assert_eq!(get::<Vec<u32>>(&data, "none"), Ok(vec![]));
        assert_eq!(
            get::<BTreeSet<String>>(&data, "group").map(|s| s.len()),
            Ok(2)
        );
        assert_eq!(
            errors_of(get::<(u8, String)>(&data, "nums")),
            errs(&[("nums", "must have at most 2 values")])
        );
        assert_eq!(
            errors_of(get::<(u8, String, u8)>(&data, "one")),
            errs(&[("one", "has 1 value, but must be a tuple of size 3")])
        );
    }

    #[test]
    fn tuples_bind_leniently() {
        let data = form(json!({"pair": ["1", "x"]}));
        assert_eq!(get::<(u8, String)>(&data, "pair"), Ok((1, "x".into())));
    }

    #[test]
    fn bad_list_values_are_reported_under_the_list_name() {
        let data = form(json!({"ids": ["1", "x", "-3"], "obj": {"a": 1}}));
        assert_eq!(
            errors_of(get::<Vec<u32>>(&data, "ids")),
            errs(&[("ids", "must be a whole number")])
        );
        assert_eq!(
            errors_of(get::<Vec<u32>>(&data, "obj")),
            errs(&[("obj", "must be a list")])
        );
    }

    #[test]
    fn a_scalar_from_an_array_takes_the_last_value() {
        let data = form(json!({"agree": ["off", "on"], "n": ["1", "2"], "s": ["a", "b"], "e": []}));
        assert_eq!(get::<bool>(&data, "agree"), Ok(true));
        assert_eq!(get::<u8>(&data, "n"), Ok(2));
        assert_eq!(get::<String>(&data, "s"), Ok("b".to_owned()));
        assert_eq!(
            errors_of(get::<String>(&data, "e")),
            errs(&[("e", "is required")])
        );
        assert_eq!(get::<Option<String>>(&data, "e"), Ok(None));
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Priority {
        Low,
        Medium,
        High,
    }

    #[test]
    fn enums_from_strings() {
        let data = form(json!({"p": "high", "q": ["low", "medium"], "r": "High", "s": ""}));
        assert_eq!(get::<Priority>(&data, "p"), Ok(Priority::High));
        assert_eq!(get::<Priority>(&data, "q"), Ok(Priority::Medium));
        assert_eq!(
            errors_of(get::<Priority>(&data, "r")),
            errs(&[("r", "must be one of: low, medium, high")])
        );
        assert_eq!(
            errors_of(get::<Priority>(&data, "s")),
            errs(&[("s", "must be one of: low, medium, high")])
        );
        assert_eq!(get::<Option<Priority>>(&data, "s"), Ok(None));
        assert_eq!(
            errors_of(get::<Priority>(&data, "t")),
            errs(&[("t", "is required")])
        );
    }

    #[test]
    fn enums_with_aliases_numbers_and_content() {
        #[derive(Debug, Deserialize, PartialEq)]
        enum Choice {
            #[serde(rename = "1", alias = "one")]
            One,
            #[serde(rename = "true")]
            Yes,
            Amount(u32),
            Point {
                x: i32,
                y: i32,
            },
        }
        let data = form(json!({
            "a": 1, "b": "one", "c": true, "d": {"Amount": "12"},
            "e": {"Point": {"x": "-1", "y": 2}}, "f": {"Point": {"x": "a"}}, "g": "Amount"
        }));
        assert_eq!(get::<Choice>(&data, "a"), Ok(Choice::One));
        assert_eq!(get::<Choice>(&data, "b"), Ok(Choice::One));
        assert_eq!(get::<Choice>(&data, "c"), Ok(Choice::Yes));
        assert_eq!(get::<Choice>(&data, "d"), Ok(Choice::Amount(12)));
        assert_eq!(get::<Choice>(&data, "e"), Ok(Choice::Point { x: -1, y: 2 }));
        assert_eq!(
            errors_of(get::<Choice>(&data, "f")),
            errs(&[("f.x", "must be a whole number"), ("f.y", "is required")])
        );
        assert_eq!(
            errors_of(get::<Choice>(&data, "g")),
            errs(&[("g", "must have a value")])
        );
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Address {
        city: String,
        zip: u32,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Person {
        name: String,
        address: Address,
        previous: Option<Address>,
    }

    #[test]
    fn nested_structs_from_objects() {
        let data = form(json!({
            "name": "Ada", "address": {"city": "London", "zip": "1815"}
        }));
        assert_eq!(
            bind::<Person>(&data),
            Ok(Person {
                name: "Ada".into(),
                address: Address {
                    city: "London".into(),
                    zip: 1815
                },
                previous: None,
            })
        );
    }

    #[test]
    fn nested_errors_name_the_path() {
        let data = form(json!({
            "address": {"zip": "x"}, "previous": {"city": 5, "zip": "-1"}
        }));
        assert_eq!(
            errors_of(bind::<Person>(&data)),
            errs(&[
                ("address.city", "is required"),
                ("address.zip", "must be a whole number"),
                ("name", "is required"),
                ("previous.zip", "must be at least 0"),
            ])
        );
        let data = form(json!({"name": "Ada", "address": "London"}));
        assert_eq!(
            errors_of(bind::<Person>(&data)),
            errs(&[("address", "must be a group of fields")])
        );
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Signup {
        title: String,
        age: u8,
        count: u32,
        email: String,
        priority: Priority,
        ratio: f64,
        #[serde(default)]
        agree: bool,
        tags: Vec<u16>,
    }

    #[test]
    fn all_errors_are_reported_not_just_the_first() {
        let data = form(json!({
            "age": "abc", "count": "4294967296", "priority": "urgent", "ratio": "x",
            "agree": "perhaps", "tags": ["1", "70000"]
        }));
        assert_eq!(
            errors_of(bind::<Signup>(&data)),
            errs(&[
                ("age", "must be a whole number"),
                ("agree", "must be true or false"),
                ("count", "must be at most 4294967295"),
                ("email", "is required"),
                ("priority", "must be one of: low, medium, high"),
                ("ratio", "must be a number"),
                ("tags", "must be at most 65535"),
                ("title", "is required"),
            ])
        );
    }

    #[test]
    fn unknown_fields_are_ignored_by_default() {
        let data = form(json!({
            "title": "t", "age": 1, "count": 2, "email": "e", "priority": "low", "ratio": 0.5,
            "tags": [], "extra": {"deep": [1, 2, {"x": null}]}, "more": "x"
        }));
        assert!(bind::<Signup>(&data).is_ok());
    }

    #[test]
    fn deny_unknown_fields_reports_each_unknown_field_and_the_rest() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct F {
            a: u32,
            b: String,
        }
        let data = form(json!({"a": "x", "c": 1, "d": 2}));
        assert_eq!(
            errors_of(bind::<F>(&data)),
            errs(&[
                ("a", "must be a whole number"),
                ("b", "is required"),
                ("c", "is not a known field"),
                ("d", "is not a known field"),
            ])
        );
    }

    #[test]
    fn custom_deserialize_errors_name_their_field() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct F {
            id: NonZeroU32,
            title: String,
        }
        let data = form(json!({"id": "0", "title": "x"}));
        assert_eq!(
            errors_of(bind::<F>(&data)),
            errs(&[("id", "must be a nonzero u32")])
        );
        // The stand-in zero is refused too: the passes stop, but the error is reported.
        let data = form(json!({"id": "0"}));
        assert!(errors_of(bind::<F>(&data)).contains_key("id"));
        let data = form(json!({"id": "7", "title": "x"}));
        assert!(bind::<F>(&data).is_ok_and(|f| f.id.get() == 7));
    }

    #[test]
    fn custom_validation_in_deserialize_with() {
        fn short<'de, D: serde::Deserializer<'de>>(de: D) -> Result<String, D::Error> {
            let s = String::deserialize(de)?;
            if s.chars().count() > 3 {
                return Err(de::Error::custom("must be at most 3 characters"));
            }
            Ok(s)
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct F {
            #[serde(deserialize_with = "short")]
            code: String,
            n: u8,
            m: u8,
        }
        let data = form(json!({"code": "ABCD", "n": "300"}));
        assert_eq!(
            errors_of(bind::<F>(&data)),
            errs(&[
                ("code", "must be at most 3 characters"),
                ("m", "is required"),
                ("n", "must be at most 255"),
            ])
        );
    }

    #[test]
    fn maps_bind_leniently() {
        let data = form(json!({"a": "1", "b": 2}));
        let map: HashMap<String, u32> = bind(&data).unwrap_or_default();
        assert_eq!(map.get("a"), Some(&1));
        assert_eq!(map.get("b"), Some(&2));

        let data = form(json!({"scores": {"1": "10", "2": 20}}));
        let scores: BTreeMap<u8, u32> = get(&data, "scores").unwrap_or_default();
        assert_eq!(scores, BTreeMap::from([(1, 10), (2, 20)]));

        let data = form(json!({"a": "x"}));
        assert_eq!(
            errors_of(bind::<HashMap<String, u32>>(&data)),
            errs(&[("a", "must be a whole number")])
        );
    }

    #[test]
    fn form_as_a_json_value() {
        let data = form(json!({"a": "1", "b": [1, true, null]}));
        assert_eq!(
            bind::<Value>(&data),
            Ok(json!({"a": "1", "b": [1, true, null]}))
        );
    }

    #[test]
    fn a_non_struct_target_is_a_root_error() {
        let err = errors_of(bind::<u32>(&form(json!({"a": 1}))));
        assert_eq!(err.len(), 1);
        assert!(err.contains_key(""), "{err:?}");
    }

    #[test]
    fn newtypes_and_unit_fields() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Id(u64);
        #[derive(Debug, Deserialize, PartialEq)]
        struct F {
            id: Id,
            nothing: (),
        }
        let data = form(json!({"id": "9", "nothing": ""}));
        assert_eq!(
            bind::<F>(&data),
            Ok(F {
                id: Id(9),
                nothing: ()
            })
        );
    }

    #[test]
    fn renamed_fields_and_aliases() {
        #[derive(Debug, Deserialize, PartialEq)]
        #[serde(rename_all = "kebab-case")]
        struct F {
            user_id: u32,
            #[serde(alias = "mail")]
            email_address: String,
        }
        let data = form(json!({"user-id": "4", "mail": "a@b"}));
        assert_eq!(
            bind::<F>(&data),
            Ok(F {
                user_id: 4,
                email_address: "a@b".into()
            })
        );
        let data = form(json!({"user-id": "x"}));
        assert_eq!(
            errors_of(bind::<F>(&data)),
            errs(&[
                ("email-address", "is required"),
                ("user-id", "must be a whole number")
            ])
        );
    }

    #[test]
    fn get_on_a_missing_field() {
        let data = FormData::new();
        assert_eq!(
            errors_of(get::<String>(&data, "q")),
            errs(&[("q", "is required")])
        );
        assert_eq!(
            errors_of(get::<u32>(&data, "q")),
            errs(&[("q", "is required")])
        );
        assert_eq!(
            errors_of(get::<bool>(&data, "q")),
            errs(&[("q", "is required")])
        );
        assert_eq!(
            errors_of(get::<Vec<u32>>(&data, "q")),
            errs(&[("q", "is required")])
        );
        assert_eq!(get::<Option<String>>(&data, "q"), Ok(None));
        assert_eq!(get::<Option<Vec<u32>>>(&data, "q"), Ok(None));
    }

    #[test]
    fn get_a_nested_struct_names_its_fields() {
        let data = form(json!({"address": {"city": "Oslo"}}));
        assert_eq!(
            errors_of(get::<Address>(&data, "address")),
            errs(&[("address.zip", "is required")])
        );
    }

    #[derive(Debug, Deserialize)]
    struct NewTodo {
        title: String,
        #[serde(default)]
        priority: Option<Priority>,
    }

    impl Validate for NewTodo {
        fn validate(&self) -> Result<(), FieldErrors> {
            let mut errors = FieldErrors::new();
            errors
                .check("title", !self.title.trim().is_empty(), "must not be empty")
                .check("title", self.title.len() <= 10, "must be at most 10 bytes")
                .check(
                    "priority",
                    self.priority != Some(Priority::Low),
                    "must not be low",
                );
            errors.into_result()
        }
    }

    #[test]
    fn bind_valid_runs_validation() {
        let data = form(json!({"title": "Milk", "priority": "high"}));
        assert!(bind_valid::<NewTodo>(&data).is_ok_and(|t| t.title == "Milk"));

        let data = form(json!({"title": "  ", "priority": "low"}));
        assert_eq!(
            errors_of(bind_valid::<NewTodo>(&data)),
            errs(&[
                ("priority", "must not be low"),
                ("title", "must not be empty")
            ])
        );
    }

    #[test]
    fn bind_valid_reports_binding_errors_without_validating() {
        let data = form(json!({"title": "", "priority": "urgent"}));
        assert_eq!(
            errors_of(bind_valid::<NewTodo>(&data)),
            errs(&[("priority", "must be one of: low, medium, high")])
        );
    }

    #[test]
    fn field_errors_helpers() {
        let mut errors = FieldErrors::new();
        assert!(errors.is_empty());
        errors
            .check("a", true, "never")
            .check("b", false, "first")
            .check("b", false, "second")
            .add("c", "third");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors.get("a"), None);
        assert_eq!(errors.get("b"), Some("first"));
        assert!(errors.contains("c"));
        assert_eq!(
            errors.iter().collect::<Vec<_>>(),
            [("b", "first"), ("c", "third")]
        );
        assert_eq!(errors.to_string(), "b first; c third");
        let mut more = FieldErrors::from_iter([("c", "ignored"), ("d", "fourth")]);
        more.merge(errors.clone());
        assert_eq!(more.len(), 3);
        assert_eq!(more.get("c"), Some("ignored"));
        assert_eq!(FieldErrors::new().into_result(), Ok(()));
        assert_eq!(errors.clone().into_result(), Err(errors.clone()));
        let err = BindError::from(errors);
        assert_eq!(err.to_string(), "invalid form data: b first; c third");
        let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(err.clone());
        assert!(boxed.downcast_ref::<BindError>().is_some());
        assert_eq!(err.into_field_errors().into_map().len(), 2);
    }

    #[test]
    fn root_errors_display_without_a_field() {
        let errors = FieldErrors::from_iter([("", "must be u32")]);
        assert_eq!(errors.to_string(), "must be u32");
    }

    #[test]
    fn many_missing_fields_are_all_reported() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Wide {
            f00: u8,
            f01: u8,
            f02: u8,
            f03: u8,
            f04: u8,
            f05: u8,
            f06: u8,
            f07: u8,
            f08: u8,
            f09: u8,
            f10: u8,
            f11: u8,
            f12: u8,
            f13: u8,
            f14: u8,
            f15: u8,
            f16: String,
            f17: String,
            f18: String,
            f19: String,
        }
        let errors = errors_of(bind::<Wide>(&FormData::new()));
        assert_eq!(errors.len(), 20);
        assert!(errors.values().all(|m| m == "is required"));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Node {
            next: Option<Box<Node>>,
            n: u8,
        }
        let mut value = json!({"n": "1"});
        for _ in 0..100 {
            value = json!({"n": "1", "next": value});
        }
        let data = form(json!({"root": value}));
        assert!(get::<Node>(&data, "root").is_ok());
        // A missing field deep down is named by its full path.
        let mut value = json!({});
        for _ in 0..3 {
            value = json!({"n": "1", "next": value});
        }
        let data = form(json!({"root": value}));
        assert_eq!(
            errors_of(get::<Node>(&data, "root")),
            errs(&[("root.next.next.next.n", "is required")])
        );
    }

    /// Arbitrary JSON, a few levels deep.
    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "[-+ 0-9.eE]{0,8}".prop_map(Value::String),
            prop_oneof![
                Just("true"),
                Just("on"),
                Just("low"),
                Just("high"),
                Just(""),
                Just("-1"),
                Just("4294967296"),
                Just("1.5")
            ]
            .prop_map(|s| Value::String(s.to_owned())),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(field_name(), inner, 0..6)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    fn field_name() -> impl Strategy<Value = String> {
        prop_oneof![
            prop_oneof![
                Just("title"),
                Just("age"),
                Just("count"),
                Just("email"),
                Just("priority"),
                Just("ratio"),
                Just("agree"),
                Just("tags"),
                Just("city"),
                Just("zip"),
                Just("name"),
                Just("address"),
                Just("previous"),
                Just("qty"),
                Just("price"),
                Just("done"),
                Just("note"),
                Just("due")
            ]
            .prop_map(str::to_owned),
            any::<String>(),
        ]
    }

    fn form_data() -> impl Strategy<Value = FormData> {
        prop::collection::btree_map(field_name(), json_value(), 0..12)
            .prop_map(|map| map.into_iter().collect())
    }

    proptest! {
        #[test]
        fn binding_never_panics(data in form_data()) {
            let _ = bind::<Signup>(&data);
            let _ = bind::<Todo>(&data);
            let _ = bind::<Person>(&data);
            let _ = bind::<HashMap<String, Vec<u8>>>(&data);
            let _ = bind::<Value>(&data);
            let _ = get::<Option<Address>>(&data, "address");
            let _ = get::<Vec<Priority>>(&data, "priority");
            let _ = bind_valid::<NewTodo>(&data);
        }

        #[test]
        fn failures_always_name_a_field(data in form_data()) {
            if let Err(err) = bind::<Signup>(&data) {
                prop_assert!(!err.field_errors().is_empty());
                prop_assert!(!err.field_errors().contains(""));
            }
        }

        #[test]
        fn numbers_round_trip_through_strings(qty: u32, price in -1e12f64..1e12, tags in prop::collection::vec("[a-z]{1,4}", 0..4)) {
            let mut data = FormData::new();
            data.insert("title", "t");
            data.insert("qty", qty.to_string());
            data.insert("price", price.to_string());
            if tags.len() == 1 {
                data.insert("tags", tags[0].clone());
            } else {
                data.insert("tags", tags.clone());
            }
            let todo = bind::<Todo>(&data);
            prop_assert!(todo.is_ok(), "{todo:?}");
            if let Ok(todo) = todo {
                prop_assert_eq!(todo.qty, qty);
                prop_assert_eq!(todo.price, price);
                prop_assert_eq!(todo.tags, tags);
            }
        }

        #[test]
        fn out_of_range_integers_are_errors(n in (u32::MAX as u64 + 1)..=u64::MAX) {
            let data: FormData = [("n", n.to_string())].into_iter().collect();
            prop_assert_eq!(
                errors_of(get::<u32>(&data, "n")),
                errs(&[("n", "must be at most 4294967295")])
            );
        }
    }
}
