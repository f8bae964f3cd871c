//! The errors of binding: [`FieldErrors`], a message per field, and [`BindError`] that holds them.

use std::collections::BTreeMap;
use std::fmt;

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
    /// [`validate`](super::Validate::validate) body.
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
/// use livetemplate::form::get;
/// use livetemplate::FormData;
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
