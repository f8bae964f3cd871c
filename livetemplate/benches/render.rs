//! Render benchmark: a todo-list page through askama's `render` versus our live tree.
//!
//! Run with `cargo bench -p livetemplate --bench render`; `LIVETEMPLATE_BENCH_QUICK=1` (what
//! `.ci/run` sets) makes it a run of a few seconds (`-- --quick`, criterion's own shorter
//! sampling, shortens only the sampling and the table). Criterion measures group
//! `render` — `askama`, `tree` (`LiveTemplate::render_tree`) and `tree+html` (render, then
//! `to_html`) for 10, 100 and 1000 items — and afterwards this bench measures the three again
//! itself, interleaved, and prints a markdown table of the ratios. Under
//! `cargo test --benches` each benchmark runs once and no table is printed.

mod support;

use std::hint::black_box;
use std::time::Duration;

use askama::Template;
use criterion::{BenchmarkId, Criterion, Throughput};

use livetemplate::LiveTemplate;
use support::{median, ns_per_iter};

/// The list sizes measured.
const SIZES: [usize; 3] = [10, 100, 1000];

/// One todo item.
#[derive(Debug)]
struct Todo {
    id: u32,
    title: String,
    done: bool,
}

/// A todo-list page: header with a form, a count, a filter bar, the list and a footer.
#[derive(Debug, Template, LiveTemplate)]
#[template(path = "bench_todos.html")]
struct TodoPage {
    title: &'static str,
    draft: String,
    filter: &'static str,
    remaining: usize,
    todos: Vec<Todo>,
    user: &'static str,
}

impl TodoPage {
    /// A page with `n` items; every third is done, some titles need escaping.
    fn with_items(n: usize) -> Self {
        let todos: Vec<Todo> = (0..n)
            .map(|i| Todo {
                id: u32::try_from(i).unwrap_or(u32::MAX),
                title: if i % 5 == 0 {
                    format!("Buy milk & <eggs> #{i}")
                } else {
                    format!("Write the weekly report, part {i}")
                },
                done: i % 3 == 0,
            })
            .collect();
        TodoPage {
            title: "Todos",
            draft: "call \"Bob\"".to_owned(),
            filter: "all",
            remaining: todos.iter().filter(|t| !t.done).count(),
            todos,
            user: "alice@example.com",
        }
    }
}

fn askama(page: &TodoPage) -> String {
    Template::render(page).expect("askama render")
}

fn tree(page: &TodoPage) -> livetemplate::Rendered {
    LiveTemplate::render_tree(page).expect("live render")
}

fn tree_html(page: &TodoPage) -> String {
    tree(page).to_html()
}

/// Criterion group `render`.
fn bench_render(c: &mut Criterion) {
    let mut group = c.benchmark_group("render");
    for n in SIZES {
        let page = TodoPage::with_items(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("askama", n), &page, |b, p| {
            b.iter(|| askama(black_box(p)))
        });
        group.bench_with_input(BenchmarkId::new("tree", n), &page, |b, p| {
            b.iter(|| tree(black_box(p)))
        });
        group.bench_with_input(BenchmarkId::new("tree+html", n), &page, |b, p| {
            b.iter(|| tree_html(black_box(p)))
        });
    }
    group.finish();
}

/// Measures the three variants interleaved (`rounds` × `budget` each) and prints the table.
fn print_ratio_table(budget: Duration, rounds: usize) {
    println!(
        "\nRatios ({rounds} interleaved rounds of {} ms each, median ns/iter):\n",
        budget.as_millis()
    );
    println!("| items | askama ns | tree ns | tree+html ns | tree/askama | (tree+html)/askama |");
    println!("|------:|----------:|--------:|-------------:|------------:|-------------------:|");
    for n in SIZES {
        let page = TodoPage::with_items(n);
        let (mut a, mut t, mut th) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            a.push(ns_per_iter(budget, || askama(black_box(&page))));
            t.push(ns_per_iter(budget, || tree(black_box(&page))));
            th.push(ns_per_iter(budget, || tree_html(black_box(&page))));
        }
        let (a, t, th) = (median(a), median(t), median(th));
        println!(
            "| {n} | {a:.0} | {t:.0} | {th:.0} | {:.2} | {:.2} |",
            t / a,
            th / a
        );
    }
}

fn main() {
    // Both renders must give the same bytes, or the comparison means nothing.
    for n in SIZES {
        let page = TodoPage::with_items(n);
        assert_eq!(
            tree_html(&page),
            askama(&page),
            "tree and askama differ at {n} items"
        );
    }

    let mut criterion = support::criterion();
    bench_render(&mut criterion);
    criterion.final_summary();

    if let Some((budget, rounds)) = support::ratio_rounds() {
        print_ratio_table(budget, rounds);
    }
}
