//! banto: ChatOps for SRE teams. See ARCHITECTURE.md for the code map.

pub mod app;
pub mod clients;
pub mod clock;
pub mod commands;
pub mod config;
pub mod console;
pub mod dispatch;
pub mod doctor;
pub mod domain;
pub mod effects;
pub mod event;
pub mod fake;
pub mod handlers;
pub mod ids;
pub mod inbox;
pub mod locale;
pub mod messages;
pub mod metrics;
pub mod policy;
pub mod redact;
pub mod server;
pub mod socket_mode;
pub mod store;
pub mod timers;
pub mod worker;

/// rustls finds two crypto providers in this dependency graph; pick one before any TLS client.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}
