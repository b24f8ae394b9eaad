//! Ticket templates and routing: which service desk, table and field values a new ticket gets.
//!
//! After seed 004 (incident.io's ServiceNow sync): several templates, each with conditions; the
//! first template whose conditions all hold is used; when none matches, a configurable fallback
//! either skips or uses a default template. Field values are fixed or come from the context the
//! ticket is filed in (the page, the selection, the user). Everything here is plain data with serde,
//! so the options page can edit it and storage can keep it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::providers::servicenow::incident_states;
use crate::providers::zendesk::{ticket_status, TicketStatus};
use crate::ticket::{Status, StatusCategory};

/// The service desk a template files into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// A ServiceNow instance.
    ServiceNow,
    /// A Zendesk account.
    Zendesk,
}

/// All templates and what to do when none matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateSet {
    /// Tried in order; the first whose conditions all hold wins.
    pub templates: Vec<Template>,
    /// What happens when no template matches.
    pub no_match: NoMatch,
}

/// One way of filing a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    /// A name people recognise ("Security incidents").
    pub name: String,
    /// Where tickets from this template go.
    pub provider: ProviderKind,
    /// The ServiceNow table (`incident`, `sc_request`) or Zendesk ticket type (`incident`, `question`).
    pub table: String,
    /// All must hold for the template to apply; none means it always applies.
    pub conditions: Vec<Condition>,
    /// Field name to value.
    pub fields: BTreeMap<String, FieldValue>,
    /// Whether tickets marked private may be filed with this template.
    pub allow_private: bool,
}

/// A condition on the context a ticket is filed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Condition {
    /// The page URL matches a glob where `*` is any run of characters (`https://*.example.com/*`).
    UrlMatches(String),
    /// The category the user chose is one of these (case-insensitive).
    CategoryIn(Vec<String>),
    /// The priority code is one of these (`"1"`, `"2"`).
    PriorityIn(Vec<String>),
    /// The title or description contains any of these words (case-insensitive).
    KeywordsAny(Vec<String>),
}

/// Where a field's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum FieldValue {
    /// Always this value (seed 004: `state` 1, `urgency` 2, `impact` 2).
    Fixed(String),
    /// A value from the context.
    From(ContextField),
    /// Text with `{placeholders}` naming context fields, e.g. `"{title}\n\nReported from {page_url}"`.
    Text(String),
}

/// A piece of the context a ticket is filed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContextField {
    /// What the user typed as the title.
    Title,
    /// What the user typed as the description.
    Description,
    /// The page's title.
    PageTitle,
    /// The page's URL.
    PageUrl,
    /// The text the user had selected on the page.
    Selection,
    /// The signed-in user's id on the service desk (a `sys_id`).
    UserId,
    /// The signed-in user's e-mail address.
    UserEmail,
    /// The browser's user agent.
    Browser,
    /// The category the user chose.
    Category,
    /// The priority code.
    Priority,
}

/// What to do when no template matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum NoMatch {
    /// File nothing (seed 004's default once any condition exists).
    Skip,
    /// Use the template with this name.
    UseTemplate(String),
}

/// The facts a ticket is filed with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketContext {
    /// What the user typed as the title.
    pub title: String,
    /// What the user typed as the description.
    pub description: String,
    /// The page's title.
    pub page_title: String,
    /// The page's URL.
    pub page_url: String,
    /// Selected text on the page.
    pub selection: String,
    /// The signed-in user's id.
    pub user_id: String,
    /// The signed-in user's e-mail address.
    pub user_email: String,
    /// The browser's user agent.
    pub browser: String,
    /// The chosen category.
    pub category: String,
    /// The priority code.
    pub priority: String,
    /// Whether the ticket is private (seed 004: private incidents are only filed when allowed).
    pub private: bool,
}

/// The outcome of routing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routing {
    /// File with this template and these field values.
    File {
        /// The template's name.
        template: String,
        /// Where to file.
        provider: ProviderKind,
        /// The table or ticket type.
        table: String,
        /// Field values, resolved.
        fields: BTreeMap<String, String>,
    },
    /// File nothing: no template matched and the fallback is to skip, or the ticket is private.
    Skip,
}

impl TemplateSet {
    /// Picks the template for `context` and resolves its fields.
    pub fn route(&self, context: &TicketContext) -> Routing {
        let Some(template) = self.choose(context) else {
            return Routing::Skip;
        };
        if context.private && !template.allow_private {
            return Routing::Skip;
        }
        Routing::File {
            template: template.name.clone(),
            provider: template.provider,
            table: template.table.clone(),
            fields: template.resolve(context),
        }
    }

    /// The template for `context`: the first whose conditions all hold, else the one
    /// [`NoMatch::UseTemplate`] names; `None` when nothing is to be filed.
    pub fn choose(&self, context: &TicketContext) -> Option<&Template> {
        let matched = self
            .templates
            .iter()
            .find(|template| template.matches(context));
        matched.or_else(|| self.no_match_template())
    }

