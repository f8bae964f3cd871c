//! Lowering: askama's AST → [`Piece`]s, flattening `extends`/`include`/macros and applying
//! whitespace control exactly as askama's own code generator does.
//!
//! The whitespace state machine (`skip_ws`, `next_ws`, `flush_ws`, `prepare_ws`) follows askama
//! 0.16 step for step: that is what makes our statics byte-identical to askama's output.

mod expr;
mod filter;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use askama_parser::node::{
    BlockDef, Call, Cond, CondTest, FilterBlock, If, Include, Let, LetValueOrBlock, Lit, Loop,
    Macro, Match, Whitespace, Ws,
};
use askama_parser::{Expr, Node, Span, Target, WithSpan};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::error::CompileError;
use super::input::TemplateInput;
use super::ir::{self, Branch, Piece};

pub(crate) use expr::DisplayWrap;

/// Finds a template named by `include`/`extends`/`import` from the file that names it.
pub(crate) type Resolve<'r> = dyn Fn(&str, Option<&Path>) -> Result<PathBuf, String> + 'r;

/// One parsed template file and what it defines.
#[derive(Debug)]
pub(crate) struct FileCtx<'a> {
    /// The file, or `None` for an inline `source`.
    pub(crate) path: Option<&'a Path>,
    /// The file's name in error messages.
    pub(crate) display: Option<String>,
    /// The file's text, for error positions.
    pub(crate) source: &'a str,
    /// The top-level nodes.
    pub(crate) nodes: &'a [Box<Node<'a>>],
    /// The parent template of `{% extends %}`.
    pub(crate) extends: Option<PathBuf>,
    /// `{% block %}` definitions anywhere in the file.
    pub(crate) blocks: HashMap<&'a str, &'a WithSpan<BlockDef<'a>>>,
    /// Top-level `{% macro %}` definitions.
    pub(crate) macros: HashMap<&'a str, &'a WithSpan<Macro<'a>>>,
    /// `{% import "file" as scope %}`.
    pub(crate) imports: HashMap<&'a str, PathBuf>,
}

impl<'a> FileCtx<'a> {
    /// Collects the definitions of one parsed file; `resolve` finds referenced files.
    pub(crate) fn new(
        path: Option<&'a Path>,
        display: Option<String>,
        source: &'a str,
        nodes: &'a [Box<Node<'a>>],
        resolve: &Resolve<'_>,
    ) -> Result<Self, CompileError> {
        let mut ctx = FileCtx {
            path,
            display,
            source,
            nodes,
            extends: None,
            blocks: HashMap::new(),
            macros: HashMap::new(),
            imports: HashMap::new(),
        };
        let mut stack: Vec<(&'a [Box<Node<'a>>], bool)> = vec![(nodes, true)];
        while let Some((nodes, top)) = stack.pop() {
            for node in nodes {
                match &**node {
                    Node::Extends(e) if top => {
                        let found = resolve(e.path, path).map_err(|m| ctx.error(m, e.span()))?;
                        if ctx.extends.replace(found).is_some() {
                            return Err(ctx.error("multiple extend blocks found", e.span()));
                        }
                    }
                    Node::Macro(m) if top => {
                        ctx.macros.insert(*m.name, m);
                    }
                    Node::Import(i) if top => {
                        let found = resolve(i.path, path).map_err(|m| ctx.error(m, i.span()))?;
                        ctx.imports.insert(i.scope, found);
                    }
                    Node::BlockDef(b) => {
                        ctx.blocks.insert(*b.name, b);
                        stack.push((&b.nodes, false));
                    }
                    Node::If(i) => {
                        for cond in &i.branches {
                            stack.push((&cond.nodes, false));
                        }
                    }
                    Node::Loop(l) => {
                        stack.push((&l.body, false));
                        stack.push((&l.else_nodes, false));
                    }
                    Node::Match(m) => {
                        for arm in &m.arms {
                            stack.push((&arm.nodes, false));
                        }
                    }
                    Node::Call(c) => stack.push((&c.nodes, false)),
                    Node::FilterBlock(f) => stack.push((&f.nodes, false)),
                    Node::Let(l) => {
                        if let LetValueOrBlock::Block { nodes, .. } = &l.val {
                            stack.push((nodes, false));
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(ctx)
    }

    /// An error at `span` in this file.
    pub(crate) fn error(&self, message: impl std::fmt::Display, span: Span) -> CompileError {
        let offset = span.byte_range().map_or(0, |r| r.start);
        CompileError::at(
            message,
            self.display.as_deref(),
            self.source,
            offset,
            proc_macro2::Span::call_site(),
        )
    }
}

/// Every file of one template, by path (`None` is the inline source).
pub(crate) type Files<'a> = HashMap<Option<PathBuf>, FileCtx<'a>>;

/// The resolved `extends` chain: the root template and each block's definitions, most derived
/// first (`super()` walks to the next).
#[derive(Debug)]
pub(crate) struct Heritage<'a> {
    root: &'a FileCtx<'a>,
    blocks: HashMap<&'a str, Vec<(&'a FileCtx<'a>, &'a WithSpan<BlockDef<'a>>)>>,
}

impl<'a> Heritage<'a> {
    fn new(mut ctx: &'a FileCtx<'a>, files: &'a Files<'a>) -> Self {
        let mut blocks: HashMap<&'a str, Vec<_>> = HashMap::new();
        let mut seen = 0;
        loop {
            for (name, def) in &ctx.blocks {
                blocks.entry(*name).or_default().push((ctx, *def));
            }
            seen += 1;
            match ctx
                .extends
                .as_ref()
                .and_then(|p| files.get(&Some(p.clone())))
            {
                // A cycle would have been reported when loading; the bound is a safety net.
                Some(parent) if seen < 64 => ctx = parent,
                _ => break,
            }
        }
        Heritage { root: ctx, blocks }
    }
}

/// What a name in the template refers to.
#[derive(Debug, Clone)]
enum Local<'a> {
    /// A template variable; `alias` is the Rust expression it stands for (macro arguments).
    Var {
        initialized: bool,
        alias: Option<TokenStream>,
    },
    /// `caller` inside a macro invoked by a call block.
    Caller(CallerRef<'a>),
    /// Hides outer variables of the same name.
    Negative,
}

#[derive(Debug, Clone)]
struct CallerRef<'a> {
    call: &'a Call<'a>,
    ctx: Ctx<'a>,
}

/// The file whose nodes are being lowered, plus the macros and imports visible from it.
#[derive(Debug, Clone)]
pub(crate) struct Ctx<'a> {
    file: &'a FileCtx<'a>,
    macros: HashMap<&'a str, &'a WithSpan<Macro<'a>>>,
    imports: HashMap<&'a str, PathBuf>,
    blocks: HashMap<&'a str, &'a WithSpan<BlockDef<'a>>>,
}

