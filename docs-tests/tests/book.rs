//! The book holds together: every page in `SUMMARY.md` exists and is doc-tested, every page is
//! in `SUMMARY.md`, every relative link in `docs/`, the README and `CONTRIBUTING.md` points at
//! an existing file (and heading), files shown in a page match their tested copies, and no
//! snippet is `ignore`d.
//! The published crates' READMEs are doc-tested too, and have no relative links (crates.io
//! shows them without the repository around them).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn book() -> PathBuf {
    root().join("docs").join("src")
}

/// The READMEs of the published crates (`readme` in their manifests).
fn crate_readmes() -> [PathBuf; 2] {
    [
        root().join("livetemplate").join("README.md"),
        root().join("livetemplate-macros").join("README.md"),
    ]
}

/// The markdown pages under `docs/src`, by file name.
fn pages() -> Result<BTreeSet<String>, std::io::Error> {
    let mut pages = BTreeSet::new();
    for entry in fs::read_dir(book())? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") && name != "SUMMARY.md" {
            pages.insert(name);
        }
    }
    Ok(pages)
}

/// The lines of `text` outside fenced code blocks, with inline code spans removed, and their
/// line numbers (1-based).
fn prose(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut fence: Option<String> = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(open) = &fence {
            if trimmed.starts_with(open.as_str())
                && trimmed.trim_start_matches('`').trim().is_empty()
            {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") {
            let ticks = trimmed.len() - trimmed.trim_start_matches('`').len();
            fence = Some("`".repeat(ticks));
            continue;
        }
        out.push((index + 1, strip_code_spans(line)));
    }
    out
}

/// `line` without its `inline code` spans.
fn strip_code_spans(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let ticks = rest[start..].len() - rest[start..].trim_start_matches('`').len();
        let marker = "`".repeat(ticks);
        let after = &rest[start + ticks..];
        match after.find(marker.as_str()) {
            Some(end) => rest = &after[end + ticks..],
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The targets of the inline links `[text](target)` in `text`, with their line numbers.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (number, line) in prose(text) {
        let mut rest = line.as_str();
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let Some(end) = after.find(')') else { break };
            let target = after[..end].split_whitespace().next().unwrap_or_default();
            out.push((number, target.to_owned()));
            rest = &after[end..];
        }
    }
    out
}

/// The anchor ids of a page's headings, as mdBook (and GitHub, for these pages) makes them.
fn anchors(text: &str) -> BTreeSet<String> {
    prose_with_code(text)
        .into_iter()
        .filter_map(|line| {
            let heading = line.trim_start_matches('#');
            (heading.len() < line.len() && heading.starts_with(' ')).then(|| normalize(heading))
        })
        .collect()
}

/// The lines outside fenced code blocks, inline code kept (headings keep their code's text).
fn prose_with_code(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence {
            out.push(line.to_owned());
        }
    }
    out
}

/// mdBook's `normalize_id`: alphanumerics, `-` and `_` lower-cased, whitespace as `-`.
fn normalize(heading: &str) -> String {
    heading
        .trim()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c.to_ascii_lowercase())
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// Checks the relative links of the markdown file at `path`; returns the problems found.
fn check_links(path: &Path) -> Result<Vec<String>, std::io::Error> {
    let text = fs::read_to_string(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut problems = Vec::new();
    for (line, target) in links(&text) {
        if target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        let (file, anchor) = match target.split_once('#') {
            Some((file, anchor)) => (file, Some(anchor)),
            None => (target.as_str(), None),
        };
        let resolved = if file.is_empty() {
            path.to_path_buf()
        } else {
            dir.join(file)
        };
        let shown = format!("{}:{line}: {target}", path.display());
        if !resolved.exists() {
            problems.push(format!("{shown}: no such file"));
            continue;
        }
        if let Some(anchor) = anchor
            && resolved.extension().is_some_and(|ext| ext == "md")
            && !anchors(&fs::read_to_string(&resolved)?).contains(anchor)
        {
            problems.push(format!("{shown}: no heading with this anchor"));
        }
    }
    Ok(problems)
}

#[test]
fn summary_lists_every_page_and_only_existing_ones() -> TestResult {
    let summary = fs::read_to_string(book().join("SUMMARY.md"))?;
    let listed: BTreeSet<String> = links(&summary).into_iter().map(|(_, t)| t).collect();
    let pages = pages()?;
    let missing: Vec<_> = listed.difference(&pages).collect();
    assert!(
        missing.is_empty(),
        "SUMMARY.md lists missing pages: {missing:?}"
    );
    let unlisted: Vec<_> = pages.difference(&listed).collect();
    assert!(unlisted.is_empty(), "pages not in SUMMARY.md: {unlisted:?}");
    Ok(())
}

#[test]
fn readme_links_every_page() -> TestResult {
    let readme = fs::read_to_string(root().join("README.md"))?;
    let linked: BTreeSet<String> = links(&readme).into_iter().map(|(_, t)| t).collect();
    for page in pages()? {
        let target = format!("docs/src/{page}");
        assert!(linked.contains(&target), "README.md does not link {target}");
    }
    Ok(())
}

#[test]
fn every_page_is_doc_tested() -> TestResult {
    let lib = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))?;
    for page in pages()? {
        let include = format!("include_str!(\"../../docs/src/{page}\")");
        assert!(
            lib.contains(&include),
            "src/lib.rs does not doc-test {page}"
        );
    }
    assert!(lib.contains("include_str!(\"../../README.md\")"));
    for readme in ["livetemplate/README.md", "livetemplate-macros/README.md"] {
        let include = format!("include_str!(\"../../{readme}\")");
        assert!(
            lib.contains(&include),
            "src/lib.rs does not doc-test {readme}"
        );
    }
    Ok(())
}

