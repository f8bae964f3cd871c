//! The HTML of a live page's first load.
//!
//! A `GET` with `Accept: text/html` answers a whole document: a [`PageLayout`] (the minimal
//! HTML5 [`DefaultLayout`], or the app's own) around two pieces this module builds —
//!
//! - the **live region** (`live_region`): the live template's bytes inside
//!   `<div data-lvt-id="…">…</div>`. The first tree frame describes the whole inside of that
//!   wrapper, so nothing else may go in it;
//! - the **head** (`head`): the `<meta name="csrf-token">` tag and the client's `<script>`,
//!   which sit outside the wrapper.
//!
//! Without JavaScript a page still works through plain HTML form POSTs, which must carry the
//! session's CSRF token: `inject_csrf` adds a hidden [`CSRF_FIELD`] input to every
//! `method="post"` form of the rendered HTML.

/// The name of the hidden input that carries the CSRF token in a plain (no JavaScript) form
/// POST; `inject_csrf` adds it to every `method="post"` form of a rendered page.
pub(crate) const CSRF_FIELD: &str = crate::wire::keys::CSRF_FIELD;

/// The hidden field carrying a POST form's `lvt-form:action`, added next to the token so a
/// form posted without JavaScript still names its action. It wins over the submit button, as
/// in the browser client.
pub(crate) const ACTION_FIELD: &str = crate::wire::keys::ACTION_FIELD;

/// The hidden field carrying a POST form's `name` (when it has no `lvt-form:action`): the
/// action when the submit button names none, as in the browser client.
pub(crate) const FORM_FIELD: &str = crate::wire::keys::FORM_FIELD;

/// The document around a live page: it places the [`PageParts`] into an HTML page.
///
/// [`DefaultLayout`] is a minimal HTML5 document. An app with its own look implements this
/// trait, usually with an askama template. The template must output `region` and `head`
/// **unescaped** (they are HTML that this module built and escaped already) and `title` escaped
/// (it is plain text):
///
/// ```
/// use askama::Template;
/// use livetemplate::server::{PageLayout, PageParts};
///
/// #[derive(Template)]
/// #[template(
///     ext = "html",
///     source = r#"<!DOCTYPE html>
/// <html lang="en">
/// <head>
/// <title>{{ title }} · My shop</title>
/// <link rel="stylesheet" href="/static/shop.css">
/// {{ head|safe }}</head>
/// <body>
/// <nav>…</nav>
/// {{ region|safe }}
/// </body>
/// </html>
/// "#
/// )]
/// struct ShopLayout<'a> {
///     title: &'a str,
///     head: &'a str,
///     region: &'a str,
/// }
///
/// struct Shop;
///
/// impl PageLayout for Shop {
///     fn render(&self, page: &PageParts<'_>) -> String {
///         let layout = ShopLayout { title: page.title, head: page.head, region: page.region };
///         // askama only fails when a value's `Display` fails; these are all `&str`.
///         layout.render().unwrap_or_default()
///     }
/// }
///
/// let html = Shop.render(&PageParts { title: "Cart & co", head: "<meta>\n", region: "<div></div>" });
/// assert!(html.contains("<title>Cart &#38; co · My shop</title>"));
/// assert!(html.contains("<meta>\n</head>") && html.contains("<body>\n<nav>…</nav>\n<div></div>\n"));
/// ```
///
/// Any `Fn(&PageParts<'_>) -> String` is a layout too.
///
/// Whatever the layout, the region must appear exactly once and unchanged: the client finds
/// its `data-lvt-id` and takes over everything inside it.
pub trait PageLayout: Send + Sync + 'static {
    /// The whole HTML document for `page`.
    fn render(&self, page: &PageParts<'_>) -> String;
}

impl<F> PageLayout for F
where
    F: Fn(&PageParts<'_>) -> String + Send + Sync + 'static,
{
    fn render(&self, page: &PageParts<'_>) -> String {
        self(page)
    }
}

/// What a [`PageLayout`] places into its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageParts<'a> {
    /// The page's title, plain text: the layout must HTML-escape it.
    pub title: &'a str,
    /// The live region, complete HTML (`<div data-lvt-id="…">…</div>`): inserted as is. After
    /// a plain form POST it is preceded by the flash messages that POST left
    /// (`<div class="lvt-flashes" data-lvt-flash>…</div>`).
    pub region: &'a str,
    /// HTML for the document's `<head>` (the CSRF `<meta>` tag and the client's `<script>`,
    /// each on its own line): inserted as is.
    pub head: &'a str,
}

