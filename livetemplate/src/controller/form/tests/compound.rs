//! Compound types: lists, tuples, enums, nested structs, maps, newtypes and renamed fields.

use std::collections::{BTreeSet, HashMap};

use serde::Deserialize;
use serde_json::json;

use super::*;

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
