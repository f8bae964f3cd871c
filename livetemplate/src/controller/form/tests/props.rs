//! Property tests: binding arbitrary form data never panics and names its failures.

use std::collections::HashMap;

use proptest::prelude::*;

use super::*;

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
