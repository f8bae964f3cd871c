//! Fields: required, optional and defaulted fields, present, missing, null or empty.

use serde::Deserialize;
use serde_json::json;

use super::*;

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
