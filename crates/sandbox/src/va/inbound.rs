//! Reading and authenticating `POST /api/sn_va_as_service/bot/integration`.
//!
//! Authentication follows `configure-send-request.md`: Basic or OAuth (the instance's users) is
//! required unless a static or hash token is set up, in which case they are optional but, when
//! sent, must be right. The token "can be passed in either the request body or the header. If the token is
//! specified in both places, the one in the header is accepted."

use axum::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, Uri};
use serde_json::Value;

use crate::common::http;
use crate::common::oauth::constant_time_eq;
use crate::servicenow::error::AppError;
use crate::servicenow::AppState;
use crate::va::attachments::{self, AttachmentRef};
use crate::va::config::InboundAuth;
use crate::va::error::VaError;
use crate::va::signature;
use crate::va::wire::{Action, InboundRequest};

/// A request that passed validation ("it validates the request and responds with a call status
/// of success or failure", `bot-api.md`).
#[derive(Debug)]
pub(crate) struct ValidRequest {
    pub(crate) request: InboundRequest,
    pub(crate) action: Option<Action>,
    /// The body as sent, for the transcript.
    pub(crate) raw: Value,
    /// `message.attachment`, validated.
    pub(crate) attachments: Vec<AttachmentRef>,
}

/// The one format the endpoint reads and writes: "Only supports application/json" (`bot-api.md`,
/// "Headers").
const JSON: &[&str] = &["application/json"];

/// Checks the instance credentials (Basic, or an OAuth access token): wrong ones are always
/// refused, missing ones only when no static or hash token is set up.
pub(crate) fn check_credentials(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    auth: &InboundAuth,
) -> Result<(), VaError> {
    let query_token = uri.query().is_some_and(|query| {
        query
            .split('&')
            .any(|pair| pair.starts_with("access_token="))
    });
    if headers.contains_key(AUTHORIZATION) || query_token {
        return crate::servicenow::auth::authenticate(state, headers, uri)
            .map(|_| ())
            .ok_or(VaError::Instance(AppError::Unauthenticated));
    }
    match auth {
        InboundAuth::Basic => Err(VaError::Instance(AppError::Unauthenticated)),
        InboundAuth::Token { .. } | InboundAuth::Hmac { .. } => Ok(()),
    }
}

/// Checks the formats: `Accept` and `Content-Type` each "Only supports application/json"
/// (`bot-api.md`, "Headers"), so a body of any other type is 415 and an `Accept` that does not
/// admit JSON 406 ("The endpoint does not support the format of the request body", "... the
/// response format specified in the request Accept header", `r_RESTAPIHTTPResponseCodes.md`).
/// A missing header means JSON, as on the instance's other REST APIs.
pub(crate) fn check_formats(headers: &HeaderMap) -> Result<(), VaError> {
    if let Some(content_type) = headers.get(CONTENT_TYPE) {
        let content_type = content_type.to_str().unwrap_or("unreadable");
        if !http::content_type_is(content_type, JSON) {
            return Err(VaError::Instance(AppError::UnsupportedMediaType));
        }
    }
    let accept = headers
        .get(ACCEPT)
        .map(|accept| accept.to_str().unwrap_or_default());
    match http::accepts(accept, JSON) {
        true => Ok(()),
        false => Err(VaError::Instance(AppError::NotAcceptable)),
    }
}

/// Checks the static token or the `x-b2b-signature`; the error is the reason, for the log.
pub(crate) fn check_message_auth(
    auth: &InboundAuth,
    headers: &HeaderMap,
    body: &[u8],
    body_token: Option<&str>,
) -> Result<(), &'static str> {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    match auth {
        InboundAuth::Basic => Ok(()),
        InboundAuth::Token { token } => {
            let given = header("token").or(body_token).ok_or("no static token")?;
            match constant_time_eq(token, given) {
                true => Ok(()),
                false => Err("the static token does not match"),
            }
        }
        InboundAuth::Hmac { secret } => {
            let given = header(signature::HEADER).ok_or("no x-b2b-signature header")?;
            match signature::verify(secret, body, given) {
                true => Ok(()),
                false => Err("the x-b2b-signature does not match"),
            }
        }
    }
}

