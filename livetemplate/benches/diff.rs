//! Diff benchmark: one change on a 1,000-item TodoMVC page, askama's render versus ours + diff.
//!
//! Run with `cargo bench -p livetemplate --bench diff`; `LIVETEMPLATE_BENCH_QUICK=1` (what
//! `.ci/run` sets) makes it a run of a few seconds (`-- --quick`, criterion's own shorter
//! sampling, shortens only the sampling and the table).
//! The page (`templates/bench_todomvc.html`, the same page as the frame-size test's) is
//! rendered once; then one todo is toggled and the new state is measured as:
//!
//! - `askama`: askama's full `render()` of the page (the baseline);
//! - `render+diff`: `LiveTemplate::render_tree`, then `diff` against the previous tree;
//! - `render+diff+encode`: the same, then the patch encoded into our client's whole frame;
//!
//! and, to see where the time goes, `render` alone and `diff` alone (two trees rendered
//! beforehand). Criterion measures group `diff`; afterwards this bench measures the cases again
//! itself, interleaved, and prints a markdown table of the ratios to askama. Under
//! `cargo test --benches` each benchmark runs once and no table is printed.

mod support;

use std::hint::black_box;
use std::time::Duration;

use askama::Template;
use criterion::Criterion;

use livetemplate::diff::diff;
use livetemplate::wire::frame::{self, Meta};
use livetemplate::wire::{ClientKind, Encoder};
use livetemplate::{LiveTemplate, Rendered};
use support::{median, ns_per_iter};

/// The number of todos on the page.
const ITEMS: u32 = 1000;
/// The todo that is toggled (its index).
const TOGGLED: usize = 499;

/// One todo item.
#[derive(Debug, Clone)]
struct Todo {
    id: u32,
    title: String,
    done: bool,
}

/// A TodoMVC page: new-todo form, toggle-all, the list, count, filters, clear-completed.
#[derive(Debug, Clone, Template, LiveTemplate)]
#[template(path = "bench_todomvc.html")]
struct TodoPage {
    todos: Vec<Todo>,
    remaining: usize,
    filter: &'static str,
}

impl TodoPage {
    /// `n` todos with ids 1..=n; every third is done, some titles need escaping.
    fn with_items(n: u32) -> Self {
        let todos = (1..=n)
            .map(|id| Todo {
                id,
                title: if id % 5 == 0 {
                    format!("Buy milk & <eggs> #{id}")
                } else {
                    format!("Write the weekly report, part {id}")
                },
                done: id % 3 == 0,
            })
            .collect();
        let mut page = TodoPage {
            todos,
            remaining: 0,
            filter: "all",
        };
        page.recount();
        page
    }

    fn recount(&mut self) {
        self.remaining = self.todos.iter().filter(|t| !t.done).count();
    }

    /// The same page with one todo toggled.
    fn toggled(&self, index: usize) -> Self {
        let mut page = self.clone();
        page.todos[index].done = !page.todos[index].done;
        page.recount();
        page
    }
}

/// The state one toggle goes from and to, and the connection's state before it.
struct Setup {
    /// The page after the toggle: what each iteration renders.
    page: TodoPage,
    /// The tree the connection last saw (before the toggle).
    old: Rendered,
    /// The tree after the toggle, rendered beforehand (for `diff` alone).
    new: Rendered,
    /// An encoder that has sent `old` as the first frame.
    encoder: Encoder,
    /// The action's outcome: a success, so our client's reply leaves it out.
    meta: Meta,
}

impl Setup {
    fn new() -> Self {
        let before = TodoPage::with_items(ITEMS);
        let page = before.toggled(TOGGLED);
        let old = tree(&before);
        let new = tree(&page);
        let mut encoder = Encoder::new(ClientKind::Livetemplate);
        black_box(encoder.tree(&old));
        Setup {
            page,
            old,
            new,
            encoder,
            meta: Meta::ok("toggle"),
        }
    }
}

fn askama(page: &TodoPage) -> String {
    Template::render(page).expect("askama render")
}

fn tree(page: &TodoPage) -> Rendered {
    LiveTemplate::render_tree(page).expect("live render")
}

/// Renders `page` and diffs it against `old`; returns whether nothing changed.
fn render_diff(page: &TodoPage, old: &Rendered) -> bool {
    let new = tree(page);
    let patch = diff(old, &new);
    black_box(&patch);
    patch.is_empty()
}

