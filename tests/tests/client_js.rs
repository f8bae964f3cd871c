//! Runs the browser client's own checks from `cargo test`, so CI's one test command covers
//! them: `npm test` (node's test runner: the tree cache against the golden wire files, and
//! the committed bundle) and `npm run check` (`tsc` over the JSDoc types) in
//! `livetemplate-client/`.
//!
//! Without `node`, `npm` or `livetemplate-client/node_modules` (`npm ci --prefix
//! livetemplate-client`) the tests print a notice and pass, unless the environment sets
//! `LIVETEMPLATE_REQUIRE_CLIENT_TESTS` (to anything but `0`), as CI does: then they fail.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Set (to anything but `""` or `"0"`) to make a missing JavaScript toolchain a failure.
const REQUIRE: &str = "LIVETEMPLATE_REQUIRE_CLIENT_TESTS";

fn client_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("livetemplate-client")
}

fn required() -> bool {
    std::env::var_os(REQUIRE).is_some_and(|value| !value.is_empty() && value != "0")
}

/// Whether `program --version` runs.
fn runs(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

/// Why the JavaScript checks cannot run here, if they cannot.
fn missing(dir: &Path) -> Option<String> {
    if !runs("node") {
        return Some("`node` is not on PATH".to_owned());
    }
    if !runs("npm") {
        return Some("`npm` is not on PATH".to_owned());
    }
    if !dir.join("node_modules").is_dir() {
        return Some(format!(
            "{} does not exist (run `npm ci --prefix livetemplate-client`)",
            dir.join("node_modules").display()
        ));
    }
    None
}

/// Runs `npm run <script>` in `livetemplate-client/`; fails with its output when it fails.
/// Skips, with a notice on stderr, when node or the client's dependencies are missing.
fn npm_run(script: &str) {
    let dir = client_dir();
    if let Some(reason) = missing(&dir) {
        assert!(
            !required(),
            "{REQUIRE} is set, but the JS client checks cannot run: {reason}"
        );
        // Straight to stderr, past the test harness's capture, so the skip shows in CI logs.
        let _ = writeln!(
            std::io::stderr(),
            "skipping JS client tests (npm run {script}): {reason}; set {REQUIRE}=1 to make this a failure"
        );
        return;
    }
    let output = Command::new("npm")
        .args(["run", "--silent", script])
        .current_dir(&dir)
        .env("NO_UPDATE_NOTIFIER", "1")
        .env("npm_config_update_notifier", "false")
        .env("npm_config_fund", "false")
        .output();
    let output = match output {
        Ok(output) => output,
        Err(err) => panic!(
            "could not run `npm run {script}` in {}: {err}",
            dir.display()
        ),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "`npm run {script}` in {} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        dir.display(),
        output.status
    );
    println!("{stdout}{stderr}");
}

#[test]
fn client_unit_tests_pass() {
    npm_run("test");
}

#[test]
fn client_type_check_passes() {
    npm_run("check");
}
