//! Any bytes as a create body: the proxy's one check of creates (`create_body::read_create`,
//! what the API runs before any backend sees a body) answers 400 (code 1200 or 1201) with a
//! sentence, or gives a request the core's validation accepts. Never a panic, never a 5xx.
#![no_main]

use kling_expand_proxy::create_body::read_create;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    match read_create(bytes.to_vec()) {
        Ok(checked) => {
            assert_eq!(checked.request.validate(), Ok(()));
            // The engine keeps the decoded picture, not its text.
            let kept = checked.without_base64();
            assert!(matches!(
                kept.request.image,
                kling_expand_core::validate::ImageSource::Url(_)
            ) || kept.picture.is_some());
        }
        Err(failure) => {
            assert_eq!(failure.status.as_u16(), 400);
            assert!(failure.code == 1200 || failure.code == 1201);
            assert!(!failure.message.is_empty());
        }
    }
});
