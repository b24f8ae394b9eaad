//! Instance addresses as users type them, normalised once at the edge.

use crate::error::CoreError;

/// A validated instance base URL: `scheme://host[:port]`, no path, no trailing slash.
///
/// Built from what a user types: `acme`, `acme.service-now.com`, `https://acme.service-now.com/`,
/// a custom domain, or `http://127.0.0.1:PORT` for a local sandbox. Plain `http` is only accepted for
/// loopback hosts, so credentials never cross a network unencrypted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InstanceUrl {
    scheme: Scheme,
    host: String,
    port: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Scheme {
    Http,
    Https,
}

impl Scheme {
    fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

impl InstanceUrl {
    /// Normalises a ServiceNow instance address; a bare name means `<name>.service-now.com`.
    pub fn parse_servicenow(input: &str) -> Result<InstanceUrl, CoreError> {
        parse(input, "service-now.com")
    }

    /// Normalises a Zendesk account address; a bare name means `<name>.zendesk.com`.
    pub fn parse_zendesk(input: &str) -> Result<InstanceUrl, CoreError> {
        parse(input, "zendesk.com")
    }

    /// The base URL, e.g. `https://acme.service-now.com`.
    pub fn base(&self) -> String {
        match self.port {
            Some(port) => format!("{}://{}:{port}", self.scheme.as_str(), self.host),
            None => format!("{}://{}", self.scheme.as_str(), self.host),
        }
    }

    /// The host name, e.g. `acme.service-now.com`.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The browser host-permission pattern covering this instance, e.g. `https://acme.service-now.com/*`.
    ///
    /// Match patterns carry no port; Chromium and Firefox apply a port-less pattern to every port.
    pub fn permission_pattern(&self) -> String {
        format!("{}://{}/*", self.scheme.as_str(), self.host)
    }

    /// The absolute URL of a path on this instance; `path` starts with `/`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }
}

impl TryFrom<String> for InstanceUrl {
    type Error = CoreError;

    /// Reads back a stored base URL; stored values were normalised already, so no default domain.
    fn try_from(value: String) -> Result<InstanceUrl, CoreError> {
        parse(&value, "")
    }
}

impl From<InstanceUrl> for String {
    fn from(instance: InstanceUrl) -> String {
        instance.base()
    }
}

fn parse(input: &str, default_domain: &str) -> Result<InstanceUrl, CoreError> {
    let invalid = |reason: &str| CoreError::InvalidInstance {
        input: input.to_owned(),
        reason: reason.to_owned(),
    };
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(invalid("enter your instance address"));
    }
    let (scheme, rest) = match trimmed.split_once("://") {
        Some((scheme, rest)) => match scheme.to_ascii_lowercase().as_str() {
            "https" => (Some(Scheme::Https), rest),
            "http" => (Some(Scheme::Http), rest),
            _ => return Err(invalid("only https addresses are supported")),
        },
        None => (None, trimmed),
    };
    // Anything after the authority (a path, a query, a fragment) is dropped: users paste page URLs.
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(invalid("the address must not contain a user name"));
    }
    let (host, port) = split_port(authority).ok_or_else(|| invalid("the port is not a number"))?;
    let host = host.to_ascii_lowercase();
    if host.is_empty() {
        return Err(invalid("the address has no host name"));
    }
    if !is_valid_host(&host) {
        return Err(invalid(
            "the host name has characters that cannot be in an address",
        ));
    }
    let loopback = is_loopback(&host);
    // An IPv6 literal is a complete address: it never gets the default domain appended.
    let complete_host = host.contains('.') || loopback || host.starts_with('[');
    let host = match (complete_host, default_domain.is_empty()) {
        (true, _) => host,
        (false, false) => format!("{host}.{default_domain}"),
        (false, true) => return Err(invalid("the address has no domain")),
    };
    // DNS limits (RFC 1035 section 2.3.4), checked once the default domain is on.
    if host.len() > 253 || host.split('.').any(|label| label.len() > 63) {
        return Err(invalid("the host name is too long"));
    }
    let scheme = match scheme {
        Some(Scheme::Http) if !loopback => {
            return Err(invalid("use https: plain http is only for a local sandbox"))
        }
        Some(scheme) => scheme,
        None if loopback => Scheme::Http,
        None => Scheme::Https,
    };
    Ok(InstanceUrl { scheme, host, port })
}

