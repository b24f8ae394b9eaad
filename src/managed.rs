//! Connections an administrator deploys through the browser's managed storage (`storage.managed`,
//! described to the browser by `static/managed_schema.json`): the service desk, how people sign in,
//! the OAuth client, the default templates, and which template values people may not change. Each
//! user still signs in as themselves; the administrator only decides where and how.
//!
//! Plain data read from the policy's JSON; an entry that cannot be used is left out and named in
//! [`ManagedSettings::problems`], so one typo does not take the others down.

use std::collections::BTreeMap;

use flare_core::instance::InstanceUrl;
use flare_core::templates::{
    Condition, ContextField, FieldValue, NoMatch, ProviderKind, Template, TemplateSet,
};
use serde::Deserialize;

use crate::api::{Connection, Provider, SignInMethod, SignInPreset};
use crate::storage::SavedConnections;

/// What the administrator deployed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ManagedSettings {
    /// The usable connections, in the policy's order.
    pub connections: Vec<ManagedConnection>,
    /// Entries left out, and why.
    pub problems: Vec<ManagedProblem>,
}

/// One deployed connection.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedConnection {
    /// The administrator's id for it, stable across policy updates.
    pub id: String,
    /// What people see it as.
    pub name: String,
    /// The service desk.
    pub service: ProviderKind,
    /// Its address.
    pub instance: InstanceUrl,
    /// How people sign in.
    pub sign_in: ManagedSignIn,
    /// Whether the popup opens with it until the user picks another.
    pub default: bool,
    /// The templates it files with; the provider's default when the policy names none.
    pub templates: Option<TemplateSet>,
    /// Template fields whose value people may not change in a report.
    pub locked_fields: Vec<String>,
}

/// How people sign in to a deployed connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManagedSignIn {
    /// ServiceNow user name and password.
    Password,
    /// Zendesk e-mail address and API token.
    ApiToken,
    /// The service desk's sign-in page, with the company's OAuth client.
    OAuth {
        /// The client id of the company's OAuth application for Flare.
        client_id: String,
    },
}

/// A policy entry that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedProblem {
    /// The entry's id, or its position when it has none.
    pub entry: String,
    /// What is wrong with it, in the administrator's terms (the policy's field names).
    pub reason: String,
}

impl ManagedSettings {
    /// Reads the managed storage's JSON; anything but an object with `connections` means none.
    pub fn from_policy(policy: &serde_json::Value) -> ManagedSettings {
        let mut settings = ManagedSettings::default();
        let Some(entries) = policy.get("connections").and_then(|value| value.as_array()) else {
            return settings;
        };
        for (idx, entry) in entries.iter().enumerate() {
            let label = entry
                .get("id")
                .and_then(|id| id.as_str())
                .map_or_else(|| format!("connections[{idx}]"), str::to_owned);
            let parsed = serde_json::from_value::<PolicyConnection>(entry.clone())
                .map_err(|error| error.to_string())
                .and_then(PolicyConnection::into_connection);
            match parsed {
                Ok(connection) if settings.find(&connection.id).is_some() => {
                    settings.problems.push(ManagedProblem {
                        entry: label,
                        reason: "another connection has this id".to_owned(),
                    })
                }
                Ok(connection) => settings.connections.push(connection),
                Err(reason) => settings.problems.push(ManagedProblem {
                    entry: label,
                    reason,
                }),
            }
        }
        settings
    }

    /// The deployed connection with `id`.
    pub fn find(&self, id: &str) -> Option<&ManagedConnection> {
        self.connections
            .iter()
            .find(|connection| connection.id == id)
    }

    /// The deployed connection `connection` signed in to, if it is one.
    pub fn deployed_as(&self, connection: &Connection) -> Option<&ManagedConnection> {
        self.connections
            .iter()
            .find(|deployed| deployed.is_signed_in_by(connection))
    }

    /// The deployed connections none of `saved` signed in to yet; the default one first.
    pub fn waiting_for_sign_in(&self, saved: &SavedConnections) -> Vec<&ManagedConnection> {
        let (mut waiting, others): (Vec<&ManagedConnection>, Vec<&ManagedConnection>) = self
            .connections
            .iter()
            .filter(|deployed| {
                !saved
                    .connections
                    .iter()
                    .any(|signed_in| deployed.is_signed_in_by(&signed_in.connection))
            })
            .partition(|deployed| deployed.default);
        // The default ones first, each part in its order: a stable sort by `!default` without
        // the sort's code, which the popup would carry.
        waiting.extend(others);
        waiting
    }
}

impl ManagedConnection {
    /// The service desk, in the app's terms.
    pub fn provider(&self) -> Provider {
        match self.service {
            ProviderKind::ServiceNow => Provider::ServiceNow,
            ProviderKind::Zendesk => Provider::Zendesk,
        }
    }

