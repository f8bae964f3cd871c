//! The protocol's names agree everywhere: every name and code in the tables of
//! `docs/src/protocol.md` (the normative text), in `livetemplate/src/wire/keys.rs` (the
//! server's spellings) and in `livetemplate-client/src/constants.js` (the browser client's),
//! under the same constant name with the same value; and the page's limits are the code's
//! defaults.
//!
//! A table of the page takes part when its header has a `constant` column: each row's cell in
//! that column names a constant, and the cell just before it holds the value, both as code
//! (`` `"s"` `` | `` `STATICS` ``, or `` `1009` `` | `` `CLOSE_MESSAGE_TOO_BIG` ``).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use livetemplate::wire::{Limits, decode};

/// Exports of `constants.js` that are the client's own settings rather than names of the
/// protocol; the two limits among them are checked against the page's limits table.
const CLIENT_ONLY: [&str; 3] = ["DEV", "MAX_DEPTH", "MAX_HTML"];

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A name's value: a string (a key, an op name, an error code) or a number (a code).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Value {
    Text(String),
    Number(u64),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(text) => write!(f, "{text:?}"),
            Value::Number(number) => write!(f, "{number}"),
        }
    }
}

/// Constant name → value.
type Names = BTreeMap<String, Value>;

/// A file of the workspace.
fn read(relative: &str) -> Result<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    std::fs::read_to_string(&path).map_err(|err| format!("{}: {err}", path.display()))
}

fn is_constant_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// A string literal without escapes (JSON, Rust and JavaScript read it alike), or a whole
/// number (digits and `_`).
fn literal(text: &str) -> Option<Value> {
    if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        return (!inner.contains(['"', '\\'])).then(|| Value::Text(inner.to_owned()));
    }
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().map(Value::Number)
}

/// The constants of `keys.rs`: every line `pub(crate) const NAME: type = literal;`. Any other
/// `const` line is an error, so no name escapes the check.
fn rust_names(source: &str) -> Result<Names, String> {
    let mut names = Names::new();
    for (number, line) in source.lines().enumerate() {
        let line = line.trim();
        if !line.split_whitespace().any(|word| word == "const") || line.starts_with("//") {
            continue;
        }
        let at = || format!("keys.rs line {}: {line}", number + 1);
        let rest = line
            .strip_prefix("pub(crate) const ")
            .and_then(|rest| rest.strip_suffix(';'))
            .ok_or_else(|| format!("{}: not `pub(crate) const NAME: type = value;`", at()))?;
        let (name, rest) = rest.split_once(':').ok_or_else(at)?;
        let (kind, value) = rest.split_once('=').ok_or_else(at)?;
        let value = literal(value.trim()).ok_or_else(at)?;
        let text_type = kind.trim() == "&str";
        if text_type != matches!(value, Value::Text(_)) || !is_constant_name(name) {
            return Err(at());
        }
        if names.insert(name.to_owned(), value).is_some() {
            return Err(format!("{}: named twice", at()));
        }
    }
    Ok(names)
}

/// The exports of `constants.js`: every line `export const NAME = value;`, with the value a
/// literal or a product of whole numbers (`32 * 1024 * 1024`). Exports whose value is none of
/// these must be in [`CLIENT_ONLY`].
fn js_names(source: &str) -> Result<Names, String> {
    let mut names = Names::new();
    for (number, line) in source.lines().enumerate() {
        let Some(rest) = line.strip_prefix("export const ") else {
            continue;
        };
        let at = || format!("constants.js line {}: {line}", number + 1);
        let (name, value) = rest.split_once(" = ").ok_or_else(at)?;
        let value = value.trim().trim_end_matches(';').trim();
        let value = literal(value).or_else(|| {
            let factors: Option<Vec<u64>> = value
                .split('*')
                .map(|factor| match literal(factor.trim()) {
                    Some(Value::Number(n)) => Some(n),
                    _ => None,
                })
                .collect();
            factors
                .filter(|factors| factors.len() > 1)
                .and_then(|factors| factors.into_iter().try_fold(1u64, u64::checked_mul))
                .map(Value::Number)
        });
        match value {
            Some(value) if is_constant_name(name) => {
                if names.insert(name.to_owned(), value).is_some() {
                    return Err(format!("{}: exported twice", at()));
                }
            }
            None if CLIENT_ONLY.contains(&name) => {}
            _ => return Err(format!("{}: not a literal", at())),
        }
    }
    Ok(names)
}