/// A minimal HTML5 document: `lang="en"`, UTF-8, a responsive viewport, the escaped title,
/// then the head parts, and the live region alone in the `<body>`.
///
/// ```text
/// <!DOCTYPE html>
/// <html lang="en">
/// <head>
/// <meta charset="utf-8">
/// <meta name="viewport" content="width=device-width, initial-scale=1">
/// <title>{title}</title>
/// {head}</head>
/// <body>
/// {region}
/// </body>
/// </html>
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DefaultLayout;

impl PageLayout for DefaultLayout {
    fn render(&self, page: &PageParts<'_>) -> String {
        let mut out =
            String::with_capacity(256 + page.title.len() + page.head.len() + page.region.len());
        out.push_str(concat!(
            "<!DOCTYPE html>\n",
            "<html lang=\"en\">\n",
            "<head>\n",
            "<meta charset=\"utf-8\">\n",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
            "<title>",
        ));
        push_escaped(&mut out, page.title);
        out.push_str("</title>\n");
        out.push_str(page.head);
        out.push_str("</head>\n<body>\n");
        out.push_str(page.region);
        out.push_str("\n</body>\n</html>\n");
        out
    }
}

/// The live region: `<div data-lvt-id="{region_id}">{html}</div>`, with `region_id` escaped for
/// the attribute and `html` (the rendered live template) inserted as is.
pub(crate) fn live_region(region_id: &str, html: &str) -> String {
    let mut out = String::with_capacity(html.len() + region_id.len() + 32);
    out.push_str("<div ");
    out.push_str(crate::wire::keys::REGION_ATTR);
    out.push_str("=\"");
    push_escaped(&mut out, region_id);
    out.push_str("\">");
    out.push_str(html);
    out.push_str("</div>");
    out
}

/// The head parts of a live page: the CSRF token in `<meta name="csrf-token">` and the
/// client's deferred `<script>`, one per line, both values escaped for their attribute:
/// `<meta name="csrf-token" content="{csrf}">\n<script src="{script_path}" defer></script>\n`.
pub(crate) fn head(script_path: &str, csrf: &str) -> String {
    let mut out = String::with_capacity(script_path.len() + csrf.len() + 80);
    out.push_str("<meta name=\"csrf-token\" content=\"");
    push_escaped(&mut out, csrf);
    out.push_str("\">\n<script src=\"");
    push_escaped(&mut out, script_path);
    out.push_str("\" defer></script>\n");
    out
}