/// Parses and validates the body against the required fields of "Request body parameters".
pub(crate) fn parse(body: &[u8]) -> Result<ValidRequest, VaError> {
    let raw: Value =
        serde_json::from_slice(body).map_err(|error| VaError::UnreadableBody(error.to_string()))?;
    if !raw.is_object() {
        return Err(VaError::BadRequest(
            "the request body must be a JSON object".to_owned(),
        ));
    }
    let request: InboundRequest = serde_json::from_value(raw.clone())
        .map_err(|error| VaError::BadRequest(error.to_string()))?;
    if request.request_id.trim().is_empty() {
        return Err(VaError::BadRequest("requestId is required".to_owned()));
    }
    if request.user_id.trim().is_empty() {
        return Err(VaError::BadRequest("userId is required".to_owned()));
    }
    let action = Action::parse(request.action.as_deref().unwrap_or_default())
        .map_err(VaError::BadRequest)?;
    check_message(action, request.message.as_ref()).map_err(VaError::BadRequest)?;
    let attachment = match &request.message {
        Some(Value::Object(fields)) => fields.get("attachment"),
        _ => None,
    };
    let attachments = attachments::parse(attachment).map_err(VaError::BadRequest)?;
    Ok(ValidRequest {
        request,
        action,
        raw,
        attachments,
    })
}

