//! The hand-off to ServiceNow's live agents through the VA Bot Integration API.
//!
//! Towards the instance everything goes through the durable outbound queue (`outbound.rs`) as an
//! [`Outgoing`] payload; the instance's replies arrive on `POST /webhooks/va/{site}`, are checked
//! (token header or `x-b2b-signature`), applied once however often they are delivered, and
//! pushed to the visitor.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use flare_core::chat::protocol::{Author, EntryBody, QuickReply, ServerFrame};
use flare_core::providers::servicenow::{parse_va_reply, VaItem, VaReply, VaSend, VaUser};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use flare_core::chat::assistant::{Audience, Desk as DeskKind, Outcome as AssistantOutcome};

use crate::actions::assistant_entries;
use crate::config::{Site, WebhookAuth};
use crate::ids::{hex, same_secret, unhex};
use crate::store::{Change, NewEntry, TicketRef, Visitor};
use crate::transport::now_ms;
use crate::Relay;

/// What one queued message to the instance says, with what sending it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    /// The site whose desk gets it.
    pub site: String,
    /// `userId`.
    pub user_id: String,
    /// `emailId`.
    pub email: Option<String>,
    /// What to send.
    pub send: Send,
}

/// The messages the relay queues for the Virtual Agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Send {
    /// Ask for a person.
    Agent {
        /// The visitor's words.
        text: String,
    },
    /// A visitor's message.
    Message {
        /// The text.
        text: String,
        /// The panel's id for it.
        client_id: String,
    },
    /// A file from the visitor, downloaded by the instance from the relay.
    File {
        /// The relay's id for it.
        id: String,
        /// Its name.
        name: String,
        /// Its type.
        content_type: String,
        /// Where the instance downloads it.
        url: String,
    },
    /// The visitor ended the conversation.
    End,
    /// Agent messages reached the visitor (or could not).
    Delivered {
        /// Their `messageId`s.
        message_ids: Vec<String>,
        /// Whether they did.
        sent: bool,
    },
    /// The conversation ended: its transcript goes onto the ticket filed in it (Attachment API,
    /// not the Virtual Agent).
    AttachTranscript {
        /// The ticket.
        ticket: TicketRef,
    },
}

impl Outgoing {
    /// A message about `visitor` on `site`.
    pub fn new(site: &Site, visitor: &Visitor, send: Send) -> Outgoing {
        let VaUser { user_id, email } = va_user(visitor);
        Outgoing {
            site: site.id.clone(),
            user_id,
            email,
            send,
        }
    }

    /// As the outbound queue keeps it.
    pub fn to_payload(&self) -> String {
        serde_json::to_string(self).expect("an outgoing message always serialises")
    }

    /// Who the instance talks to.
    pub fn va_user(&self) -> VaUser {
        VaUser {
            user_id: self.user_id.clone(),
            email: self.email.clone(),
        }
    }

    /// The message in flare-core's terms, if it is one for the Virtual Agent; `context` routes an
    /// `AGENT` to a queue.
    pub fn va_send(&self, context: &[(String, String)]) -> Option<VaSend> {
        Some(match &self.send {
            Send::Agent { text } => VaSend::Agent {
                text: text.clone(),
                context: context.to_vec(),
            },
            Send::Message { text, client_id } => VaSend::Message {
                text: text.clone(),
                client_message_id: client_id.clone(),
            },
            Send::File {
                id,
                name,
                content_type,
                url,
            } => VaSend::File {
                client_attachment_id: id.clone(),
                content_type: content_type.clone(),
                file_name: name.clone(),
                url: url.clone(),
            },
            Send::End => VaSend::End,
            Send::Delivered { message_ids, sent } => VaSend::Delivered {
                message_ids: message_ids.clone(),
                sent: *sent,
            },
            Send::AttachTranscript { .. } => return None,
        })
    }
}

/// Gives up on finding a person for the conversation once `wait_ms` have passed since it was
/// queued, unless a person joined first.
pub fn watch_wait(relay: Arc<Relay>, conversation_id: String, wait_ms: u64) {
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(wait_ms)).await;
        if let Err(error) = give_up(&relay, &conversation_id, false) {
            tracing::error!(%error, "giving up on a queued conversation failed");
        }
    });
}

/// Sets the waits of a restarted relay again: each conversation still queued for a person gets
/// the rest of its site's limit.
pub fn rearm_waits(relay: &Arc<Relay>) -> Result<(), crate::store::StoreError> {
    let now = now_ms();
    for conversation in relay.store.open_conversations()? {
        let Some(since_ms) = conversation.assistant.waiting_since() else {
            continue;
        };
        let Some(visitor) = relay.store.visitor(&conversation.visitor_id)? else {
            continue;
        };
        let Some(handoff) = relay
            .sites
            .get(&visitor.site)
            .and_then(|site| site.handoff.as_ref())
        else {
            continue;
        };
        let deadline_ms = since_ms + handoff.max_wait_secs * 1000;
        watch_wait(
            relay.clone(),
            conversation.id,
            deadline_ms.saturating_sub(now),
        );
    }
    Ok(())
}

