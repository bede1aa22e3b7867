//! Any answer from any provider: the first byte picks the dialect and the call (create, query,
//! list, or a path for the route allowlist), the next two the HTTP status, the next one whether
//! a Retry-After is given; the rest is the body (or path). Parsing never panics, and what it
//! reads keeps its own promises.
#![no_main]

use kling_expand_core::dialect::Dialect;
use libfuzzer_sys::fuzz_target;

const DIALECTS: [Dialect; 4] = [
    Dialect::Kling,
    Dialect::CometApi,
    Dialect::Kkiai,
    Dialect::Modellix,
];

fuzz_target!(|data: &[u8]| {
    let [pick, high, low, retry, rest @ ..] = data else {
        return;
    };
    let dialect = DIALECTS[usize::from(pick & 3)];
    let status = 100 + u16::from_be_bytes([*high, *low]) % 500;
    let text = String::from_utf8_lossy(rest);
    let retry_after = match retry % 3 {
        0 => None,
        1 => Some("3"),
        _ => Some(text.get(..text.len().min(40)).unwrap_or("")),
    };
    match (pick >> 2) % 4 {
        0 => match dialect.parse_create(status, &text, retry_after) {
            Ok(_) => {}
            Err(error) => {
                let _ = error.to_string();
                let _ = error.create_may_exist();
            }
        },
        1 => match dialect.parse_query(status, &text, retry_after) {
            Ok(snapshot) => {
                // Results come sorted by their index, as the widget shows them.
                assert!(snapshot
                    .images
                    .windows(2)
                    .all(|pair| pair[0].index <= pair[1].index));
            }
            Err(error) => {
                let _ = error.to_string();
            }
        },
        2 => {
            let _ = dialect.parse_list(status, &text, retry_after);
        }
        _ => {
            let method = if retry & 1 == 0 { "GET" } else { "POST" };
            if let Some(route) = dialect.route(method, &text) {
                // A recognised path is rebuilt from the route alone: nothing else passes.
                let _ = format!("{route:?}");
            }
        }
    }
});
