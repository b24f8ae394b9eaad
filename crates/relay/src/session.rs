//! One visitor's socket after `hello`: each frame read, kept, answered.
//!
//! Frames for this socket only (`welcome`, `ack`, `refused`, lists) are returned; anything kept
//! in a conversation goes through the hub to every socket of the visitor, this one included.

use std::sync::Arc;

use flare_core::chat::assistant::{
    Action, Assistant, Audience, Desk as DeskKind, Input, Outcome, Say,
};
use flare_core::chat::protocol::{
    Author, ClientFrame, EntryBody, Identity, Refusal, ServerFrame, TicketCard,
};
use flare_core::providers::servicenow::VaSend;

use crate::config::Site;
use crate::handoff::{va_user, Outgoing, Send};
use crate::ids::{identity_is_vouched, random_token, token_hash};
use crate::store::{Change, Conversation, NewEntry, StoreError, VerifiedUser, Visitor};
use crate::transport::now_ms;
use crate::Relay;

/// The most entries one answer carries; a panel further behind asks again from the last one.
const REPLAY_LIMIT: u32 = 1000;

/// A visitor's open socket.
pub struct Session {
    relay: Arc<Relay>,
    site: Arc<Site>,
    visitor: Visitor,
    locale: String,
}

/// What `hello` said.
pub struct Hello {
    /// The visitor's token from an earlier visit.
    pub visitor: Option<String>,
    /// The host site's word for its signed-in user.
    pub identity: Option<Identity>,
    /// The conversation the panel shows.
    pub conversation: Option<String>,
    /// The last sequence number it saw there.
    pub after: u64,
    /// The visitor's language.
    pub locale: Option<String>,
}

/// A ticket action the assistant asked for, run after the visitor's message is acknowledged.
pub struct Pending {
    conversation: Conversation,
    action: Action,
    correlation_id: String,
    /// The visitor's words that led to it (the hand-off passes them on to the agent).
    words: String,
}

/// What handling a frame came to: frames for this socket now, and maybe an action to run next.
#[derive(Default)]
pub struct Handled {
    /// Frames for this socket.
    pub frames: Vec<ServerFrame>,
    /// Work to do once they are sent ([`Session::finish`]).
    pub pending: Option<Pending>,
}

