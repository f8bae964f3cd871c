//! Writes a rendered tree as HTML: statics and slot values interleaved.

use super::{Dynamic, Statics};

pub(super) fn write_node(statics: &Statics, dynamics: &[Dynamic], out: &mut String) {
    let parts = statics.parts();
    out.push_str(parts[0]);
    for (value, part) in dynamics.iter().zip(&parts[1..]) {
        write_dynamic(value, out);
        out.push_str(part);
    }
}

fn write_dynamic(value: &Dynamic, out: &mut String) {
    match value {
        Dynamic::Text(text) => out.push_str(text),
        Dynamic::Node(node) => node.write_html(out),
        Dynamic::List(list) => {
            for item in list.items() {
                write_node(list.statics(), item.dynamics(), out);
            }
        }
    }
}

pub(super) fn size_hint(statics: &Statics, dynamics: &[Dynamic]) -> usize {
    let fixed: usize = statics.parts().iter().map(|part| part.len()).sum();
    fixed
        + dynamics
            .iter()
            .map(|value| match value {
                Dynamic::Text(text) => text.len(),
                Dynamic::Node(node) => node.size_hint(),
                Dynamic::List(list) => list
                    .items()
                    .iter()
                    .map(|item| size_hint(list.statics(), item.dynamics()))
                    .sum(),
            })
            .sum::<usize>()
}
