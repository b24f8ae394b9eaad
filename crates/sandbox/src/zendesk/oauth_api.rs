//! OAuth routes of the Zendesk account, thin handlers over `crate::zendesk::oauth`:
//!
//! - `GET /oauth/authorizations/new`, where Zendesk sends the user to grant access (the
//!   endpoint flare-core's `OAuthEndpoints::zendesk` names): a sign-in and consent page with Allow
//!   and Deny, the same page as ServiceNow's `/oauth_auth.do`. It posts to
//!   `POST /oauth/authorizations`, the sandbox's own path (Zendesk's form is not documented).
//!   Sign in with a user's e-mail address and the account's API token `sandbox-token`.
//! - `POST /oauth/tokens`, whose parameters "must be formatted as JSON" (oauth.yml); a form or any
//!   other body is refused with 400 `invalid_request`. Tokens are answered 201, as documented.

use std::collections::HashMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use crate::common::datetime;
use crate::common::oauth::{AuthorizationRefusal, AuthorizationRequest};
use crate::servicenow::oauth_api::{
    authorization_request, redirect_back, refuse, sign_in_page, ConsentPage,
};
use crate::zendesk::auth::{authenticate, Credential};
use crate::zendesk::error::ZendeskError;
use crate::zendesk::oauth::{OAuthError, TokenRequest};
use crate::zendesk::wire::json_response;
use crate::zendesk::ZendeskState;

pub(crate) fn routes() -> Router<ZendeskState> {
    Router::new()
        .route("/oauth/authorizations/new", get(authorize_page))
        .route("/oauth/authorizations", post(authorize_submit))
        .route("/oauth/tokens", post(token))
}

/// What the Zendesk sign-in page says and where it posts.
const ZENDESK_PAGE: ConsentPage = ConsentPage {
    action: "/oauth/authorizations",
    service: "Zendesk",
    user_label: "Email",
};

/// The wording flare-core's tests quote for a user pressing Deny.
const DENIED: &str = "The end-user or authorization server denied the request.";

/// A token request read from a JSON body; anything else is refused as `invalid_request`.
struct TokenJson(TokenRequest);

async fn authorize_page(
    State(state): State<ZendeskState>,
    Query(request): Query<AuthorizationRequest>,
) -> Response {
    match state.oauth().check_authorization(&request) {
        Ok(()) => Html(sign_in_page(&ZENDESK_PAGE, &request, None)).into_response(),
        Err(refusal) => refuse(&request, refusal),
    }
}

async fn authorize_submit(
    State(state): State<ZendeskState>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let request = authorization_request(&form);
    if let Err(refusal) = state.oauth().check_authorization(&request) {
        return refuse(&request, refusal);
    }
    if field("action") != "allow" {
        let refusal = AuthorizationRefusal::Redirect {
            error: "access_denied",
            description: DENIED.to_owned(),
        };
        return refuse(&request, refusal);
    }
    let credential = Credential::ApiToken {
        email: field("user_name"),
        token: field("user_password"),
    };
    let user = authenticate(&state.account(), &credential);
    let Ok(user) = user else {
        let page = sign_in_page(&ZENDESK_PAGE, &request, Some("Invalid email or password"));
        return Html(page).into_response();
    };
    let code = state.oauth().issue_code(&request, user.id, datetime::now());
    redirect_back(&request, &[("code", &code)])
}

/// `POST /oauth/tokens`: 201 with the tokens, `Cache-Control: no-store` as RFC 6749 section 5.1
/// requires of token replies.
async fn token(
    State(state): State<ZendeskState>,
    TokenJson(request): TokenJson,
) -> Result<Response, ZendeskError> {
    let reply = state
        .oauth()
        .exchange(&request, datetime::now())
        .map_err(ZendeskError::OAuth)?;
    let mut response = json_response(StatusCode::CREATED, &reply);
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(response)
}

impl<S: Send + Sync> FromRequest<S> for TokenJson {
    type Rejection = ZendeskError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ZendeskError> {
        let refusal = |description| ZendeskError::OAuth(OAuthError::InvalidRequest(description));
        match axum::Json::<TokenRequest>::from_request(request, state).await {
            Ok(axum::Json(request)) => Ok(TokenJson(request)),
            Err(JsonRejection::JsonDataError(_)) => {
                Err(refusal("a parameter has a value of the wrong type"))
            }
            Err(_) => Err(refusal("the parameters must be formatted as JSON")),
        }
    }
}
