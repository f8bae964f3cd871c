//! The entry points: binding what the clients send, [`get`] and [`bind_valid`].

use serde_json::json;

use super::*;
use crate::wire::{FormData, Limits, decode};

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
