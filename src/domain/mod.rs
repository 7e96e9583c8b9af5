//! Pure domain logic: no IO, no clocks, no clients. Unit-tested where it lives.

pub mod approval;
pub mod audit;
pub mod card;
pub mod changes;
pub mod cost;
pub mod deploy;
pub mod drift;
pub mod freeze;
pub mod glob;
pub mod hold;
pub mod incident;
pub mod mask;
pub mod plan;
pub mod policy;
pub mod postmortem;
pub mod slack_limits;
pub mod tag_policy;
pub mod tf_run;
pub mod translate;
pub mod url_path;
pub mod yaml_edit;
