//! Bulk jobs: tickets created, updated and deleted up to 100 at a time, and the job statuses that
//! report them. The sandbox does the work at once and keeps each job completed.

use serde::{Deserialize, Serialize};

use crate::common::datetime::UnixSeconds;
use crate::zendesk::account::{
    check_bulk, require_agent, require_deleter, Account, Actor, Counter, User,
};
use crate::zendesk::error::ZendeskError;
use crate::zendesk::tickets::TicketInput;

/// The account id bulk job results carry, as `account_id`.
const ACCOUNT_ID: u64 = 90_000_001;

/// A bulk job. The sandbox does the work at once; the job reports `queued` in the reply that
/// starts it and `completed` whenever it is asked for, as the recorded jobs end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Job {
    pub(crate) id: String,
    pub(crate) kind: JobKind,
    pub(crate) total: Option<usize>,
    pub(crate) results: JobResults,
    pub(crate) completed_at: UnixSeconds,
}

/// A completed job's `results`, in the recorded shapes and key order. Stored in the same JSON with
/// `--data`: each shape has keys the shapes before it lack, so the untagged form reads back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum JobResults {
    Items(Vec<JobItem>),
    /// `{"success": true}`.
    Done {
        success: bool,
    },
}

/// One item of a job's results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum JobItem {
    /// `{"index", "id", "account_id"}` (recorded `create_many`).
    Created {
        index: usize,
        id: u64,
        account_id: u64,
    },
    /// `{"action", "status", "success", "id"}` (recorded `update_many`).
    Updated {
        action: String,
        status: String,
        success: bool,
        id: u64,
    },
    /// Not recorded: the item as far as known, with the error code and its details.
    Failed {
        #[serde(skip_serializing_if = "Option::is_none")]
        index: Option<usize>,
        #[serde(skip_serializing_if = "Option::is_none")]
        action: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
        success: bool,
        error: String,
        details: String,
    },
}

/// What a bulk job does to tickets, as `job_type` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum JobKind {
    Create,
    Update,
    Destroy,
    DestroyUsers,
    /// Deleting soft-deleted tickets for good.
    Purge,
}

/// Ticket ids for `update_many`: each ticket with its own changes, or one change for many ids
/// (`tickets.yml`, TicketsUpdateMany).
#[derive(Debug, Clone)]
pub(crate) enum BulkUpdate {
    EachOwn(Vec<(u64, TicketInput)>),
    Same(Vec<u64>, Box<TicketInput>),
}

impl JobKind {
    /// The recorded `job_type`: "Bulk Create Ticket" for `create_many`, and "Bulk Update Ticket"
    /// for `destroy_many` (recorded) and `update_many`; "Bulk Update User" for deleting users. The
    /// one recorded permanent delete has none (`TestDeletedTickets.test_permanently_delete`).
    pub(crate) fn label(self) -> Option<&'static str> {
        match self {
            JobKind::Create => Some("Bulk Create Ticket"),
            JobKind::Update | JobKind::Destroy => Some("Bulk Update Ticket"),
            // Recorded for the users' `destroy_many` (`TestUsersPagination`, tear-down).
            JobKind::DestroyUsers => Some("Bulk Update User"),
            JobKind::Purge => None,
        }
    }
}

impl Account {
    /// Creates up to 100 tickets as one job (`tickets.yml`, TicketsCreateMany).
    pub(crate) fn create_many(
        &mut self,
        actor: &Actor,
        inputs: Vec<TicketInput>,
        now: UnixSeconds,
    ) -> Result<&Job, ZendeskError> {
        require_agent(&actor.user)?;
        check_bulk(inputs.len(), "")?;
        let total = inputs.len();
        let results = inputs
            .into_iter()
            .enumerate()
            .map(
                |(index, input)| match self.create_ticket(actor, input, now) {
                    Ok(audit) => JobItem::Created {
                        index,
                        id: audit.ticket_id,
                        account_id: ACCOUNT_ID,
                    },
                    Err(error) => failed_item(Some(index), None, None, &error),
                },
            )
            .collect();
        Ok(self.add_job(
            JobKind::Create,
            Some(total),
            JobResults::Items(results),
            now,
        ))
    }

