//! What a failing action reports: a message, and field errors for the page's form.

use std::fmt;

use super::form::{BindError, FieldErrors};
use super::params::ParamsError;

/// The result an action returns; `Ok(())` by default.
pub type Result<T = (), E = ActionError> = std::result::Result<T, E>;

/// Why an action failed. The client receives `meta.success = false` with the field errors
/// (shown next to the form), and the session's state is left as it was before the action.
///
/// Any error type converts with `?`; a [`BindError`] keeps its per-field messages.
#[derive(Debug)]
pub struct ActionError {
    message: String,
    errors: FieldErrors,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Failed(Option<Box<dyn std::error::Error + Send + Sync>>),
    Invalid,
    UnknownAction,
    NotFound,
}

impl ActionError {
    /// A failure with a message for the user.
    pub fn new(message: impl Into<String>) -> Self {
        ActionError {
            message: message.into(),
            errors: FieldErrors::new(),
            kind: Kind::Failed(None),
        }
    }

    /// Invalid input: messages by form field.
    pub fn invalid(errors: FieldErrors) -> Self {
        ActionError {
            message: "the form has errors".to_owned(),
            errors,
            kind: Kind::Invalid,
        }
    }

    /// The client asked for an action the controller does not have.
    pub fn unknown_action(name: &str) -> Self {
        let shown: String = name.chars().take(64).collect();
        ActionError {
            message: format!("unknown action `{}`", shown.escape_debug()),
            errors: FieldErrors::new(),
            kind: Kind::UnknownAction,
        }
    }

    /// The page asked for does not exist (`/posts/42` when there is no post 42). Returned
    /// from `mount`, or from `on_navigate` on a page load, the request is answered
    /// `404 Not Found` with the configured [not-found page](crate::Config::not_found); from an
    /// action, it fails like any other error. A [`ParamsError`] converts into one.
    pub fn not_found(message: impl Into<String>) -> Self {
        ActionError {
            message: message.into(),
            errors: FieldErrors::new(),
            kind: Kind::NotFound,
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Messages by form field (empty unless the input was invalid).
    pub fn field_errors(&self) -> &FieldErrors {
        &self.errors
    }

    /// Whether the action name was unknown.
    pub fn is_unknown_action(&self) -> bool {
        matches!(self.kind, Kind::UnknownAction)
    }

    /// Whether the page asked for does not exist ([`not_found`](Self::not_found)).
    pub fn is_not_found(&self) -> bool {
        matches!(self.kind, Kind::NotFound)
    }

    /// Whether the input did not bind or validate.
    pub fn is_invalid(&self) -> bool {
        matches!(self.kind, Kind::Invalid)
    }
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl ActionError {
    /// The error this one was converted from, if any.
    ///
    /// `ActionError` itself does not implement `std::error::Error`, so that every error type
    /// can convert into it with `?` (as `anyhow::Error` does).
    pub fn source(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        match &self.kind {
            Kind::Failed(Some(source)) => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for ActionError {
    fn from(error: E) -> Self {
        let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(error);
        let boxed = match boxed.downcast::<ParamsError>() {
            Ok(params) => return ActionError::not_found(params.to_string()),
            Err(other) => other,
        };
        match boxed.downcast::<BindError>() {
            Ok(bind) => ActionError::invalid(bind.field_errors().clone()),
            Err(other) => ActionError {
                message: other.to_string(),
                errors: FieldErrors::new(),
                kind: Kind::Failed(Some(other)),
            },
        }
    }
}

/// What an action method may return: nothing, or a `Result` whose error converts.
pub trait IntoActionResult {
    /// The action's outcome.
    fn into_action_result(self) -> Result;
}

impl IntoActionResult for () {
    fn into_action_result(self) -> Result {
        Ok(())
    }
}

impl<E: Into<ActionError>> IntoActionResult for std::result::Result<(), E> {
    fn into_action_result(self) -> Result {
        self.map_err(Into::into)
    }
}
