//! `#[derive(LiveTemplate)]`: read the attribute, load and parse every template file involved,
//! lower the AST to pieces, and generate `impl LiveTemplate`.

mod actions;
mod error;
mod generate;
mod input;
mod ir;
mod links;
mod lower;
mod variants;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use askama_parser::node::LetValueOrBlock;
use askama_parser::{Node, Parsed};
use proc_macro2::TokenStream;
use quote::quote;

use error::CompileError;
use input::{Source, TemplateInput};
use lower::FileCtx;

/// The derive's work; errors become `compile_error!`.
pub(crate) fn derive(input: TokenStream) -> TokenStream {
    match syn::parse2::<syn::DeriveInput>(input) {
        Ok(ast) => if variants::has_variant_templates(&ast) {
            variants::derive(&ast)
        } else {
            derive_template(&ast)
        }
        .unwrap_or_else(CompileError::into_compile_error),
        Err(err) => err.to_compile_error(),
    }
}

/// `#[derive(LiveTemplate)]` on a type with one template (a struct, or an enum whose template
/// `match`es on `self`).
fn derive_template(ast: &syn::DeriveInput) -> Result<TokenStream, CompileError> {
    let input = TemplateInput::new(ast)?;
    let compiled = compile(&input)?;
    Ok(impl_live_template(ast, &compiled))
}

/// One template, compiled.
pub(crate) struct Compiled {
    /// The body of `render(&self)`: a block evaluating to its `Result`.
    pub(crate) render: TokenStream,
    /// The action names the template uses, for `LiveTemplate::ACTIONS`.
    pub(crate) actions: Vec<String>,
    /// The template's name in messages: its path as written, or `<inline template>`.
    pub(crate) name: String,
    /// The static `lvt-nav` links of every file involved, for `LiveTemplate::NAV_LINKS`.
    pub(crate) links: Vec<links::Link>,
}

/// Loads, lowers and generates the template `input` describes.
pub(crate) fn compile(input: &TemplateInput) -> Result<Compiled, CompileError> {
    let parsed = load(input)?;
    let mut files = HashMap::new();
    for (key, parsed) in &parsed {
        let path = key.as_deref();
        let display = path.map(|p| input.display_path(p));
        let ctx = FileCtx::new(
            path,
            display,
            parsed.source(),
            parsed.nodes(),
            &|p, from| input.find(p, from),
        )?;
        files.insert(key.clone(), ctx);
    }
    let main_key = match &input.source {
        Source::Path(path) => Some(path.clone()),
        Source::Inline(_) => None,
    };
    let heritages = lower::heritages(&files);
    let main = files
        .get(&main_key)
        .ok_or_else(|| CompileError::new("the template was not loaded", input.span))?;
    let pieces = lower::lower(input, &files, &heritages, main, &main_key)?;
    let body = generate::root(&pieces);
    let actions = actions::actions(&pieces);
    let mut nav_links = Vec::new();
    for (key, parsed) in &parsed {
        let file = match key {
            Some(path) => input.display_path(path),
            None => "<inline template>".to_owned(),
        };
        nav_links.extend(links::links(parsed.source(), parsed.nodes(), &file));
    }
    // The files come from a map: sorted, the list is the same on every build.
    nav_links.sort_by(|a, b| (&a.file, a.line, &a.href).cmp(&(&b.file, b.line, &b.href)));

    let mut tracked: Vec<&Path> = parsed.keys().filter_map(|k| k.as_deref()).collect();
    tracked.extend(input.config_path.as_deref());
    tracked.sort();
    let tracked = tracked.iter().map(|p| p.display().to_string());

    let render = quote! {{
        #[allow(unused_imports)]
        use ::livetemplate::__private::askama::{
            // Templates may render nested askama templates (`{{ inner.render()? }}`).
            Template as _,
            filters::{AutoEscape as _, WriteWritable as _},
            helpers::{ResultConverter as _, core::fmt::Write as _},
        };
        // Rebuild when a template or the config changes.
        #(const _: &[::core::primitive::u8] = ::core::include_bytes!(#tracked);)*
        let __lvt_values: &dyn ::livetemplate::__private::askama::Values =
            ::livetemplate::__private::askama::NO_VALUES;
        // Sized from this template's previous render, so steady-state renders do not
        // reallocate.
        static __LVT_HINT: ::livetemplate::__private::SizeHint =
            ::livetemplate::__private::SizeHint::new();
        let mut __lvt_b = __LVT_HINT.builder();
        #body
        let __lvt_rendered = __lvt_b.finish();
        __LVT_HINT.record(&__lvt_rendered);
        ::core::result::Result::Ok(__lvt_rendered)
    }};
    let name = match &input.source {
        Source::Path(path) => input.display_path(path),
        Source::Inline(_) => "<inline template>".to_owned(),
    };
    Ok(Compiled {
        render,
        actions,
        name,
        links: nav_links,
    })
}