impl<'a> Ctx<'a> {
    fn of(file: &'a FileCtx<'a>) -> Self {
        Ctx {
            file,
            macros: file.macros.clone(),
            imports: file.imports.clone(),
            blocks: file.blocks.clone(),
        }
    }

    /// `child`'s context, also seeing this context's macros and imports where `child` has none.
    fn child(&self, child: &'a FileCtx<'a>) -> Self {
        let mut ctx = Ctx::of(child);
        for (name, m) in &self.macros {
            ctx.macros.entry(name).or_insert(m);
        }
        for (name, i) in &self.imports {
            ctx.imports.entry(name).or_insert_with(|| i.clone());
        }
        ctx
    }

    pub(crate) fn error(&self, message: impl std::fmt::Display, span: Span) -> CompileError {
        self.file.error(message, span)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Top,
    Block,
    Nested,
}

/// Whether nodes produce output, or only bind variables (the first pass over a child template
/// whose parent is rendered).
#[derive(Clone, Copy, PartialEq, Eq)]
enum RenderFor {
    Template,
    Extends,
}

/// Walks the AST and produces pieces. See the module docs.
pub(crate) struct Lowerer<'a> {
    pub(crate) input: &'a TemplateInput,
    files: &'a Files<'a>,
    heritages: &'a HashMap<Option<PathBuf>, Heritage<'a>>,
    heritage: Option<&'a Heritage<'a>>,
    scopes: Vec<HashMap<String, Local<'a>>>,
    skip_ws: Whitespace,
    next_ws: Option<&'a str>,
    out: Vec<Piece>,
    super_block: Option<(&'a str, usize)>,
    seen_macros: Vec<*const Macro<'a>>,
    in_capture: usize,
    loop_depth: usize,
    /// Output outside the block named by `block = "…"` is dropped.
    discard: bool,
    /// The pieces of the `block = "…"` fragment.
    fragment: Option<Vec<Piece>>,
    /// The context of the node being lowered, for errors raised from expressions.
    pub(crate) ctx: Option<Ctx<'a>>,
}

/// Lowers the template rooted at `main` into pieces.
pub(crate) fn lower<'a>(
    input: &'a TemplateInput,
    files: &'a Files<'a>,
    heritages: &'a HashMap<Option<PathBuf>, Heritage<'a>>,
    main: &'a FileCtx<'a>,
    main_key: &Option<PathBuf>,
) -> Result<Vec<Piece>, CompileError> {
    let mut lowerer = Lowerer {
        input,
        files,
        heritages,
        heritage: heritages.get(main_key),
        scopes: vec![HashMap::new()],
        skip_ws: Whitespace::Preserve,
        next_ws: None,
        out: Vec::new(),
        super_block: None,
        seen_macros: Vec::new(),
        in_capture: 0,
        loop_depth: 0,
        discard: input.block.is_some(),
        fragment: None,
        ctx: None,
    };
    let ctx = Ctx::of(main);
    if let Some(heritage) = lowerer.heritage {
        // The child's top level only binds variables the blocks may use.
        lowerer.handle(&ctx, main.nodes, Level::Top, RenderFor::Extends)?;
        lowerer.next_ws = None;
        let root = Ctx::of(heritage.root);
        lowerer.handle(&root, heritage.root.nodes, Level::Top, RenderFor::Template)?;
    } else {
        lowerer.handle(&ctx, main.nodes, Level::Top, RenderFor::Template)?;
    }
    lowerer.flush_ws(Ws(None, None));
    match &input.block {
        Some(name) => lowerer.fragment.ok_or_else(|| {
            CompileError::new(
                format_args!("block `{name}` not found in the template"),
                input.span,
            )
        }),
        None => Ok(lowerer.out),
    }
}

/// Builds the heritage of every file that extends another.
pub(crate) fn heritages<'a>(files: &'a Files<'a>) -> HashMap<Option<PathBuf>, Heritage<'a>> {
    files
        .iter()
        .filter(|(_, ctx)| ctx.extends.is_some() || !ctx.blocks.is_empty())
        .map(|(key, ctx)| (key.clone(), Heritage::new(ctx, files)))
        .collect()
}

impl<'a> Lowerer<'a> {
    // ---- output -------------------------------------------------------------------------

    fn push_lit(&mut self, text: &str) {
        if text.is_empty() || self.discard {
            return;
        }
        if let Some(Piece::Lit(last)) = self.out.last_mut() {
            last.push_str(text);
        } else {
            self.out.push(Piece::Lit(text.to_owned()));
        }
    }

