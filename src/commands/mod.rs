//! Slash-command grammar, one module per capability. Help is generated from these enums
//! through exhaustive matches, so a new command cannot be added without its usage and
//! description.

mod banto;
mod deploy;
mod incident;
mod terraform;

pub use banto::{BantoCommand, UnknownInput, parse_banto};
pub use deploy::{DeployCommand, parse_deploy};
pub use incident::{IncidentCommand, parse_incident};
pub use terraform::{TfCommand, parse_tf};

/// Every slash command banto registers with Slack (the app manifest is checked against this).
pub const SLASH_COMMANDS: &[&str] = &[
    "/banto",
    "/tf",
    "/deploy",
    "/promote",
    "/rollback",
    "/incident",
    "/translate",
];

/// Input that does not parse: what was wrong and the usage to show.
#[derive(Debug, PartialEq, Eq)]
pub struct Usage {
    pub input: String,
    pub usage: &'static str,
}
