//! What one conversation does with a request: the Virtual Agent talks, hands the chat to the
//! live-agent queue, or ends it; and the Time Out Abandoned B2B Conversations job, which ends
//! conversations left idle.

use serde_json::Value;

use crate::common::datetime::UnixSeconds;
use crate::va::bot::{self, EndChoice, Intent};
use crate::va::conversation::registry::{Conversations, IdGenerator};
use crate::va::conversation::request::{has_attachment, message_text};
use crate::va::conversation::transcript::{EntryKind, Party, ReplyFlags};
use crate::va::conversation::{Conversation, ConversationState, EndReason, HistoryFormat};
use crate::va::wire::{Action, InboundRequest};

/// What the synchronous answer to an inbound request is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SyncReply {
    /// `{"status": "success"}`; replies follow on the webhook.
    Ack,
    /// `UPDATE_MESSAGES` is "a synchronous action irrespective of synchronous/asynchronous
    /// nature of the channel"; it answers "Message Processed Successfully".
    MessagesUpdated,
    /// A synchronous channel answers with the reply itself, the exact JSON that would otherwise
    /// be posted to the response endpoint.
    Reply(String),
}

/// How the channel the request came through is set up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Channel {
    /// The Bot to Bot channel's Synchronous check box
    /// (`virtual-agent-api-enable-synchronous-support.md`).
    pub(crate) synchronous: bool,
    /// The `third_party_chat` custom adapter property
    /// (`va-api-interaction-record-third-party-chat.md`).
    pub(crate) third_party_chat: bool,
    /// The `store_history_as` custom adapter property (`va-api-support-chat-history.md`).
    pub(crate) store_history_as: Option<HistoryFormat>,
    /// `va.bot.to.bot.take.control_times` (`bot2bot.md`): after this many messages in a row the
    /// bot did not understand, control goes back to the primary bot; 0 never hands it back.
    pub(crate) take_control_times: u32,
}

/// The Time Out Abandoned B2B Conversations job (`va-b2b-open-conversation.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IdleTimeout {
    /// `com.glide.cs.b2b_conversation_idle_timeout`: how long a conversation may stay open
    /// "after the requester's last response".
    pub(crate) timeout_secs: i64,
    /// How often the job runs: "This job runs hourly each day".
    pub(crate) job_interval_secs: i64,
}

/// What the Virtual Agent does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::va::conversation) enum Step {
    UpdateMessages,
    VisitorTyping(bool),
    /// Kept in the transcript, nothing said (`SET_USER_TIMEZONE`, a start or a `SWITCH` while an
    /// agent is involved).
    Nothing,
    HistoryAck,
    Create,
    Greet,
    /// The disambiguation picker after the `agent` utterance.
    WhichAgentTopic,
    /// The Bye command's picker.
    OfferToEnd,
    /// Attachments for the bot: it answers once they are downloaded.
    ReceiveFiles,
    AskForAgent,
    NotUnderstood,
    End,
    Fault,
    /// A visitor message while an agent is involved: for the agent's transcript only.
    ToAgent,
}

/// The wait per chat in the queue before any agent accepted one: the documented `StartSpinner`
/// example's "8 Seconds".
const DEFAULT_WAIT_SECS: u64 = 8;

/// How many of the latest accepted chats the wait estimate averages.
const RECENT_WAITS: usize = 10;

impl Conversations {
    /// Applies every run of the Time Out Abandoned B2B Conversations job up to `now`: the job
    /// runs at each whole `job_interval_secs` and "closes any bot-to-bot conversations that have
    /// been idle longer than the specified time" (`va-b2b-open-conversation.md`). Each closed
    /// conversation ends at the run that closed it; the vendor documents no message for it, so
    /// nothing is posted.
    pub(crate) fn close_idle(&mut self, now: UnixSeconds, idle: IdleTimeout) {
        let interval = idle.job_interval_secs.max(1);
        for (conversation_idx, conversation) in self.conversations.iter_mut().enumerate() {
            if conversation.state == ConversationState::Ended || !conversation.bot_to_bot {
                continue;
            }
            let idle_from = conversation.last_request_at();
            // The first run at which the conversation has been idle longer than the timeout.
            let closing_run = (idle_from
                .saturating_add(idle.timeout_secs)
                .div_euclid(interval)
                + 1)
                * interval;
            if closing_run <= now {
                conversation.finish(closing_run, EndReason::IdleTimeout);
                self.unsaved.insert(conversation_idx);
            }
        }
    }

    /// How long a chat joining the live-agent queue now may wait, in seconds. The vendor
    /// documents only how the wait is shown; the sandbox's estimate gives every chat in the queue,
    /// the new one included, the mean wait of the latest accepted chats.
    pub(in crate::va::conversation) fn wait_estimate_secs(&self) -> u64 {
        let recent_waits: Vec<u64> = self
            .conversations
            .iter()
            .rev()
            .filter_map(|conversation| {
                let waited = conversation.accepted_at? - conversation.waiting_since?;
                Some(u64::try_from(waited).unwrap_or(0))
            })
            .take(RECENT_WAITS)
            .collect();
        let n_recent = recent_waits.len() as u64;
        let per_chat = match n_recent {
            0 => DEFAULT_WAIT_SECS,
            _ => (recent_waits.iter().sum::<u64>() + n_recent / 2) / n_recent,
        };
        let n_waiting = self
            .conversations
            .iter()
            .filter(|conversation| conversation.state == ConversationState::Waiting)
            .count() as u64;
        per_chat.max(1) * (n_waiting + 1)
    }
}

