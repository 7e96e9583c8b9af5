//! Outbound clients: concrete structs, each with an injectable base URL and the shared retry policy.

pub mod aws;
pub mod codebuild;
pub mod github;
pub mod retry;
pub mod s3;
pub mod slack;
pub mod translate;