    /// The template a ticket gets when none of the conditions hold: the first template without
    /// conditions (seed 004: with no conditions "we will use the first template in the list"), else
    /// the one [`NoMatch::UseTemplate`] names. Forms pre-fill from it before anything is typed.
    pub fn fallback(&self) -> Option<&Template> {
        self.templates
            .iter()
            .find(|template| template.conditions.is_empty())
            .or_else(|| self.no_match_template())
    }

    /// Seed 004's incident template: title to `short_description`, the description as typed (the
    /// app adds the page's details after it, as the user left them), `state` 1 (New), `urgency` 2,
    /// `impact` 2, the user as caller.
    pub fn servicenow_default() -> TemplateSet {
        let fields = [
            ("short_description", FieldValue::From(ContextField::Title)),
            ("description", FieldValue::Text("{description}".to_owned())),
            ("state", FieldValue::Fixed("1".to_owned())),
            ("urgency", FieldValue::Fixed("2".to_owned())),
            ("impact", FieldValue::Fixed("2".to_owned())),
            ("caller_id", FieldValue::From(ContextField::UserId)),
        ];
        TemplateSet {
            templates: vec![Template {
                name: "Incident".to_owned(),
                provider: ProviderKind::ServiceNow,
                table: "incident".to_owned(),
                conditions: Vec::new(),
                fields: map_of(fields.map(|(name, value)| (name.to_owned(), value))),
                allow_private: false,
            }],
            no_match: NoMatch::Skip,
        }
    }

    /// A Zendesk ticket's template: the title to `subject`, the description as typed; Zendesk's own
    /// defaults for the rest.
    pub fn zendesk_default() -> TemplateSet {
        let fields = [
            ("subject", FieldValue::From(ContextField::Title)),
            ("description", FieldValue::Text("{description}".to_owned())),
        ];
        TemplateSet {
            templates: vec![Template {
                name: "Ticket".to_owned(),
                provider: ProviderKind::Zendesk,
                table: "incident".to_owned(),
                conditions: Vec::new(),
                fields: map_of(fields.map(|(name, value)| (name.to_owned(), value))),
                allow_private: false,
            }],
            no_match: NoMatch::Skip,
        }
    }

    fn no_match_template(&self) -> Option<&Template> {
        match &self.no_match {
            NoMatch::Skip => None,
            NoMatch::UseTemplate(name) => self
                .templates
                .iter()
                .find(|template| &template.name == name),
        }
    }
}

impl Template {
    /// Whether every condition holds for `context`.
    pub fn matches(&self, context: &TicketContext) -> bool {
        self.conditions
            .iter()
            .all(|condition| condition.holds(context))
    }

    /// The fields the template always sets to one value (seed 004's `state`, `urgency`, `impact`).
    pub fn fixed_values(&self) -> BTreeMap<String, String> {
        map_of(self.fields.iter().filter_map(|(name, value)| match value {
            FieldValue::Fixed(value) => Some((name.clone(), value.clone())),
            _ => None,
        }))
    }

    /// The template's field values for `context`. Values that come out empty are left out, so the
    /// instance's own defaults apply.
    pub fn resolve(&self, context: &TicketContext) -> BTreeMap<String, String> {
        map_of(
            self.fields
                .iter()
                .map(|(name, value)| (name.clone(), value.resolve(context)))
                .filter(|(_, value)| !value.trim().is_empty()),
        )
    }

    /// The text a form starts `field` with, before the user has typed: the field's value for
    /// `context` without the lines that would say nothing yet (every placeholder on them empty,
    /// such as `{description}`) and without blank lines around what is left; each line ends with a
    /// line break, so the user can type on. `None` when the template does not set `field`.
    pub fn prefill(&self, field: &str, context: &TicketContext) -> Option<String> {
        let text = match self.fields.get(field)? {
            FieldValue::Text(text) => text,
            value => return Some(value.resolve(context)),
        };
        let lines: Vec<String> = text
            .lines()
            .filter(|line| !says_nothing(line, context))
            .map(|line| fill_placeholders(line, context))
            .collect();
        let is_blank = |line: &String| line.trim().is_empty();
        let first = lines.iter().position(|line| !is_blank(line));
        let last = lines.iter().rposition(|line| !is_blank(line));
        let (Some(first), Some(last)) = (first, last) else {
            return Some(String::new());
        };
        Some(
            lines[first..=last]
                .iter()
                .map(|line| format!("{line}\n"))
                .collect(),
        )
    }
}

impl Condition {
    /// Whether the condition holds for `context`.
    pub fn holds(&self, context: &TicketContext) -> bool {
        match self {
            Condition::UrlMatches(pattern) => glob_matches(pattern, &context.page_url),
            Condition::CategoryIn(categories) => categories
                .iter()
                .any(|category| category.eq_ignore_ascii_case(context.category.trim())),
            Condition::PriorityIn(priorities) => priorities
                .iter()
                .any(|priority| priority == context.priority.trim()),
            Condition::KeywordsAny(keywords) => {
                let text = format!("{} {}", context.title, context.description).to_lowercase();
                keywords
                    .iter()
                    .map(|keyword| keyword.trim().to_lowercase())
                    .any(|keyword| !keyword.is_empty() && text.contains(&keyword))
            }
        }
    }
}

