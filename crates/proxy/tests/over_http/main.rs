//! The proxy as a process over real HTTP: local engine, forwarding to each provider's
//! contract-faithful fake, JWT end to end, and the safety rules.

mod access;
mod bad_pictures;
mod common;
mod distrust;
mod fakes;
mod forwarding;
mod live;
mod local_engine;
mod never_pay_twice;
mod safety;
mod transport;
