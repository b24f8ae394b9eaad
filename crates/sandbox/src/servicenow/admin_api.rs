//! The sandbox's admin API on the ServiceNow instance (`crate::common::admin_api`): every fault
//! kind, including the instance's `hibernate`; the rate limit as `{"requests_per_hour": 100}`.

use axum::extract::rejection::JsonRejection;
use serde::{Deserialize, Serialize};

use crate::common::admin_api::SandboxAdmin;
use crate::common::datetime::UnixSeconds;
use crate::common::faults::FaultKind;
use crate::servicenow::error::AppError;
use crate::servicenow::AppState;

/// The body of `/sandbox/rate-limit`: requests per hour each user may make, or `null`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct RateLimit {
    requests_per_hour: Option<u32>,
}

impl SandboxAdmin for AppState {
    type Error = AppError;
    type RateLimit = RateLimit;

    fn unreadable_body(rejection: JsonRejection) -> AppError {
        AppError::BadBody(rejection.body_text())
    }

    fn check_fault(_kind: &FaultKind) -> Result<(), AppError> {
        Ok(())
    }

    fn rate_limit(&self) -> RateLimit {
        RateLimit {
            requests_per_hour: self.rate_limiter().requests_per_hour(),
        }
    }

    fn set_rate_limit(&self, limit: &RateLimit) {
        self.rate_limiter().set_limit(limit.requests_per_hour);
    }

    fn expire_tokens(&self, now: UnixSeconds) {
        self.oauth().expire_access_tokens(now);
    }

    fn revoke_tokens(&self) {
        self.oauth().revoke_all();
    }
}
