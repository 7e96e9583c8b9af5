//! Slash commands: parse, answer through the command's `response_url`.

use crate::app::App;
use crate::commands::{self, BantoCommand};
use crate::event::SlashCommand;
use crate::messages::{self, Message};
use crate::store::Queue;

pub async fn handle(app: &App, cmd: SlashCommand) -> anyhow::Result<()> {
    let locale = app.locale_for(&cmd.user, Some(&cmd.channel)).await;
    let text = match cmd.command.as_str() {
        "/tf" => super::terraform::command(app, &cmd).await?.render(locale),
        "/deploy" | "/promote" | "/rollback" => {
            super::deploy::command(app, &cmd).await?.render(locale)
        }
        "/incident" => super::incident::command(app, &cmd).await?.render(locale),
        "/translate" => super::translate::command(app, &cmd.channel, &cmd.text)
            .await?
            .render(locale),
        "/banto" => match commands::parse_banto(&cmd.text) {
            Ok(BantoCommand::Help) => messages::Help::new().render(locale),
            Ok(BantoCommand::Ping) => {
                let c = app.store.counts(Queue::Inbox).await?;
                messages::Pong {
                    // This command's own row is still pending while it is being answered.
                    pending: (c.pending - 1).max(0),
                    parked: c.parked,
                }
                .render(locale)
            }
            Err(unknown) => messages::UnknownInput {
                command: cmd.command.clone(),
                input: unknown.input,
                suggestion: unknown.suggestion,
            }
            .render(locale),
        },
        other => messages::UnknownCommand {
            command: other.to_owned(),
        }
        .render(locale),
    };
    if text.is_empty() {
        // A form opened instead of an answer.
        return Ok(());
    }
    let (url, channel) = (Some(cmd.response_url.as_str()), Some(&cmd.channel));
    super::reply(app, url, channel, &cmd.user, text).await
}
