//! Errors: every field reported, unknown fields, custom errors, [`FieldErrors`] and deep nesting.

use std::num::NonZeroU32;

use serde::{Deserialize, de};
use serde_json::json;

use super::*;

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
