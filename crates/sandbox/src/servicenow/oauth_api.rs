//! OAuth routes: `/oauth_auth.do`, the shared sign-in and consent page
//! (`crate::common::oauth_api`), and `/oauth_token.do` (form-encoded token requests), a thin
//! handler over `crate::servicenow::oauth`.

use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use crate::common::datetime;
use crate::common::oauth::{AuthorizationRefusal, AuthorizationRequest, OAuthError};
use crate::common::oauth_api::{
    authorize_page, authorize_submit, AuthorizationEndpoint, ConsentPage, SignIn,
};
use crate::servicenow::oauth::TokenRequest;
use crate::servicenow::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/oauth_auth.do",
            get(authorize_page::<AppState>).post(authorize_submit::<AppState>),
        )
        .route("/oauth_token.do", post(token))
}

impl AuthorizationEndpoint for AppState {
    const PAGE: ConsentPage = ConsentPage {
        action: "/oauth_auth.do",
        service: "ServiceNow",
        user_label: "User name",
        denied: "The end-user denied the request.",
        wrong_credentials: "User name or password invalid",
    };

    fn check_authorization(
        &self,
        request: &AuthorizationRequest,
    ) -> Result<(), AuthorizationRefusal> {
        self.oauth().check_authorization(request)
    }

    fn sign_in(&self, request: &AuthorizationRequest, sign_in: SignIn<'_>) -> Option<String> {
        let user = self
            .db()
            .authenticate(sign_in.user_name, sign_in.password)?;
        Some(
            self.oauth()
                .issue_code(request, &user.user_name, sign_in.now),
        )
    }
}

/// `POST /oauth_token.do` with its parameters form-encoded (the docs' `curl -d`) or in the URL, as
/// `c_OAuthAuthorizationCodeFlow.md` sends them (`oauth_token.do?grant_type=authorization_code&
/// code=...&client_secret=...`). A parameter in both places is read from the URL, as a servlet's
/// `getParameter` reads it. Any other body without URL parameters is refused.
async fn token(
    State(state): State<AppState>,
    Query(query): Query<Vec<(String, String)>>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let pairs = match form {
        Ok(Form(form)) => query.into_iter().chain(form).collect(),
        Err(_) if !query.is_empty() => query,
        Err(_) => {
            return json(
                StatusCode::BAD_REQUEST,
                r#"{"error_description":"The request must be form-encoded (application/x-www-form-urlencoded)","error":"invalid_request"}"#.to_owned(),
            )
        }
    };
    let request = token_request(pairs);
    let db = state.db();
    let check_password =
        |user_name: &str, password: &str| db.authenticate(user_name, password).is_some();
    let reply = state
        .oauth()
        .token(&request, check_password, datetime::now());
    drop(db);
    match reply {
        Ok(reply) => {
            let body =
                serde_json::to_string(&reply).expect("the token reply is strings and a number");
            json(StatusCode::OK, body)
        }
        // Refused credentials of any kind (client, user, code, refresh token, PKCE verifier):
        // recorded README, "ServiceNow OAuth bad credentials at /oauth_token.do: 401".
        Err(OAuthError::InvalidClient | OAuthError::InvalidGrant) => json(
            StatusCode::UNAUTHORIZED,
            r#"{"error_description":"access_denied","error":"server_error"}"#.to_owned(),
        ),
        // RFC 6749 section 5.2 errors for requests that are not credentials problems.
        Err(OAuthError::InvalidRequest(description)) => {
            invalid_request("invalid_request", description)
        }
        Err(OAuthError::UnsupportedGrantType) => {
            invalid_request("unsupported_grant_type", "unsupported grant_type")
        }
    }
}

/// A token request from its parameters; of a repeated parameter, the first counts.
fn token_request(pairs: Vec<(String, String)>) -> TokenRequest {
    let mut fields = serde_json::Map::new();
    for (name, value) in pairs {
        fields
            .entry(name)
            .or_insert(serde_json::Value::String(value));
    }
    serde_json::from_value(serde_json::Value::Object(fields))
        .expect("every token request field is an optional string")
}

fn json(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn invalid_request(error: &str, description: &str) -> Response {
    json(
        StatusCode::BAD_REQUEST,
        serde_json::json!({ "error_description": description, "error": error }).to_string(),
    )
}
