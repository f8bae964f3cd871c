//! Replays the fuzz targets' committed inputs (`fuzz/seeds/<target>/` and
//! `fuzz/corpus/<target>/`) through the same checks the targets run
//! (`livetemplate::__fuzz`), on stable Rust and without libFuzzer: an input that once found a
//! bug, or covered a path, keeps being checked by `cargo test`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use livetemplate::__fuzz;

/// The inputs of `target`, seeds then corpus, sorted by path.
fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut files = Vec::new();
    for folder in ["seeds", "corpus"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder).join(target)) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.is_file())
            .collect();
        found.sort();
        files.extend(found);
    }
    files
}

/// Runs `check` on every input of `target`; fails naming each input that panics. Returns how
/// many inputs ran.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let files = inputs(target);
    let mut failed = Vec::new();
    for file in &files {
        let data = match std::fs::read(file) {
            Ok(data) => data,
            // A fuzzer running meanwhile replaces the inputs it reduces.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => panic!("{}: {err}", file.display()),
        };
        if catch_unwind(AssertUnwindSafe(|| check(&data))).is_err() {
            failed.push(file.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{target}: these inputs fail: {failed:#?}"
    );
    files.len()
}

#[test]
fn decode_inputs_pass() {
    assert!(
        replay("decode", __fuzz::decode) >= 10,
        "the decode seeds are missing"
    );
}

#[test]
fn form_body_inputs_pass() {
    assert!(
        replay("form_body", __fuzz::form_body) >= 10,
        "the form_body seeds are missing"
    );
}

#[test]
fn cookie_origin_inputs_pass() {
    assert!(
        replay("cookie_origin", __fuzz::cookie_origin) >= 5,
        "the cookie_origin seeds are missing"
    );
}

#[test]
fn apply_inputs_pass() {
    assert!(
        replay("apply", __fuzz::apply) >= 5,
        "the apply seeds are missing"
    );
}

/// The replay can fail: an input that breaks an invariant is reported.
#[test]
fn a_broken_invariant_fails_the_replay() {
    fn broken(data: &[u8]) {
        assert!(
            !data.is_empty() && data.len() > usize::MAX / 2,
            "always fails"
        );
    }
    let result = catch_unwind(|| replay("decode", broken));
    assert!(result.is_err(), "a check that always fails passed");
}
