//! Never pay twice: a create without a definite answer is an unknown outcome the caller can
//! resolve by external id, a resend finds the first task instead of making a second, `{}` is
//! followed by external id, and result copies serve only links the proxy relayed to their owner.

use kling_expand_core::dialect::{Dialect, ErrorCategory, Refusal, TaskStatus};

use crate::common::*;
use crate::fakes::{self, Call, Expect, Fault, FaultKind};
use crate::forwarding::{open_proxy, request, API_KEY};

const CREATE: &str = "/v1/images/editing/expand";

async fn create(client: &reqwest::Client, proxy: &Proxy, external: &str) -> (u16, String) {
    let answer = client
        .post(proxy.api(CREATE))
        .json(&wire_body(Dialect::Kling, &request(Some(external))))
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_an_unknown_outcome_and_a_resend_makes_no_second_task() {
    let fake = fakes::start(Dialect::Kling, Expect::ApiKey(API_KEY.into())).await;
    let proxy = open_proxy("kling", &fake.base, &[], &[]);
    let client = client();

    for (fault, external) in [
        (FaultKind::Drop, "lost-1"),
        (FaultKind::InternalAfterCreate, "lost-2"),
        (FaultKind::NotJson { status: 502 }, "lost-3"),
    ] {
        let before = fake.task_count();
        fake.add_fault(Fault::once(Call::Create, fault.clone()));
        let (status, text) = create(&client, &proxy, external).await;
        assert_eq!(status, 502, "{fault:?}: {text}");
        let error = Dialect::Kling
            .parse_create(status, &text, None)
            .unwrap_err();
        assert_eq!(error.refusal, Some(Refusal::OutcomeUnknown), "{text}");
        assert!(error.create_may_exist());
        assert!(
            error
                .message
                .contains(&format!("external_task_id \"{external}\""))
                && error.message.contains("before sending it again"),
            "{text}"
        );
        assert!(!text.contains("internal problem"), "{text}");
        assert_eq!(fake.task_count(), before + 1, "the provider made it");
    }

    // Looked up by its external id, the first is found and becomes the caller's…
    let (status, text) = get_text(&client, &proxy.api(&format!("{CREATE}/lost-1"))).await;
    assert_eq!(status, 200, "{text}");
    let found = Dialect::Kling.parse_query(status, &text, None).unwrap();
    assert_eq!(found.external_task_id.as_deref(), Some("lost-1"));
    // …and Retry (the same create again) answers with it instead of making another.
    let before = fake.task_count();
    let (status, text) = create(&client, &proxy, "lost-1").await;
    assert_eq!(status, 200, "{text}");
    let again = Dialect::Kling
        .parse_create(status, &text, None)
        .unwrap()
        .into_task()
        .unwrap();
    assert_eq!(again.task_id, found.task_id);
    // Retry without looking first: the provider refuses the taken id, the proxy finds the task.
    let (status, text) = create(&client, &proxy, "lost-2").await;
    assert_eq!(status, 200, "{text}");
    let second = Dialect::Kling
        .parse_create(status, &text, None)
        .unwrap()
        .into_task()
        .unwrap();
    assert_eq!(second.external_task_id.as_deref(), Some("lost-2"));
    assert_eq!(fake.task_count(), before, "no second paid task");

    // A provider that times out: 504, still unknown.
    let slow = open_proxy("kling", &fake.base, &["--read-timeout", "1s"], &[]);
    fake.add_fault(Fault::once(Call::Create, FaultKind::Slow { ms: 2500 }));
    let (status, text) = create(&client, &slow, "late-1").await;
    assert_eq!(status, 504, "{text}");
    let error = Dialect::Kling
        .parse_create(status, &text, None)
        .unwrap_err();
    assert_eq!(error.refusal, Some(Refusal::OutcomeUnknown));
    assert_eq!(error.category, ErrorCategory::Network);
}

async fn get_text(client: &reqwest::Client, url: &str) -> (u16, String) {
    let answer = client.get(url).send().await.unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

#[tokio::test]
async fn an_empty_create_answer_is_followed_by_external_id() {
    for (provider, name) in [(Dialect::Kkiai, "kkiai"), (Dialect::Kling, "kling")] {
        let fake = fakes::start(provider, Expect::ApiKey(API_KEY.into())).await;
        if provider == Dialect::Kling {
            fake.add_fault(Fault::once(Call::Create, FaultKind::Empty));
        }
        let proxy = open_proxy(name, &fake.base, &[], &[]);
        let client = client();
        let answer = client
            .post(proxy.api(provider.create_path()))
            .json(&wire_body(provider, &request(Some("empty-1"))))
            .send()
            .await
            .unwrap();
        let status = answer.status().as_u16();
        let text = answer.text().await.unwrap();
        assert_eq!(status, 200, "{text}");
        let task = provider
            .parse_create(status, &text, None)
            .unwrap()
            .into_task()
            .unwrap_or_else(|| panic!("{name}: the proxy found the task: {text}"));
        assert_eq!(task.external_task_id.as_deref(), Some("empty-1"));
        assert_eq!(fake.task_count(), 1);
        let (status, text) =
            get_text(&client, &proxy.api(&provider.query_path(&task.task_id))).await;
        assert_eq!(status, 200, "{text}");
        assert_eq!(
            provider.parse_query(status, &text, None).unwrap().status,
            TaskStatus::Succeeded
        );
    }
}

#[tokio::test]
async fn result_copies_serve_only_links_relayed_to_the_tasks_owner() {
    const SECRET: &str = "a-secret-of-at-least-32-bytes-for-tests";
    let fake = fakes::start(Dialect::Kling, Expect::ApiKey(API_KEY.into())).await;
    let dir = temp_dir("copies");
    let args = [
        "--provider",
        "kling",
        "--upstream",
        &fake.base,
        "--data-dir",
        dir.to_str().unwrap(),
        "--allow-private-results",
    ];
    let env = [
        ("KLING_API_KEY", API_KEY),
        ("KLING_EXPAND_TOKEN_SECRET", SECRET),
    ];
    let proxy = Proxy::start(&args, &env);
    let token = |sub: &str| {
        let (code, out, err) = run_to_exit(&["token", "--sub", sub, "--ttl", "10m"], &env);
        assert_eq!(code, 0, "{err}");
        out.trim().to_owned()
    };
    let (alice, bob) = (token("alice"), token("bob"));
    let client = client();
    let answer = client
        .post(proxy.api(CREATE))
        .bearer_auth(&alice)
        .json(&wire_body(Dialect::Kling, &request(Some("pic-1"))))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let task = Dialect::Kling
        .parse_create(200, &answer.text().await.unwrap(), None)
        .unwrap()
        .into_task()
        .unwrap();
    let copy = |index: &str| proxy.api(&format!("/results/{}/{index}", task.task_id));

    // No link was relayed yet: nothing to copy.
    let early = client
        .get(copy("0"))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), 404);
    let answer = client
        .get(proxy.api(&format!("{CREATE}/{}", task.task_id)))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    let done = Dialect::Kling
        .parse_query(200, &answer.text().await.unwrap(), None)
        .unwrap();
    assert!(done.images[0].url.starts_with(fake.results_origin()));

    // The owner gets the picture under the proxy's origin.
    let picture = client
        .get(copy("0"))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    assert_eq!(picture.status(), 200);
    assert_eq!(picture.headers()["content-type"], "image/png");
    let bytes = picture.bytes().await.unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // Not another caller, not an index never relayed, not a watermark never made, and no
    // address from the request.
    for (url, who) in [
        (copy("0"), &bob),
        (copy("7"), &alice),
        (format!("{}?watermarked=1", copy("0")), &alice),
        (
            format!("{}?url=http://127.0.0.1:1/secret.png", copy("9")),
            &alice,
        ),
    ] {
        let answer = client.get(&url).bearer_auth(who).send().await.unwrap();
        assert_eq!(answer.status(), 404, "{url}");
    }
    let anonymous = client.get(copy("0")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);

    // Without --allow-private-results, a link to a loopback address is not fetched.
    drop(proxy);
    let strict = Proxy::start(&args[..args.len() - 1], &env);
    let answer = client
        .get(strict.api(&format!("/results/{}/0", task.task_id)))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 502);
    let text = answer.text().await.unwrap();
    assert!(text.contains("not a public address"), "{text}");
    let _ = std::fs::remove_dir_all(dir);
}
