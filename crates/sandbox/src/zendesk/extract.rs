//! Extractors shared by the handlers, each rejecting with a [`ZendeskError`].
//!
//! Zendesk paths may end in `.json` (every recorded call does) or not. Static paths are routed
//! both ways (see `json_route`); an id segment such as `/tickets/4016.json` is read by
//! [`RecordId`], which drops the suffix, since axum's router cannot match a parameter followed by
//! a suffix within one segment.

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::routing::MethodRouter;
use axum::Router;

use crate::zendesk::error::ZendeskError;
use crate::zendesk::ZendeskState;

/// A numeric id from the last path parameter; anything else is "not found", as no record has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordId(pub(crate) u64);

/// The last two numeric path parameters, such as a ticket's and one of its audits'.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ParentAndRecordId(pub(crate) u64, pub(crate) u64);

/// A text id (a job id) from the last path parameter, without `.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TextId(pub(crate) String);

/// The query parameters, in order, decoded.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(pub(crate) Vec<(String, String)>);

impl Params {
    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// A comma-separated list of ids (`ids=1,2,3`); values that are not ids are left out.
    pub(crate) fn ids(&self, name: &str) -> Vec<u64> {
        self.get(name)
            .unwrap_or_default()
            .split(',')
            .filter_map(|id| id.trim().parse().ok())
            .collect()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RecordId {
    type Rejection = ZendeskError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ZendeskError> {
        let TextId(text) = TextId::from_request_parts(parts, state).await?;
        text.parse()
            .map(RecordId)
            .map_err(|_| ZendeskError::RecordNotFound)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ParentAndRecordId {
    type Rejection = ZendeskError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ZendeskError> {
        let values = path_values(parts, state).await?;
        let [.., parent, record] = values.as_slice() else {
            return Err(ZendeskError::RecordNotFound);
        };
        match (parent.parse(), record.parse()) {
            (Ok(parent), Ok(record)) => Ok(ParentAndRecordId(parent, record)),
            _ => Err(ZendeskError::RecordNotFound),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for TextId {
    type Rejection = ZendeskError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ZendeskError> {
        let mut values = path_values(parts, state).await?;
        let id = values.pop().ok_or(ZendeskError::RecordNotFound)?;
        Ok(TextId(id))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ZendeskError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ZendeskError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ZendeskError::BadRequest(rejection.body_text()))?;
        Ok(Params(pairs))
    }
}

/// Routes `path` and `path.json` to the same handlers.
pub(crate) fn json_route(
    router: Router<ZendeskState>,
    path: &str,
    method_router: MethodRouter<ZendeskState>,
) -> Router<ZendeskState> {
    router
        .route(path, method_router.clone())
        .route(&format!("{path}.json"), method_router)
}

/// The values of the path parameters, in order, each without `.json`; a path that cannot be read
/// names no record.
async fn path_values<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
) -> Result<Vec<String>, ZendeskError> {
    let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
        .await
        .map_err(|_| ZendeskError::RecordNotFound)?;
    let values = params
        .into_iter()
        .map(|(_, value)| match value.strip_suffix(".json") {
            Some(id) => id.to_owned(),
            None => value,
        })
        .collect();
    Ok(values)
}
