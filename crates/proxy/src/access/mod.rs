//! Who may spend the credits: access tokens, spending limits, client addresses.

pub mod client;
pub mod quota;
pub mod token;
