//! GitOps deploys, as people live them: a tag bump becomes a pull request on the GitOps repo,
//! staging merges itself, production waits for the right people, and a bump that would clobber
//! someone else's change, land in a freeze, or undo a rollback is refused and explained. Fake
//! Slack and GitHub (with real git semantics: blob SHAs, refs, PRs, merges); real banto. The
//! GitOps files are real Argo CD example manifests from `../shared/corpus/gitops`.
//!
//! One story per module; `helpers.rs` holds the world and the steps they share.

mod approval;
mod automation;
mod crash_points;
mod helpers;
mod incidents;
mod interrupted;
mod moves;