/// One table of the page: its header cells and rows of cells.
struct Table {
    line: usize,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// The cells of a table line: `| a | b |` → `["a", "b"]`.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner
        .split('|')
        .map(|cell| cell.trim().to_owned())
        .collect()
}

/// Every table of a markdown page outside code blocks.
fn tables(markdown: &str) -> Vec<Table> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut tables = Vec::new();
    let mut fenced = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if line.starts_with("```") {
            fenced = !fenced;
        }
        let separator = lines.get(i + 1).is_some_and(|next| {
            let next = next.trim();
            next.starts_with("|---") || next.starts_with("| ---")
        });
        if fenced || !line.starts_with('|') || !separator {
            i += 1;
            continue;
        }
        let mut table = Table {
            line: i + 1,
            header: cells(line),
            rows: Vec::new(),
        };
        i += 2;
        while let Some(row) = lines.get(i).filter(|row| row.trim().starts_with('|')) {
            table.rows.push(cells(row));
            i += 1;
        }
        tables.push(table);
    }
    tables
}

/// The text of a cell that is one code span: `` `"s"` `` → `"s"`.
fn code(cell: &str) -> Option<&str> {
    cell.strip_prefix('`')?.strip_suffix('`')
}

/// The names of the page's tables with a `constant` column, table by table.
fn spec_tables(markdown: &str) -> Result<Vec<(usize, Names)>, String> {
    let mut out = Vec::new();
    for table in tables(markdown) {
        let columns: Vec<usize> = (1..table.header.len())
            .filter(|&c| table.header[c] == "constant")
            .collect();
        if columns.is_empty() {
            continue;
        }
        let mut names = Names::new();
        for row in &table.rows {
            for &c in &columns {
                let at = || format!("protocol.md table at line {}: row {row:?}", table.line);
                let (Some(value), Some(name)) = (
                    row.get(c - 1).and_then(|cell| code(cell)),
                    row.get(c).and_then(|cell| code(cell)),
                ) else {
                    return Err(format!("{}: value and constant must be code", at()));
                };
                let value = literal(value).ok_or_else(at)?;
                if !is_constant_name(name) || names.insert(name.to_owned(), value).is_some() {
                    return Err(at());
                }
            }
        }
        out.push((table.line, names));
    }
    Ok(out)
}

/// All names of the page; a name in two tables must have one value.
fn spec_names(markdown: &str) -> Result<Names, String> {
    let mut all = Names::new();
    for (line, names) in spec_tables(markdown)? {
        for (name, value) in names {
            if let Some(before) = all.insert(name.clone(), value.clone())
                && before != value
            {
                return Err(format!(
                    "protocol.md table at line {line}: {name} is {value}, elsewhere {before}"
                ));
            }
        }
    }
    Ok(all)
}

/// Every disagreement between the three sources, one line each.
fn disagreements(sources: &[(&str, &Names)]) -> Vec<String> {
    let all: BTreeSet<&String> = sources.iter().flat_map(|(_, names)| names.keys()).collect();
    let mut out = Vec::new();
    for name in all {
        let values: Vec<Option<&Value>> =
            sources.iter().map(|(_, names)| names.get(name)).collect();
        if values.windows(2).all(|pair| pair[0] == pair[1]) {
            continue;
        }
        let seen: Vec<String> = sources
            .iter()
            .zip(&values)
            .map(|((source, _), value)| match value {
                Some(value) => format!("{source} {value}"),
                None => format!("{source} (missing)"),
            })
            .collect();
        out.push(format!("{name}: {}", seen.join(", ")));
    }
    out
}