impl Conversation {
    /// What the Virtual Agent does with `request`, decided before anything changes.
    pub(in crate::va::conversation) fn step(
        &self,
        request: &InboundRequest,
        action: Option<Action>,
    ) -> Step {
        let with_agent = self.agent_involved();
        match action {
            Some(Action::UpdateMessages) => Step::UpdateMessages,
            Some(Action::Typing) => Step::VisitorTyping(true),
            Some(Action::Viewing) => Step::VisitorTyping(false),
            Some(Action::SetUserTimezone) => Step::Nothing,
            Some(Action::SendHistory) => Step::HistoryAck,
            Some(Action::CreateConversation) => Step::Create,
            Some(Action::StartConversation | Action::StartCreatedConversation) => {
                match (with_agent, self.wants_live_agent_only(request)) {
                    (true, _) => Step::Nothing,
                    (false, true) => Step::AskForAgent,
                    (false, false) => Step::Greet,
                }
            }
            Some(Action::Agent) => Step::AskForAgent,
            // "Only use the SWITCH action for topic switching when the intent discovery happens
            // in the primary bot": while a live agent has the chat no topic runs, so there is
            // nothing to switch. The vendor documents no answer for it; the sandbox records the
            // request and leaves the chat with the agent, as it does a start.
            Some(Action::Switch) if with_agent => Step::Nothing,
            Some(Action::Switch) => {
                let names = [
                    request
                        .intent
                        .as_ref()
                        .and_then(|intent| intent.id.as_deref()),
                    request
                        .topic
                        .as_ref()
                        .and_then(|topic| topic.name.as_deref()),
                    request.topic.as_ref().and_then(|topic| topic.id.as_deref()),
                ];
                match names.into_iter().flatten().any(bot::is_live_agent_topic) {
                    true => Step::AskForAgent,
                    false => Step::NotUnderstood,
                }
            }
            Some(Action::EndConversation) => Step::End,
            Some(Action::FaultConversation) => Step::Fault,
            None if with_agent => Step::ToAgent,
            None if self.wants_live_agent_only(request) => Step::AskForAgent,
            None if has_attachment(request) => Step::ReceiveFiles,
            None => {
                let text = message_text(request).unwrap_or_default();
                let choice = self.offered_end.then(|| bot::end_choice(&text)).flatten();
                match (choice, bot::intent(&text)) {
                    (Some(EndChoice::End), _) => Step::End,
                    (Some(EndChoice::Cancel), _) | (None, Intent::Greet) => Step::Greet,
                    (None, Intent::AskForAgent) => Step::WhichAgentTopic,
                    (None, Intent::Bye) => Step::OfferToEnd,
                    (None, Intent::LiveAgentTopic) => Step::AskForAgent,
                    (None, Intent::NotUnderstood) => Step::NotUnderstood,
                }
            }
        }
    }

    /// Whether the chat should skip the bot: `contextVariables` `live_agent_only` is `"true"`, or
    /// `topic` names the live-agent topic (both in `bot-api.md`'s `contextVariables` example).
    /// The request's own variables count before those kept from earlier requests.
    fn wants_live_agent_only(&self, request: &InboundRequest) -> bool {
        let variable = |name: &str| {
            let from_request = request
                .context_variables
                .as_ref()
                .and_then(|variables| variables.get(name));
            let kept = self
                .context_variables
                .as_ref()
                .and_then(|variables| variables.get(name));
            from_request.or(kept).cloned()
        };
        let live_agent_only = match variable("live_agent_only") {
            Some(Value::Bool(flag)) => flag,
            Some(Value::String(text)) => text.eq_ignore_ascii_case("true"),
            _ => false,
        };
        let live_agent_topic = variable("topic")
            .as_ref()
            .and_then(Value::as_str)
            .is_some_and(|topic| topic == bot::LIVE_AGENT_TOPIC_ID);
        live_agent_only || live_agent_topic
    }

