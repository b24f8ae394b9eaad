//! OAuth routes: `/oauth_auth.do` (a sign-in and consent page, "The instance prompts the end user
//! with a UI page that has Allow and Deny buttons") and `/oauth_token.do` (form-encoded token
//! requests). Thin handlers over `crate::common::oauth`.

use std::collections::HashMap;

use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use crate::common::datetime;
use crate::common::html::escape;
use crate::common::http::percent_encode;
use crate::common::oauth::{
    AuthorizationRefusal, AuthorizationRequest, TokenRefusal, TokenRequest,
};
use crate::servicenow::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/oauth_auth.do", get(authorize_page).post(authorize_submit))
        .route("/oauth_token.do", post(token))
}

/// The fields of the request, carried through the sign-in form.
const REQUEST_FIELDS: [&str; 7] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
];

/// The parts of the sign-in and consent page that differ between the ServiceNow instance and the
/// Zendesk account.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConsentPage {
    /// Where the form posts.
    pub(crate) action: &'static str,
    /// Whose data the client wants ("wants to access your ServiceNow data").
    pub(crate) service: &'static str,
    /// The label of the `user_name` field.
    pub(crate) user_label: &'static str,
}

/// What the ServiceNow sign-in page says and where it posts.
const SERVICENOW_PAGE: ConsentPage = ConsentPage {
    action: "/oauth_auth.do",
    service: "ServiceNow",
    user_label: "User name",
};

async fn authorize_page(
    State(state): State<AppState>,
    Query(request): Query<AuthorizationRequest>,
) -> Response {
    match state.oauth().check_authorization(&request) {
        Ok(()) => Html(sign_in_page(&SERVICENOW_PAGE, &request, None)).into_response(),
        Err(refusal) => refuse(&request, refusal),
    }
}

async fn authorize_submit(
    State(state): State<AppState>,
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
            description: "The end-user denied the request.".to_owned(),
        };
        return refuse(&request, refusal);
    }
    let user = state
        .db()
        .authenticate(&field("user_name"), &field("user_password"));
    let Some(user) = user else {
        let page = sign_in_page(
            &SERVICENOW_PAGE,
            &request,
            Some("User name or password invalid"),
        );
        return (StatusCode::OK, Html(page)).into_response();
    };
    let code = state
        .oauth()
        .issue_code(&request, &user.user_name, datetime::now());
    redirect_back(&request, &[("code", &code)])
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
        // Recorded README: "ServiceNow OAuth bad credentials at /oauth_token.do: 401".
        Err(TokenRefusal::AccessDenied) => json(
            StatusCode::UNAUTHORIZED,
            r#"{"error_description":"access_denied","error":"server_error"}"#.to_owned(),
        ),
        Err(TokenRefusal::Invalid { error, description }) => json(
            StatusCode::BAD_REQUEST,
            serde_json::json!({ "error_description": description, "error": error }).to_string(),
        ),
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

/// The authorization request carried through the sign-in form's hidden fields.
pub(crate) fn authorization_request(form: &HashMap<String, String>) -> AuthorizationRequest {
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    AuthorizationRequest {
        response_type: field("response_type"),
        client_id: field("client_id"),
        redirect_uri: field("redirect_uri"),
        state: field("state"),
        scope: field("scope"),
        code_challenge: field("code_challenge"),
        code_challenge_method: field("code_challenge_method"),
    }
}

/// An error page for a request that cannot be sent back, or a redirect back with the error.
pub(crate) fn refuse(request: &AuthorizationRequest, refusal: AuthorizationRefusal) -> Response {
    match refusal {
        AuthorizationRefusal::Page(message) => {
            let page = format!(
                "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>OAuth error | Flare sandbox</title></head>\
                 <body><main><h1>OAuth error</h1><p role=\"alert\">{}</p></main></body></html>\n",
                escape(&message)
            );
            (StatusCode::BAD_REQUEST, Html(page)).into_response()
        }
        AuthorizationRefusal::Redirect { error, description } => redirect_back(
            request,
            &[("error", error), ("error_description", &description)],
        ),
    }
}

/// Redirects to the client's redirect URI with `params` and the request's `state`.
pub(crate) fn redirect_back(request: &AuthorizationRequest, params: &[(&str, &str)]) -> Response {
    let mut query: Vec<String> = params
        .iter()
        .map(|(name, value)| format!("{name}={}", percent_encode(value)))
        .collect();
    if !request.state.is_empty() {
        query.push(format!("state={}", percent_encode(&request.state)));
    }
    let separator = if request.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    let location = format!("{}{separator}{}", request.redirect_uri, query.join("&"));
    Redirect::to(&location).into_response()
}

/// The sign-in and consent page: real labels and buttons, no script, no inline style.
pub(crate) fn sign_in_page(
    page: &ConsentPage,
    request: &AuthorizationRequest,
    error: Option<&str>,
) -> String {
    let values = [
        &request.response_type,
        &request.client_id,
        &request.redirect_uri,
        &request.state,
        &request.scope,
        &request.code_challenge,
        &request.code_challenge_method,
    ];
    let hidden: String = REQUEST_FIELDS
        .iter()
        .zip(values)
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
                escape(value)
            )
        })
        .collect();
    let alert = match error {
        Some(error) => format!("<p role=\"alert\">{}</p>\n", escape(error)),
        None => String::new(),
    };
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Sign in | Flare sandbox</title></head>\n\
         <body>\n<main>\n<h1>Sign in to the Flare sandbox</h1>\n\
         <p><strong>{client}</strong> wants to access your {service} data.</p>\n{alert}\
         <form method=\"post\" action=\"{action}\">\n{hidden}\
         <p><label for=\"user_name\">{user_label}</label> <input id=\"user_name\" name=\"user_name\" autocomplete=\"username\" required></p>\n\
         <p><label for=\"user_password\">Password</label> <input id=\"user_password\" name=\"user_password\" type=\"password\" autocomplete=\"current-password\" required></p>\n\
         <p><button type=\"submit\" name=\"action\" value=\"allow\">Allow</button>\n\
         <button type=\"submit\" name=\"action\" value=\"deny\" formnovalidate>Deny</button></p>\n\
         </form>\n</main>\n</body>\n</html>\n",
        client = escape(&request.client_id),
        service = page.service,
        action = page.action,
        user_label = page.user_label,
    )
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
