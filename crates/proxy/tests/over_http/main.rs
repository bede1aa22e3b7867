//! The proxy as a process over real HTTP: local engine, forwarding to each provider's
//! contract-faithful fake, JWT end to end, and the safety rules.

mod common;
mod fakes;
mod forwarding;
mod local_engine;
mod safety;
