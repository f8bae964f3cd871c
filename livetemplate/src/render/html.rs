//! Writes a rendered tree as HTML: statics and slot values interleaved.

use super::{Node, Slot, Slots, Statics};

pub(super) fn write_node(node: Node<'_>, out: &mut String) {
    write_slots(node.statics(), node.slots(), out);
}

fn write_slots(statics: &Statics, slots: Slots<'_>, out: &mut String) {
    let parts = statics.parts();
    out.push_str(parts[0]);
    for (slot, part) in slots.zip(&parts[1..]) {
        match slot {
            Slot::Text(text) => out.push_str(text),
            Slot::Node(node) => write_node(node, out),
            Slot::List(list) => {
                for item in list.items() {
                    write_slots(list.statics(), item.slots(), out);
                }
            }
        }
        out.push_str(part);
    }
}

pub(super) fn size(node: Node<'_>) -> usize {
    slots_size(node.statics(), node.slots())
}

fn slots_size(statics: &Statics, slots: Slots<'_>) -> usize {
    let fixed: usize = statics.parts().iter().map(|part| part.len()).sum();
    fixed
        + slots
            .map(|slot| match slot {
                Slot::Text(text) => text.len(),
                Slot::Node(node) => size(node),
                Slot::List(list) => list
                    .items()
                    .map(|item| slots_size(list.statics(), item.slots()))
                    .sum(),
            })
            .sum::<usize>()
}