impl FieldValue {
    /// The value for `context`.
    pub fn resolve(&self, context: &TicketContext) -> String {
        match self {
            FieldValue::Fixed(value) => value.clone(),
            FieldValue::From(field) => field.read(context).to_owned(),
            FieldValue::Text(text) => fill_placeholders(text, context),
        }
    }
}

impl ContextField {
    /// Every field, for pickers.
    pub const ALL: [ContextField; 10] = [
        ContextField::Title,
        ContextField::Description,
        ContextField::PageTitle,
        ContextField::PageUrl,
        ContextField::Selection,
        ContextField::UserId,
        ContextField::UserEmail,
        ContextField::Browser,
        ContextField::Category,
        ContextField::Priority,
    ];

    /// The placeholder name in [`FieldValue::Text`].
    pub fn placeholder(self) -> &'static str {
        match self {
            ContextField::Title => "title",
            ContextField::Description => "description",
            ContextField::PageTitle => "page_title",
            ContextField::PageUrl => "page_url",
            ContextField::Selection => "selection",
            ContextField::UserId => "user_id",
            ContextField::UserEmail => "user_email",
            ContextField::Browser => "browser",
            ContextField::Category => "category",
            ContextField::Priority => "priority",
        }
    }

    fn read(self, context: &TicketContext) -> &str {
        match self {
            ContextField::Title => &context.title,
            ContextField::Description => &context.description,
            ContextField::PageTitle => &context.page_title,
            ContextField::PageUrl => &context.page_url,
            ContextField::Selection => &context.selection,
            ContextField::UserId => &context.user_id,
            ContextField::UserEmail => &context.user_email,
            ContextField::Browser => &context.browser,
            ContextField::Category => &context.category,
            ContextField::Priority => &context.priority,
        }
    }
}

/// Which service-desk states count as open and which as completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateMapping {
    /// State codes that mean completed; every other code is open.
    pub completed: Vec<String>,
}

impl StateMapping {
    /// Seed 004: ServiceNow incident states 1-5 are open, 6 (Resolved) and 7 (Closed) completed;
    /// Flare adds 8 (Canceled), which a fresh instance also has. Derived from
    /// [`crate::providers::servicenow::incident_state`], which keeps the rule.
    pub fn servicenow_incident() -> StateMapping {
        StateMapping::of(incident_states())
    }

    /// Zendesk: new, open, pending and hold are open; solved and closed completed. Derived from
    /// [`ticket_status`], which keeps the rule.
    pub fn zendesk() -> StateMapping {
        StateMapping::of(
            TicketStatus::ALL
                .into_iter()
                .map(|status| ticket_status(status.code())),
        )
    }

    /// The category of a state code.
    pub fn category(&self, code: &str) -> StatusCategory {
        match self.completed.iter().any(|completed| completed == code) {
            true => StatusCategory::Completed,
            false => StatusCategory::Open,
        }
    }

    /// The mapping that has the completed ones of `statuses` as completed.
    fn of(statuses: impl Iterator<Item = Status>) -> StateMapping {
        StateMapping {
            completed: statuses
                .filter(|status| status.category == StatusCategory::Completed)
                .map(|status| status.code)
                .collect(),
        }
    }
}

/// The fields of a follow-up: a child ticket linked to its parent (seed 004: title to
/// `short_description`, description, the parent's reference in `parent`, `state` 1).
pub fn follow_up_fields(
    parent_sys_id: &str,
    title: &str,
    description: &str,
) -> BTreeMap<String, String> {
    map_of(
        [
            ("short_description", title),
            ("description", description),
            ("parent", parent_sys_id),
            ("state", "1"),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_owned())),
    )
}

/// A map of `entries`, inserted one by one. `collect()` would sort them first, and that sort's
/// code is several KB of every wasm that builds a template's fields (the popup's above all).
fn map_of<V>(entries: impl IntoIterator<Item = (String, V)>) -> BTreeMap<String, V> {
    let mut map = BTreeMap::new();
    map.extend(entries);
    map
}

fn fill_placeholders(text: &str, context: &TicketContext) -> String {
    let mut filled = text.to_owned();
    for field in ContextField::ALL {
        filled = filled.replace(&format!("{{{}}}", field.placeholder()), field.read(context));
    }
    filled
}

/// Whether `line` names context fields and every one of them is empty in `context`.
fn says_nothing(line: &str, context: &TicketContext) -> bool {
    let mut named = ContextField::ALL
        .into_iter()
        .filter(|field| line.contains(&format!("{{{}}}", field.placeholder())))
        .peekable();
    named.peek().is_some() && named.all(|field| field.read(context).is_empty())
}

/// `*` matches any run of characters, everything else itself; case-insensitive, whole string.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.to_lowercase(), text.to_lowercase());
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(idx) => rest = &rest[idx + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests;
