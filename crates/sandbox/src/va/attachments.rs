//! Attachments a chat client sends in `message.attachment` (`bot-api.md`, "Request body
//! parameters"): "You can only pass attachments as a URL. ... The VA obtains the attachment from
//! this URL, runs a virus scan, and then processes the file. If the attachment isn't a public
//! file, you must pass an message.attachment.header object that contains the authorization
//! information ... You must also ensure that URL domain is present in the trusted domains filed
//! in sys_cs_provider."
//!
//! Reading and validating the field is pure; [`fetch`] does the download.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::header::AUTHORIZATION;
use serde_json::Value;

/// The documented values of `message.attachment.contentType` ("not case-sensitive").
const CONTENT_TYPES: [&str; 6] = [
    "application/pdf",
    "application/msword",
    "image/png",
    "image/jpeg",
    "text/plain",
    "video/mpeg",
];

/// One validated element of `message.attachment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AttachmentRef {
    pub(crate) client_attachment_id: Option<String>,
    /// As sent; compared without case.
    pub(crate) content_type: String,
    pub(crate) file_name: String,
    pub(crate) url: reqwest::Url,
    /// `message.attachment.headers`; the documented one is `Authorization`.
    pub(crate) headers: Vec<(String, String)>,
}

/// How a download may go.
#[derive(Debug, Clone)]
pub(crate) struct FetchLimits {
    /// The trusted domains of `sys_cs_provider`.
    pub(crate) trusted_domains: Vec<String>,
    pub(crate) timeout: Duration,
    /// The instance's attachment size limit. The API itself has "no restriction on the size of
    /// an attachment", but the instance stores it as an attachment.
    pub(crate) max_bytes: usize,
}

/// Reads `message.attachment`: one object, as the document's examples send it, or a list of
/// them, as its parameter table describes it. `None` and `[]` mean no attachment.
pub(crate) fn parse(attachment: Option<&Value>) -> Result<Vec<AttachmentRef>, String> {
    let items = match attachment {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(item @ Value::Object(_)) => vec![item],
        Some(_) => {
            return Err("message.attachment must be an object or a list of objects".to_owned())
        }
    };
    items.into_iter().map(parse_one).collect()
}

/// Whether `url`'s host is one of `trusted_domains` or below one of them.
pub(crate) fn is_trusted(url: &reqwest::Url, trusted_domains: &[String]) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    trusted_domains.iter().any(|domain| {
        let domain = domain.trim().trim_start_matches('.').to_ascii_lowercase();
        !domain.is_empty() && (host == domain || host.ends_with(&format!(".{domain}")))
    })
}

/// Downloads one attachment; the error says why it could not be had.
pub(crate) async fn fetch(
    client: &reqwest::Client,
    attachment: &AttachmentRef,
    limits: &FetchLimits,
) -> Result<Bytes, String> {
    if !is_trusted(&attachment.url, &limits.trusted_domains) {
        return Err(format!(
            "the domain of `{}` is not a trusted domain",
            attachment.url
        ));
    }
    let mut request = client.get(attachment.url.clone()).timeout(limits.timeout);
    for (name, value) in &attachment.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let mut response = request
        .send()
        .await
        .map_err(|error| format!("cannot download `{}`: {error}", attachment.url))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!(
            "downloading `{}` answered {status}",
            attachment.url
        ));
    }
    let too_large = || {
        format!(
            "`{}` is larger than {} bytes",
            attachment.url, limits.max_bytes
        )
    };
    let announced = response.content_length().unwrap_or_default();
    if usize::try_from(announced).map_or(true, |announced| announced > limits.max_bytes) {
        return Err(too_large());
    }
    let mut content = Vec::new();
    loop {
        let chunk = response
            .chunk()
            .await
            .map_err(|error| format!("cannot download `{}`: {error}", attachment.url))?;
        let Some(chunk) = chunk else {
            return Ok(Bytes::from(content));
        };
        if content.len() + chunk.len() > limits.max_bytes {
            return Err(too_large());
        }
        content.extend_from_slice(&chunk);
    }
}

