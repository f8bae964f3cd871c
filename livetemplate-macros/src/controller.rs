//! `#[live_controller]`: an `impl` block → `impl LiveController` with an action router named
//! after the methods, plus a compile-time check that the template's actions all exist.
//!
//! A method marked `#[server_only]` (the attribute is consumed here) is an action that only
//! `broadcast_action` and `LiveHandle::push` run: it is listed in `SERVER_ACTIONS`, not in
//! `ACTIONS`, and a template that names it fails the build.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, ImplItem, ImplItemFn, ItemImpl, PatType, Type, Visibility};

/// The method attribute that makes an action server-only.
const SERVER_ONLY: &str = "server_only";

/// The attribute's work; errors become `compile_error!`.
pub(crate) fn live_controller(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        return syn::Error::new(attr.span(), "`#[live_controller]` takes no arguments")
            .to_compile_error();
    }
    match syn::parse2::<ItemImpl>(item.clone()) {
        Ok(block) => expand(&block).unwrap_or_else(|err| {
            let err = err.to_compile_error();
            // The block as written, but without our attribute: the compiler does not know it.
            let (block, _) = without_server_only(&block);
            quote!(#block #err)
        }),
        Err(err) => err.to_compile_error(),
    }
}

/// One action method.
struct Action {
    name: syn::Ident,
    is_async: bool,
    form: Option<Form>,
    /// Marked `#[server_only]`: run by broadcasts and pushes, refused from clients.
    server_only: bool,
}

/// A typed form parameter: bound from the action's data (and validated for `Valid<T>`).
struct Form {
    ty: Type,
    validated: bool,
}

/// The lifecycle methods found.
#[derive(Default)]
struct Lifecycle {
    mount: Option<(bool, bool)>,
    on_connect: Option<bool>,
    on_disconnect: Option<bool>,
    on_navigate: Option<bool>,
}