/// Nobody came: if the conversation still waits for a person (and its time is up, or `now`),
/// the instance's queue is told the visitor left and the visitor is offered a ticket instead.
fn give_up(
    relay: &Relay,
    conversation_id: &str,
    now: bool,
) -> Result<(), crate::store::StoreError> {
    let Some(mut conversation) = relay.store.conversation(conversation_id)? else {
        return Ok(());
    };
    let Some(since_ms) = conversation.assistant.waiting_since() else {
        return Ok(());
    };
    let Some(visitor) = relay.store.visitor(&conversation.visitor_id)? else {
        return Ok(());
    };
    let Some(site) = relay.sites.get(&visitor.site) else {
        return Ok(());
    };
    let Some(handoff) = &site.handoff else {
        return Ok(());
    };
    let waited_ms = now_ms().saturating_sub(since_ms);
    if !now && waited_ms < handoff.max_wait_secs * 1000 {
        return Ok(());
    }
    let audience = Audience {
        desk: DeskKind::ServiceNow,
        verified: visitor.verified.is_some(),
    };
    let says = conversation
        .assistant
        .after(&AssistantOutcome::NobodyAvailable, audience);
    let change = Change {
        conversation_id: &conversation.id,
        entries: assistant_entries(says, vec![], &conversation.locale),
        assistant: Some(&conversation.assistant),
        ends: false,
        outbound: vec![Outgoing::new(site, &visitor, Send::End).to_payload()],
        once: None,
        now_ms: now_ms(),
    };
    relay.keep(&visitor.id, change)?;
    relay.outbound_ready.notify_one();
    Ok(())
}

/// Who `visitor` is to the instance: a verified visitor by their email address (how ServiceNow
/// finds its users), an anonymous one by the relay's id for them.
pub fn va_user(visitor: &Visitor) -> VaUser {
    match &visitor.verified {
        Some(user) => VaUser {
            user_id: user.email.clone(),
            email: Some(user.email.clone()),
        },
        None => VaUser {
            user_id: format!("flare-visitor-{}", visitor.id),
            email: None,
        },
    }
}