/// The three sources, read from the workspace.
fn sources() -> Result<(Names, Names, Names), String> {
    let rust = rust_names(&read("livetemplate/src/wire/keys.rs")?)?;
    let js = js_names(&read("livetemplate-client/src/constants.js")?)?;
    let spec = spec_names(&read("docs/src/protocol.md")?)?;
    Ok((rust, js, spec))
}

#[test]
fn names_agree_in_the_spec_the_server_and_the_client() -> TestResult {
    let (rust, mut js, spec) = sources()?;
    js.retain(|name, _| !CLIENT_ONLY.contains(&name.as_str()));
    // The parsers found the tables and files they were meant to.
    for names in [&rust, &js, &spec] {
        assert!(
            names.contains_key("STATICS") && names.contains_key("CLOSE_MESSAGE_TOO_BIG"),
            "{names:?}"
        );
    }
    let problems = disagreements(&[
        ("protocol.md", &spec),
        ("keys.rs", &rust),
        ("constants.js", &js),
    ]);
    assert!(
        problems.is_empty(),
        "the protocol's names disagree (docs/src/protocol.md, livetemplate/src/wire/keys.rs, \
         livetemplate-client/src/constants.js):\n{}",
        problems.join("\n")
    );
    Ok(())
}

#[test]
fn each_spec_table_names_distinct_values() -> TestResult {
    for (line, names) in spec_tables(&read("docs/src/protocol.md")?)? {
        let mut seen: Vec<(&Value, &String)> = Vec::new();
        for (name, value) in &names {
            if let Some((_, other)) = seen.iter().find(|(v, _)| *v == value) {
                panic!("protocol.md table at line {line}: {other} and {name} are both {value}");
            }
            seen.push((value, name));
        }
    }
    Ok(())
}

#[test]
fn limits_in_the_spec_are_the_defaults() -> TestResult {
    let spec = read("docs/src/protocol.md")?;
    let js = js_names(&read("livetemplate-client/src/constants.js")?)?;
    let table = tables(&spec)
        .into_iter()
        .find(|table| table.header.iter().any(|cell| cell == "setting"))
        .ok_or("protocol.md has no limits table (a `setting` column)")?;
    let column = |name: &str| table.header.iter().position(|cell| cell == name);
    let (Some(setting), Some(default)) = (column("setting"), column("default")) else {
        return Err("the limits table needs `setting` and `default` columns".into());
    };
    let limits = Limits::DEFAULT;
    let mut checked = 0;
    for row in &table.rows {
        let (Some(name), Some(Value::Number(value))) = (
            row.get(setting).and_then(|cell| code(cell)),
            row.get(default)
                .and_then(|cell| code(cell))
                .and_then(literal),
        ) else {
            panic!("limits row {row:?}: setting and default must be code, the default a number");
        };
        let (expected, client) = match name {
            "Limits::max_frame_bytes" => (limits.max_frame_bytes, None),
            "Limits::max_depth" => (limits.max_depth, None),
            "Limits::max_fields" => (limits.max_fields, None),
            "Limits::max_action_len" => (limits.max_action_len, None),
            "MAX_DEPTH" => (livetemplate::testing::ClientTree::MAX_DEPTH, js.get(name)),
            "MAX_HTML" => (livetemplate::testing::ClientTree::MAX_HTML, js.get(name)),
            other => panic!("limits row {other}: unknown setting; teach this test its default"),
        };
        assert_eq!(u64::try_from(expected)?, value, "{name}");
        if let Some(client) = client {
            assert_eq!(client, &Value::Number(value), "constants.js {name}");
        }
        checked += 1;
    }
    assert_eq!(checked, 6, "every limit of the table is checked");
    Ok(())
}