/// Adds `<input type="hidden" name="_lvt_csrf" value="{token}">` (the token escaped) right
/// after the `>` that ends the start tag of every form that submits with `POST`, so that a
/// page used without JavaScript sends the token with its plain form POSTs.
///
/// `html` is scanned as an HTML tokenizer would read it, closely enough for rendered
/// templates:
///
/// - a form is a start tag named `form` in any case (`<FORM>`), not `<formula>` nor
///   `<form-row>`; its attributes may hold quoted values containing `>` (or `<form`);
/// - only a form whose `method` is `post` (any case; the first `method` attribute counts, as
///   in a browser) gets the input. A form without `method` submits with `GET`, like
///   `method="get"` and `method="dialog"`, and is left alone: a token in a query string
///   would leak into URLs, logs and `Referer` headers. (A submit button's `formmethod`
///   is not looked at.)
/// - comments (`<!-- <form> -->`), `<!DOCTYPE …>` and other `<!…>`/`<?…>` markup, end tags,
///   and the text of `<script>`, `<style>`, `<textarea>`, `<title>`, `<xmp>`, `<iframe>`,
///   `<noembed>` and `<noframes>` are skipped; `<noscript>` is not (a browser without
///   JavaScript renders its forms);
/// - at a tag or comment that never ends, scanning stops and the rest is copied unchanged.
///
/// Text slots of a rendered template are HTML-escaped, so they cannot hold a literal `<form`:
/// only the template's own markup is matched. Running it twice adds the input twice.
pub(crate) fn inject_csrf(html: &str, token: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() + 128);
    // `html[..copied]` is already in `out`.
    let mut copied = 0;
    let mut at = 0;
    while let Some(offset) = bytes
        .get(at..)
        .and_then(|rest| rest.iter().position(|&b| b == b'<'))
    {
        let lt = at + offset;
        let rest = &bytes[lt..];
        if rest.starts_with(b"<!--") {
            // Ends at the first `-->` after `<!`, so `<!-->` and `<!--->` are empty comments.
            match find(bytes, lt + 2, b"-->") {
                Some(end) => at = end + 3,
                None => break,
            }
        } else if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            // `<!DOCTYPE …>`, `<![CDATA[…`, `<?xml …>`: a bogus comment up to the next `>`.
            match find(bytes, lt + 2, b">") {
                Some(end) => at = end + 1,
                None => break,
            }
        } else if rest.starts_with(b"</") {
            if rest.get(2).is_some_and(u8::is_ascii_alphabetic) {
                // An end tag may carry (ignored) attributes; skip them like a start tag's.
                match scan_tag(bytes, lt + 2) {
                    Some(tag) => at = tag.end,
                    None => break,
                }
            } else {
                // `</>` or `</ …>`: dropped, or a bogus comment up to the next `>`.
                match find(bytes, lt + 2, b">") {
                    Some(end) => at = end + 1,
                    None => break,
                }
            }
        } else if rest.get(1).is_some_and(u8::is_ascii_alphabetic) {
            let Some(tag) = scan_tag(bytes, lt + 1) else {
                break;
            };
            at = tag.end;
            let name = &bytes[tag.name.clone()];
            if name.eq_ignore_ascii_case(b"form") && tag.posts {
                out.push_str(&html[copied..tag.end]);
                out.push_str("<input type=\"hidden\" name=\"");
                out.push_str(CSRF_FIELD);
                out.push_str("\" value=\"");
                push_escaped(&mut out, token);
                out.push_str("\">");
                // Without JavaScript the server sees only fields: name the form's action.
                // `lvt-form:action` wins over the submit button, the form's `name` does not.
                let named = match (tag.lvt_action.clone(), tag.form_name.clone()) {
                    (Some(action), _) => Some((ACTION_FIELD, action)),
                    (None, Some(name)) => Some((FORM_FIELD, name)),
                    (None, None) => None,
                };
                if let Some((field, action)) = named {
                    out.push_str("<input type=\"hidden\" name=\"");
                    out.push_str(field);
                    out.push_str("\" value=\"");
                    // Already attribute text in the page: copied as is, but for the quote.
                    out.push_str(&html[action].replace('"', "&#34;"));
                    out.push_str("\">");
                }
                copied = tag.end;
            } else if name.eq_ignore_ascii_case(b"plaintext") {
                // Everything after `<plaintext>` is text.
                break;
            } else if RAW_TEXT.iter().any(|raw| name.eq_ignore_ascii_case(raw)) {
                match find_end_tag(bytes, tag.end, name) {
                    Some(end_tag) => at = end_tag,
                    None => break,
                }
            }
        } else {
            // A `<` that starts no markup (`a < b`) is text.
            at = lt + 1;
        }
    }
    out.push_str(&html[copied..]);
    out
}

/// Elements whose content is text up to their end tag (markup inside is not markup).
const RAW_TEXT: [&[u8]; 8] = [
    b"script",
    b"style",
    b"textarea",
    b"title",
    b"xmp",
    b"iframe",
    b"noembed",
    b"noframes",
];

/// A tag read by [`scan_tag`].
#[derive(Debug)]
struct Tag {
    /// Where its name is in the input.
    name: std::ops::Range<usize>,
    /// Whether its first `method` attribute is `post` (ASCII case-insensitive).
    posts: bool,
    /// Its non-empty `lvt-form:action` (the value in the input).
    lvt_action: Option<std::ops::Range<usize>>,
    /// Its non-empty `name` (the value in the input).
    form_name: Option<std::ops::Range<usize>>,
    /// Just after its closing `>`.
    end: usize,
}