/// `POST /webhooks/va/{site}`: a reply from the instance.
pub async fn webhook(
    State(relay): State<Arc<Relay>>,
    Path(site_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let Some(site) = relay.sites.get(&site_id).cloned() else {
        return StatusCode::NOT_FOUND;
    };
    let Some(handoff) = &site.handoff else {
        return StatusCode::NOT_FOUND;
    };
    if !authentic(&handoff.webhook, &headers, &body) {
        crate::metrics::Metrics::add(&relay.metrics.webhook_failures);
        tracing::warn!(site = %site.id, "a webhook post failed authentication");
        return StatusCode::UNAUTHORIZED;
    }
    let reply = match parse_va_reply(&body) {
        Ok(reply) => reply,
        Err(error) => {
            crate::metrics::Metrics::add(&relay.metrics.webhook_failures);
            tracing::warn!(%error, "an unreadable webhook post");
            return StatusCode::BAD_REQUEST;
        }
    };
    let key = format!("va:{}", hex(&Sha256::digest(&body)));
    match apply(&relay, &site, &reply, &key) {
        Ok(true) => StatusCode::OK,
        Ok(false) => StatusCode::NOT_FOUND,
        Err(error) => {
            tracing::error!(%error, "keeping a webhook post failed");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

/// Applies a reply to its conversation, once per `key`; false when there is no such
/// conversation on this site.
fn apply(
    relay: &Relay,
    site: &Site,
    reply: &VaReply,
    key: &str,
) -> Result<bool, crate::store::StoreError> {
    let Some(mut conversation) = relay.store.conversation(&reply.client_session_id)? else {
        return Ok(false);
    };
    let Some(visitor) = relay.store.visitor(&conversation.visitor_id)? else {
        return Ok(false);
    };
    if visitor.site != site.id {
        return Ok(false);
    }
    if !conversation.assistant.with_person() {
        // The relay already left this hand-off (the visitor ended it, or nobody came in time):
        // the instance's goodbye to it is not news for the visitor.
        return Ok(true);
    }
    let mut bodies = Vec::new();
    let mut message_ids = Vec::new();
    let mut give_up_later = false;
    for item in &reply.items {
        let (author, text, quick_replies, message_id) = match item {
            VaItem::Text {
                text,
                agent,
                message_id,
            } => (
                agent.as_ref().map(|agent| &agent.name),
                text.clone(),
                vec![],
                message_id,
            ),
            VaItem::Link {
                label,
                url,
                agent,
                message_id,
            } => (
                agent.as_ref().map(|agent| &agent.name),
                format!("{label}: {url}"),
                vec![],
                message_id,
            ),
            VaItem::Image {
                url,
                alt,
                agent,
                message_id,
            } => (
                agent.as_ref().map(|agent| &agent.name),
                format!("{alt} {url}").trim().to_owned(),
                vec![],
                message_id,
            ),
            VaItem::Choices { label, options } => (
                None,
                label.clone(),
                options
                    .iter()
                    .map(|option| QuickReply {
                        label: option.clone(),
                        value: option.clone(),
                    })
                    .collect(),
                &None,
            ),
            VaItem::Wait { seconds } => {
                let too_long = site
                    .handoff
                    .as_ref()
                    .is_some_and(|handoff| u64::from(*seconds) > handoff.max_wait_secs);
                if too_long {
                    give_up_later = true;
                }
                relay.hub.publish(
                    &visitor.id,
                    ServerFrame::Wait {
                        conversation: conversation.id.clone(),
                        seconds: *seconds,
                    },
                );
                continue;
            }
            VaItem::Typing { on } => {
                let name = conversation
                    .assistant
                    .agent()
                    .unwrap_or_default()
                    .to_owned();
                relay.hub.publish(
                    &visitor.id,
                    ServerFrame::Typing {
                        conversation: conversation.id.clone(),
                        who: Author::Agent { name },
                        on: *on,
                    },
                );
                continue;
            }
            VaItem::Other { .. } => continue,
        };
        if text.is_empty() {
            continue;
        }
        let author = match author {
            Some(name) => {
                if conversation.assistant.agent() != Some(name.as_str()) {
                    conversation.assistant.agent_joined(name);
                    bodies.push(EntryBody::AgentJoined {
                        name: name.clone(),
                        avatar: None,
                    });
                }
                Author::Agent { name: name.clone() }
            }
            None => Author::Assistant,
        };
        message_ids.extend(message_id.iter().cloned());
        bodies.push(EntryBody::Message {
            author,
            text,
            client_id: None,
            quick_replies,
            cards: vec![],
        });
    }
    let mut outbound = vec![];
    if reply.completed {
        if let Some(ticket) = &conversation.ticket {
            let ticket = ticket.clone();
            outbound.push(
                Outgoing::new(site, &visitor, Send::AttachTranscript { ticket }).to_payload(),
            );
        }
        let by = match conversation.assistant.agent() {
            Some(name) => Author::Agent {
                name: name.to_owned(),
            },
            None => Author::Assistant,
        };
        bodies.push(EntryBody::Ended { by });
        bodies.push(EntryBody::RatingRequested);
        conversation.assistant.back_from_person();
    }
    let change = Change {
        conversation_id: &conversation.id,
        entries: bodies
            .into_iter()
            .map(|body| NewEntry {
                body,
                client_id: None,
            })
            .collect(),
        assistant: Some(&conversation.assistant),
        ends: reply.completed,
        outbound,
        once: Some(key),
        now_ms: now_ms(),
    };
    let (kept, delivered) = relay.keep(&visitor.id, change)?;
    if !kept.is_empty() && !message_ids.is_empty() && delivered {
        // No client we know of tells the agent their message arrived; this one does.
        let report = Outgoing::new(
            site,
            &visitor,
            Send::Delivered {
                message_ids,
                sent: true,
            },
        );
        relay.keep(
            &visitor.id,
            Change {
                conversation_id: &conversation.id,
                entries: vec![],
                assistant: None,
                ends: false,
                outbound: vec![report.to_payload()],
                once: None,
                now_ms: now_ms(),
            },
        )?;
        relay.outbound_ready.notify_one();
    }
    if give_up_later {
        // The instance expects a longer wait than the site allows: offer the ticket now.
        give_up(relay, &conversation.id, true)?;
    }
    Ok(true)
}

/// Whether the post carries the site's token, or a signature made with its secret.
fn authentic(auth: &WebhookAuth, headers: &HeaderMap, body: &[u8]) -> bool {
    match auth {
        WebhookAuth::Token(token) => headers
            .get("token")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| same_secret(value, token.expose())),
        WebhookAuth::Hmac(secret) => {
            let Some(signature) = headers
                .get("x-b2b-signature")
                .and_then(|value| value.to_str().ok())
                .and_then(|value| unhex(value.trim()))
            else {
                return false;
            };
            let mut mac = Hmac::<Sha1>::new_from_slice(secret.expose().as_bytes())
                .expect("HMAC takes a key of any length");
            mac.update(body);
            mac.verify_slice(&signature).is_ok()
        }
    }
}
