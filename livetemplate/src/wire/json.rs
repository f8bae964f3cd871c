//! A minimal JSON writer for frames: strings escaped per RFC 8259, everything else literal.

use std::fmt::Write as _;

/// Appends `value` as a JSON string literal.
pub(crate) fn string(out: &mut String, value: &str) {
    out.reserve(value.len() + 2);
    out.push('"');
    let mut start = 0;
    for (i, byte) in value.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(&value[start..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{byte:04x}");
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&value[start..]);
    out.push('"');
}

/// Appends `"name":` for a wire key from [`keys`](super::keys), which needs no escaping.
pub(crate) fn key(out: &mut String, name: &str) {
    debug_assert!(
        name.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\'),
        "{name:?} needs escaping"
    );
    out.push('"');
    out.push_str(name);
    out.push_str("\":");
}

/// Appends `"key":` for a numeric slot key.
pub(crate) fn slot_key(out: &mut String, index: usize) {
    let _ = write!(out, "\"{index}\":");
}

/// Whether `text` is a whole number that a JSON reader turns back into the same text:
/// `0`, or an optional `-` and up to 15 digits not starting with `0` (so within the range a
/// JavaScript number holds exactly; `"007"`, `"-0"` and `"1e3"` stay strings).
pub(crate) fn is_plain_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    match digits.as_bytes() {
        [b'0'] => digits.len() == text.len(),
        [b'1'..=b'9', rest @ ..] => rest.len() < 15 && rest.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_integers() {
        for yes in [
            "0",
            "7",
            "-7",
            "1001",
            "999999999999999",
            "-100000000000000",
        ] {
            assert!(is_plain_integer(yes), "{yes}");
        }
        for no in [
            "",
            "-",
            "-0",
            "007",
            "00",
            "1e3",
            "1.5",
            "+1",
            " 1",
            "1 ",
            "0x1",
            "1000000000000000",
            "１",
        ] {
            assert!(!is_plain_integer(no), "{no}");
        }
    }

    #[test]
    fn escapes_like_serde_json() {
        for value in [
            "",
            "plain",
            "a\"b\\c",
            "line\nbreak\ttab\r",
            "\u{1}\u{1f}",
            "ünï 🦀 &#60;",
        ] {
            let mut out = String::new();
            string(&mut out, value);
            assert_eq!(out, serde_json::to_string(value).unwrap_or_default());
        }
    }
}
