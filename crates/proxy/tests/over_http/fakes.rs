//! The fake upstreams (crate `kling-expand-fake-upstream`): each provider's documented contract,
//! errors and odd answers included, with faults on demand and a record of what reached them.

pub use fake_upstream::{Call, Expect, FakeUpstream, Fault, FaultKind, Options};
use kling_expand_core::dialect::Dialect;

/// A fake of `provider` whose tasks end at once.
pub async fn start(provider: Dialect, expect: Expect) -> FakeUpstream {
    FakeUpstream::start(Options::new(provider, expect)).await
}