/// Renders, diffs and encodes the frame our client receives on its socket: the reply to its
/// message `ref` 42, in the short envelope `[42,patch]`.
fn render_diff_encode(
    page: &TodoPage,
    old: &Rendered,
    encoder: &mut Encoder,
    meta: &Meta,
) -> String {
    let new = tree(page);
    let patch = diff(old, &new);
    frame::reply(
        ClientKind::Livetemplate,
        &encoder.patch(&patch),
        meta,
        Some(42),
    )
}

fn diff_only(old: &Rendered, new: &Rendered) -> bool {
    let patch = diff(old, new);
    black_box(&patch);
    patch.is_empty()
}

/// Criterion group `diff`.
fn bench_diff(c: &mut Criterion, setup: &mut Setup) {
    let mut group = c.benchmark_group("diff");
    let Setup {
        page,
        old,
        new,
        encoder,
        meta,
    } = setup;
    group.bench_function("askama", |b| b.iter(|| askama(black_box(page))));
    group.bench_function("render", |b| b.iter(|| tree(black_box(page))));
    group.bench_function("diff", |b| {
        b.iter(|| diff_only(black_box(old), black_box(new)))
    });
    group.bench_function("render+diff", |b| {
        b.iter(|| render_diff(black_box(page), old))
    });
    group.bench_function("render+diff+encode", |b| {
        b.iter(|| render_diff_encode(black_box(page), old, encoder, meta))
    });
    group.finish();
}

/// Measures the cases interleaved (`rounds` × `budget` each) and prints the table.
fn print_ratio_table(setup: &mut Setup, budget: Duration, rounds: usize) {
    let Setup {
        page,
        old,
        new,
        encoder,
        meta,
    } = setup;
    let mut times: [Vec<f64>; 5] = Default::default();
    for _ in 0..rounds {
        times[0].push(ns_per_iter(budget, || askama(black_box(page))));
        times[1].push(ns_per_iter(budget, || tree(black_box(page))));
        times[2].push(ns_per_iter(budget, || {
            diff_only(black_box(old), black_box(new))
        }));
        times[3].push(ns_per_iter(budget, || render_diff(black_box(page), old)));
        times[4].push(ns_per_iter(budget, || {
            render_diff_encode(black_box(page), old, encoder, meta)
        }));
    }
    let [askama_ns, render_ns, diff_ns, render_diff_ns, encode_ns] = times.map(median);
    println!(
        "\nToggle one of {ITEMS} todos ({rounds} interleaved rounds of {} ms each, median ns/iter):\n",
        budget.as_millis()
    );
    println!("| case | ns | ratio to askama |");
    println!("|---|---:|---:|");
    for (case, ns) in [
        ("(a) askama `render()`", askama_ns),
        ("(b) `LiveTemplate::render_tree` + `diff`", render_diff_ns),
        ("(c) (b) + encode the frame", encode_ns),
        ("`LiveTemplate::render_tree` alone", render_ns),
        ("`diff` alone", diff_ns),
    ] {
        println!("| {case} | {ns:.0} | {:.2} |", ns / askama_ns);
    }
    println!(
        "\nGoal (b) ≤ 1.50 × askama: {}",
        if render_diff_ns <= 1.5 * askama_ns {
            "met"
        } else {
            "missed"
        }
    );
}

fn main() {
    let mut setup = Setup::new();
    // The live tree must render askama's bytes, and the toggle must produce a small frame.
    assert_eq!(tree(&setup.page).to_html(), askama(&setup.page));
    let frame = render_diff_encode(&setup.page, &setup.old, &mut setup.encoder, &setup.meta);
    assert!(frame.len() < 200, "unexpectedly large frame: {frame}");
    // The reply our client reads (docs/src/protocol.md, "Update envelopes"): `[ref, patch]`,
    // no `meta` on success.
    let value: serde_json::Value = serde_json::from_str(&frame).expect("the frame is JSON");
    assert!(
        value.as_array().is_some_and(|parts| parts.len() == 2
            && parts[0] == 42
            && parts[1].as_object().is_some_and(|patch| !patch.is_empty())),
        "not our client's reply to ref 42: {frame}"
    );

    let mut criterion = support::criterion();
    bench_diff(&mut criterion, &mut setup);
    criterion.final_summary();

    if let Some((budget, rounds)) = support::ratio_rounds() {
        println!("\nFrame: {frame} ({} B)", frame.len());
        print_ratio_table(&mut setup, budget, rounds);
    }
}