fn expand(block: &ItemImpl) -> syn::Result<TokenStream> {
    if let Some((_, path, _)) = &block.trait_ {
        return Err(syn::Error::new(
            path.span(),
            "`#[live_controller]` goes on an inherent `impl` block (`impl MyController { … }`)",
        ));
    }
    let mut state: Option<Type> = None;
    let mut actions = Vec::new();
    let mut lifecycle = Lifecycle::default();
    let (output, marked) = without_server_only(block);
    for (item, marked) in block.items.iter().zip(marked) {
        let ImplItem::Fn(method) = item else { continue };
        let name = method.sig.ident.to_string();
        if let Some(attr) = marked {
            // An explicit marker: whatever the visibility, the method must be an action.
            check_marker(&attr, method, &name)?;
            let Some((ty, mut action)) = action(method)? else {
                return Err(syn::Error::new_spanned(
                    &attr,
                    format!(
                        "`#[server_only]` marks an action, but `{name}` is not one: an action \
                         is `fn {name}(&self, state: &mut State, ctx: &mut Context)`, with an \
                         optional typed form before `ctx`"
                    ),
                ));
            };
            agree(&mut state, ty)?;
            action.server_only = true;
            actions.push(action);
            continue;
        }
        match name.as_str() {
            "mount" => {
                let (ty, is_result) = mount_state(method)?;
                agree(&mut state, ty)?;
                lifecycle.mount = Some((method.sig.asyncness.is_some(), is_result));
            }
            "on_connect" | "on_disconnect" | "on_navigate" => {
                let ty = lifecycle_state(method)?;
                agree(&mut state, ty)?;
                let is_async = Some(method.sig.asyncness.is_some());
                match name.as_str() {
                    "on_connect" => lifecycle.on_connect = is_async,
                    "on_disconnect" => lifecycle.on_disconnect = is_async,
                    _ => lifecycle.on_navigate = is_async,
                }
            }
            // Any `pub`, including `pub(crate)` (lints ask for it on private types).
            _ if !matches!(method.vis, Visibility::Inherited) => {
                if let Some((ty, action)) = action(method)? {
                    agree(&mut state, ty)?;
                    actions.push(action);
                }
            }
            _ => {}
        }
    }
    let Some(state) = state else {
        return Err(syn::Error::new(
            block.self_ty.span(),
            "a live controller needs `async fn mount(&self, ctx: &mut Context) -> \
             livetemplate::Result<State>` or at least one action \
             `pub fn name(&self, state: &mut State, ctx: &mut Context)`",
        ));
    };
    let Some((mount_async, mount_result)) = lifecycle.mount else {
        return Err(syn::Error::new(
            block.self_ty.span(),
            "a live controller needs `async fn mount(&self, ctx: &mut Context) -> \
             livetemplate::Result<State>`: it builds a new session's state",
        ));
    };

    let navigates = lifecycle.on_navigate.is_some();
    let self_ty = &block.self_ty;
    let (impl_generics, _, where_clause) = block.generics.split_for_impl();
    let names: Vec<String> = actions
        .iter()
        .filter(|a| !a.server_only)
        .map(|a| a.name.to_string())
        .collect();
    let server_names: Vec<String> = actions
        .iter()
        .filter(|a| a.server_only)
        .map(|a| a.name.to_string())
        .collect();

    let mount_call = call(quote!(Self::mount(self, ctx)), mount_async);
    let mount_body = if mount_result {
        quote!(#mount_call.map_err(::core::convert::Into::into))
    } else {
        quote!(::core::result::Result::Ok(#mount_call))
    };
    let hooks = [
        ("on_connect", lifecycle.on_connect),
        ("on_disconnect", lifecycle.on_disconnect),
        ("on_navigate", lifecycle.on_navigate),
    ]
    .into_iter()
    .filter_map(|(hook, is_async)| {
        let is_async = is_async?;
        let hook = format_ident!("{hook}");
        let result = call(quote!(Self::#hook(self, state, ctx)), is_async);
        Some(quote! {
            fn #hook(
                &self,
                state: &mut #state,
                ctx: &mut ::livetemplate::Context,
            ) -> impl ::core::future::Future<Output = ::livetemplate::Result> + ::core::marker::Send {
                async move {
                    ::livetemplate::__private::IntoActionResult::into_action_result(#result)
                }
            }
        })
    });
    let arms = actions.iter().map(|action| {
        let name = &action.name;
        let text = name.to_string();
        let (bind, args) = match &action.form {
            None => (TokenStream::new(), quote!(self, state, ctx)),
            Some(Form {
                ty,
                validated: false,
            }) => (
                quote!(let form: #ty = ctx.bind()?;),
                quote!(self, state, form, ctx),
            ),
            Some(Form {
                ty,
                validated: true,
            }) => (
                quote!(let form = ::livetemplate::Valid::<#ty>(ctx.bind_valid()?);),
                quote!(self, state, form, ctx),
            ),
        };
        let result = call(quote!(Self::#name(#args)), action.is_async);
        quote! {
            #text => {
                #bind
                ::livetemplate::__private::IntoActionResult::into_action_result(#result)
            }
        }
    });
    let check = if block.generics.params.is_empty() {
        let controller = quote!(#self_ty).to_string().replace(' ', "");
        quote_spanned! {block.self_ty.span()=>
            // A template naming an action this controller lacks, or one only the server may
            // run, fails the build here.
            const _: () = ::livetemplate::__private::check_actions(
                <#state as ::livetemplate::LiveTemplate>::TEMPLATE,
                <#state as ::livetemplate::LiveTemplate>::ACTIONS,
                #controller,
                &[#(#names),*],
                &[#(#server_names),*],
            );
        }
    } else {
        // Constants cannot use the impl's generic parameters; the check runs at mount instead.
        TokenStream::new()
    };

    Ok(quote! {
        #output

        impl #impl_generics ::livetemplate::LiveController for #self_ty #where_clause {
            type State = #state;
            const ACTIONS: &'static [&'static str] = &[#(#names),*];
            const SERVER_ACTIONS: &'static [&'static str] = &[#(#server_names),*];
            const NAVIGATES: bool = #navigates;

            fn mount(
                &self,
                ctx: &mut ::livetemplate::Context,
            ) -> impl ::core::future::Future<Output = ::livetemplate::Result<#state>> + ::core::marker::Send {
                async move { #mount_body }
            }

            #(#hooks)*

            fn dispatch(
                &self,
                action: &str,
                state: &mut #state,
                ctx: &mut ::livetemplate::Context,
            ) -> impl ::core::future::Future<Output = ::livetemplate::Result> + ::core::marker::Send {
                async move {
                    match action {
                        #(#arms)*
                        _ => ::core::result::Result::Err(
                            ::livetemplate::ActionError::unknown_action(action),
                        ),
                    }
                }
            }
        }

        #check
    })
}

/// The block with every `#[server_only]` removed from its methods (the compiler does not know
/// the attribute), and for each item the first such attribute it had.
fn without_server_only(block: &ItemImpl) -> (ItemImpl, Vec<Option<syn::Attribute>>) {
    let mut output = block.clone();
    let marked = output
        .items
        .iter_mut()
        .map(|item| {
            let ImplItem::Fn(method) = item else {
                return None;
            };
            let mut found = None;
            method.attrs.retain(|attr| {
                let ours = attr.path().is_ident(SERVER_ONLY);
                if ours && found.is_none() {
                    found = Some(attr.clone());
                }
                !ours
            });
            found
        })
        .collect();
    (output, marked)
}

/// `#[server_only]` takes no arguments and does not go on a lifecycle hook.
fn check_marker(attr: &syn::Attribute, method: &ImplItemFn, name: &str) -> syn::Result<()> {
    if !matches!(attr.meta, syn::Meta::Path(_)) {
        return Err(syn::Error::new_spanned(
            &attr.meta,
            "`#[server_only]` takes no arguments",
        ));
    }
    if matches!(
        name,
        "mount" | "on_connect" | "on_disconnect" | "on_navigate"
    ) {
        return Err(syn::Error::new(
            method.sig.ident.span(),
            format!(
                "`{name}` is a lifecycle hook, which only the runtime calls; `#[server_only]` \
                 goes on an action that `broadcast_action` or `LiveHandle::push` runs"
            ),
        ));
    }
    Ok(())
}

/// `call` or `call.await`.
fn call(call: TokenStream, is_async: bool) -> TokenStream {
    if is_async { quote!(#call.await) } else { call }
}

/// Records the state type, or fails when methods disagree on it.
fn agree(state: &mut Option<Type>, ty: Type) -> syn::Result<()> {
    match state {
        None => {
            *state = Some(ty);
            Ok(())
        }
        Some(existing) if same_type(existing, &ty) => Ok(()),
        Some(existing) => {
            let mut err = syn::Error::new(
                ty.span(),
                format!(
                    "every method of a live controller works on one state type, but this is \
                     `{}` and another is `{}`",
                    quote!(#ty).to_string().replace(' ', ""),
                    quote!(#existing).to_string().replace(' ', "")
                ),
            );
            err.combine(syn::Error::new(existing.span(), "the other state type"));
            Err(err)
        }
    }
}

fn same_type(a: &Type, b: &Type) -> bool {
    quote!(#a).to_string() == quote!(#b).to_string()
}

/// The typed (non-receiver) parameters of a method.
fn params(method: &ImplItemFn) -> syn::Result<Vec<&PatType>> {
    let mut inputs = method.sig.inputs.iter();
    match inputs.next() {
        Some(FnArg::Receiver(receiver))
            if receiver.reference.is_some() && receiver.mutability.is_none() => {}
        _ => {
            return Err(syn::Error::new(
                method.sig.span(),
                format!(
                    "`{}` must take `&self`: the controller is shared by every session",
                    method.sig.ident
                ),
            ));
        }
    }
    inputs
        .map(|input| match input {
            FnArg::Typed(pat) => Ok(pat),
            FnArg::Receiver(r) => Err(syn::Error::new(r.span(), "unexpected receiver")),
        })
        .collect()
}

/// `T` from `&mut T`.
fn mut_ref(ty: &Type) -> Option<&Type> {
    match ty {
        Type::Reference(r) if r.mutability.is_some() => Some(&r.elem),
        _ => None,
    }
}

/// Whether `ty` is `&mut Context` (any path ending in `Context`).
fn is_context(ty: &Type) -> bool {
    mut_ref(ty).is_some_and(|inner| last_segment(inner).is_some_and(|s| s.ident == "Context"))
}

fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last(),
        _ => None,
    }
}

/// The state type `mount` returns, and whether it returns a `Result`.
fn mount_state(method: &ImplItemFn) -> syn::Result<(Type, bool)> {
    let params = params(method)?;
    let usage =
        "`mount` is `async fn mount(&self, ctx: &mut Context) -> livetemplate::Result<State>`";
    if params.len() != 1 || !is_context(&params[0].ty) {
        return Err(syn::Error::new(method.sig.span(), usage));
    }
    let syn::ReturnType::Type(_, ty) = &method.sig.output else {
        return Err(syn::Error::new(method.sig.span(), usage));
    };
    if let Some(segment) = last_segment(ty)
        && segment.ident == "Result"
    {
        if let syn::PathArguments::AngleBracketed(args) = &segment.arguments
            && let Some(syn::GenericArgument::Type(state)) = args.args.first()
        {
            return Ok((state.clone(), true));
        }
        return Err(syn::Error::new(ty.span(), usage));
    }
    Ok(((**ty).clone(), false))
}

/// The state type of `on_connect` / `on_disconnect` / `on_navigate`.
fn lifecycle_state(method: &ImplItemFn) -> syn::Result<Type> {
    let params = params(method)?;
    match params.as_slice() {
        [state, ctx] if is_context(&ctx.ty) => mut_ref(&state.ty).cloned().ok_or_else(|| {
            syn::Error::new(
                state.ty.span(),
                "the state parameter is `state: &mut State`",
            )
        }),
        _ => Err(syn::Error::new(
            method.sig.span(),
            format!(
                "`{}` is `async fn {0}(&self, state: &mut State, ctx: &mut Context) -> \
                 livetemplate::Result`",
                method.sig.ident
            ),
        )),
    }
}

/// An action method: `(&self, state: &mut S, [form: T,] ctx: &mut Context)`. Public methods
/// of another shape are ordinary methods, not actions.
fn action(method: &ImplItemFn) -> syn::Result<Option<(Type, Action)>> {
    let Ok(params) = params(method) else {
        return Ok(None);
    };
    let (state, form) = match params.as_slice() {
        [state, ctx] if is_context(&ctx.ty) => (state, None),
        [state, form, ctx] if is_context(&ctx.ty) => (state, Some(form)),
        _ => return Ok(None),
    };
    let Some(state) = mut_ref(&state.ty) else {
        return Ok(None);
    };
    let form = form.map(|form| {
        let ty = (*form.ty).clone();
        match valid_inner(&ty) {
            Some(inner) => Form {
                ty: inner,
                validated: true,
            },
            None => Form {
                ty,
                validated: false,
            },
        }
    });
    Ok(Some((
        state.clone(),
        Action {
            name: method.sig.ident.clone(),
            is_async: method.sig.asyncness.is_some(),
            form,
            server_only: false,
        },
    )))
}

/// `T` from `Valid<T>`.
fn valid_inner(ty: &Type) -> Option<Type> {
    let segment = last_segment(ty)?;
    if segment.ident != "Valid" {
        return None;
    }
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
            syn::GenericArgument::Type(inner) => Some(inner.clone()),
            _ => None,
        },
        _ => None,
    }
}