fn split_port(authority: &str) -> Option<(&str, Option<u16>)> {
    // A bracketed IPv6 literal carries colons of its own.
    let port_separator = match authority.strip_prefix('[') {
        Some(_) => authority
            .find(']')
            .map(|end| end + 1)
            .filter(|&idx| idx < authority.len()),
        None => authority.rfind(':'),
    };
    match port_separator {
        Some(idx) if authority.as_bytes().get(idx) == Some(&b':') => {
            let port = authority[idx + 1..].parse::<u16>().ok()?;
            Some((&authority[..idx], Some(port)))
        }
        _ => Some((authority, None)),
    }
}

fn is_valid_host(host: &str) -> bool {
    if host.starts_with('[') {
        return host.ends_with(']')
            && host[1..host.len() - 1]
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':');
    }
    let labels_ok = host.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    labels_ok
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "[::1]" || host.starts_with("127.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<&str, &str>) {
        let actual = InstanceUrl::parse_servicenow(input).map(|instance| instance.base());
        match (actual, expected) {
            (Ok(base), Ok(want)) => assert_eq!(base, want, "input {input:?}"),
            (Err(CoreError::InvalidInstance { reason, .. }), Err(want)) => {
                assert_eq!(reason, want, "input {input:?}")
            }
            (actual, expected) => panic!("input {input:?}: got {actual:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn accepts_the_forms_users_type() {
        check("acme", Ok("https://acme.service-now.com"));
        check("  ACME  ", Ok("https://acme.service-now.com"));
        check("acme.service-now.com", Ok("https://acme.service-now.com"));
        check(
            "https://acme.service-now.com/",
            Ok("https://acme.service-now.com"),
        );
        check(
            "https://acme.service-now.com/now/nav/ui/home?x=1",
            Ok("https://acme.service-now.com"),
        );
        check("support.example.org", Ok("https://support.example.org"));
        check(
            "https://support.example.org:8443",
            Ok("https://support.example.org:8443"),
        );
        check("http://127.0.0.1:8300", Ok("http://127.0.0.1:8300"));
        check("127.0.0.1:8300", Ok("http://127.0.0.1:8300"));
        check("localhost:8300/", Ok("http://localhost:8300"));
        check("http://[::1]:8300", Ok("http://[::1]:8300"));
        // Found by the instance_address fuzz target: an IPv6 literal once got ".service-now.com".
        check("[::0]", Ok("https://[::0]"));
        check(&"x".repeat(64), Err("the host name is too long"));
        check(
            &"x".repeat(63),
            Ok(&format!("https://{}.service-now.com", "x".repeat(63))),
        );
    }

    #[test]
    fn refuses_what_cannot_be_an_instance() {
        check("", Err("enter your instance address"));
        check("ftp://acme", Err("only https addresses are supported"));
        check(
            "http://acme.service-now.com",
            Err("use https: plain http is only for a local sandbox"),
        );
        check(
            "acme corp",
            Err("the host name has characters that cannot be in an address"),
        );
        check(
            "https://user@acme.service-now.com",
            Err("the address must not contain a user name"),
        );
        check("acme.service-now.com:http", Err("the port is not a number"));
        check("https:///path", Err("the address has no host name"));
        check(
            "-acme",
            Err("the host name has characters that cannot be in an address"),
        );
    }

    #[test]
    fn permission_pattern_has_no_port() {
        let instance = InstanceUrl::parse_servicenow("http://127.0.0.1:8300").expect("valid");
        assert_eq!(instance.permission_pattern(), "http://127.0.0.1/*");
        assert_eq!(
            instance.url("/api/now/table/incident"),
            "http://127.0.0.1:8300/api/now/table/incident"
        );
    }

    #[test]
    fn zendesk_default_domain() {
        let instance = InstanceUrl::parse_zendesk("acme").expect("valid");
        assert_eq!(instance.base(), "https://acme.zendesk.com");
    }

    #[test]
    fn round_trips_through_serde() {
        let instance = InstanceUrl::parse_servicenow("acme").expect("valid");
        let json = serde_json::to_string(&instance).expect("serialises");
        assert_eq!(json, "\"https://acme.service-now.com\"");
        let back: InstanceUrl = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, instance);
    }
}
