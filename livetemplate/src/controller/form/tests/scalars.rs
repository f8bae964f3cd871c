//! Scalars: bools, integers, floats, strings and chars from text and JSON values.

use serde::Deserialize;
use serde_json::json;

use super::*;

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
