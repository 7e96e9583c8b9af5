//! How the inbox orders events: interactive ones (a person waiting on a command, click, form
//! or shortcut) go before the backlog of webhooks and message events; events about one thing
//! (one channel's messages, one repository, one build project, one Argo CD app, one alert
//! group) are handled one at a time, in the order they arrived.

use super::Event;

/// Which line an event waits in; the lower goes first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lane {
    Interactive = 0,
    Background = 1,
}

impl Event {
    pub fn lane(&self) -> Lane {
        match self {
            Event::SlashCommand(_)
            | Event::BlockAction(_)
            | Event::ViewSubmission(_)
            | Event::MessageShortcut(_) => Lane::Interactive,
            _ => Lane::Background,
        }
    }

    /// Events with the same key are handled one after the other, oldest first.
    pub fn ordering_key(&self) -> Option<String> {
        match self {
            Event::Message(m) => Some(format!("channel:{}", m.channel)),
            Event::ReactionAdded(r) => Some(format!("channel:{}", r.channel)),
            Event::MessageChanged(m) => Some(format!("channel:{}", m.channel)),
            Event::MessageDeleted(m) => Some(format!("channel:{}", m.channel)),
            Event::PinAdded(p) => Some(format!("channel:{}", p.channel)),
            Event::Github(g) => g.repository.as_ref().map(|r| format!("repo:{r}")),
            Event::CodeBuild(b) => Some(format!("codebuild:{}", b.project)),
            Event::ImagePushed(p) => Some(format!("image:{}", p.image)),
            Event::ArgoCd(n) => Some(format!("argocd:{}", n.app)),
            Event::Alert(a) => Some(format!("alert:{}:{}", a.source.word(), a.group)),
            Event::SlashCommand(_)
            | Event::BlockAction(_)
            | Event::ViewSubmission(_)
            | Event::MessageShortcut(_)
            | Event::Timer(_)
            | Event::Ignored { .. } => None,
        }
    }
}