#[test]
fn the_decoder_sends_the_error_codes_of_the_spec() -> TestResult {
    let spec = spec_names(&read("docs/src/protocol.md")?)?;
    let codes: BTreeSet<&Value> = spec
        .iter()
        .filter(|(name, _)| name.starts_with("ERR_"))
        .map(|(_, value)| value)
        .collect();
    let limits = Limits::default();
    let deep = format!("{}{}", "[".repeat(40), "]".repeat(40));
    for bad in [
        "{".to_owned(),
        "[]".to_owned(),
        " ".repeat(limits.max_frame_bytes + 1),
        format!(r#"{{"action":"a","data":{{"x":{deep}}}}}"#),
        r#"{"data":{}}"#.to_owned(),
        r#"{"action":""}"#.to_owned(),
        r#"{"action":7}"#.to_owned(),
    ] {
        let Err(error) = decode(bad.as_bytes(), &limits) else {
            panic!("{bad:.40} was accepted");
        };
        let frame: serde_json::Value = serde_json::from_str(&error.to_frame())?;
        let code = frame[spec_text(&spec, "FRAME_CODE")?]
            .as_str()
            .unwrap_or_default();
        assert!(
            codes.contains(&&Value::Text(code.to_owned())),
            "{code} is not in the spec"
        );
        assert_eq!(
            frame[spec_text(&spec, "FRAME_TYPE")?],
            spec_text(&spec, "TYPE_ERROR")?,
            "{frame}"
        );
    }
    Ok(())
}

/// The text value of a name of the page.
fn spec_text<'a>(spec: &'a Names, name: &str) -> Result<&'a str, String> {
    match spec.get(name) {
        Some(Value::Text(text)) => Ok(text),
        other => Err(format!("protocol.md: {name} is {other:?}")),
    }
}

// ---- the checks themselves can fail ----------------------------------------------------------

const RUST: &str = r#"
/// A node's statics.
pub(crate) const STATICS: &str = "s";
pub(crate) const CODE_REMOVE: u8 = 0;
"#;

const JS: &str = r#"
export const STATICS = "s";
export const CODE_REMOVE = 0;
export const DEV = /** @type {boolean} */ (globalThis.LVT_DEV ?? true);
"#;

const SPEC: &str = "
| key | constant | meaning |
|---|---|---|
| `\"s\"` | `STATICS` | statics |

| op | name | constant | code | constant |
|---|---|---|---|---|
| remove | `\"r\"` | `OP_REMOVE` | `0` | `CODE_REMOVE` |
";

#[test]
fn a_name_missing_or_spelled_differently_is_reported() -> TestResult {
    let rust = rust_names(RUST)?;
    let js = js_names(JS)?;
    let spec = spec_names(SPEC)?;
    let problems = disagreements(&[("spec", &spec), ("rust", &rust), ("js", &js)]);
    assert_eq!(
        problems,
        ["OP_REMOVE: spec \"r\", rust (missing), js (missing)"]
    );

    let js = js_names(&JS.replace("\"s\"", "\"t\""))?;
    let rust = rust_names(&RUST.replace("= 0;", "= 1;"))?;
    let problems = disagreements(&[("rust", &rust), ("js", &js)]);
    assert_eq!(
        problems,
        ["CODE_REMOVE: rust 1, js 0", "STATICS: rust \"s\", js \"t\""]
    );
    Ok(())
}

#[test]
fn unreadable_constants_are_errors() {
    assert!(rust_names("pub const STATICS: &str = \"s\";").is_err());
    assert!(rust_names("pub(crate) const STATICS: u8 = \"s\";").is_err());
    assert!(rust_names("pub(crate) const STATICS: &str = concat!(\"s\");").is_err());
    assert!(js_names("export const STATICS = `s`;").is_err());
    assert!(js_names("export const STATICS = \"s\";\nexport const STATICS = \"s\";").is_err());
    assert!(spec_names("| key | constant |\n|---|---|\n| \"s\" | `STATICS` |").is_err());
    assert!(
        spec_names("| a | constant |\n|---|---|\n| `1` | `X` |\n\n| b | constant |\n|---|---|\n| `2` | `X` |")
            .is_err()
    );
}
