//! Unit tests of form binding: shared helpers and form types, and one module per topic.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::*;
use crate::wire::FormData;

mod api;
mod compound;
mod errors;
mod fields;
mod props;
mod scalars;

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

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Priority {
    Low,
    Medium,
    High,
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
