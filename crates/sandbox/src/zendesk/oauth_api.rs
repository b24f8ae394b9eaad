//! OAuth routes of the Zendesk account, thin handlers over `crate::zendesk::oauth`:
//!
//! - `GET /oauth/authorizations/new`, where Zendesk sends the user to grant access (the
//!   endpoint flare-core's `OAuthEndpoints::zendesk` names): the shared sign-in and consent page
//!   (`crate::common::oauth_api`), as ServiceNow's `/oauth_auth.do`. It posts to
//!   `POST /oauth/authorizations`, the sandbox's own path (Zendesk's form is not documented).
//!   Sign in with a user's e-mail address and the account's API token `sandbox-token`.
//! - `POST /oauth/tokens`, whose parameters "must be formatted as JSON" (oauth.yml); a form or any
//!   other body is refused with 400 `invalid_request`. Tokens are answered 201, as documented.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use crate::common::datetime;
use crate::common::oauth::{AuthorizationRefusal, AuthorizationRequest, OAuthError};
use crate::common::oauth_api::{
    authorize_page, authorize_submit, AuthorizationEndpoint, ConsentPage, SignIn,
};
use crate::zendesk::auth::{authenticate, Credential};
use crate::zendesk::error::ZendeskError;
use crate::zendesk::oauth::TokenRequest;
use crate::zendesk::wire::json_response;
use crate::zendesk::ZendeskState;

pub(crate) fn routes() -> Router<ZendeskState> {
    Router::new()
        .route(
            "/oauth/authorizations/new",
            get(authorize_page::<ZendeskState>),
        )
        .route(
            "/oauth/authorizations",
            post(authorize_submit::<ZendeskState>),
        )
        .route("/oauth/tokens", post(token))
}

/// A token request read from a JSON body; anything else is refused as `invalid_request`.
struct TokenJson(TokenRequest);

impl AuthorizationEndpoint for ZendeskState {
    const PAGE: ConsentPage = ConsentPage {
        action: "/oauth/authorizations",
        service: "Zendesk",
        user_label: "Email",
        // The wording flare-core's tests quote for a user pressing Deny.
        denied: "The end-user or authorization server denied the request.",
        wrong_credentials: "Invalid email or password",
    };

    fn check_authorization(
        &self,
        request: &AuthorizationRequest,
    ) -> Result<(), AuthorizationRefusal> {
        self.oauth().check_authorization(request)
    }

    /// Signs in with a user's e-mail address and the account's API token.
    fn sign_in(&self, request: &AuthorizationRequest, sign_in: SignIn<'_>) -> Option<String> {
        let credential = Credential::ApiToken {
            email: sign_in.user_name.to_owned(),
            token: sign_in.password.to_owned(),
        };
        let user = authenticate(&self.account(), &credential).ok()?;
        Some(self.oauth().issue_code(request, user.id, sign_in.now))
    }
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
