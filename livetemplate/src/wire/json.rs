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

/// Appends `"key":` for a numeric slot key.
pub(crate) fn slot_key(out: &mut String, index: usize) {
    let _ = write!(out, "\"{index}\":");
}

#[cfg(test)]
mod tests {
    use super::*;

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
