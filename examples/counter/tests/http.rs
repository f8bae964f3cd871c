//! The counter served over real sockets: the page loads, and a plain form POST (no
//! JavaScript) increments the count and redirects back.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Sends one HTTP/1.1 request and returns the whole response.
async fn request(port: u16, head: &str, body: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    let request = format!(
        "{head}\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    Ok(response)
}

fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    response
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
}

/// The value of `<input type="hidden" name="_lvt_csrf" value="…">` in a page.
fn csrf(page: &str) -> Option<&str> {
    let start = page.find("name=\"_lvt_csrf\" value=\"")? + "name=\"_lvt_csrf\" value=\"".len();
    page[start..].split('"').next()
}

#[tokio::test]
async fn form_post_increments_and_redirects() -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(livetemplate::serve_listener(
        listener,
        counter::router(),
        async {
            let _ = stopped.await;
        },
    ));

    let page =
        tokio::time::timeout(Duration::from_secs(5), request(port, "GET / HTTP/1.1", "")).await??;
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("<output>0</output>"), "{page}");
    let cookie = header(&page, "set-cookie")
        .and_then(|c| c.split(';').next())
        .ok_or("no cookie")?;
    let token = csrf(&page).ok_or("no CSRF token in the page")?;

    let post = format!(
        "POST / HTTP/1.1\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded"
    );
    let body = format!("_lvt_csrf={token}&increment=");
    let answer =
        tokio::time::timeout(Duration::from_secs(5), request(port, &post, &body)).await??;
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    assert_eq!(header(&answer, "location"), Some("/"));

    let again = format!("GET / HTTP/1.1\r\nCookie: {cookie}");
    let page = tokio::time::timeout(Duration::from_secs(5), request(port, &again, "")).await??;
    assert!(page.contains("<output>1</output>"), "{page}");

    // Without the token the POST is refused and nothing changes.
    let forged =
        tokio::time::timeout(Duration::from_secs(5), request(port, &post, "increment=")).await??;
    assert!(forged.starts_with("HTTP/1.1 403"), "{forged}");

    let missing = tokio::time::timeout(
        Duration::from_secs(5),
        request(port, "GET /nope HTTP/1.1", ""),
    )
    .await??;
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");

    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(5), server).await???;
    Ok(())
}
