//! The compile-time action check: every action a template names must be a controller method
//! that clients may call.
//!
//! `#[live_controller]` emits `const _: () = check_actions(..);`. Evaluating it at compile time
//! turns a typo in a template into a build error that names the template, the action and the
//! closest method, and a template naming a `#[server_only]` method into one that says so.
//! Everything here is `const fn`, so it runs in the compiler.

/// The room for the error message; longer messages are cut.
const MESSAGE: usize = 512;

/// Fails compilation when `template_actions` names an action that `methods` (the client
/// actions) lacks; the message differs when it is one of `server_only` (the `#[server_only]`
/// methods).
#[doc(hidden)]
pub const fn check_actions(
    template: &str,
    template_actions: &[&str],
    controller: &str,
    methods: &[&str],
    server_only: &[&str],
) {
    let mut i = 0;
    while i < template_actions.len() {
        let action = template_actions[i];
        if contains(server_only, action) {
            fail_server_only(template, action, controller);
        } else if !contains(methods, action) {
            fail(template, action, controller, closest(methods, action));
        }
        i += 1;
    }
}

/// The start both messages share: "template `t` uses the action `a`, but `C`".
const fn uses(template: &str, action: &str, controller: &str) -> Message {
    let mut message = Message::new();
    message.push("template `");
    message.push(template);
    message.push("` uses the action `");
    message.push(action);
    message.push("`, but `");
    message.push(controller);
    message
}

/// Stops the build with `message` (or `fallback`, should the cut text not be UTF-8).
const fn stop(message: Message, fallback: &str) {
    let (bytes, len) = (message.bytes, message.len);
    let (head, _) = bytes.split_at(len);
    match core::str::from_utf8(head) {
        Ok(text) => panic!("{}", text),
        Err(_) => panic!("{}", fallback),
    }
}

const fn fail_server_only(template: &str, action: &str, controller: &str) {
    let mut message = uses(template, action, controller);
    message.push("::");
    message.push(action);
    message.push("` is `#[server_only]`: only `broadcast_action` and `LiveHandle::push` run it, ");
    message.push("never a client; give the page an action of its own");
    stop(
        message,
        "a template names an action that only the server may run",
    );
}

const fn fail(template: &str, action: &str, controller: &str, closest: Option<&str>) {
    let mut message = uses(template, action, controller);
    message.push("` has no method `");
    message.push(action);
    message.push("`");
    if let Some(name) = closest {
        message.push("; did you mean `");
        message.push(name);
        message.push("`?");
    } else {
        message.push("; add `pub fn ");
        message.push(action);
        message.push("(&self, state: &mut State, ctx: &mut Context)`");
    }
    stop(
        message,
        "a template names an action that the controller has no method for",
    );
}

const fn contains(names: &[&str], name: &str) -> bool {
    let mut i = 0;
    while i < names.len() {
        if eq(names[i].as_bytes(), name.as_bytes()) {
            return true;
        }
        i += 1;
    }
    false
}

const fn eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The method closest to `name` by edit distance, if close enough to be a typo.
const fn closest<'a>(methods: &[&'a str], name: &str) -> Option<&'a str> {
    let mut best: Option<&'a str> = None;
    let mut best_distance = usize::MAX;
    let mut i = 0;
    while i < methods.len() {
        let distance = distance(methods[i].as_bytes(), name.as_bytes());
        if distance < best_distance {
            best_distance = distance;
            best = Some(methods[i]);
        }
        i += 1;
    }
    // A third of the name's length, at least one edit: beyond that it is not a typo.
    let limit = if name.len() / 3 > 1 {
        name.len() / 3
    } else {
        1
    };
    if best_distance <= limit { best } else { None }
}

/// Levenshtein distance of two short names (longer names are compared on their first 64 bytes).
const fn distance(a: &[u8], b: &[u8]) -> usize {
    const MAX: usize = 64;
    let n = if a.len() < MAX { a.len() } else { MAX };
    let m = if b.len() < MAX { b.len() } else { MAX };
    let mut previous = [0usize; MAX + 1];
    let mut current = [0usize; MAX + 1];
    let mut j = 0;
    while j <= m {
        previous[j] = j;
        j += 1;
    }
    let mut i = 1;
    while i <= n {
        current[0] = i;
        let mut j = 1;
        while j <= m {
            let cost = if a[i - 1] == b[j - 1] { 0 } else { 1 };
            let deletion = previous[j] + 1;
            let insertion = current[j - 1] + 1;
            let substitution = previous[j - 1] + cost;
            let mut best = if deletion < insertion {
                deletion
            } else {
                insertion
            };
            if substitution < best {
                best = substitution;
            }
            current[j] = best;
            j += 1;
        }
        previous = current;
        i += 1;
    }
    previous[m]
}

/// A fixed buffer a `const fn` can build a message in.
struct Message {
    bytes: [u8; MESSAGE],
    len: usize,
}

impl Message {
    const fn new() -> Self {
        Message {
            bytes: [0; MESSAGE],
            len: 0,
        }
    }

    /// Appends `text`, cutting at a character boundary when the buffer is full.
    const fn push(&mut self, text: &str) {
        let text = text.as_bytes();
        let mut i = 0;
        while i < text.len() && self.len < MESSAGE {
            // Stop before a multi-byte character that would not fit whole.
            let width = match text[i] {
                0x00..=0x7f => 1,
                0xc0..=0xdf => 2,
                0xe0..=0xef => 3,
                _ => 4,
            };
            if self.len + width > MESSAGE {
                break;
            }
            self.bytes[self.len] = text[i];
            self.len += 1;
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos() {
        assert_eq!(closest(&["add", "toggle", "remove"], "ad"), Some("add"));
        assert_eq!(
            closest(&["add", "toggle", "remove"], "toogle"),
            Some("toggle")
        );
        assert_eq!(closest(&["add", "toggle"], "publish"), None);
        assert_eq!(distance(b"kitten", b"sitting"), 3);
    }

    #[test]
    fn passes_when_every_action_exists() {
        check_actions(
            "todos.html",
            &["add", "toggle"],
            "Todos",
            &["add", "toggle", "clear"],
            &["refresh"],
        );
    }

    #[test]
    #[should_panic(
        expected = "template `todos.html` uses the action `ad`, but `Todos` has no method `ad`; did you mean `add`?"
    )]
    fn names_template_action_and_closest_method() {
        check_actions("todos.html", &["ad"], "Todos", &["add", "toggle"], &[]);
    }

    #[test]
    #[should_panic(
        expected = "template `chat.html` uses the action `receive`, but `Chat::receive` is `#[server_only]`: only `broadcast_action` and `LiveHandle::push` run it, never a client; give the page an action of its own"
    )]
    fn a_server_only_action_in_a_template_fails() {
        check_actions(
            "chat.html",
            &["send", "receive"],
            "Chat",
            &["send"],
            &["receive"],
        );
    }
}