#[test]
fn crate_readmes_link_only_absolute_urls() -> TestResult {
    for readme in crate_readmes() {
        let text = fs::read_to_string(&readme)?;
        let relative: Vec<_> = links(&text)
            .into_iter()
            .filter(|(_, target)| !target.contains("://"))
            .collect();
        assert!(
            relative.is_empty(),
            "{}: relative links break on crates.io: {relative:?}",
            readme.display()
        );
    }
    Ok(())
}

#[test]
fn relative_links_resolve() -> TestResult {
    let mut files = vec![root().join("README.md"), root().join("CONTRIBUTING.md")];
    for page in pages()? {
        files.push(book().join(page));
    }
    files.push(book().join("SUMMARY.md"));
    let mut problems = Vec::new();
    for file in &files {
        problems.extend(check_links(file)?);
    }
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
    Ok(())
}

/// A page shows a file with `<!-- file: path -->` (relative to the workspace root) on the line
/// before its fenced block; the block must be that file, byte for byte.
#[test]
fn files_shown_in_pages_match_their_tested_copies() -> TestResult {
    let mut checked = 0;
    for page in pages()? {
        let text = fs::read_to_string(book().join(&page))?;
        let lines: Vec<&str> = text.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            let Some(path) = line
                .trim()
                .strip_prefix("<!-- file: ")
                .and_then(|rest| rest.strip_suffix(" -->"))
            else {
                continue;
            };
            let open = lines
                .get(index + 1)
                .filter(|l| l.starts_with("```"))
                .ok_or_else(|| format!("{page}:{}: no code block after the marker", index + 1))?;
            let ticks = open.len() - open.trim_start_matches('`').len();
            let body: Vec<&str> = lines[index + 2..]
                .iter()
                .take_while(|l| l.trim_end() != "`".repeat(ticks))
                .copied()
                .collect();
            let shown = body.join("\n") + "\n";
            let file = fs::read_to_string(root().join(path))?;
            assert_eq!(shown, file, "{page}: the block differs from {path}");
            checked += 1;
        }
    }
    assert!(checked > 0, "no page shows a checked file");
    Ok(())
}

#[test]
fn no_snippet_is_ignored() -> TestResult {
    let mut files = vec![root().join("README.md")];
    files.extend(crate_readmes());
    for page in pages()? {
        files.push(book().join(page));
    }
    for file in files {
        for (number, line) in fs::read_to_string(&file)?.lines().enumerate() {
            let info = line.trim_start().trim_start_matches('`');
            if line.trim_start().starts_with("```") && info.split([',', ' ']).any(|t| t == "ignore")
            {
                panic!(
                    "{}:{}: `ignore` snippets are not compiled; use no_run or hidden lines",
                    file.display(),
                    number + 1
                );
            }
        }
    }
    Ok(())
}

#[test]
fn link_parsing_sees_through_code() {
    let text = "see [a](a.md) and `[b](b.md)`\n```\n[c](c.md)\n```\n[d](d.md#x \"title\")\n";
    let found: Vec<String> = links(text).into_iter().map(|(_, t)| t).collect();
    assert_eq!(found, ["a.md", "d.md#x"]);
    assert_eq!(
        normalize(" Many users: `sync` vs push "),
        "many-users-sync-vs-push"
    );
    let headings = anchors("# Top\n```\n# not a heading\n```\n## Step 2: run it\n");
    assert_eq!(
        headings.into_iter().collect::<Vec<_>>(),
        ["step-2-run-it", "top"]
    );
}
