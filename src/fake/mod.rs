//! The fake world banto's tests and console run against: Slack's Web API with state, and a
//! scenario harness that drives banto's real HTTP router with signed requests.

pub mod aws_side;
pub mod codebuild;
pub mod corpus;
pub mod crash;
pub mod database;
pub mod github;
pub mod github_git;
pub mod github_issues;
pub mod latency;
pub mod plans;
pub mod s3;
pub mod slack;
pub mod translate;
pub mod world;