    /// What the connect form starts from to sign in to it.
    pub fn sign_in_preset(&self) -> SignInPreset {
        let (method, client_id) = match &self.sign_in {
            ManagedSignIn::Password => (SignInMethod::Password, String::new()),
            ManagedSignIn::ApiToken => (SignInMethod::ApiToken, String::new()),
            ManagedSignIn::OAuth { client_id } => (SignInMethod::OAuth, client_id.clone()),
        };
        SignInPreset {
            provider: self.provider(),
            instance: self.instance.clone(),
            method,
            username: String::new(),
            client_id,
        }
    }

    /// Whether `connection` is a sign-in to this deployed connection.
    pub fn is_signed_in_by(&self, connection: &Connection) -> bool {
        self.provider() == connection.provider() && self.instance == connection.instance
    }
}

/// A connection as the policy writes it (`static/managed_schema.json`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyConnection {
    id: String,
    #[serde(default)]
    name: Option<String>,
    service: PolicyService,
    instance: String,
    sign_in: PolicySignIn,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    default: bool,
    #[serde(default)]
    templates: Option<Vec<PolicyTemplate>>,
    #[serde(default)]
    fallback_template: Option<String>,
    #[serde(default)]
    locked_fields: Vec<String>,
}

/// The policy's spelling of the service desks (flare-core's `ProviderKind` says `service_now`).
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum PolicyService {
    ServiceNow,
    Zendesk,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum PolicySignIn {
    Password,
    ApiToken,
    Oauth,
}

/// A template in the policy: the parts the options page edits, in plain fields.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyTemplate {
    name: String,
    #[serde(default)]
    url_pattern: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    fixed: BTreeMap<String, String>,
    #[serde(default)]
    allow_private: bool,
}

impl PolicyConnection {
    fn into_connection(self) -> Result<ManagedConnection, String> {
        let service = match self.service {
            PolicyService::ServiceNow => ProviderKind::ServiceNow,
            PolicyService::Zendesk => ProviderKind::Zendesk,
        };
        let id = self.id.trim().to_owned();
        if id.is_empty() {
            return Err("id is empty".to_owned());
        }
        let instance = match service {
            ProviderKind::ServiceNow => InstanceUrl::parse_servicenow(&self.instance),
            ProviderKind::Zendesk => InstanceUrl::parse_zendesk(&self.instance),
        }
        .map_err(|error| format!("instance: {error}"))?;
        let client_id = self
            .client_id
            .map(|id| id.trim().to_owned())
            .filter(|id| !id.is_empty());
        let sign_in = match (self.sign_in, service, client_id) {
            (PolicySignIn::Oauth, _, Some(client_id)) => ManagedSignIn::OAuth { client_id },
            (PolicySignIn::Oauth, _, None) => {
                return Err("sign_in oauth needs a client_id".to_owned())
            }
            (PolicySignIn::Password, ProviderKind::ServiceNow, _) => ManagedSignIn::Password,
            (PolicySignIn::ApiToken, ProviderKind::Zendesk, _) => ManagedSignIn::ApiToken,
            (PolicySignIn::Password, ProviderKind::Zendesk, _) => {
                return Err("Zendesk connections sign in with api_token or oauth".to_owned())
            }
            (PolicySignIn::ApiToken, ProviderKind::ServiceNow, _) => {
                return Err("ServiceNow connections sign in with password or oauth".to_owned())
            }
        };
        let templates = match self.templates {
            Some(templates) => Some(template_set(service, templates, self.fallback_template)?),
            None => None,
        };
        Ok(ManagedConnection {
            name: self
                .name
                .map(|name| name.trim().to_owned())
                .filter(|name| !name.is_empty())
                .unwrap_or_else(|| instance.host().to_owned()),
            id,
            service,
            instance,
            sign_in,
            default: self.default,
            templates,
            locked_fields: self.locked_fields,
        })
    }
}

fn template_set(
    service: ProviderKind,
    templates: Vec<PolicyTemplate>,
    fallback: Option<String>,
) -> Result<TemplateSet, String> {
    let templates: Vec<Template> = templates
        .into_iter()
        .map(|template| template.into_template(service))
        .collect();
    let no_match = match fallback {
        Some(name) if templates.iter().any(|template| template.name == name) => {
            NoMatch::UseTemplate(name)
        }
        Some(name) => return Err(format!("fallback_template {name:?} names no template")),
        None => NoMatch::Skip,
    };
    Ok(TemplateSet {
        templates,
        no_match,
    })
}