/// Reads a tag whose name starts at `start` (just after `<` or `</`) up to its closing `>`,
/// stepping over attribute values in single or double quotes. `None` when the input ends
/// first.
fn scan_tag(bytes: &[u8], start: usize) -> Option<Tag> {
    let len = bytes.len();
    let mut at = start;
    while at < len && !is_space(bytes[at]) && !matches!(bytes[at], b'/' | b'>') {
        at += 1;
    }
    let name = start..at;
    let mut method: Option<std::ops::Range<usize>> = None;
    let mut lvt_action: Option<std::ops::Range<usize>> = None;
    let mut form_name: Option<std::ops::Range<usize>> = None;
    loop {
        // Before an attribute name.
        while at < len && (is_space(bytes[at]) || bytes[at] == b'/') {
            at += 1;
        }
        match bytes.get(at) {
            None => return None,
            Some(b'>') => {
                return Some(Tag {
                    name,
                    posts: method.is_some_and(|m| bytes[m].eq_ignore_ascii_case(b"post")),
                    lvt_action: lvt_action.filter(|r| !r.is_empty()),
                    form_name: form_name.filter(|r| !r.is_empty()),
                    end: at + 1,
                });
            }
            Some(_) => {}
        }
        // The attribute's name; a leading `=` belongs to it, as in the HTML tokenizer.
        let attr_start = at;
        at += 1;
        while at < len && !is_space(bytes[at]) && !matches!(bytes[at], b'/' | b'>' | b'=') {
            at += 1;
        }
        let attr = attr_start..at;
        while at < len && is_space(bytes[at]) {
            at += 1;
        }
        let mut value = at..at;
        if bytes.get(at) == Some(&b'=') {
            at += 1;
            while at < len && is_space(bytes[at]) {
                at += 1;
            }
            match bytes.get(at) {
                None => return None,
                Some(&quote @ (b'"' | b'\'')) => {
                    let close = find(bytes, at + 1, &[quote])?;
                    value = at + 1..close;
                    at = close + 1;
                }
                // `a=>`: no value; the `>` ends the tag.
                Some(b'>') => {}
                Some(_) => {
                    let from = at;
                    while at < len && !is_space(bytes[at]) && bytes[at] != b'>' {
                        at += 1;
                    }
                    value = from..at;
                }
            }
        }
        if lvt_action.is_none() && bytes[attr.clone()].eq_ignore_ascii_case(b"lvt-form:action") {
            lvt_action = Some(value.clone());
        } else if form_name.is_none() && bytes[attr.clone()].eq_ignore_ascii_case(b"name") {
            form_name = Some(value.clone());
        }
        if method.is_none() && bytes[attr].eq_ignore_ascii_case(b"method") {
            method = Some(value);
        }
    }
}

/// The position of the `<` of the first `</name` (any case) at or after `from` that ends a
/// raw-text element: followed by whitespace, `/` or `>`.
fn find_end_tag(bytes: &[u8], mut from: usize, name: &[u8]) -> Option<usize> {
    loop {
        let lt = find(bytes, from, b"</")?;
        let after = lt + 2 + name.len();
        let matches = bytes
            .get(lt + 2..after)
            .is_some_and(|candidate| candidate.eq_ignore_ascii_case(name))
            && bytes
                .get(after)
                .is_some_and(|&b| is_space(b) || b == b'/' || b == b'>');
        if matches {
            return Some(lt);
        }
        from = lt + 2;
    }
}

/// The position of the first `needle` in `bytes` at or after `from`.
fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|offset| from + offset)
}

/// HTML whitespace: tab, line feed, form feed, carriage return, space.
fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