    /// Runs `f` with an empty output and returns what it produced.
    fn capture<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, CompileError>,
    ) -> Result<(T, Vec<Piece>), CompileError> {
        let saved = std::mem::take(&mut self.out);
        let result = f(self);
        let inner = std::mem::replace(&mut self.out, saved);
        Ok((result?, inner))
    }

    // ---- locals -------------------------------------------------------------------------

    fn with_scope<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, CompileError>,
    ) -> Result<T, CompileError> {
        self.scopes.push(HashMap::new());
        let result = f(self);
        self.scopes.pop();
        result
    }

    fn lookup(&self, name: &str) -> Option<&Local<'a>> {
        match self.scopes.iter().rev().find_map(|s| s.get(name)) {
            Some(Local::Negative) | None => None,
            Some(local) => Some(local),
        }
    }

    pub(crate) fn declare(&mut self, name: &str, initialized: bool) {
        self.set_local(
            name,
            Local::Var {
                initialized,
                alias: None,
            },
        );
    }

    fn set_local(&mut self, name: &str, local: Local<'a>) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_owned(), local);
        }
    }

    /// The Rust expression a template variable stands for, when it is a local.
    pub(crate) fn resolve_local(&self, name: &str) -> Option<TokenStream> {
        match self.lookup(name)? {
            Local::Var {
                alias: Some(alias), ..
            } => Some(alias.clone()),
            Local::Var { alias: None, .. } => {
                let ident = ident(name);
                Some(quote!(#ident))
            }
            _ => None,
        }
    }

    /// A local variable or a field of the template struct.
    pub(crate) fn is_var_defined(&self, name: &str) -> bool {
        self.lookup(name).is_some() || self.input.fields.iter().any(|f| f == name)
    }

    /// Like [`Self::is_var_defined`], but false for `{% decl x %}` not yet assigned.
    pub(crate) fn is_var_assigned(&self, name: &str) -> bool {
        match self.lookup(name) {
            Some(Local::Var { initialized, .. }) => *initialized,
            Some(_) => true,
            None => self.input.fields.iter().any(|f| f == name),
        }
    }

    pub(crate) fn in_loop(&self) -> bool {
        self.loop_depth > 0
    }

    // ---- whitespace (askama's state machine) -----------------------------------------------

    fn should_trim(&self, ws: Option<Whitespace>) -> Whitespace {
        ws.unwrap_or(self.input.whitespace)
    }

    fn flush_ws(&mut self, ws: Ws) {
        let Some(pending) = self.next_ws.take() else {
            return;
        };
        match self.should_trim(ws.0) {
            Whitespace::Preserve => self.push_lit(pending),
            Whitespace::Minimize => self.push_lit(minimized(pending)),
            Whitespace::Suppress => {}
        }
    }

    fn prepare_ws(&mut self, ws: Ws) {
        self.skip_ws = self.should_trim(ws.1);
    }

    fn handle_ws(&mut self, ws: Ws) {
        self.flush_ws(ws);
        self.prepare_ws(ws);
    }

    fn write_lit(&mut self, lit: &'a Lit<'a>) {
        let (lws, val, rws) = (*lit.lws, *lit.val, *lit.rws);
        if !lws.is_empty() {
            match self.skip_ws {
                Whitespace::Suppress => {}
                _ if val.is_empty() => self.next_ws = Some(lws),
                Whitespace::Preserve => self.push_lit(lws),
                Whitespace::Minimize => self.push_lit(minimized(lws)),
            }
        }
        if !val.is_empty() {
            self.skip_ws = Whitespace::Preserve;
            self.push_lit(val);
        }
        if !rws.is_empty() {
            self.next_ws = Some(rws);
        }
    }

    // ---- nodes --------------------------------------------------------------------------

    fn handle(
        &mut self,
        ctx: &Ctx<'a>,
        nodes: &'a [Box<Node<'a>>],
        level: Level,
        render_for: RenderFor,
    ) -> Result<(), CompileError> {
        let template = render_for == RenderFor::Template;
        for node in nodes {
            self.ctx = Some(ctx.clone());
            match &**node {
                Node::Lit(lit) if template => self.write_lit(lit),
                Node::Comment(c) if template => self.handle_ws(c.ws),
                Node::Lit(_) | Node::Comment(_) => {}
                Node::Expr(ws, expr) => self.write_expr(ctx, *ws, expr, render_for)?,
                Node::Let(l) => self.write_let(ctx, l)?,
                Node::Compound(c) => {
                    self.handle_ws(c.ws);
                    let op = &c.op;
                    let code = self.visit_binop(op.op, &op.lhs, &op.rhs)?;
                    self.out.push(Piece::Stmt(quote!(#code;)));
                }
                Node::Declare(d) => {
                    if *d.var_name == "_" {
                        return Err(ctx.error(
                            "`_` cannot be used when there is no value assigned, use `let` \
                             instead",
                            d.var_name.span(),
                        ));
                    }
                    self.handle_ws(d.ws);
                    let name = ident(&d.var_name);
                    let mutability = d.is_mutable.then(|| quote!(mut));
                    self.declare(&d.var_name, false);
                    self.out.push(Piece::Stmt(quote!(let #mutability #name;)));
                }
                Node::If(i) => self.write_if(ctx, i, render_for)?,
                Node::Match(m) => self.write_match(ctx, m, render_for)?,
                Node::Loop(l) => self.write_loop(ctx, l, render_for)?,
                Node::BlockDef(b) if template => {
                    self.write_block(ctx, Some(*b.name), Ws(b.ws1.0, b.ws2.1), b.span())?;
                }
                Node::BlockDef(_) => {}
                Node::Include(i) => self.write_include(ctx, i, render_for)?,
                Node::Call(call) => self.write_call(ctx, call, render_for)?,
                Node::FilterBlock(f) => self.write_filter_block(ctx, f)?,
                Node::Macro(m) => {
                    if level != Level::Top {
                        return Err(
                            ctx.error("macro blocks only allowed at the top level", m.span())
                        );
                    }
                    self.flush_ws(m.ws1);
                    self.prepare_ws(m.ws2);
                }
                Node::Raw(raw) if template => {
                    self.handle_ws(raw.ws1);
                    self.write_lit(&raw.lit);
                    self.handle_ws(raw.ws2);
                }
                Node::Raw(_) => {}
                Node::Import(i) => {
                    if level != Level::Top {
                        return Err(
                            ctx.error("import blocks only allowed at the top level", i.span())
                        );
                    }
                    self.handle_ws(i.ws);
                }
                Node::Extends(e) => {
                    if level != Level::Top {
                        return Err(
                            ctx.error("extends blocks only allowed at the top level", e.span())
                        );
                    }
                }
                Node::Break(ws) => {
                    self.handle_ws(**ws);
                    self.out.push(Piece::Break);
                }
                Node::Continue(ws) => {
                    self.handle_ws(**ws);
                    self.out.push(Piece::Continue);
                }
            }
        }
        if level == Level::Top && self.next_ws.is_some() {
            let skip = self.skip_ws;
            self.flush_ws(Ws(Some(skip), None));
        }
        Ok(())
    }

    fn write_expr(
        &mut self,
        ctx: &Ctx<'a>,
        ws: Ws,
        mut expr: &'a WithSpan<Box<Expr<'a>>>,
        render_for: RenderFor,
    ) -> Result<(), CompileError> {
        while let Expr::Group(inner) = &***expr {
            expr = inner;
        }
        if let Expr::Call(call) = &***expr
            && self.write_expr_call(ctx, ws, expr.span(), call, render_for)?
        {
            return Ok(());
        }
        if render_for == RenderFor::Template {
            self.handle_ws(ws);
            self.write_expr_item(expr)?;
        }
        Ok(())
    }

    fn write_expr_item(&mut self, expr: &'a WithSpan<Box<Expr<'a>>>) -> Result<(), CompileError> {
        match &***expr {
            Expr::Group(inner) => self.write_expr_item(inner),
            Expr::Concat(items) => items.iter().try_for_each(|item| self.write_expr_item(item)),
            _ => {
                if let Some(text) = expr::compile_time_text(expr, &self.input.escaper) {
                    self.push_lit(&text);
                } else {
                    let code = self.visit_escaped(expr)?;
                    if !self.discard {
                        self.out.push(Piece::Write(code));
                    }
                }
                Ok(())
            }
        }
    }

    /// `{{ super() }}`, `{{ caller(..) }}` and `{{ macro(..) }}`; returns whether it handled it.
    fn write_expr_call(
        &mut self,
        ctx: &Ctx<'a>,
        ws: Ws,
        span: Span,
        call: &'a askama_parser::expr::Call<'a>,
        render_for: RenderFor,
    ) -> Result<bool, CompileError> {
        if let Expr::Var(name) = **call.path {
            if name == "super" {
                if !call.args.is_empty() {
                    return Err(ctx.error("`super` takes no arguments", span));
                }
                self.write_block(ctx, None, ws, span)?;
                return Ok(true);
            }
            if self.write_caller(ctx, span, call, name, ws)? {
                return Ok(true);
            }
            if let Some(def) = ctx.macros.get(name).copied() {
                self.write_macro(
                    ctx,
                    ctx.clone(),
                    def,
                    &call.args,
                    None,
                    ws,
                    span,
                    render_for,
                )?;
                return Ok(true);
            }
        }
        if let Expr::Path(path) = &**call.path
            && let [scope, name] = path.as_slice()
            && scope.generics.is_none()
            && name.generics.is_none()
            && let Some(file) = ctx.imports.get(*scope.name)
            && let Some(file) = self.files.get(&Some(file.clone()))
            && let Some(def) = file.macros.get(*name.name).copied()
        {
            let macro_ctx = Ctx::of(file);
            self.write_macro(ctx, macro_ctx, def, &call.args, None, ws, span, render_for)?;
            return Ok(true);
        }
        Ok(false)
    }

    fn write_if(
        &mut self,
        ctx: &Ctx<'a>,
        if_: &'a If<'a>,
        render_for: RenderFor,
    ) -> Result<(), CompileError> {
        let conds = self.compute_branches(if_);
        if let Some(ws) = conds.ws_before {
            self.handle_ws(ws);
        }
        let mut branches = Vec::new();
        let count = conds.conds.len();
        for (pos, info) in conds.conds.iter().enumerate() {
            let cond = &info.cond;
            if pos == 0 {
                self.handle_ws(cond.ws);
            }
            let (cond_tokens, body) = self.with_scope(|this| {
                let cond_tokens = match (&cond.cond, info.generate_condition) {
                    (Some(test), true) => Some(this.visit_cond_test(test, info.forced)?),
                    (Some(_), false) => None,
                    (None, _) if pos != 0 => None,
                    (None, _) => None,
                };
                let ((), body) = this.capture(|this| {
                    if info.generate_content {
                        this.handle(ctx, &cond.nodes, Level::Nested, render_for)?;
                    }
                    // Trailing whitespace of the body is decided by the next tag, and belongs
                    // to this branch.
                    match conds.conds.get(pos + 1) {
                        Some(next) => this.handle_ws(next.cond.ws),
                        None => {
                            if let Some(ws) = conds.ws_after {
                                this.handle_ws(ws);
                            }
                            this.handle_ws(if_.ws);
                        }
                    }
                    Ok(())
                })?;
                Ok((cond_tokens, body))
            })?;
            let is_else = cond_tokens.is_none();
            branches.push(Branch {
                cond: cond_tokens,
                body,
            });
            if is_else && pos + 1 < count {
                // An always-true branch ends the chain at run time too.
                break;
            }
        }
        if branches.len() == 1 && branches[0].cond.is_none() {
            // Only one branch can ever run: its pieces are inline.
            let Some(branch) = branches.pop() else {
                return Ok(());
            };
            self.out.push(Piece::Scope(branch.body));
        } else if !branches.is_empty() {
            self.out.push(Piece::If(branches));
        }
        Ok(())
    }

    fn compute_branches(&self, if_: &'a If<'a>) -> Conds<'a> {
        let mut conds: Vec<CondInfo<'a>> = Vec::new();
        let mut ws_before = None;
        let mut ws_after = None;
        let mut stop = false;
        for cond in &if_.branches {
            if stop {
                ws_after = Some(cond.ws);
                break;
            }
            let Some(test) = cond.cond.as_deref() else {
                conds.push(CondInfo {
                    cond,
                    forced: None,
                    generate_condition: !conds.is_empty(),
                    generate_content: true,
                });
                continue;
            };
            if !test.contains_bool_lit_or_is_defined {
                conds.push(CondInfo {
                    cond,
                    forced: None,
                    generate_condition: true,
                    generate_content: true,
                });
                continue;
            }
            let mut only_defined = true;
            match self.evaluate(&test.expr, &mut only_defined) {
                Evaluated::False if only_defined => {
                    if conds.is_empty() && ws_before.is_none() {
                        ws_before = Some(cond.ws);
                    }
                }
                Evaluated::False => conds.push(CondInfo {
                    cond,
                    forced: Some(false),
                    generate_condition: true,
                    generate_content: false,
                }),
                Evaluated::True => {
                    conds.push(CondInfo {
                        cond,
                        forced: Some(true),
                        generate_condition: !only_defined,
                        generate_content: true,
                    });
                    stop = true;
                }
                Evaluated::Unknown => conds.push(CondInfo {
                    cond,
                    forced: None,
                    generate_condition: true,
                    generate_content: true,
                }),
            }
        }
        Conds {
            conds,
            ws_before,
            ws_after,
        }
    }

    /// Compile-time value of a condition made of literals and `is defined` tests.
    fn evaluate(&self, expr: &Expr<'a>, only_defined: &mut bool) -> Evaluated {
        match expr {
            Expr::BoolLit(true) => Evaluated::True,
            Expr::BoolLit(false) => Evaluated::False,
            Expr::Unary("!", inner) => match self.evaluate(inner, only_defined) {
                Evaluated::True => Evaluated::False,
                Evaluated::False => Evaluated::True,
                Evaluated::Unknown => Evaluated::Unknown,
            },
            Expr::Unary(..) => Evaluated::Unknown,
            Expr::BinOp(v) if v.op == "&&" => {
                match self.evaluate(&v.lhs, only_defined) {
                    Evaluated::False => Evaluated::False,
                    Evaluated::True => self.evaluate(&v.rhs, only_defined),
                    Evaluated::Unknown => {
                        // The runtime condition still decides; its code keeps both sides.
                        let _ = self.evaluate(&v.rhs, only_defined);
                        Evaluated::Unknown
                    }
                }
            }
            Expr::BinOp(v) if v.op == "||" => match self.evaluate(&v.lhs, only_defined) {
                Evaluated::True => Evaluated::True,
                Evaluated::False => self.evaluate(&v.rhs, only_defined),
                Evaluated::Unknown => {
                    let _ = self.evaluate(&v.rhs, only_defined);
                    Evaluated::Unknown
                }
            },
            Expr::Group(inner) => self.evaluate(inner, only_defined),
            Expr::IsDefined(name) => {
                if self.is_var_defined(name) {
                    Evaluated::True
                } else {
                    Evaluated::False
                }
            }
            Expr::IsNotDefined(name) => {
                if self.is_var_defined(name) {
                    Evaluated::False
                } else {
                    Evaluated::True
                }
            }
            _ => {
                *only_defined = false;
                Evaluated::Unknown
            }
        }
    }

    fn write_match(
        &mut self,
        ctx: &Ctx<'a>,
        m: &'a Match<'a>,
        render_for: RenderFor,
    ) -> Result<(), CompileError> {
        self.flush_ws(m.ws1);
        let scrutinee = self.visit_expr_root(&m.expr)?;
        let mut arms = Vec::new();
        for (i, arm) in m.arms.iter().enumerate() {
            if i == 0 {
                self.handle_ws(arm.ws);
            }
            let arm_code = self.with_scope(|this| {
                let mut pattern = TokenStream::new();
                for (index, target) in arm.target.iter().enumerate() {
                    if index != 0 {
                        pattern.extend(quote!(|));
                    }
                    pattern.extend(this.visit_target(target, true, true));
                }
                let ((), body) = this.capture(|this| {
                    this.handle(ctx, &arm.nodes, Level::Nested, render_for)?;
                    match m.arms.get(i + 1) {
                        Some(next) => this.handle_ws(next.ws),
                        None => this.handle_ws(m.ws2),
                    }
                    Ok(())
                })?;
                Ok((pattern, body))
            })?;
            arms.push(arm_code);
        }
        self.out.push(Piece::Match {
            scrutinee: quote!(&#scrutinee),
            arms,
        });
        Ok(())
    }

    fn write_loop(
        &mut self,
        ctx: &Ctx<'a>,
        l: &'a WithSpan<Loop<'a>>,
        render_for: RenderFor,
    ) -> Result<(), CompileError> {
        self.handle_ws(l.ws1);
        self.with_scope(|this| {
            let iter_code = this.visit_loop_iter(&l.iter)?;
            let mut setup = quote!(let __lvt_iter = #iter_code;);
            if let Some(cond) = &l.cond {
                let filter = this.with_scope(|this| {
                    let pattern = this.visit_target(&l.var, true, true);
                    let cond = this.visit_expr_root(cond)?;
                    Ok(quote! {
                        let __lvt_iter = __lvt_iter.filter(
                            |#pattern| -> ::core::primitive::bool { #cond }
                        );
                    })
                })?;
                setup.extend(filter);
            }
            let (pattern, body) = this.with_scope(|this| {
                let pattern = this.visit_target(&l.var, true, true);
                this.loop_depth += 1;
                let result = this.capture(|this| {
                    this.handle(ctx, &l.body, Level::Nested, render_for)?;
                    this.handle_ws(l.ws2);
                    Ok(())
                });
                this.loop_depth -= 1;
                let ((), body) = result?;
                Ok((pattern, body))
            })?;
            let else_body = if l.else_nodes.is_empty() {
                this.handle_ws(l.ws3);
                None
            } else {
                let ((), else_body) = this.with_scope(|this| {
                    this.capture(|this| {
                        this.handle(ctx, &l.else_nodes, Level::Nested, render_for)?;
                        this.handle_ws(l.ws3);
                        Ok(())
                    })
                })?;
                Some(else_body)
            };
            this.out.push(Piece::Loop(ir::Loop {
                setup,
                pattern,
                body,
                else_body,
            }));
            Ok(())
        })
    }

    fn write_let(&mut self, ctx: &Ctx<'a>, l: &'a WithSpan<Let<'a>>) -> Result<(), CompileError> {
        self.handle_ws(l.ws);
        match &l.val {
            LetValueOrBlock::Value(val) => self.write_let_value(ctx, l, val),
            LetValueOrBlock::Block { nodes, ws } => {
                self.flush_ws(l.ws);
                self.in_capture += 1;
                let ((), body) = self.with_scope(|this| {
                    this.capture(|this| {
                        this.prepare_ws(l.ws);
                        this.handle(ctx, nodes, Level::Nested, RenderFor::Template)?;
                        this.flush_ws(*ws);
                        Ok(())
                    })
                })?;
                self.in_capture -= 1;
                let target = self.let_target(l)?;
                self.out.push(Piece::LetBlock { target, body });
                self.prepare_ws(*ws);
                Ok(())
            }
        }
    }

    fn write_let_value(
        &mut self,
        ctx: &Ctx<'a>,
        l: &'a WithSpan<Let<'a>>,
        val: &'a WithSpan<Box<Expr<'a>>>,
    ) -> Result<(), CompileError> {
        if let Target::Name(dst) = &l.var
            && let Expr::Var(src) = &***val
            && let Some(Local::Caller(caller)) = self.lookup(src).cloned()
        {
            self.set_local(dst, Local::Caller(caller));
            return Ok(());
        }
        if let Target::Name(_) = &l.var
            && let Expr::Call(call) = &***val
            && let Expr::Var(name) = **call.path
            && let Some(Local::Caller(_)) = self.lookup(name)
        {
            // `{% let x = caller() %}`: the call block's output, as a string.
            self.in_capture += 1;
            let ((), body) = self.with_scope(|this| {
                this.capture(|this| {
                    this.write_caller(ctx, l.span(), call, name, Ws(None, None))?;
                    Ok(())
                })
            })?;
            self.in_capture -= 1;
            let target = self.let_target(l)?;
            self.out.push(Piece::LetBlock { target, body });
            return Ok(());
        }
        let value = self.visit_expr_root(val)?;
        let target = self.let_target(l)?;
        let borrow = !matches!(&***val, Expr::Try(..))
            && !matches!(&***val, Expr::Var(name) if self.resolve_local(name).is_some())
            && !expr::is_copyable(val);
        let value = if borrow { quote!(&(#value)) } else { value };
        self.out.push(Piece::Stmt(quote!(#target = #value;)));
        Ok(())
    }

    /// `let [mut] PATTERN[: T]`, or just `name` when assigning a declared variable.
    fn let_target(&mut self, l: &'a WithSpan<Let<'a>>) -> Result<TokenStream, CompileError> {
        let shadowing = match &l.var {
            Target::Name(name) => match self.lookup(name) {
                Some(Local::Var { initialized, .. }) => *initialized,
                _ => false,
            },
            _ => false,
        };
        let declared = matches!(&l.var, Target::Name(name)
            if matches!(self.lookup(name), Some(Local::Var { initialized: false, .. })));
        let mut tokens = TokenStream::new();
        if shadowing || !declared {
            tokens.extend(quote!(let));
            if l.is_mutable {
                tokens.extend(quote!(mut));
            }
        }
        tokens.extend(self.visit_target(&l.var, true, true));
        if let Some(ty) = &l.ty {
            let ty = self.visit_ty_generic(ty)?;
            tokens.extend(quote!(: #ty));
        }
        Ok(tokens)
    }

    #[allow(clippy::too_many_arguments)]
    fn write_macro(
        &mut self,
        callsite: &Ctx<'a>,
        macro_ctx: Ctx<'a>,
        def: &'a WithSpan<Macro<'a>>,
        args: &'a [WithSpan<Box<Expr<'a>>>],
        call: Option<&'a Call<'a>>,
        callsite_ws: Ws,
        span: Span,
        render_for: RenderFor,
    ) -> Result<(), CompileError> {
        let id: *const Macro<'a> = &**def;
        if self.seen_macros.contains(&id) {
            return Err(callsite.error(
                format_args!("Found recursion in macro calls: `{}`", *def.name),
                span,
            ));
        }
        if args.len() > def.args.len() {
            return Err(callsite.error(
                format_args!(
                    "macro `{}` expected {} argument{}, found {}",
                    *def.name,
                    def.args.len(),
                    if def.args.len() > 1 { "s" } else { "" },
                    args.len()
                ),
                span,
            ));
        }
        // Which call argument fills which parameter.
        let mut bound: Vec<Option<&'a WithSpan<Box<Expr<'a>>>>> = vec![None; def.args.len()];
        for (pos, arg) in args.iter().enumerate() {
            let (index, value) = match &***arg {
                Expr::NamedArgument(name, value) => {
                    let Some(index) = def.args.iter().position(|a| *a.name == **name) else {
                        return Err(callsite.error(
                            format_args!("no argument named `{}` in macro `{}`", **name, *def.name),
                            span,
                        ));
                    };
                    (index, value)
                }
                _ => (pos, arg),
            };
            if bound[index].replace(value).is_some() {
                return Err(callsite.error(
                    format_args!(
                        "argument `{}` was passed more than once when calling macro `{}`",
                        *def.args[index].name, *def.name
                    ),
                    span,
                ));
            }
        }
        self.seen_macros.push(id);
        let result = self.with_scope(|this| {
            if let Some(call) = call {
                this.set_local(
                    "caller",
                    Local::Caller(CallerRef {
                        call,
                        ctx: callsite.clone(),
                    }),
                );
            }
            this.flush_ws(callsite_ws);
            let ((), body) = this.capture(|this| {
                this.prepare_ws(def.ws1);
                for (param, value) in def.args.iter().zip(&bound) {
                    let value = match (value, &param.default) {
                        (Some(value), _) => *value,
                        (None, Some(default)) => default,
                        (None, None) => {
                            return Err(callsite.error(
                                format_args!(
                                    "missing argument when calling macro `{}`: `{}`",
                                    *def.name, *param.name
                                ),
                                span,
                            ));
                        }
                    };
                    this.bind_argument(&param.name, value, param.ty.as_ref())?;
                }
                this.handle(&macro_ctx, &def.nodes, Level::Nested, render_for)?;
                this.flush_ws(def.ws2);
                Ok(())
            })?;
            this.out.push(Piece::Scope(body));
            this.prepare_ws(callsite_ws);
            Ok(())
        });
        self.seen_macros.pop();
        result
    }

    /// Binds a macro or caller argument: plain variables and fields are aliased (no move),
    /// anything else is evaluated once into a local.
    fn bind_argument(
        &mut self,
        name: &str,
        value: &'a WithSpan<Box<Expr<'a>>>,
        ty: Option<&'a WithSpan<askama_parser::TyGenerics<'a>>>,
    ) -> Result<(), CompileError> {
        let id = ident(name);
        let ty = match ty {
            Some(ty) => {
                let ty = self.visit_ty_generic(ty)?;
                Some(quote!(: &#ty))
            }
            None => None,
        };
        let alias = match &***value {
            Expr::Var(var) if *var != "self" => {
                Some(self.resolve_local(var).unwrap_or_else(|| {
                    let field = ident(var);
                    quote!(self.#field)
                }))
            }
            Expr::AssociatedItem(..) => Some(self.visit_expr_root(value)?),
            _ => None,
        };
        match (alias, ty) {
            (Some(alias), None) => {
                self.set_local(
                    name,
                    Local::Var {
                        initialized: true,
                        alias: Some(alias),
                    },
                );
            }
            (Some(alias), Some(ty)) => {
                self.out.push(Piece::Stmt(quote!(let #id #ty = &#alias;)));
                self.declare(name, true);
            }
            (None, ty) => {
                let code = self.visit_expr_root(value)?;
                let code = if ty.is_some() || !expr::is_copyable(value) {
                    quote!(&(#code))
                } else {
                    code
                };
                self.out.push(Piece::Stmt(quote!(let #id #ty = #code;)));
                self.declare(name, true);
            }
        }
        Ok(())
    }

    /// `{{ caller(..) }}` inside a macro invoked by a call block; returns whether it handled it.
    fn write_caller(
        &mut self,
        ctx: &Ctx<'a>,
        span: Span,
        call: &'a askama_parser::expr::Call<'a>,
        name: &str,
        ws: Ws,
    ) -> Result<bool, CompileError> {
        let caller = match self.lookup(name) {
            Some(Local::Caller(caller)) => caller.clone(),
            _ if name == "caller" => {
                return Err(ctx.error("block is not defined for `caller`", span));
            }
            _ => return Ok(false),
        };
        self.handle_ws(ws);
        let def = caller.call;
        self.with_scope(|this| {
            // A caller cannot call itself.
            this.set_local("caller", Local::Negative);
            let ((), body) = this.capture(|this| {
                this.prepare_ws(def.ws1);
                if def.caller_args.len() != call.args.len() {
                    return Err(ctx.error(
                        format_args!(
                            "expected {} argument{} in `caller`, found {}",
                            def.caller_args.len(),
                            if def.caller_args.len() == 1 { "" } else { "s" },
                            call.args.len()
                        ),
                        span,
                    ));
                }
                for (param, value) in def.caller_args.iter().zip(call.args.iter()) {
                    this.bind_argument(param, value, None)?;
                }
                this.handle(&caller.ctx, &def.nodes, Level::Nested, RenderFor::Template)?;
                this.flush_ws(def.ws2);
                Ok(())
            })?;
            this.out.push(Piece::Scope(body));
            Ok(())
        })?;
        Ok(true)
    }

    fn write_call(
        &mut self,
        ctx: &Ctx<'a>,
        call: &'a WithSpan<Call<'a>>,
        render_for: RenderFor,
    ) -> Result<(), CompileError> {
        let (def, macro_ctx) = match call.scope {
            Some(scope) => {
                let path = ctx.imports.get(*scope).ok_or_else(|| {
                    ctx.error(
                        format_args!("no import found for scope `{}`", *scope),
                        call.span(),
                    )
                })?;
                let file = self.files.get(&Some(path.clone())).ok_or_else(|| {
                    ctx.error(
                        format_args!("context for `{}` not found", path.display()),
                        call.span(),
                    )
                })?;
                let def = file.macros.get(*call.name).copied().ok_or_else(|| {
                    ctx.error(
                        format_args!("macro `{}` not found in scope `{}`", *call.name, *scope),
                        call.span(),
                    )
                })?;
                (def, Ctx::of(file))
            }
            None => {
                let def = ctx.macros.get(*call.name).copied().ok_or_else(|| {
                    ctx.error(
                        format_args!("macro `{}` not found", *call.name),
                        call.span(),
                    )
                })?;
                (def, ctx.clone())
            }
        };
        let args = call.args.as_deref().unwrap_or_default();
        let ws = Ws(call.ws1.0, call.ws2.1);
        self.write_macro(
            ctx,
            macro_ctx,
            def,
            args,
            Some(call),
            ws,
            call.span(),
            render_for,
        )
    }

    fn write_filter_block(
        &mut self,
        ctx: &Ctx<'a>,
        filter: &'a WithSpan<FilterBlock<'a>>,
    ) -> Result<(), CompileError> {
        self.flush_ws(filter.ws1);
        self.in_capture += 1;
        let ((), body) = self.with_scope(|this| {
            this.capture(|this| {
                this.prepare_ws(filter.ws1);
                this.handle(ctx, &filter.nodes, Level::Nested, RenderFor::Template)?;
                this.flush_ws(filter.ws2);
                Ok(())
            })
        })?;
        self.in_capture -= 1;
        let (code, wrap) = self.visit_filter(
            &filter.filters.name,
            &filter.filters.arguments,
            filter.span(),
        )?;
        let output = self.escape_wrapped(code, wrap);
        self.out.push(Piece::FilterBlock { body, output });
        self.prepare_ws(filter.ws2);
        Ok(())
    }

    fn write_include(
        &mut self,
        ctx: &Ctx<'a>,
        i: &'a WithSpan<Include<'a>>,
        render_for: RenderFor,
    ) -> Result<(), CompileError> {
        self.flush_ws(i.ws);
        let path = self
            .input
            .find(i.path, ctx.file.path)
            .map_err(|m| ctx.error(m, i.span()))?;
        let file = self.files.get(&Some(path.clone())).ok_or_else(|| {
            ctx.error(
                format_args!("template {:?} was not loaded", i.path),
                i.span(),
            )
        })?;
        let child = ctx.child(file);
        let heritage = self.heritages.get(&Some(path));
        let saved_heritage = std::mem::replace(&mut self.heritage, heritage);
        let saved_super = self.super_block.take();
        // The included template sees the includer's variables, in a scope of its own.
        self.scopes.push(HashMap::new());
        let result = (|| {
            let ((), body) = self.capture(|this| match heritage {
                Some(h) => {
                    let root = child.child(h.root);
                    this.handle(&root, h.root.nodes, Level::Top, render_for)
                }
                None => this.handle(&child, file.nodes, Level::Top, render_for),
            })?;
            self.out.push(Piece::Scope(body));
            Ok(())
        })();
        self.scopes.pop();
        self.super_block = saved_super;
        self.heritage = saved_heritage;
        result?;
        self.prepare_ws(i.ws);
        Ok(())
    }

    fn write_block(
        &mut self,
        ctx: &Ctx<'a>,
        name: Option<&'a str>,
        outer: Ws,
        span: Span,
    ) -> Result<(), CompileError> {
        if self.in_capture > 0 {
            return Err(ctx.error("cannot have a block inside a filter or let/set block", span));
        }
        self.flush_ws(outer);
        let current = match (name, self.super_block) {
            (Some(name), None) => (name, 0),
            (Some(name), Some((prev, _))) if name == prev => {
                return Err(ctx.error(
                    format_args!("cannot define recursive blocks (`{name}`)"),
                    span,
                ));
            }
            (Some(name), Some(_)) => (name, 0),
            (None, Some((prev, generation))) => (prev, generation + 1),
            (None, None) => return Err(ctx.error("cannot call `super()` outside block", span)),
        };
        let Some(heritage) = self.heritage else {
            return Err(ctx.error("no block ancestors available", span));
        };
        let Some(&(file, def)) = heritage
            .blocks
            .get(current.0)
            .and_then(|defs| defs.get(current.1))
        else {
            return Err(ctx.error(
                match name {
                    None => format!("no `super()` block found for block `{}`", current.0),
                    Some(name) => format!("no block found for name `{name}`"),
                },
                span,
            ));
        };
        let mut child = ctx.child(file);
        for (name, block) in &ctx.blocks {
            child.blocks.entry(name).or_insert(block);
        }
        let fragment = self.discard && self.input.block.as_deref() == name;
        if fragment {
            self.discard = false;
        }
        self.write_block_def(child, def, current)?;
        self.prepare_ws(outer);
        if fragment {
            // Only this block is rendered: keep its pieces, whatever surrounds them.
            self.discard = true;
            if let Some(Piece::Scope(body)) = self.out.pop() {
                self.fragment
                    .get_or_insert_with(Vec::new)
                    .push(Piece::Scope(body));
            }
        }
        Ok(())
    }

    fn write_block_def(
        &mut self,
        ctx: Ctx<'a>,
        def: &'a WithSpan<BlockDef<'a>>,
        current: (&'a str, usize),
    ) -> Result<(), CompileError> {
        let saved_super = self.super_block.replace(current);
        // A block sees the variables of the template level it is rendered from, in a new scope.
        self.scopes.push(HashMap::new());
        let result = self.capture(|this| {
            this.prepare_ws(def.ws1);
            this.handle(&ctx, &def.nodes, Level::Block, RenderFor::Template)?;
            this.flush_ws(def.ws2);
            Ok(())
        });
        self.scopes.pop();
        self.super_block = saved_super;
        let ((), body) = result?;
        self.out.push(Piece::Scope(body));
        Ok(())
    }

    /// `if` condition tokens (after `if`), including `let PATTERN = &EXPR` for `if let`.
    fn visit_cond_test(
        &mut self,
        test: &'a WithSpan<CondTest<'a>>,
        forced: Option<bool>,
    ) -> Result<TokenStream, CompileError> {
        if let Some(value) = forced {
            return Ok(quote!(#value));
        }
        match &test.target {
            Some(target) => {
                // Evaluate the scrutinee before the pattern binds its names.
                match &**test.expr {
                    Expr::BinOp(v) if matches!(v.op, "&&" | "||") => {
                        let lhs = self.visit_expr_root(&v.lhs)?;
                        let pattern = self.visit_target(target, true, true);
                        let op: TokenStream = v.op.parse().unwrap_or_default();
                        let rhs = self.visit_condition(&v.rhs)?;
                        Ok(quote!(let #pattern = &#lhs #op #rhs))
                    }
                    _ => {
                        let value = self.visit_expr_root(&test.expr)?;
                        let pattern = self.visit_target(target, true, true);
                        Ok(quote!(let #pattern = &#value))
                    }
                }
            }
            None => self.visit_condition(&test.expr),
        }
    }

    /// Wraps `code` in askama's auto-escaper unless it is already safe output.
    pub(crate) fn escape_wrapped(&self, code: TokenStream, wrap: DisplayWrap) -> TokenStream {
        match wrap {
            DisplayWrap::Wrapped => code,
            DisplayWrap::Unwrapped => {
                let escaper = &self.input.escaper;
                quote!((&&::livetemplate::__private::askama::filters::AutoEscaper::new(&(#code), #escaper)).askama_auto_escape()?)
            }
        }
    }

    /// The current context, for errors raised from expressions.
    pub(crate) fn error(&self, message: impl std::fmt::Display, span: Span) -> CompileError {
        match &self.ctx {
            Some(ctx) => ctx.error(message, span),
            None => CompileError::new(message, self.input.span),
        }
    }
}

struct CondInfo<'a> {
    cond: &'a WithSpan<Cond<'a>>,
    /// A condition known at compile time.
    forced: Option<bool>,
    generate_condition: bool,
    generate_content: bool,
}

struct Conds<'a> {
    conds: Vec<CondInfo<'a>>,
    ws_before: Option<Ws>,
    ws_after: Option<Ws>,
}

enum Evaluated {
    True,
    False,
    Unknown,
}

fn minimized(ws: &str) -> &'static str {
    if ws.contains('\n') { "\n" } else { " " }
}

/// A field or tuple index after `.`: `x.name` or `x.0`.
pub(crate) fn member(name: &str) -> TokenStream {
    match name.parse::<usize>() {
        Ok(index) => {
            let index = proc_macro2::Literal::usize_unsuffixed(index);
            quote!(#index)
        }
        Err(_) => {
            let name = ident(name);
            quote!(#name)
        }
    }
}

/// A Rust identifier for a template name, raw when it is a keyword.
pub(crate) fn ident(name: &str) -> proc_macro2::Ident {
    if askama_parser::is_rust_keyword(name) && !matches!(name, "self" | "Self" | "super" | "crate")
    {
        format_ident!("r#{}", name)
    } else {
        proc_macro2::Ident::new(name, proc_macro2::Span::call_site())
    }
}
