//! Procedural macros for `livetemplate`: the compile-time template compiler.
//!
//! The entry points are one-liners; the work lives in ordinary modules over `proc_macro2`
//! types so it can be unit-tested.

mod controller;
mod template;

/// Derives `livetemplate::LiveTemplate` from askama's `#[template(...)]` attribute.
///
/// See the `livetemplate` crate docs for an example.
#[proc_macro_derive(LiveTemplate, attributes(template))]
pub fn derive_live_template(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    template::derive(input.into()).into()
}

/// Turns an `impl` block's methods into a live page's actions, named after the methods.
///
/// See the `livetemplate::controller` module docs for an example.
#[proc_macro_attribute]
pub fn live_controller(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    controller::live_controller(attr.into(), item.into()).into()
}
