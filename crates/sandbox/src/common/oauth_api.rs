//! The authorization endpoint of every server: a sign-in and consent page with Allow and Deny ("The
//! instance prompts the end user with a UI page that has Allow and Deny buttons",
//! `c_OAuthAuthorizationCodeFlow.md`), and the redirect back to the client with a code or an
//! error. Each server routes [`authorize_page`] and [`authorize_submit`] at its own paths and signs
//! users in its own way ([`AuthorizationEndpoint`]); the token endpoints differ too much to share.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;

use crate::common::datetime::{self, UnixSeconds};
use crate::common::html::escape;
use crate::common::http::percent_encode;
use crate::common::oauth::{AuthorizationRefusal, AuthorizationRequest};

/// A server's state, as its authorization endpoint needs it.
pub(crate) trait AuthorizationEndpoint: Clone + Send + Sync + 'static {
    /// What the sign-in page says and where it posts.
    const PAGE: ConsentPage;

    /// Checks an authorization request before the page is shown, and again when it is submitted.
    fn check_authorization(
        &self,
        request: &AuthorizationRequest,
    ) -> Result<(), AuthorizationRefusal>;

    /// Signs the user in with the credentials typed into the page and issues a code for the
    /// checked `request`; `None` when the credentials are wrong.
    fn sign_in(&self, request: &AuthorizationRequest, sign_in: SignIn<'_>) -> Option<String>;
}

/// What the user typed into the sign-in page, and when they sent it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignIn<'a> {
    pub(crate) user_name: &'a str,
    pub(crate) password: &'a str,
    pub(crate) now: UnixSeconds,
}

/// The parts of the sign-in and consent page that differ between the servers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConsentPage {
    /// Where the form posts.
    pub(crate) action: &'static str,
    /// Whose data the client wants ("wants to access your ServiceNow data").
    pub(crate) service: &'static str,
    /// The label of the `user_name` field.
    pub(crate) user_label: &'static str,
    /// The `error_description` sent back when the user presses Deny.
    pub(crate) denied: &'static str,
    /// The alert shown when the credentials are wrong.
    pub(crate) wrong_credentials: &'static str,
}

/// The sign-in and consent page, or an error page or redirect for a request it cannot serve.
pub(crate) async fn authorize_page<S: AuthorizationEndpoint>(
    State(state): State<S>,
    Query(request): Query<AuthorizationRequest>,
) -> Response {
    match state.check_authorization(&request) {
        Ok(()) => Html(sign_in_page(&S::PAGE, &request, None)).into_response(),
        Err(refusal) => refuse(&request, refusal),
    }
}

/// The page submitted: back to the client with a code when the user allowed and signed in, with
/// `access_denied` when they pressed Deny; the page again, with an alert, for wrong credentials.
pub(crate) async fn authorize_submit<S: AuthorizationEndpoint>(
    State(state): State<S>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let request = authorization_request(&form);
    if let Err(refusal) = state.check_authorization(&request) {
        return refuse(&request, refusal);
    }
    if field("action") != "allow" {
        let refusal = AuthorizationRefusal::Redirect {
            error: "access_denied",
            description: S::PAGE.denied.to_owned(),
        };
        return refuse(&request, refusal);
    }
    let (user_name, password) = (field("user_name"), field("user_password"));
    let sign_in = SignIn {
        user_name: &user_name,
        password: &password,
        now: datetime::now(),
    };
    let code = state.sign_in(&request, sign_in);
    let Some(code) = code else {
        let page = sign_in_page(&S::PAGE, &request, Some(S::PAGE.wrong_credentials));
        return (StatusCode::OK, Html(page)).into_response();
    };
    redirect_back(&request, &[("code", &code)])
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

/// The authorization request carried through the sign-in form's hidden fields.
fn authorization_request(form: &HashMap<String, String>) -> AuthorizationRequest {
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
fn refuse(request: &AuthorizationRequest, refusal: AuthorizationRefusal) -> Response {
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
fn redirect_back(request: &AuthorizationRequest, params: &[(&str, &str)]) -> Response {
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
fn sign_in_page(page: &ConsentPage, request: &AuthorizationRequest, error: Option<&str>) -> String {
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
