//! Job statuses in their recorded shape: queued in the reply that starts a bulk job, completed
//! whenever they are asked for.

use serde::Serialize;

use crate::common::datetime;
use crate::zendesk::account::{Job, JobResults};
use crate::zendesk::wire::Renderer;

/// A job status, `job_status`.
#[derive(Serialize)]
pub(crate) struct JobStatusJson<'a> {
    id: &'a str,
    /// Recorded in the 2024 cassettes, not in the 2023 ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    job_type: Option<&'static str>,
    url: String,
    total: Option<usize>,
    progress: Option<usize>,
    status: &'static str,
    message: Option<String>,
    results: Option<&'a JobResults>,
}

impl<'a> Renderer<'a> {
    /// A job as its first reply shows it: queued, nothing done yet (recorded `create_many`).
    pub(crate) fn queued_job(&self, job: &'a Job) -> JobStatusJson<'a> {
        JobStatusJson {
            id: &job.id,
            job_type: job.kind.label(),
            url: self.record_url("job_statuses", &job.id),
            total: job.total,
            progress: None,
            status: "queued",
            message: None,
            results: None,
        }
    }

    /// A job as `GET /job_statuses/{id}` shows it: completed, with results.
    pub(crate) fn completed_job(&self, job: &'a Job) -> JobStatusJson<'a> {
        JobStatusJson {
            progress: job.total,
            status: "completed",
            message: Some(format!(
                "Completed at {} +0000",
                datetime::format(job.completed_at)
            )),
            results: Some(&job.results),
            ..self.queued_job(job)
        }
    }
}