impl PolicyTemplate {
    fn into_template(self, service: ProviderKind) -> Template {
        let mut conditions = Vec::new();
        if let Some(pattern) = self
            .url_pattern
            .filter(|pattern| !pattern.trim().is_empty())
        {
            conditions.push(Condition::UrlMatches(pattern.trim().to_owned()));
        }
        if !self.keywords.is_empty() {
            conditions.push(Condition::KeywordsAny(self.keywords));
        }
        let mut fields: BTreeMap<String, FieldValue> = BTreeMap::new();
        let (title_field, user_field) = match service {
            ProviderKind::ServiceNow => ("short_description", Some("caller_id")),
            ProviderKind::Zendesk => ("subject", None),
        };
        fields.insert(
            title_field.to_owned(),
            FieldValue::From(ContextField::Title),
        );
        if let Some(user_field) = user_field {
            fields.insert(
                user_field.to_owned(),
                FieldValue::From(ContextField::UserId),
            );
        }
        let description = self
            .description
            .unwrap_or_else(|| "{description}".to_owned());
        fields.insert("description".to_owned(), FieldValue::Text(description));
        for (field, value) in self.fixed {
            fields.insert(field, FieldValue::Fixed(value));
        }
        Template {
            name: self.name,
            provider: service,
            table: "incident".to_owned(),
            conditions,
            fields,
            allow_private: self.allow_private,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn no_policy_means_no_managed_connections() {
        for policy in [json!({}), json!(null), json!({"connections": "acme"})] {
            assert_eq!(
                ManagedSettings::from_policy(&policy),
                ManagedSettings::default()
            );
        }
    }

    #[test]
    fn a_deployed_oauth_connection_with_templates_is_read() {
        let policy = json!({"connections": [{
            "id": "acme-it",
            "name": "Acme IT",
            "service": "servicenow",
            "instance": "acme",
            "sign_in": "oauth",
            "client_id": " flare ",
            "default": true,
            "templates": [{
                "name": "Intranet",
                "url_pattern": "https://intranet.acme.com/*",
                "fixed": {"assignment_group": "Intranet team", "urgency": "2"}
            }],
            "fallback_template": "Intranet",
            "locked_fields": ["assignment_group"]
        }]});
        let settings = ManagedSettings::from_policy(&policy);
        assert_eq!(settings.problems, []);
        let acme = settings.find("acme-it").unwrap();
        assert_eq!(acme.name, "Acme IT");
        assert_eq!(acme.instance.base(), "https://acme.service-now.com");
        assert_eq!(
            acme.sign_in,
            ManagedSignIn::OAuth {
                client_id: "flare".to_owned()
            }
        );
        assert!(acme.default);
        let templates = acme.templates.as_ref().unwrap();
        assert_eq!(
            templates.no_match,
            NoMatch::UseTemplate("Intranet".to_owned())
        );
        let intranet = &templates.templates[0];
        assert_eq!(
            intranet.conditions,
            [Condition::UrlMatches(
                "https://intranet.acme.com/*".to_owned()
            )]
        );
        assert_eq!(
            intranet.fields["assignment_group"],
            FieldValue::Fixed("Intranet team".to_owned())
        );
        assert_eq!(
            intranet.fields["caller_id"],
            FieldValue::From(ContextField::UserId)
        );
        assert_eq!(acme.locked_fields, ["assignment_group"]);
    }

    #[test]
    fn unusable_entries_are_named_and_the_rest_kept() {
        let policy = json!({"connections": [
            {"id": "zd", "service": "zendesk", "instance": "acme", "sign_in": "api_token"},
            {"id": "no-client", "service": "servicenow", "instance": "acme", "sign_in": "oauth"},
            {"id": "zd", "service": "zendesk", "instance": "other", "sign_in": "api_token"},
            {"id": "bad-address", "service": "servicenow", "instance": "http://acme.example.com",
             "sign_in": "password"},
            {"id": "wrong-mode", "service": "zendesk", "instance": "acme", "sign_in": "password"},
            {"service": "servicenow", "instance": "acme", "sign_in": "password"},
            {"id": "typo", "service": "servicenow", "instance": "acme", "sign_in": "password",
             "clientid": "x"}
        ]});
        let settings = ManagedSettings::from_policy(&policy);
        assert_eq!(settings.connections.len(), 1);
        assert_eq!(settings.connections[0].name, "acme.zendesk.com");
        assert_eq!(settings.connections[0].sign_in, ManagedSignIn::ApiToken);
        let entries: Vec<&str> = settings
            .problems
            .iter()
            .map(|problem| problem.entry.as_str())
            .collect();
        assert_eq!(
            entries,
            [
                "no-client",
                "zd",
                "bad-address",
                "wrong-mode",
                "connections[5]",
                "typo"
            ]
        );
        assert!(settings.problems[0].reason.contains("client_id"));
        assert!(settings.problems[5].reason.contains("clientid"));
    }

    #[test]
    fn a_fallback_that_names_no_template_is_refused() {
        let policy = json!({"connections": [{
            "id": "acme", "service": "servicenow", "instance": "acme", "sign_in": "password",
            "templates": [{"name": "Incident"}], "fallback_template": "Incidents"
        }]});
        let settings = ManagedSettings::from_policy(&policy);
        assert!(settings.connections.is_empty());
        assert!(settings.problems[0].reason.contains("Incidents"));
    }
}
