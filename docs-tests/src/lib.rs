//! The book's Rust snippets, compiled and run as doc tests so the docs cannot drift from the
//! API.
//!
//! Each page of `docs/src/` (and the READMEs: the repository's and the published crates') is
//! included below as the documentation of an item that exists only under `cfg(doctest)`, so
//! `cargo test -p livetemplate-docs-tests --doc` compiles every ```` ```rust ```` block in
//! them, and runs each one not marked `no_run`.
//! Snippets with `path = "…"` templates find them in this crate's `templates/`; the pages show
//! those files, and `tests/book.rs` checks the copies match. `tests/book.rs` also checks that
//! every page is listed here and in `SUMMARY.md`, and that every relative link resolves.

#[cfg(doctest)]
mod book {
    #[doc = include_str!("../../README.md")]
    struct Readme;
    #[doc = include_str!("../../livetemplate/README.md")]
    struct CrateReadme;
    #[doc = include_str!("../../livetemplate-macros/README.md")]
    struct MacrosReadme;
    #[doc = include_str!("../../docs/src/introduction.md")]
    struct Introduction;
    #[doc = include_str!("../../docs/src/getting-started.md")]
    struct GettingStarted;
    #[doc = include_str!("../../docs/src/update-flow.md")]
    struct UpdateFlow;
    #[doc = include_str!("../../docs/src/template-support.md")]
    struct TemplateSupport;
    #[doc = include_str!("../../docs/src/actions-forms.md")]
    struct ActionsForms;
    #[doc = include_str!("../../docs/src/routes.md")]
    struct Routes;
    #[doc = include_str!("../../docs/src/client-attributes.md")]
    struct ClientAttributes;
    #[doc = include_str!("../../docs/src/many-users.md")]
    struct ManyUsers;
    #[doc = include_str!("../../docs/src/testing.md")]
    struct Testing;
    #[doc = include_str!("../../docs/src/server.md")]
    struct Server;
    #[doc = include_str!("../../docs/src/embedding.md")]
    struct Embedding;
    #[doc = include_str!("../../docs/src/scaling.md")]
    struct Scaling;
    #[doc = include_str!("../../docs/src/security.md")]
    struct Security;
    #[doc = include_str!("../../docs/src/public-api.md")]
    struct PublicApi;
    #[doc = include_str!("../../docs/src/protocol.md")]
    struct Protocol;
    #[doc = include_str!("../../docs/src/performance.md")]
    struct Performance;
}