/// Why a frame could not be handled.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The visitor's frame is refused; the socket stays open.
    #[error("refused: {0:?}")]
    Refused(Refusal, Option<String>),
    /// The store failed; the socket is closed and the panel will resume.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Session {
    /// Answers `hello`: who the visitor is, their conversations, and what they missed.
    pub fn start(
        relay: Arc<Relay>,
        site: Arc<Site>,
        hello: Hello,
    ) -> Result<(Session, ServerFrame, String), SessionError> {
        let (visitor, token) = identify(&relay, &site, &hello)?;
        let session = Session {
            relay,
            site,
            visitor,
            // A language tag, bounded: it only picks the assistant's words.
            locale: hello
                .locale
                .map(|locale| locale.chars().take(16).collect())
                .unwrap_or_else(|| "en".to_owned()),
        };
        let conversation = match hello.conversation {
            Some(id) => session.owned(&id)?,
            None => session.latest_or_new()?,
        };
        let conversations = session.relay.store.summaries(&session.visitor.id)?;
        let welcome = ServerFrame::Welcome {
            visitor: token,
            verified: session.visitor.verified.is_some(),
            conversation: conversation.id.clone(),
            conversations,
        };
        Ok((session, welcome, conversation.id))
    }

    /// The entries of the visitor's conversation after `after`. The socket subscribes to the
    /// hub first and replays second, so nothing published in between is missed (an entry may
    /// come both ways; the panel shows each sequence number once).
    pub fn catch_up(
        &self,
        conversation_id: &str,
        after: u64,
    ) -> Result<Vec<ServerFrame>, SessionError> {
        self.owned(conversation_id)?;
        self.replay(conversation_id, after)
    }

    /// The visitor's id, for the hub.
    pub fn visitor_id(&self) -> &str {
        &self.visitor.id
    }

    /// Handles one frame after `hello`.
    pub fn handle(&mut self, frame: ClientFrame) -> Result<Handled, SessionError> {
        if let ClientFrame::Send {
            conversation,
            client_id,
            text,
            reply,
        } = frame
        {
            return self.send(&conversation, client_id, text, reply);
        }
        self.answer(frame).map(|frames| Handled {
            frames,
            pending: None,
        })
    }

    /// Runs the ticket action `pending` and keeps the assistant's answer to it.
    pub async fn finish(&mut self, pending: Pending) -> Result<(), SessionError> {
        let Pending {
            mut conversation,
            action,
            correlation_id,
            words,
        } = pending;
        self.relay.hub.publish(
            &self.visitor.id,
            ServerFrame::Typing {
                conversation: conversation.id.clone(),
                who: Author::Assistant,
                on: true,
            },
        );
        let (outcome, cards) = crate::actions::perform(
            &self.relay,
            &self.site,
            &mut self.visitor,
            &conversation,
            action,
            &correlation_id,
        )
        .await;
        let says = conversation.assistant.after(&outcome, self.audience());
        let outbound = match outcome {
            Outcome::Queued { .. } => vec![self.outgoing(Send::Agent { text: words })],
            _ => vec![],
        };
        self.say_with(&conversation, says, cards, outbound)?;
        if let (Outcome::Queued { .. }, Some(handoff)) = (outcome, &self.site.handoff) {
            crate::handoff::watch_wait(
                self.relay.clone(),
                conversation.id.clone(),
                handoff.max_wait_secs * 1000,
            );
        }
        self.relay.outbound_ready.notify_one();
        Ok(())
    }

    fn answer(&mut self, frame: ClientFrame) -> Result<Vec<ServerFrame>, SessionError> {
        match frame {
            ClientFrame::Hello { .. } | ClientFrame::Send { .. } => {
                Err(SessionError::Refused(Refusal::HelloFirst, None))
            }
            ClientFrame::Typing { conversation, on } => {
                let conversation = self.owned(&conversation)?;
                if on && conversation.assistant.with_person() {
                    self.tell_typing(&conversation.id);
                }
                Ok(vec![])
            }
            ClientFrame::Open {
                conversation,
                after,
            } => {
                self.owned(&conversation)?;
                self.replay(&conversation, after)
            }
            ClientFrame::NewConversation => {
                let conversation = self.new_conversation()?;
                let summary = self
                    .relay
                    .store
                    .summaries(&self.visitor.id)?
                    .into_iter()
                    .find(|summary| summary.id == conversation.id);
                let mut frames: Vec<ServerFrame> = summary
                    .map(|conversation| ServerFrame::Opened { conversation })
                    .into_iter()
                    .collect();
                frames.extend(self.replay(&conversation.id, 0)?);
                Ok(frames)
            }
            ClientFrame::List => Ok(vec![ServerFrame::Conversations {
                conversations: self.relay.store.summaries(&self.visitor.id)?,
            }]),
            ClientFrame::Seen { conversation, seq } => {
                self.owned(&conversation)?;
                self.relay.store.mark_seen(&conversation, seq)?;
                Ok(vec![])
            }
            ClientFrame::End { conversation } => {
                let mut conversation = self.open_conversation(&conversation)?;
                let bodies = [
                    EntryBody::Ended {
                        by: Author::Visitor,
                    },
                    EntryBody::RatingRequested,
                ]
                .into_iter()
                .map(|body| NewEntry {
                    body,
                    client_id: None,
                })
                .collect();
                let mut outbound = match conversation.assistant.with_person() {
                    true => vec![self.outgoing(Send::End)],
                    false => vec![],
                };
                if let Some(ticket) = conversation.ticket.clone() {
                    outbound.push(self.outgoing(Send::AttachTranscript { ticket }));
                }
                conversation.assistant.back_from_person();
                self.record_with(
                    &conversation.id,
                    bodies,
                    Some(&conversation.assistant),
                    true,
                    outbound,
                )?;
                self.relay.outbound_ready.notify_one();
                Ok(vec![])
            }
            ClientFrame::Rate {
                conversation,
                score,
                comment,
            } => {
                self.owned(&conversation)?;
                self.keep(
                    &conversation,
                    vec![EntryBody::Rated { score, comment }],
                    None,
                    false,
                )?;
                Ok(vec![])
            }
            ClientFrame::Ping => Ok(vec![ServerFrame::Pong]),
        }
    }

    fn send(
        &mut self,
        conversation_id: &str,
        client_id: String,
        text: String,
        reply: Option<String>,
    ) -> Result<Handled, SessionError> {
        let refused = |reason| SessionError::Refused(reason, Some(client_id.clone()));
        let mut conversation = self
            .owned(conversation_id)
            .map_err(|_| refused(Refusal::UnknownConversation))?;
        if conversation.ended {
            return Err(refused(Refusal::Ended));
        }
        let message = NewEntry {
            body: EntryBody::Message {
                author: Author::Visitor,
                text: text.clone(),
                client_id: Some(client_id.clone()),
                quick_replies: vec![],
                cards: vec![],
            },
            client_id: Some(client_id.clone()),
        };
        // With a person, the message goes to them in the same transaction that keeps it.
        let outbound = match conversation.assistant.with_person() {
            true => vec![self.outgoing(Send::Message {
                text: text.clone(),
                client_id: client_id.clone(),
            })],
            false => vec![],
        };
        let forwarded = !outbound.is_empty();
        let kept = self.record_with(&conversation.id, vec![message], None, false, outbound)?;
        if forwarded {
            self.relay.outbound_ready.notify_one();
        }
        let Some(kept) = kept.into_iter().next() else {
            return Ok(Handled::default());
        };
        let ack = ServerFrame::Ack {
            conversation: conversation.id.clone(),
            client_id,
            seq: kept.entry.seq,
        };
        if !kept.fresh || forwarded {
            // A resend of a message already kept (and answered), or one for a person:
            // acknowledge it, only.
            return Ok(Handled {
                frames: vec![ack],
                pending: None,
            });
        }
        let input = match &reply {
            Some(value) => Input::Reply(value),
            None => Input::Text(&text),
        };
        let turn = conversation.assistant.handle(input, self.audience());
        self.say(&conversation, turn.says, vec![])?;
        let pending = turn.action.map(|action| Pending {
            correlation_id: format!("flare-chat-{}-{}", conversation.id, kept.entry.seq),
            conversation,
            action,
            words: text,
        });
        Ok(Handled {
            frames: vec![ack],
            pending,
        })
    }

    /// Keeps the assistant's messages with its new state, the cards on the first one.
    fn say(
        &self,
        conversation: &Conversation,
        says: Vec<Say>,
        cards: Vec<TicketCard>,
    ) -> Result<(), SessionError> {
        self.say_with(conversation, says, cards, vec![])
    }

    /// [`Session::say`], queuing `outbound` for the service desk in the same transaction.
    fn say_with(
        &self,
        conversation: &Conversation,
        says: Vec<Say>,
        cards: Vec<TicketCard>,
        outbound: Vec<String>,
    ) -> Result<(), SessionError> {
        let bodies = crate::actions::assistant_entries(says, cards, &conversation.locale);
        self.record_with(
            &conversation.id,
            bodies,
            Some(&conversation.assistant),
            false,
            outbound,
        )
        .map(drop)
    }

    /// A message for the service desk about this visitor, as the outbound queue keeps it.
    fn outgoing(&self, send: Send) -> String {
        Outgoing::new(&self.site, &self.visitor, send).to_payload()
    }

    /// Tells the agent the visitor types: best effort, not queued (a late "typing" means nothing).
    fn tell_typing(&self, conversation_id: &str) {
        let (Some(desk), Some(handoff)) = (self.relay.desks.get(&self.site.id), &self.site.handoff)
        else {
            return;
        };
        let (desk, user, token) = (
            desk.clone(),
            va_user(&self.visitor),
            handoff
                .instance_token
                .as_ref()
                .map(|token| token.expose().to_owned()),
        );
        let (conversation_id, request_id) = (
            conversation_id.to_owned(),
            format!("flare-typing-{}", crate::ids::random_id()),
        );
        tokio::spawn(async move {
            desk.post_va(
                &request_id,
                &conversation_id,
                &user,
                &VaSend::Typing,
                token.as_deref(),
            )
            .await;
        });
    }

    fn keep(
        &self,
        conversation_id: &str,
        bodies: Vec<EntryBody>,
        assistant: Option<&Assistant>,
        ends: bool,
    ) -> Result<(), SessionError> {
        let entries = bodies
            .into_iter()
            .map(|body| NewEntry {
                body,
                client_id: None,
            })
            .collect();
        self.record(conversation_id, entries, assistant, ends)
            .map(drop)
    }

    /// Keeps entries and tells every socket of the visitor about the new ones.
    fn record(
        &self,
        conversation_id: &str,
        entries: Vec<NewEntry>,
        assistant: Option<&Assistant>,
        ends: bool,
    ) -> Result<Vec<crate::store::Kept>, SessionError> {
        self.record_with(conversation_id, entries, assistant, ends, vec![])
    }

    /// [`Session::record`], with messages for the service desk queued in the same transaction.
    fn record_with(
        &self,
        conversation_id: &str,
        entries: Vec<NewEntry>,
        assistant: Option<&Assistant>,
        ends: bool,
        outbound: Vec<String>,
    ) -> Result<Vec<crate::store::Kept>, SessionError> {
        if entries.is_empty() && assistant.is_none() && !ends && outbound.is_empty() {
            return Ok(vec![]);
        }
        let change = Change {
            conversation_id,
            entries,
            assistant,
            ends,
            outbound,
            once: None,
            now_ms: now_ms(),
        };
        let (kept, _) = self.relay.keep(&self.visitor.id, change)?;
        Ok(kept)
    }

    fn replay(&self, conversation_id: &str, after: u64) -> Result<Vec<ServerFrame>, SessionError> {
        Ok(self
            .relay
            .store
            .entries_after(conversation_id, after, REPLAY_LIMIT)?
            .into_iter()
            .map(|entry| ServerFrame::Entry {
                conversation: conversation_id.to_owned(),
                entry,
            })
            .collect())
    }

    /// The visitor's conversation `id`; another visitor's answers as one that does not exist.
    fn owned(&self, id: &str) -> Result<Conversation, SessionError> {
        match self.relay.store.conversation(id)? {
            Some(conversation) if conversation.visitor_id == self.visitor.id => Ok(conversation),
            _ => Err(SessionError::Refused(Refusal::UnknownConversation, None)),
        }
    }

    fn open_conversation(&self, id: &str) -> Result<Conversation, SessionError> {
        let conversation = self.owned(id)?;
        match conversation.ended {
            true => Err(SessionError::Refused(Refusal::Ended, None)),
            false => Ok(conversation),
        }
    }

    fn latest_or_new(&self) -> Result<Conversation, SessionError> {
        let latest = self
            .relay
            .store
            .summaries(&self.visitor.id)?
            .into_iter()
            .find(|summary| !summary.ended);
        match latest {
            Some(summary) => self.owned(&summary.id),
            None => self.new_conversation(),
        }
    }

    /// A new conversation, opened with the assistant's greeting.
    fn new_conversation(&self) -> Result<Conversation, SessionError> {
        let conversation =
            self.relay
                .store
                .create_conversation(&self.visitor.id, &self.locale, now_ms())?;
        self.say(&conversation, Assistant::greet(self.audience()), vec![])?;
        Ok(conversation)
    }

    fn audience(&self) -> Audience {
        Audience {
            desk: DeskKind::ServiceNow,
            verified: self.visitor.verified.is_some(),
        }
    }
}

/// The visitor `hello` names, and the token the panel keeps for the next time.
fn identify(relay: &Relay, site: &Site, hello: &Hello) -> Result<(Visitor, String), SessionError> {
    let by_token = match &hello.visitor {
        Some(token) => relay
            .store
            .visitor_by_token(&site.id, &token_hash(token))?
            .map(|visitor| (visitor, token.clone())),
        None => None,
    };
    let Some(identity) = &hello.identity else {
        if let Some(known) = by_token {
            return Ok(known);
        }
        let token = random_token();
        let visitor = relay.store.create_visitor(&site.id, &token_hash(&token))?;
        return Ok((visitor, token));
    };
    if !identity_is_vouched(identity, site.identity_secret.expose()) {
        return Err(SessionError::Refused(Refusal::IdentityRejected, None));
    }
    let visitor = relay.store.verified_visitor(
        &site.id,
        &VerifiedUser {
            external_id: identity.id.clone(),
            email: identity.email.clone(),
            name: identity.name.clone(),
        },
    )?;
    let token = match by_token {
        Some((known, token)) if known.id == visitor.id => token,
        _ => {
            let token = random_token();
            relay.store.add_token(&visitor.id, &token_hash(&token))?;
            token
        }
    };
    Ok((visitor, token))
}
