//! trybuild UI tests: `tests/ui/pass/*.rs` must compile and run, `tests/ui/fail/*.rs` must fail
//! with the error pinned in the `.stderr` file beside each case.
//!
//! Regenerate the snapshots with `TRYBUILD=overwrite cargo test -p livetemplate-macros --test ui`
//! and read every changed `.stderr` before committing it.

use std::io;
use std::path::Path;

#[test]
fn ui() -> io::Result<()> {
    link_templates()?;
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
    Ok(())
}

/// Makes this crate's `templates/` visible to the cases.
///
/// trybuild compiles the cases as a crate in `<target>/tests/trybuild/livetemplate-macros/`,
/// and the derive looks for templates under that crate's `CARGO_MANIFEST_DIR`, so we link its
/// `templates` to ours (as askama's own UI tests do).
fn link_templates() -> io::Result<()> {
    let ours = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    // Cargo sets CARGO_TARGET_TMPDIR to `<target>/tmp` for integration tests.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .ok_or_else(|| io::Error::other("CARGO_TARGET_TMPDIR has no parent"))?;
    let project = target.join("tests/trybuild/livetemplate-macros");
    std::fs::create_dir_all(&project)?;
    let link = project.join("templates");
    if link.symlink_metadata().is_ok() {
        return Ok(());
    }
    link_dir(&ours, &link)
}

#[cfg(unix)]
fn link_dir(original: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(original, link)
}

#[cfg(not(unix))]
fn link_dir(original: &Path, link: &Path) -> io::Result<()> {
    std::fs::create_dir_all(link)?;
    for entry in std::fs::read_dir(original)? {
        let entry = entry?;
        std::fs::copy(entry.path(), link.join(entry.file_name()))?;
    }
    Ok(())
}
