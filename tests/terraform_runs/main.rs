//! Terraform by approval, as people live it: a PR plans in CodeBuild, the card asks the right
//! people, one apply runs exactly the approved plan, and everything odd on the way is refused
//! or explained. Fake Slack, GitHub, CodeBuild and S3; real banto.
//!
//! One story per module; `helpers.rs` holds the world and the steps they share.

mod approval;
mod cost;
mod crash_points;
mod failures;
mod freshness;
mod helpers;
mod locks;
mod merge;
mod policies;