fn parse_one(item: &Value) -> Result<AttachmentRef, String> {
    let Value::Object(fields) = item else {
        return Err("message.attachment must be an object or a list of objects".to_owned());
    };
    let text = |name: &str| {
        fields
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    let required =
        |name: &str| text(name).ok_or_else(|| format!("message.attachment.{name} is required"));
    let content_type = required("contentType")?;
    let supported = CONTENT_TYPES
        .iter()
        .any(|supported| supported.eq_ignore_ascii_case(&content_type));
    if !supported {
        return Err(format!(
            "message.attachment.contentType `{content_type}` is not one of {}",
            CONTENT_TYPES.join(", ")
        ));
    }
    let file_name = required("fileName")?;
    let url_text = required("url")?;
    let url = reqwest::Url::parse(&url_text)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
        .ok_or_else(|| {
            format!("message.attachment.url `{url_text}` is not an http or https URL")
        })?;
    let headers = match fields.get("headers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(headers)) => headers
            .iter()
            .map(|(name, value)| match value.as_str() {
                Some(value) => Ok((name.clone(), value.to_owned())),
                None => Err(format!(
                    "message.attachment.headers.{name} must be a string"
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("message.attachment.headers must be an object".to_owned()),
    };
    let header_names_valid = headers.iter().all(|(name, value)| {
        axum::http::HeaderName::try_from(name.as_str()).is_ok()
            && axum::http::HeaderValue::try_from(value.as_str()).is_ok()
    });
    if !header_names_valid {
        return Err("message.attachment.headers must be valid HTTP headers".to_owned());
    }
    Ok(AttachmentRef {
        client_attachment_id: text("clientAttachmentId"),
        content_type,
        file_name,
        url,
        headers,
    })
}

impl AttachmentRef {
    /// Whether the request carries credentials for the download, for the transcript.
    pub(crate) fn has_authorization(&self) -> bool {
        self.headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case(AUTHORIZATION.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(attachment: Value, expected: Result<usize, &str>) {
        let parsed = parse(Some(&attachment)).map(|refs| refs.len());
        assert_eq!(parsed, expected.map_err(str::to_owned), "{attachment}");
    }

    #[test]
    fn validates_attachments_as_documented() {
        let pdf = serde_json::json!({
            "clientAttachmentId": "my-unique-identifier",
            "contentType": "application/pdf",
            "fileName": "MY PDF TEST",
            "url": "http://www.africau.edu/images/default/sample.pdf",
        });
        check(pdf.clone(), Ok(1));
        check(serde_json::json!([pdf.clone(), pdf.clone()]), Ok(2));
        check(serde_json::json!([]), Ok(0));
        let mut upper = pdf.clone();
        upper["contentType"] = Value::from("IMAGE/JPEG");
        check(upper, Ok(1));
        let mut zip = pdf.clone();
        zip["contentType"] = Value::from("application/zip");
        check(
            zip,
            Err("message.attachment.contentType `application/zip` is not one of application/pdf, application/msword, image/png, image/jpeg, text/plain, video/mpeg"),
        );
        let mut nameless = pdf.clone();
        nameless["fileName"] = Value::from(" ");
        check(nameless, Err("message.attachment.fileName is required"));
        let mut relative = pdf.clone();
        relative["url"] = Value::from("/images/a.pdf");
        check(
            relative,
            Err("message.attachment.url `/images/a.pdf` is not an http or https URL"),
        );
        let mut private = pdf.clone();
        private["headers"] = serde_json::json!({"Authorization": "Basic amFzbWluZQ=="});
        let parsed = parse(Some(&private)).unwrap();
        assert!(parsed[0].has_authorization());
        private["headers"] = serde_json::json!({"Authorization": 1});
        check(
            private,
            Err("message.attachment.headers.Authorization must be a string"),
        );
        check(
            Value::from("http://x/a.pdf"),
            Err("message.attachment must be an object or a list of objects"),
        );
    }

    #[test]
    fn trusts_listed_domains_and_their_subdomains() {
        let trusted = vec!["example.com".to_owned(), "127.0.0.1".to_owned()];
        let check = |url: &str, expected: bool| {
            let url = reqwest::Url::parse(url).unwrap();
            assert_eq!(is_trusted(&url, &trusted), expected, "{url}");
        };
        check("https://example.com/a.pdf", true);
        check("https://files.EXAMPLE.com/a.pdf", true);
        check("http://127.0.0.1:9000/a.pdf", true);
        check("https://notexample.com/a.pdf", false);
        check("https://example.com.evil/a.pdf", false);
        assert!(!is_trusted(
            &reqwest::Url::parse("https://example.com/").unwrap(),
            &[]
        ));
    }
}