/// `text` escaped for HTML text and quoted attribute values: `&`, `<`, `>`, `"` and `'`
/// become character references. For a [`NotFoundPage`](super::NotFoundPage) or a
/// [`PageLayout`] that shows text it did not write.
///
/// ```
/// assert_eq!(livetemplate::server::escape_html("<a href='x'>"), "&lt;a href=&#39;x&#39;&gt;");
/// ```
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// Appends `text` escaped for HTML text and quoted attribute values: `&`, `<`, `>`, `"` and
/// `'` become character references.
pub(crate) fn push_escaped(out: &mut String, text: &str) {
    let mut plain = 0;
    for (at, c) in text.char_indices() {
        let escaped = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[plain..at]);
        out.push_str(escaped);
        plain = at + 1;
    }
    out.push_str(&text[plain..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "tok123";
    const INPUT: &str = r#"<input type="hidden" name="_lvt_csrf" value="tok123">"#;

    fn inject(html: &str) -> String {
        inject_csrf(html, TOKEN)
    }

    #[test]
    fn default_layout_exact() {
        let page = PageParts {
            title: "Cart",
            region: r#"<div data-lvt-id="lvt-1"><h1>Cart</h1></div>"#,
            head: "<meta name=\"csrf-token\" content=\"t\">\n<script src=\"/lvt.js\" defer></script>\n",
        };
        assert_eq!(
            DefaultLayout.render(&page),
            concat!(
                "<!DOCTYPE html>\n",
                "<html lang=\"en\">\n",
                "<head>\n",
                "<meta charset=\"utf-8\">\n",
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
                "<title>Cart</title>\n",
                "<meta name=\"csrf-token\" content=\"t\">\n",
                "<script src=\"/lvt.js\" defer></script>\n",
                "</head>\n",
                "<body>\n",
                "<div data-lvt-id=\"lvt-1\"><h1>Cart</h1></div>\n",
                "</body>\n",
                "</html>\n",
            )
        );
    }

    #[test]
    fn default_layout_escapes_title_only() {
        let page = PageParts {
            title: "</title><script>alert('x')</script> & \"more\"",
            region: "<b>as is</b>",
            head: "<i>as is</i>\n",
        };
        let html = DefaultLayout.render(&page);
        assert!(html.contains(
            "<title>&lt;/title&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;</title>\n"
        ));
        assert!(html.contains("<i>as is</i>\n</head>\n<body>\n<b>as is</b>\n</body>"));
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn closures_are_layouts() {
        let layout =
            |page: &PageParts<'_>| format!("[{}|{}|{}]", page.title, page.head, page.region);
        let boxed: Box<dyn PageLayout> = Box::new(layout);
        let page = PageParts {
            title: "t",
            region: "r",
            head: "h",
        };
        assert_eq!(boxed.render(&page), "[t|h|r]");
        let default: Box<dyn PageLayout> = Box::new(DefaultLayout);
        assert!(default.render(&page).starts_with("<!DOCTYPE html>\n"));
    }

    #[test]
    fn live_region_exact_and_escaped() {
        assert_eq!(
            live_region("lvt-abc", "<p>Hi & bye</p>"),
            r#"<div data-lvt-id="lvt-abc"><p>Hi & bye</p></div>"#
        );
        assert_eq!(
            live_region(r#"x"><script>alert(1)</script><div a='"#, ""),
            r#"<div data-lvt-id="x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;div a=&#39;"></div>"#
        );
        assert_eq!(live_region("", ""), r#"<div data-lvt-id=""></div>"#);
    }

    #[test]
    fn head_exact_and_escaped() {
        assert_eq!(
            head("/_lvt/client.js", "abc-_123"),
            "<meta name=\"csrf-token\" content=\"abc-_123\">\n<script src=\"/_lvt/client.js\" defer></script>\n"
        );
        assert_eq!(
            head("/a.js?x=1&y=\"2\"", "\"><script>&"),
            "<meta name=\"csrf-token\" content=\"&quot;&gt;&lt;script&gt;&amp;\">\n<script src=\"/a.js?x=1&amp;y=&quot;2&quot;\" defer></script>\n"
        );
    }

    #[test]
    fn escaping_keeps_unicode() {
        let mut out = String::new();
        push_escaped(&mut out, "héllo <wörld> & 😀'\"");
        assert_eq!(out, "héllo &lt;wörld&gt; &amp; 😀&#39;&quot;");
        let mut out = String::new();
        push_escaped(&mut out, "");
        assert_eq!(out, "");
    }

    #[test]
    fn injects_into_post_forms() {
        assert_eq!(
            inject(r#"<form method="post" name="save"><input name="title"></form>"#),
            format!(
                r#"<form method="post" name="save">{INPUT}<input type="hidden" name="_lvt_form" value="save"><input name="title"></form>"#
            )
        );
        assert_eq!(
            inject("<FORM METHOD=POST>x</FORM>"),
            format!("<FORM METHOD=POST>{INPUT}x</FORM>")
        );
        assert_eq!(
            inject("<form method='Post'>"),
            format!("<form method='Post'>{INPUT}")
        );
        assert_eq!(
            inject("<form\n  name=\"a\"\n  method = \"post\"\n>"),
            format!(
                "<form\n  name=\"a\"\n  method = \"post\"\n>{INPUT}<input type=\"hidden\" name=\"_lvt_form\" value=\"a\">"
            )
        );
        assert_eq!(
            inject("<form method=post/>"),
            "<form method=post/>".to_owned(),
            "an unquoted value runs up to the `>`: `post/` is not `post`"
        );
        assert_eq!(
            inject(r#"<form method="post"/>"#),
            format!(r#"<form method="post"/>{INPUT}"#)
        );
        assert_eq!(
            inject("<form\tmethod=post action=/x>"),
            format!("<form\tmethod=post action=/x>{INPUT}")
        );
    }

    #[test]
    fn injects_into_every_form_and_keeps_the_rest() {
        let html = concat!(
            "<!DOCTYPE html><h1>Ünïcödé 😀 a < b</h1>",
            "<form method=\"post\" name=\"add\"><button>Add</button></form>",
            "<p>between</p>",
            "<form method=\"post\" name=\"clear\"></form>",
            "<p>after</p>",
        );
        assert_eq!(
            inject(html),
            format!(
                concat!(
                    "<!DOCTYPE html><h1>Ünïcödé 😀 a < b</h1>",
                    "<form method=\"post\" name=\"add\">{0}<input type=\"hidden\" name=\"_lvt_form\" value=\"add\"><button>Add</button></form>",
                    "<p>between</p>",
                    "<form method=\"post\" name=\"clear\">{0}<input type=\"hidden\" name=\"_lvt_form\" value=\"clear\"></form>",
                    "<p>after</p>",
                ),
                INPUT
            )
        );
    }

    #[test]
    fn quoted_gt_and_form_inside_values() {
        assert_eq!(
            inject(r#"<form data-x="a>b" method="post" title='c>d'>"#),
            format!(r#"<form data-x="a>b" method="post" title='c>d'>{INPUT}"#)
        );
        // A `<form` inside another tag's attribute is not a form.
        let html = r#"<div title="<form method=post>" data-y='<form method="post">'>x</div>"#;
        assert_eq!(inject(html), html);
        // Nor inside an end tag's (bogus) attribute.
        let html = r#"</div title="<form method=post>">"#;
        assert_eq!(inject(html), html);
        // `=` inside a quoted value, and a value-less attribute.
        assert_eq!(
            inject(r#"<form novalidate data-q="method=get" method="post">"#),
            format!(r#"<form novalidate data-q="method=get" method="post">{INPUT}"#)
        );
    }

    #[test]
    fn other_tag_names_do_not_match() {
        for html in [
            "<formula method=post>",
            "<form-row method=post>",
            "<forms method=post>",
            "<xform method=post>",
            "<input form=\"f\" formmethod=post>",
            "< form method=post>",
            "text form method=post>",
        ] {
            assert_eq!(inject(html), html, "{html}");
        }
    }

    #[test]
    fn non_post_forms_are_skipped() {
        for html in [
            "<form>",
            "<form name=\"search\">",
            "<form method=\"get\">",
            "<form method=\"GET\">",
            "<form method=\"dialog\">",
            "<form method=\"\">",
            "<form method>",
            "<form method=>",
            "<form method=\" post\">",
            "<form method=\"get\" method=\"post\">",
            "<form method=\"p&#111;st\">",
        ] {
            assert_eq!(inject(html), html, "{html}");
        }
        // The first `method` counts.
        assert_eq!(
            inject(r#"<form method="post" method="get">"#),
            format!(r#"<form method="post" method="get">{INPUT}"#)
        );
    }

    #[test]
    fn comments_and_declarations_are_skipped() {
        for html in [
            "<!-- <form method=\"post\"> -->",
            "<!--<form method=post>-->",
            "<!-- unterminated <form method=post>",
            "<!DOCTYPE <form method=post>",
            "<?xml <form method=post>",
            "<![CDATA[<form method=post>]]>",
        ] {
            assert_eq!(inject(html), html, "{html}");
        }
        // A comment ends at its first `-->`; `<!-->` and `<!--->` are empty comments.
        assert_eq!(
            inject("<!-- a --><form method=post>"),
            format!("<!-- a --><form method=post>{INPUT}")
        );
        assert_eq!(
            inject("<!--><form method=post>"),
            format!("<!--><form method=post>{INPUT}")
        );
        assert_eq!(
            inject("<!---><form method=post>"),
            format!("<!---><form method=post>{INPUT}")
        );
        assert_eq!(
            inject("<!-- x -- y --><form method=post>"),
            format!("<!-- x -- y --><form method=post>{INPUT}")
        );
    }

    #[test]
    fn raw_text_is_skipped() {
        let html = concat!(
            "<script>let s = '<form method=\"post\">';</script>",
            "<style>/* <form method=post> */</style>",
            "<textarea><form method=post></textarea>",
            "<title><form method=post></title>",
            "<SCRIPT type=module>'</scripty><form method=post>'</Script >",
        );
        assert_eq!(inject(html), html);
        // After the raw text ends, forms count again.
        assert_eq!(
            inject("<script>x</script><form method=post>"),
            format!("<script>x</script><form method=post>{INPUT}")
        );
        // A raw-text element that never ends hides the rest.
        let html = "<script>x<form method=post>";
        assert_eq!(inject(html), html);
        let html = "<plaintext><form method=post>";
        assert_eq!(inject(html), html);
        // A no-JavaScript browser renders <noscript> as markup.
        assert_eq!(
            inject("<noscript><form method=post></form></noscript>"),
            format!("<noscript><form method=post>{INPUT}</form></noscript>")
        );
    }

    #[test]
    fn unterminated_tags_stop_the_scan() {
        for html in [
            "<form method=\"post\"",
            "<form method=\"post>",
            "<form method='post",
            "<form method=",
            "<form",
            "<",
            "</",
            "</form",
            "",
        ] {
            assert_eq!(inject(html), html, "{html}");
        }
        // Forms before the broken tag still get the input.
        assert_eq!(
            inject("<form method=post></form><div title=\"x"),
            format!("<form method=post>{INPUT}</form><div title=\"x")
        );
    }

    #[test]
    fn token_is_escaped() {
        assert_eq!(
            inject_csrf("<form method=post>", "\"><script>alert('x')</script>&"),
            concat!(
                "<form method=post><input type=\"hidden\" name=\"_lvt_csrf\" ",
                "value=\"&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;\">"
            )
        );
    }

    #[test]
    fn names_the_form_action_for_plain_posts() {
        // `lvt-form:action` wins over `name` (and over the button: its own field); the value
        // is copied as written; a bare `name` gets the weaker field; forms without either (or
        // with empty values) get only the token.
        assert_eq!(
            inject(r#"<form method="post" name="x" lvt-form:action="a&b">"#),
            format!(
                r#"<form method="post" name="x" lvt-form:action="a&b">{INPUT}<input type="hidden" name="_lvt_action" value="a&b">"#
            )
        );
        assert_eq!(
            inject(r#"<form method="post" lvt-form:action="" name="x">"#),
            format!(
                r#"<form method="post" lvt-form:action="" name="x">{INPUT}<input type="hidden" name="_lvt_form" value="x">"#
            )
        );
        assert_eq!(
            inject(r#"<form method="post" name="">"#),
            format!(r#"<form method="post" name="">{INPUT}"#)
        );
        assert_eq!(
            inject(r#"<form method="post">"#),
            format!(r#"<form method="post">{INPUT}"#)
        );
    }

    #[test]
    fn no_forms_no_change() {
        let html = "<div data-lvt-id=\"lvt-1\"><p>Nothing &amp; nobody</p><img src=x alt=\"<form>\"></div>";
        assert_eq!(inject(html), html);
    }

    #[test]
    fn whole_page() {
        let region = live_region("lvt-9", "<form method=\"post\" name=\"add\"></form>");
        let head = head("/c.js", TOKEN);
        let page = DefaultLayout.render(&PageParts {
            title: "<form method=post>",
            region: &region,
            head: &head,
        });
        let page = inject(&page);
        // Only the real form gets the input: the title is escaped text.
        assert_eq!(page.matches(CSRF_FIELD).count(), 1);
        assert!(page.contains(&format!(
            "<div data-lvt-id=\"lvt-9\"><form method=\"post\" name=\"add\">{INPUT}<input type=\"hidden\" name=\"_lvt_form\" value=\"add\"></form></div>"
        )));
    }
}
