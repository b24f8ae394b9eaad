//! Tickets' changes told in the conversations that filed or showed them.
//!
//! Seed 002: "build your integration to work without webhooks first (polling)". Each site's
//! followed tickets are looked at every `poll_secs` by an updated-since watermark (flare-core's
//! `sync::Watch`, the same rules the extension follows); a customer whose admin adds the business
//! rule of `crates/relay/README.md` posts each change to `/webhooks/tickets/{site}`, which has
//! the site looked at at once. Only public comments by someone else than the relay's own user,
//! and state changes, are told; work notes never reach a visitor.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use flare_core::chat::phrases::Phrase;
use flare_core::error::CoreError;
use flare_core::providers::servicenow::Table;
use flare_core::query::{Condition, EncodedQuery, Operator};
use flare_core::sync::{Change as TicketChange, Findings, Watch};
use tokio::sync::Notify;

use crate::actions::assistant_message;
use crate::store::{Change, StoreError, TicketRef};
use crate::transport::now_ms;
use crate::Relay;

/// The most tickets one look asks about at once.
const CHUNK: usize = 100;

/// The most journal entries one look reads.
const JOURNAL_LIMIT: u32 = 1000;

/// Wakes a site's poller early (the ticket webhook).
#[derive(Default)]
pub struct Pokes(std::sync::Mutex<HashMap<String, Arc<Notify>>>);

/// Why a look at a site's tickets failed; the next one tries again.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    /// The service desk failed.
    #[error(transparent)]
    Desk(#[from] CoreError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Looks at each site's followed tickets on its interval (or when poked) until the process ends.
pub fn spawn_all(relay: &Arc<Relay>) {
    for site in relay.sites.values() {
        let (relay, site_id, every) = (relay.clone(), site.id.clone(), site.desk.poll_secs);
        let poke = relay.follow_pokes.get(&site_id);
        tokio::spawn(async move {
            loop {
                let wait = async {
                    match every {
                        0 => std::future::pending().await,
                        secs => tokio::time::sleep(Duration::from_secs(secs)).await,
                    }
                };
                tokio::select! {
                    () = wait => {}
                    () = poke.notified() => {}
                }
                if let Err(error) = look(&relay, &site_id).await {
                    tracing::warn!(%error, site = %site_id, "looking at followed tickets failed");
                }
            }
        });
    }
}

/// `POST /webhooks/tickets/{site}`: the customer's business rule says a ticket changed.
pub async fn webhook(
    State(relay): State<Arc<Relay>>,
    Path(site_id): Path<String>,
    headers: HeaderMap,
) -> StatusCode {
    let Some(site) = relay.sites.get(&site_id) else {
        return StatusCode::NOT_FOUND;
    };
    let Some(token) = &site.desk.ticket_webhook_token else {
        return StatusCode::NOT_FOUND;
    };
    let given = headers.get("token").and_then(|value| value.to_str().ok());
    if !given.is_some_and(|given| crate::ids::same_secret(given, token.expose())) {
        crate::metrics::Metrics::add(&relay.metrics.webhook_failures);
        return StatusCode::UNAUTHORIZED;
    }
    // The payload only says which ticket; the look reads what changed, by watermark, so a rule
    // firing twice or out of order tells nothing twice.
    relay.follow_pokes.get(&site_id).notify_one();
    StatusCode::NO_CONTENT
}

impl Pokes {
    /// The site's wake-up.
    pub fn get(&self, site: &str) -> Arc<Notify> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(site.to_owned())
            .or_default()
            .clone()
    }
}

