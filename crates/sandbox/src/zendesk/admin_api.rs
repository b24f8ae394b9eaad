//! The sandbox's admin API on the Zendesk account (`crate::common::admin_api`): no `hibernate`
//! fault, since an account does not hibernate; the rate limit as `{"requests_per_minute": 5}`,
//! where setting it starts a new window; expiring tokens expires authorization codes too.

use axum::extract::rejection::JsonRejection;
use serde::{Deserialize, Serialize};

use crate::common::admin_api::SandboxAdmin;
use crate::common::datetime::UnixSeconds;
use crate::common::faults::FaultKind;
use crate::zendesk::error::ZendeskError;
use crate::zendesk::ZendeskState;

/// The body of `/sandbox/rate-limit`: API requests the account allows per minute, or `null`.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct RateLimit {
    requests_per_minute: Option<u32>,
}

impl SandboxAdmin for ZendeskState {
    type Error = ZendeskError;
    type RateLimit = RateLimit;

    fn unreadable_body(rejection: JsonRejection) -> ZendeskError {
        ZendeskError::BadRequest(rejection.body_text())
    }

    fn check_fault(kind: &FaultKind) -> Result<(), ZendeskError> {
        crate::zendesk::faults::check_kind(kind)
    }

    fn rate_limit(&self) -> RateLimit {
        RateLimit {
            requests_per_minute: self.rate_limiter().requests_per_minute(),
        }
    }

    fn set_rate_limit(&self, limit: &RateLimit) {
        self.rate_limiter().set_limit(limit.requests_per_minute);
    }

    fn expire_tokens(&self, now: UnixSeconds) {
        self.oauth().expire_now(now);
    }

    fn revoke_tokens(&self) {
        self.oauth().revoke_all();
    }
}
