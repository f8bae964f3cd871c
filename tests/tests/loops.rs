//! `for` loops: `loop.*` variables, `for … else`, ranges, references, iterator adaptors,
//! destructuring, `if` filters, `break`/`continue`, nesting, keyed and unkeyed items.

use std::collections::BTreeMap;

use livetemplate_tests::assert_same;

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "loops/basic.html")]
struct Basic {
    items: Vec<String>,
}

#[test]
fn loop_variables_and_else() {
    assert_same(&Basic { items: vec![] });
    assert_same(&Basic {
        items: vec!["only".into()],
    });
    assert_same(&Basic {
        items: vec!["<a>".into(), "b & c".into(), String::new(), "🦀".into()],
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "loops/iterators.html")]
struct Iterators<'a> {
    names: &'a [&'a str],
    word: &'a str,
    map: BTreeMap<String, i32>,
    pairs: Vec<(char, bool)>,
    n: u32,
    nums: Vec<i32>,
}

#[test]
fn iterators_ranges_destructuring() {
    assert_same(&Iterators {
        names: &[],
        word: "",
        map: BTreeMap::new(),
        pairs: vec![],
        n: 0,
        nums: vec![],
    });
    assert_same(&Iterators {
        names: &["ann", "<bob>", "c\"d"],
        word: "héllo<",
        map: BTreeMap::from([("a&b".into(), 1), ("z".into(), -2)]),
        pairs: vec![('x', true), ('<', false)],
        n: 3,
        nums: vec![1, 2, 3, 4, 5],
    });
    assert_same(&Iterators {
        names: &["solo"],
        word: "🦀🦀",
        map: BTreeMap::from([(String::new(), 0)]),
        pairs: vec![('\'', true)],
        n: 1,
        nums: vec![1, 3],
    });
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "loops/break_continue.html")]
struct BreakContinue {
    nums: Vec<i32>,
    stop: i32,
    grid: Vec<Vec<i32>>,
}

#[test]
fn break_and_continue() {
    assert_same(&BreakContinue {
        nums: vec![],
        stop: 0,
        grid: vec![],
    });
    assert_same(&BreakContinue {
        nums: vec![1, 2, 3, 4, 5, 6, 7, 8],
        stop: 6,
        grid: vec![vec![1, 2, -1, 3], vec![], vec![-5], vec![4, 5]],
    });
    assert_same(&BreakContinue {
        nums: vec![2, 4],
        stop: 99,
        grid: vec![vec![0]],
    });
}

struct Row {
    visible: bool,
    cells: Vec<String>,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "loops/nested.html")]
struct Nested {
    rows: Vec<Row>,
    groups: Vec<Vec<&'static str>>,
}

#[test]
fn nested_loops_in_conditionals_in_loops() {
    assert_same(&Nested {
        rows: vec![],
        groups: vec![],
    });
    assert_same(&Nested {
        rows: vec![
            Row {
                visible: true,
                cells: vec!["a".into(), String::new(), "<c>".into()],
            },
            Row {
                visible: false,
                cells: vec!["hidden".into()],
            },
            Row {
                visible: true,
                cells: vec![],
            },
        ],
        groups: vec![vec!["x", "y"], vec![], vec!["z&"]],
    });
}

/// A todo item, shared by the keyed and unkeyed list templates.
struct Todo {
    id: u32,
    title: String,
    done: bool,
}

fn todos(n: u32) -> Vec<Todo> {
    (1..=n)
        .map(|id| Todo {
            id: id * 10,
            title: format!("task <{id}> & \"more\""),
            done: id % 2 == 0,
        })
        .collect()
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "loops/keyed.html")]
struct Keyed {
    todos: Vec<Todo>,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "loops/unkeyed.html")]
struct Unkeyed {
    todos: Vec<Todo>,
}

#[test]
fn keyed_and_unkeyed_lists() {
    for n in [0, 1, 4] {
        assert_same(&Keyed { todos: todos(n) });
        assert_same(&Unkeyed { todos: todos(n) });
    }
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(
    source = "{% for x in xs %}{{ x }}{% for y in ys %}({{ x }},{{ y }}){% endfor %}\n{% endfor %}",
    ext = "txt"
)]
struct Cartesian {
    xs: Vec<u8>,
    ys: Vec<char>,
}

#[test]
fn cartesian_product_in_txt() {
    assert_same(&Cartesian {
        xs: vec![],
        ys: vec!['a'],
    });
    assert_same(&Cartesian {
        xs: vec![1, 2],
        ys: vec![],
    });
    assert_same(&Cartesian {
        xs: vec![1, 2, 3],
        ys: vec!['<', '&'],
    });
}

struct Cell {
    id: u32,
    label: String,
}

#[derive(askama::Template, livetemplate::LiveTemplate)]
#[template(path = "loops/advanced.html")]
struct Advanced {
    text: String,
    pairs: Vec<(i32, &'static str)>,
    cells: Vec<Cell>,
}

#[test]
fn destructuring_temporaries_and_deep_nesting() {
    assert_same(&Advanced {
        text: String::new(),
        pairs: vec![],
        cells: vec![],
    });
    assert_same(&Advanced {
        text: "  a <b>  c&d \n e ".into(),
        pairs: vec![(1, "x"), (-2, "<y>")],
        cells: vec![
            Cell {
                id: 1,
                label: "one".into(),
            },
            Cell {
                id: 2,
                label: "<two>".into(),
            },
        ],
    });
    assert_same(&Advanced {
        text: "solo".into(),
        pairs: vec![(0, "")],
        cells: vec![Cell {
            id: 7,
            label: String::new(),
        }],
    });
}