/// One look at `site`'s followed tickets: what changed since the watermark, told in the
/// conversations that follow each ticket.
async fn look(relay: &Relay, site_id: &str) -> Result<(), FollowError> {
    let followed = relay.store.followed(site_id)?;
    if followed.is_empty() {
        return Ok(());
    }
    let Some(desk) = relay.desks.get(site_id) else {
        return Ok(());
    };
    let mut watch: Watch = relay
        .store
        .watch(site_id)?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let since = watch.since();
    let mut by_table: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (_, ticket) in &followed {
        let ids = by_table.entry(ticket.table.clone()).or_default();
        if !ids.contains(&ticket.sys_id) {
            ids.push(ticket.sys_id.clone());
        }
    }
    let signed = desk.signed_in().await?;
    let mut findings = Findings::default();
    for (table_name, ids) in &by_table {
        let Some(table) = Table::from_name(table_name) else {
            continue;
        };
        // A ticket the watch has not seen yet (just followed) is read whatever its last change,
        // so that its state is known before it changes; the others only when they changed.
        let (known, new): (Vec<String>, Vec<String>) = ids
            .iter()
            .cloned()
            .partition(|id| watch.known.contains_key(id));
        for (ids, since) in [(known, since), (new, None)] {
            for chunk in ids.chunks(CHUNK) {
                let tickets = changed_tickets(desk, &signed, table, chunk, since).await?;
                findings.tickets.extend(tickets);
            }
        }
    }
    if let (Some(since), false) = (since, findings.tickets.is_empty()) {
        let changed: Vec<String> = findings
            .tickets
            .iter()
            .map(|ticket| ticket.id.clone())
            .collect();
        let request = signed
            .servicenow()
            .journal_since_request(&changed, since, JOURNAL_LIMIT);
        let response = desk.fetch(&signed, request).await?;
        findings.comments = signed.servicenow().parse_journal_by_ticket(&response)?;
    }
    let me = desk.me().await?;
    let changes = watch.apply(findings, &me);
    // The badge count is the extension's; the relay tells each change once, in the chat.
    watch.mark_all_seen();
    for mut change in changes {
        // The journal names its author by user name; people know each other by name.
        if let TicketChange::Commented {
            author: Some(author),
            ..
        } = &mut change
        {
            *author = desk.display_name(author).await;
        }
        tell(relay, &followed, &change)?;
    }
    let text = serde_json::to_string(&watch).expect("a watch always serialises");
    relay.store.set_watch(site_id, &text)?;
    Ok(())
}

/// The tickets of `ids` in `table` changed after `since` (all of them without it).
async fn changed_tickets(
    desk: &crate::desk::Desk,
    signed: &crate::desk::SignedIn,
    table: Table,
    ids: &[String],
    since: Option<flare_core::ticket::Timestamp>,
) -> Result<Vec<flare_core::ticket::Ticket>, FollowError> {
    let mut query =
        EncodedQuery::default().and(Condition::new("sys_id", Operator::In, &ids.join(",")));
    if let Some(since) = since {
        query = query.and(Condition::new(
            "sys_updated_on",
            Operator::GreaterThan,
            &since.to_servicenow(),
        ));
    }
    let request = signed
        .servicenow()
        .list_request(table, &query.to_string(), CHUNK as u32, 0);
    let response = desk.fetch(signed, request).await?;
    Ok(signed
        .servicenow()
        .parse_ticket_page(table, &response, CHUNK as u32, 0)?
        .items)
}

/// Tells `change` in every conversation following its ticket.
fn tell(
    relay: &Relay,
    followed: &[(String, TicketRef)],
    change: &TicketChange,
) -> Result<(), StoreError> {
    for (conversation_id, _) in followed
        .iter()
        .filter(|(_, ticket)| ticket.sys_id == change.ticket_id())
    {
        let Some(conversation) = relay.store.conversation(conversation_id)? else {
            continue;
        };
        let phrase = match change {
            TicketChange::StateChanged {
                reference, status, ..
            } => Phrase::TicketMoved {
                number: reference.clone(),
                state: status.clone(),
            },
            TicketChange::Commented {
                reference,
                author,
                body,
                ..
            } => Phrase::TicketCommented {
                number: reference.clone(),
                author: author.clone(),
                text: body.clone(),
            },
        };
        let entry = assistant_message(&phrase, &conversation.locale);
        relay.keep(
            &conversation.visitor_id,
            Change {
                conversation_id,
                entries: vec![entry],
                assistant: None,
                ends: false,
                outbound: vec![],
                once: None,
                now_ms: now_ms(),
            },
        )?;
    }
    Ok(())
}