/// `message` is required for a plain message and must have a text or an attachment
/// ("message.text: Required if attachment parameter isn't specified"); `UPDATE_MESSAGES` sends a
/// list of updates; the other actions' documented examples may leave it out.
fn check_message(action: Option<Action>, message: Option<&Value>) -> Result<(), String> {
    match (action, message) {
        (Some(Action::UpdateMessages), Some(Value::Array(_))) => Ok(()),
        (Some(Action::UpdateMessages), _) => {
            Err("message must be a list of updates for UPDATE_MESSAGES".to_owned())
        }
        (_, Some(Value::Object(fields))) => {
            let has_text = fields.get("text").is_some_and(Value::is_string);
            let has_attachment = match fields.get("attachment") {
                None | Some(Value::Null) => false,
                Some(Value::Array(items)) => !items.is_empty(),
                Some(_) => true,
            };
            match action.is_some() || has_text || has_attachment {
                true => Ok(()),
                false => Err("message.text is required without message.attachment".to_owned()),
            }
        }
        (None, _) => Err("message is required".to_owned()),
        (Some(_), None | Some(Value::Null)) => Ok(()),
        (Some(_), Some(_)) => Err("message must be an object".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(body: &str, expected: Result<(), &str>) {
        let parsed = parse(body.as_bytes())
            .map(|_| ())
            .map_err(|error| match error {
                VaError::BadRequest(detail) => detail,
                other => other.to_string(),
            });
        assert_eq!(parsed, expected.map_err(str::to_owned), "{body}");
    }

    #[test]
    fn validates_required_fields() {
        check(
            r#"{"requestId":"r","userId":"u","message":{"text":"hi","typed":true}}"#,
            Ok(()),
        );
        check(
            r#"{"requestId":"r","userId":"u","action":"START_CREATED_CONVERSATION"}"#,
            Ok(()),
        );
        check(
            r#"{"requestId":"r","userId":"u","action":"AGENT","message":{"typed":true}}"#,
            Ok(()),
        );
        check(
            r#"{"requestId":"r","userId":"u","message":{"attachment":{"contentType":"application/pdf","fileName":"a.pdf","url":"http://x/a.pdf"}}}"#,
            Ok(()),
        );
        check(
            r#"{"requestId":"r","userId":"u","message":{"attachment":{"url":"http://x/a.pdf"}}}"#,
            Err("message.attachment.contentType is required"),
        );
        check(
            r#"{"requestId":"r","userId":"u","message":{"attachment":[]}}"#,
            Err("message.text is required without message.attachment"),
        );
        check(
            r#"{"userId":"u","message":{"text":"hi"}}"#,
            Err("missing field `requestId`"),
        );
        check(
            r#"{"requestId":" ","userId":"u","message":{"text":"hi"}}"#,
            Err("requestId is required"),
        );
        check(
            r#"{"requestId":"r","userId":"u"}"#,
            Err("message is required"),
        );
        check(
            r#"{"requestId":"r","userId":"u","message":{"typed":true}}"#,
            Err("message.text is required without message.attachment"),
        );
        check(
            r#"{"requestId":"r","userId":"u","action":"LOGIN","message":{"text":"x"}}"#,
            Err("invalid action `LOGIN`"),
        );
        check(
            r#"{"requestId":"r","userId":"u","action":"UPDATE_MESSAGES","message":{"id":"x"}}"#,
            Err("message must be a list of updates for UPDATE_MESSAGES"),
        );
        check("[1]", Err("the request body must be a JSON object"));
        check(
            "{",
            Err("unreadable request body: EOF while parsing an object at line 1 column 1"),
        );
    }

    #[test]
    fn takes_and_answers_only_json() {
        let check = |headers: &[(&str, &str)], expected: Result<(), &str>| {
            let mut map = HeaderMap::new();
            for (name, value) in headers {
                let name = axum::http::HeaderName::try_from(*name).unwrap();
                map.insert(name, value.parse().unwrap());
            }
            let checked = check_formats(&map).map_err(|error| error.to_string());
            assert_eq!(checked, expected.map_err(str::to_owned), "{headers:?}");
        };
        let unsupported = Err("unsupported request body format");
        let not_acceptable = Err("no acceptable response format");
        check(&[], Ok(()));
        check(&[("content-type", "application/json")], Ok(()));
        check(
            &[("content-type", "Application/JSON; charset=UTF-8")],
            Ok(()),
        );
        check(&[("content-type", "text/plain")], unsupported);
        check(&[("content-type", "application/xml")], unsupported);
        check(
            &[("content-type", "application/x-www-form-urlencoded")],
            unsupported,
        );
        check(&[("accept", "application/json")], Ok(()));
        check(&[("accept", "*/*")], Ok(()));
        check(&[("accept", "text/html, application/*;q=0.5")], Ok(()));
        check(&[("accept", "")], Ok(()));
        check(&[("accept", "application/xml")], not_acceptable);
        check(
            &[("accept", "text/html, application/json;q=0")],
            not_acceptable,
        );
    }

    #[test]
    fn checks_static_tokens_header_first() {
        let auth = InboundAuth::Token {
            token: "ORANGE".to_owned(),
        };
        let mut headers = HeaderMap::new();
        assert_eq!(
            check_message_auth(&auth, &headers, b"{}", None),
            Err("no static token")
        );
        assert_eq!(
            check_message_auth(&auth, &headers, b"{}", Some("ORANGE")),
            Ok(())
        );
        headers.insert("token", "APPLE".parse().unwrap());
        assert_eq!(
            check_message_auth(&auth, &headers, b"{}", Some("ORANGE")),
            Err("the static token does not match")
        );
    }

    #[test]
    fn checks_signatures() {
        let auth = InboundAuth::Hmac {
            secret: "s".to_owned(),
        };
        let body = br#"{"requestId":"r"}"#;
        let mut headers = HeaderMap::new();
        headers.insert(
            signature::HEADER,
            signature::sign("s", body).parse().unwrap(),
        );
        assert_eq!(check_message_auth(&auth, &headers, body, None), Ok(()));
        assert_eq!(
            check_message_auth(&auth, &headers, br#"{"requestId":"x"}"#, None),
            Err("the x-b2b-signature does not match")
        );
    }
}