    /// Updates up to 100 tickets as one job (`tickets.yml`, TicketsUpdateMany).
    pub(crate) fn update_many(
        &mut self,
        actor: &Actor,
        update: BulkUpdate,
        now: UnixSeconds,
    ) -> Result<&Job, ZendeskError> {
        require_agent(&actor.user)?;
        let updates: Vec<(u64, TicketInput)> = match update {
            BulkUpdate::EachOwn(updates) => updates,
            BulkUpdate::Same(ids, input) => {
                ids.into_iter().map(|id| (id, (*input).clone())).collect()
            }
        };
        check_bulk(updates.len(), "")?;
        let total = updates.len();
        let results = updates
            .into_iter()
            .map(
                |(ticket_id, input)| match self.update_ticket(actor, ticket_id, &input, now) {
                    Ok(_) => JobItem::Updated {
                        action: "update".to_owned(),
                        status: "Updated".to_owned(),
                        success: true,
                        id: ticket_id,
                    },
                    Err(error) => failed_item(None, Some("update"), Some(ticket_id), &error),
                },
            )
            .collect();
        Ok(self.add_job(
            JobKind::Update,
            Some(total),
            JobResults::Items(results),
            now,
        ))
    }

    /// Soft-deletes up to 100 tickets as one job (`tickets.yml`, BulkDeleteTickets). Ids that do
    /// not exist are skipped.
    pub(crate) fn destroy_many(
        &mut self,
        caller: &User,
        ticket_ids: &[u64],
        now: UnixSeconds,
    ) -> Result<&Job, ZendeskError> {
        require_deleter(caller)?;
        check_bulk(ticket_ids.len(), "ids")?;
        for ticket_id in ticket_ids {
            self.soft_delete(caller, *ticket_id, now);
        }
        // No destroy job's results are recorded; this is how the recorded deleted-ticket purge
        // job completes.
        Ok(self.add_done_job(JobKind::Destroy, Some(ticket_ids.len()), now))
    }

    pub(crate) fn job(&self, caller: &User, job_id: &str) -> Result<&Job, ZendeskError> {
        require_agent(caller)?;
        self.jobs.get(job_id).ok_or(ZendeskError::RecordNotFound)
    }

    /// A job completed with `{"success": true}`, as jobs without items end.
    pub(in crate::zendesk::account) fn add_done_job(
        &mut self,
        kind: JobKind,
        total: Option<usize>,
        now: UnixSeconds,
    ) -> &Job {
        self.add_job(kind, total, JobResults::Done { success: true }, now)
    }

    fn add_job(
        &mut self,
        kind: JobKind,
        total: Option<usize>,
        results: JobResults,
        now: UnixSeconds,
    ) -> &Job {
        let n_jobs = self.count_one(Counter::NJobs);
        // Recorded job ids are `V3-` and 32 hex digits.
        let id = format!("V3-{:032x}", 0x5a4d_0000_u64 + n_jobs);
        let job = Job {
            id: id.clone(),
            kind,
            total,
            results,
            completed_at: now,
        };
        self.persist(|store| store.put_job(&job));
        self.jobs.entry(id).or_insert(job)
    }
}

/// A failed item of a bulk job. Failed items are not in the recordings; the sandbox reports them
/// with the error body's code and description.
fn failed_item(
    index: Option<usize>,
    action: Option<&'static str>,
    id: Option<u64>,
    error: &ZendeskError,
) -> JobItem {
    let (code, details) = match error {
        ZendeskError::RecordNotFound => ("RecordNotFound", "Not found".to_owned()),
        ZendeskError::RecordInvalid(details) => (
            "RecordInvalid",
            details
                .values()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => ("Failed", other.to_string()),
    };
    JobItem::Failed {
        index,
        action: action.map(str::to_owned),
        id,
        success: false,
        error: code.to_owned(),
        details,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A job reads back from its stored JSON as it was, whichever shape its items have.
    #[test]
    fn jobs_read_back_from_their_json() {
        let items = vec![
            JobItem::Created {
                index: 0,
                id: 13,
                account_id: ACCOUNT_ID,
            },
            JobItem::Updated {
                action: "update".into(),
                status: "Updated".into(),
                success: true,
                id: 13,
            },
            failed_item(Some(1), None, None, &ZendeskError::RecordNotFound),
            failed_item(
                None,
                Some("update"),
                Some(99),
                &ZendeskError::invalid("status", "Status closed prevents ticket update"),
            ),
        ];
        for results in [JobResults::Items(items), JobResults::Done { success: true }] {
            let job = Job {
                id: "V3-0000000000000000000000005a4d0001".into(),
                kind: JobKind::Update,
                total: Some(4),
                results,
                completed_at: 1_704_704_400,
            };
            let json = serde_json::to_string(&job).expect("a job serialises");
            let read: Job = serde_json::from_str(&json).expect("a stored job reads");
            assert_eq!(read, job, "{json}");
        }
    }
}
