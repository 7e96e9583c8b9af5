//! Orchestration, one file per capability: read state, call pure domain logic, talk to clients.

pub mod github;
pub mod housekeeping;
pub mod slash;
pub mod terraform;