    /// Does `step` for `request`, which is already in the transcript, and says what the request
    /// itself is answered with.
    pub(in crate::va::conversation) fn perform(
        &mut self,
        step: Step,
        ids: &mut IdGenerator,
        request: &InboundRequest,
        now: UnixSeconds,
        wait_secs: u64,
        channel: Channel,
    ) -> SyncReply {
        let bot_talks = matches!(
            step,
            Step::Greet
                | Step::WhichAgentTopic
                | Step::NotUnderstood
                | Step::OfferToEnd
                | Step::ReceiveFiles
        );
        if bot_talks {
            self.state = ConversationState::Bot;
        }
        self.offered_end = step == Step::OfferToEnd;
        let understood = !matches!(
            step,
            Step::NotUnderstood
                | Step::VisitorTyping(_)
                | Step::Nothing
                | Step::HistoryAck
                | Step::UpdateMessages
        );
        if understood {
            self.n_not_understood = 0;
        }
        match step {
            Step::UpdateMessages => {
                self.update_messages(request.message.as_ref());
                return SyncReply::MessagesUpdated;
            }
            Step::VisitorTyping(typing) => self.visitor_typing = typing,
            Step::Nothing => {}
            Step::HistoryAck => {
                let ack = serde_json::json!({"status": "success"});
                self.push_outbound(Party::Bot, EntryKind::HistoryAck, None, None, &ack, now);
            }
            Step::Create => {
                self.state = ConversationState::Created;
                let message_id = ids.next();
                let flags = ReplyFlags {
                    interaction_id: Some(self.interaction.sys_id.clone()),
                    ..ReplyFlags::default()
                };
                let body = vec![bot::conversation_created(
                    &self.id,
                    &self.interaction.sys_id,
                    message_id,
                )];
                self.bot_says(body, &flags, now);
            }
            Step::Greet => self.bot_says(bot::greeting(), &ReplyFlags::default(), now),
            Step::WhichAgentTopic => {
                self.bot_says(bot::which_agent_topic(), &ReplyFlags::default(), now)
            }
            Step::AskForAgent => self.ask_for_agent(now, wait_secs),
            Step::OfferToEnd => self.bot_says(bot::end_picker(), &ReplyFlags::default(), now),
            Step::NotUnderstood => self.not_understood(now, channel.take_control_times),
            Step::End => self.end(Party::Visitor, now),
            Step::Fault => {
                let flags = ReplyFlags {
                    take_control: true,
                    not_understood: true,
                    ..ReplyFlags::default()
                };
                self.bot_says(Vec::new(), &flags, now);
                self.state = ConversationState::Ended;
                self.ended_at = Some(now);
                self.end_reason = Some(EndReason::Fault);
                self.fault_cause = request.cause.clone();
            }
            Step::ToAgent => self.visitor_typing = false,
            Step::ReceiveFiles => {}
        }
        SyncReply::Ack
    }

    /// The user asks for a live agent: the documented stand-by message with `agentChat: true`,
    /// then the wait-time spinner, and the conversation waits in the queue.
    fn ask_for_agent(&mut self, now: UnixSeconds, wait_secs: u64) {
        if self.agent_involved() {
            return;
        }
        self.state = ConversationState::Waiting;
        self.waiting_since = Some(now);
        let flags = ReplyFlags::agent_chat();
        self.bot_says(bot::stand_by(), &flags, now);
        let spinner = self.reply(vec![bot::wait_time_spinner(wait_secs)], &flags);
        self.push_outbound(Party::Bot, EntryKind::WaitTime, None, None, &spinner, now);
    }

    /// The documented answer to attachments, which ends the conversation.
    pub(in crate::va::conversation) fn files_received(&mut self, now: UnixSeconds) {
        let flags = ReplyFlags {
            completed: true,
            ..ReplyFlags::default()
        };
        self.bot_says(bot::files_received(), &flags, now);
        self.finish(now, EndReason::Completed);
    }

    /// The documented reply to what the bot does not understand. In a bot-to-bot conversation
    /// the `take_control_times`-th one in a row also hands control back to the primary bot:
    /// "Number of times that Virtual Agent tries to get a response, after which control is
    /// returned to the primary bot" (`bot2bot.md`), with `takeControl: true` ("the ServiceNow
    /// Virtual Agent wants to hand control back over to the primary bot", `bot-api.md`). The
    /// document does not say what follows; the sandbox keeps the conversation open and counts
    /// again from zero.
    fn not_understood(&mut self, now: UnixSeconds, take_control_times: u32) {
        self.n_not_understood = self.n_not_understood.saturating_add(1);
        let take_control = self.bot_to_bot
            && take_control_times > 0
            && self.n_not_understood >= take_control_times;
        if take_control {
            self.n_not_understood = 0;
        }
        let flags = ReplyFlags {
            not_understood: true,
            take_control,
            ..ReplyFlags::default()
        };
        self.bot_says(bot::not_understood(), &flags, now);
    }

    /// Ends the conversation with the documented message; a conversation that reached the
    /// live-agent queue ends with `completed: true` ("End a Live Agent conversation").
    pub(in crate::va::conversation) fn end(&mut self, by: Party, now: UnixSeconds) {
        let flags = ReplyFlags {
            completed: self.agent_involved(),
            ..ReplyFlags::default()
        };
        let reason = match by {
            Party::Agent => EndReason::Agent,
            Party::Visitor | Party::Bot => EndReason::Visitor,
        };
        self.finish(now, reason);
        let body = bot::conversation_ended();
        self.says(by, EntryKind::ConversationEnded, body, &flags, now);
    }

    /// Marks the conversation ended at `at`; the visitor no longer types.
    fn finish(&mut self, at: UnixSeconds, reason: EndReason) {
        self.state = ConversationState::Ended;
        self.visitor_typing = false;
        self.ended_at = Some(at);
        self.end_reason = Some(reason);
    }
}
