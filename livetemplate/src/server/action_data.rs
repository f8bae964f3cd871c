//! The one rule for an action's name and data, whichever transport carried it.
//!
//! The browser client builds `{action, data}` from a form or a button (`livetemplate-client`'s
//! `events.js` and `forms.js`) and sends it over the socket, or as a JSON `POST` when the
//! socket is down. Without JavaScript the browser posts the form itself, and [`read_form_post`]
//! reads that body by the same rule, so an action cannot tell the transports apart:
//!
//! - **the name**: the form's `lvt-form:action`, else the name of the submit button pressed,
//!   else the form's `name`, else `submit`;
//! - **the data**: the form's fields under their names (a repeated name becomes an array,
//!   every value a string), plus the pressed button's `value`, when it is not empty, under
//!   [`BUTTON_VALUE`] — the button's own name never arrives as a field, nor do the fields the
//!   page adds to its forms ([`PAGE_FIELDS`]).
//!
//! For the form
//!
//! ```html
//! <form method="post"><input name="voter" value="ann"><button name="vote" value="2">Two</button></form>
//! ```
//!
//! pressing the button runs `vote` with `{"voter": "ann", "value": "2"}` on every transport:
//! the browser posts `voter=ann&vote=2` (plus the page's `_lvt_csrf`), and `vote` is a field
//! named after one of the controller's actions, so it is the pressed button.

use serde_json::Value;

use super::page::{ACTION_FIELD, CSRF_FIELD, FORM_FIELD};
use crate::wire::{ActionKind, FormData};

/// The key a pressed button's `value` arrives under.
pub(crate) const BUTTON_VALUE: &str = crate::wire::keys::BUTTON_VALUE;

/// The hidden fields the page adds to its `method="post"` forms (the CSRF token and the form's
/// action): never part of an action's data, on any transport.
pub(crate) const PAGE_FIELDS: [&str; 3] = [CSRF_FIELD, ACTION_FIELD, FORM_FIELD];

/// `data` without the [`PAGE_FIELDS`] (a client may send them: they are in the page's forms
/// until its first update replaces the HTML the server rendered).
pub(crate) fn without_page_fields(data: FormData) -> FormData {
    if !PAGE_FIELDS.iter().any(|field| data.contains(field)) {
        return data;
    }
    let mut map = data.into_map();
    for field in PAGE_FIELDS {
        map.remove(field);
    }
    FormData::from(map)
}

/// A plain form `POST` read as the action the browser client would have sent.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Posted {
    /// The action's name (not checked yet: it may be one the controller lacks).
    pub(crate) action: String,
    /// The action's data.
    pub(crate) data: FormData,
}

/// Reads a plain form's fields by the rule of the [module](self); `actions` are the names a
/// client may call, so a field named after one of them is the pressed submit button (a
/// browser sends only the button that submitted the form). A name shared by a button and other
/// fields of the form (an array) cannot be told apart and stays a field.
pub(crate) fn read_form_post(form: FormData, actions: &[&str]) -> Posted {
    let non_empty = |name: &str| form.get_str(name).filter(|value| !value.is_empty());
    let button = form
        .iter()
        .find(|(name, value)| value.is_string() && actions.contains(&name.as_str()))
        .map(|(name, _)| name.clone());
    let action = non_empty(ACTION_FIELD)
        .or(button.as_deref())
        .or(non_empty(FORM_FIELD))
        .or(ActionKind::Submit.reserved_name())
        .unwrap_or_default()
        .to_owned();
    let mut map = without_page_fields(form).into_map();
    if let Some(button) = button
        && let Some(Value::String(value)) = map.remove(&button)
        && !value.is_empty()
    {
        map.insert(BUTTON_VALUE.to_owned(), Value::String(value));
    }
    Posted {
        action,
        data: FormData::from(map),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::json;

    fn fields(pairs: &[(&str, &str)]) -> FormData {
        let mut data = FormData::new();
        for (name, value) in pairs {
            match data.get(name).cloned() {
                None => data.insert(*name, *value),
                Some(Value::Array(mut values)) => {
                    values.push(json!(value));
                    data.insert(*name, values)
                }
                Some(first) => data.insert(*name, vec![first, json!(value)]),
            };
        }
        data
    }

    fn data(value: Value) -> FormData {
        match value {
            Value::Object(map) => FormData::from(map),
            other => panic!("not an object: {other}"),
        }
    }

    const ACTIONS: &[&str] = &["vote", "save", "publish", "rename"];

    fn read(pairs: &[(&str, &str)]) -> Posted {
        read_form_post(fields(pairs), ACTIONS)
    }

    #[test]
    fn the_pressed_button_names_the_action_and_gives_its_value() {
        let posted = read(&[("_lvt_csrf", "t"), ("voter", "ann"), ("vote", "2")]);
        assert_eq!(posted.action, "vote");
        assert_eq!(posted.data, data(json!({"voter": "ann", "value": "2"})));
        // An empty value is no value (the client sends none either).
        let posted = read(&[("_lvt_csrf", "t"), ("vote", "")]);
        assert_eq!(posted.action, "vote");
        assert_eq!(posted.data, FormData::new());
    }

    #[test]
    fn lvt_form_action_wins_over_the_button_and_the_form_name_does_not() {
        let posted = read(&[("_lvt_action", "save"), ("title", "x"), ("publish", "now")]);
        assert_eq!(posted.action, "save");
        assert_eq!(posted.data, data(json!({"title": "x", "value": "now"})));
        let posted = read(&[("_lvt_form", "save"), ("title", "x"), ("publish", "")]);
        assert_eq!(posted.action, "publish");
        assert_eq!(posted.data, data(json!({"title": "x"})));
        let posted = read(&[("_lvt_form", "rename"), ("title", "x")]);
        assert_eq!(posted.action, "rename");
        assert_eq!(posted.data, data(json!({"title": "x"})));
    }

    #[test]
    fn without_a_name_the_action_is_submit() {
        let posted = read(&[("_lvt_csrf", "t"), ("_lvt_action", ""), ("title", "x")]);
        assert_eq!(posted.action, "submit");
        assert_eq!(posted.data, data(json!({"title": "x"})));
    }

    #[test]
    fn a_field_named_after_no_client_action_is_a_field() {
        // `receive` is not a client action (say, a server-only one): an ordinary field.
        let posted = read(&[("_lvt_form", "rename"), ("receive", "1")]);
        assert_eq!(posted.action, "rename");
        assert_eq!(posted.data, data(json!({"receive": "1"})));
        // A name shared with other fields is an array: not told apart, kept.
        let posted = read(&[("_lvt_form", "rename"), ("vote", "a"), ("vote", "b")]);
        assert_eq!(posted.action, "rename");
        assert_eq!(posted.data, data(json!({"vote": ["a", "b"]})));
    }

    #[test]
    fn page_fields_never_reach_an_action() {
        let sent = data(json!({"_lvt_csrf": "t", "_lvt_action": "a", "_lvt_form": "f", "x": "1"}));
        assert_eq!(without_page_fields(sent), data(json!({"x": "1"})));
        let kept = data(json!({"_lvt_other": "1"}));
        assert_eq!(without_page_fields(kept.clone()), kept);
    }
}