/// `impl LiveTemplate` for `ast`'s type, rendering `compiled`.
pub(crate) fn impl_live_template(ast: &syn::DeriveInput, compiled: &Compiled) -> TokenStream {
    let name = &ast.ident;
    let (impl_generics, ty_generics, where_clause) = ast.generics.split_for_impl();
    let actions = &compiled.actions;
    let template = &compiled.name;
    let render = render_fn(&compiled.render);
    let nav_links = nav_links(&compiled.links);
    quote! {
        impl #impl_generics ::livetemplate::LiveTemplate for #name #ty_generics #where_clause {
            const ACTIONS: &'static [&'static str] = &[#(#actions),*];
            const TEMPLATE: &'static str = #template;
            #nav_links

            #render
        }
    }
}

/// The generated (hidden) `LiveTemplate::NAV_LINKS` constant: the static `lvt-nav` links,
/// which `LiveRouter::check` matches against the routes.
pub(crate) fn nav_links(links: &[links::Link]) -> TokenStream {
    let links = links.iter().map(|links::Link { href, file, line }| {
        quote!(::livetemplate::__private::NavLink { href: #href, file: #file, line: #line })
    });
    quote! {
        const NAV_LINKS: &'static [::livetemplate::__private::NavLink] = &[#(#links),*];
    }
}

/// The generated `LiveTemplate::render_tree` method, with `body` (a block) as its body.
pub(crate) fn render_fn(body: &TokenStream) -> TokenStream {
    quote! {
        #[allow(
            unused_variables, unused_mut, unused_braces, unused_parens, unreachable_code,
            clippy::all, clippy::pedantic, clippy::nursery
        )]
        fn render_tree(
            &self,
        ) -> ::core::result::Result<::livetemplate::Rendered, ::livetemplate::RenderError> #body
    }
}

/// Parses the main template and everything it includes, extends or imports.
fn load(input: &TemplateInput) -> Result<HashMap<Option<PathBuf>, Parsed>, CompileError> {
    let mut parsed = HashMap::new();
    let mut pending: Vec<Option<PathBuf>> = Vec::new();
    let main = match &input.source {
        Source::Path(path) => Some(path.clone()),
        Source::Inline(_) => None,
    };
    pending.push(main);
    while let Some(key) = pending.pop() {
        if parsed.contains_key(&key) {
            continue;
        }
        let source: Arc<str> = match (&key, &input.source) {
            (Some(path), _) => {
                let mut text = std::fs::read_to_string(path).map_err(|err| {
                    CompileError::new(
                        format_args!("unable to open template file {}: {err}", path.display()),
                        input.span,
                    )
                })?;
                // As askama does: a file's final newline is not part of the template.
                if text.ends_with('\n') {
                    text.pop();
                }
                text.into()
            }
            (None, Source::Inline(text)) => text.as_str().into(),
            (None, Source::Path(_)) => continue,
        };
        let file_path: Option<Arc<Path>> = key.as_deref().map(Arc::from);
        let tree = Parsed::new(source.clone(), file_path, &input.syntax).map_err(|err| {
            let message = err
                .message
                .as_deref()
                .unwrap_or("failed to parse template source");
            let file = key.as_deref().map(|p| input.display_path(p));
            CompileError::at(message, file.as_deref(), &source, err.offset, input.span)
        })?;
        let mut deps = Vec::new();
        dependencies(tree.nodes(), &mut deps);
        for dep in deps {
            let found = input.find(dep, key.as_deref()).map_err(|message| {
                let offset = source.find(dep).unwrap_or(0);
                let file = key.as_deref().map(|p| input.display_path(p));
                CompileError::at(message, file.as_deref(), &source, offset, input.span)
            })?;
            pending.push(Some(found));
        }
        parsed.insert(key, tree);
    }
    Ok(parsed)
}

/// Paths named by `include`, `extends` and `import`, anywhere in `nodes`.
fn dependencies<'a>(nodes: &'a [Box<Node<'a>>], out: &mut Vec<&'a str>) {
    for node in nodes {
        match &**node {
            Node::Include(i) => out.push(i.path),
            Node::Extends(e) => out.push(e.path),
            Node::Import(i) => out.push(i.path),
            Node::BlockDef(b) => dependencies(&b.nodes, out),
            Node::Macro(m) => dependencies(&m.nodes, out),
            Node::Call(c) => dependencies(&c.nodes, out),
            Node::FilterBlock(f) => dependencies(&f.nodes, out),
            Node::If(i) => i.branches.iter().for_each(|b| dependencies(&b.nodes, out)),
            Node::Match(m) => m.arms.iter().for_each(|a| dependencies(&a.nodes, out)),
            Node::Loop(l) => {
                dependencies(&l.body, out);
                dependencies(&l.else_nodes, out);
            }
            Node::Let(l) => {
                if let LetValueOrBlock::Block { nodes, .. } = &l.val {
                    dependencies(nodes, out);
                }
            }
            _ => {}
        }
    }
}
