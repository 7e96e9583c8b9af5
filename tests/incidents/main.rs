//! Incidents, as responders live them: declared from a command, a form, a message or an alert;
//! run from their channel; reminded, frozen, resolved; written up as a postmortem draft. Fake
//! Slack and GitHub; the shipped playbooks; real banto.
//!
//! One story per module; `helpers.rs` holds the steps they share.

mod alerts;
mod declare;
mod helpers;
mod lifecycle;
mod postmortems;
