//! The upstream distrusted: only JSON answers of bounded size are relayed; API answers cannot
//! be sniffed, run or framed; the widget's page runs only its own code.

use kling_expand_core::dialect::Dialect;

use crate::common::*;
use crate::fakes::{self, Call, Expect, Fault, FaultKind};
use crate::forwarding::{open_proxy, request, API_KEY};

const CREATE: &str = "/v1/images/editing/expand";

#[tokio::test]
async fn only_json_answers_of_bounded_size_are_relayed() {
    let fake = fakes::start(Dialect::Kling, Expect::ApiKey(API_KEY.into())).await;
    let proxy = open_proxy("kling", &fake.base, &[], &[]);
    let client = client();
    let mut seen = Seen::default();
    let (status, _, text) = seen
        .send(
            client
                .post(proxy.api(CREATE))
                .json(&wire_body(Dialect::Kling, &request(Some("d-1")))),
        )
        .await;
    assert_eq!(status, 200, "{text}");
    let query = proxy.api(&format!("{CREATE}/d-1"));
    for (fault, needle) in [
        (
            FaultKind::NotJson { status: 200 },
            "text/html instead of JSON",
        ),
        (
            FaultKind::Oversize {
                bytes: 5 * 1024 * 1024,
            },
            "larger than",
        ),
    ] {
        fake.add_fault(Fault::once(Call::Query, fault));
        let (status, headers, text) = seen.send(client.get(&query)).await;
        assert_eq!(status, 502);
        assert_eq!(headers["content-type"], "application/json");
        assert!(text.contains(needle), "{text}");
        assert!(
            !text.contains("<html>"),
            "nothing of the page is relayed: {text}"
        );
    }
    // The next answer is normal again.
    let (status, body) = get_json(&client, &query).await;
    assert_eq!(status, 200, "{body}");

    // Every API answer: no sniffing, nothing runs or frames it.
    let (_, headers, _) = seen.send(client.get(&query)).await;
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("sandbox"),
        "{csp}"
    );
    let (_, missing, _) = seen.send(client.get(proxy.api("/nope"))).await;
    assert!(missing.contains_key("content-security-policy"));

    // Refusing a faulty upstream's answer says why without the key, in the answer or the log.
    let output = proxy.stop();
    seen.assert_clean(&output, &[API_KEY]);
}

#[tokio::test]
async fn the_widgets_page_runs_under_the_strict_policy_and_is_framed_only_by_itself() {
    let site = temp_dir("csp-site");
    std::fs::write(
        site.join("index.html"),
        "<!doctype html><script type=module src=/loader.js></script>",
    )
    .unwrap();
    let data = temp_dir("csp-data");
    let proxy = Proxy::start(
        &[
            "--static",
            site.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &[],
    );
    let page = client()
        .get(format!("{}/", proxy.url))
        .send()
        .await
        .unwrap();
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.split(' ').next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} in {csp}"))
            .to_owned()
    };
    assert_eq!(directive("default-src"), "default-src 'self'");
    // Its own scripts and WebAssembly; nothing inline, nothing evaluated.
    assert_eq!(
        directive("script-src"),
        "script-src 'self' 'wasm-unsafe-eval'"
    );
    // Its own stylesheets; no style attribute.
    assert_eq!(directive("style-src"), "style-src 'self'");
    assert_eq!(directive("connect-src"), "connect-src 'self'");
    assert!(
        directive("img-src").starts_with("img-src 'self' blob: data:"),
        "{csp}"
    );
    assert_eq!(directive("frame-ancestors"), "frame-ancestors 'self'");
    assert!(page.headers().contains_key("referrer-policy"));
}
