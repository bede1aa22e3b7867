//! Any bytes as a picture file: header inspection, the completeness check and the full check
//! never panic, and what they accept keeps the declared limits.
#![no_main]

use kling_expand_core::inspect::{
    check_complete, ends_like_complete, inspect, MAX_DECLARED_PIXELS, MAX_DECLARED_SIDE,
};
use kling_expand_core::validate::check_image_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    match inspect(bytes) {
        Ok(info) => {
            let size = info.size;
            assert!(size.width >= 1 && size.height >= 1);
            assert!(size.width <= MAX_DECLARED_SIDE && size.height <= MAX_DECLARED_SIDE);
            assert!(size.pixels() <= MAX_DECLARED_PIXELS);
            assert!((1..=8).contains(&info.orientation));
            let tail = &bytes[bytes.len().saturating_sub(64)..];
            let _ = ends_like_complete(info.format, tail);
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
    let _ = check_complete(bytes);
    match check_image_bytes(bytes) {
        Ok(info) => assert!(info.format.accepted()),
        Err(problems) => {
            assert!(!problems.is_empty());
            for problem in problems {
                let _ = problem.to_string();
            }
        }
    }
});
