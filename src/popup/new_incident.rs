//! The form for a new ticket (a ServiceNow incident or a Zendesk ticket), pre-filled from the page
//! and saved as a draft while the user types.

mod console;
mod screenshot;

use flare_core::providers::servicenow::{Level, NewIncident, NewRequest};
use flare_core::providers::zendesk::{self, TicketPriority, TicketType};
use flare_core::templates::{Template, TemplateSet, TicketContext};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::{self, AppError, Connection, NewTicket, Provider};
use crate::browser::{document, PageContext, PlatformHandle};
use crate::i18n::Messages;
use crate::messages::{WorkerReply, WorkerRequest};
use crate::page_details::{console_details, page_details, with_quoted_selection};
use crate::popup::new_incident::console::ConsoleField;
use crate::popup::new_incident::screenshot::ScreenshotField;
use crate::popup::queued::OutboxChanged;
use crate::settings::PrivacySettings;
use crate::storage::{self, ScreenshotDraft, INCIDENT_DRAFT_KEY, SCREENSHOT_DRAFT_KEY};
use crate::ui::draft::keep_draft;
use crate::ui::errors::describe_for;
use crate::ui::priority::{IncidentChoices, PriorityChoice};
use crate::ui::rich_text::rich_text;

/// What the user has typed so far; it outlives a closed popup, and a switch of connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentDraft {
    /// One line saying what is wrong (ServiceNow's short description, Zendesk's subject).
    pub short_description: String,
    /// The details.
    pub description: String,
    /// Urgency choice value (ServiceNow).
    pub urgency: String,
    /// Impact choice value (ServiceNow).
    pub impact: String,
    /// Priority choice value (Zendesk); drafts from before Zendesk have none.
    #[serde(default = "normal_priority")]
    pub priority: String,
    /// The name of the template the draft started from, whose fixed values it is filed with.
    #[serde(default)]
    pub template: Option<String>,
    /// The page's details, sent after the description as the user left them.
    #[serde(default)]
    pub page_details: String,
    /// What the opt-in console capture kept on the page, redacted, sent after the page's
    /// details as the user left it.
    #[serde(default)]
    pub console_log: String,
    /// What it is, for ServiceNow: an incident or a request; drafts from before requests are
    /// incidents.
    #[serde(default)]
    pub kind: ServiceNowKind,
    /// The incident this one follows up, for a follow-up filed from a ticket's page.
    #[serde(default)]
    pub follow_up: Option<FollowUp>,
}

/// The incident a report follows up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    /// Its `sys_id`.
    pub sys_id: String,
    /// Its number, to show.
    pub number: String,
}

impl FollowUp {
    /// The follow-up a popup address asks for: `popup.html#follow-up=<sys_id>,<number>`, as the
    /// ticket page links it.
    pub fn from_fragment(fragment: &str) -> Option<FollowUp> {
        let (sys_id, number) = fragment.strip_prefix("follow-up=")?.split_once(',')?;
        let plain =
            |text: &str| !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric());
        (plain(sys_id) && plain(number)).then(|| FollowUp {
            sys_id: sys_id.to_owned(),
            number: number.to_owned(),
        })
    }
}

/// What a ServiceNow report is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceNowKind {
    /// Something is broken: an incident.
    #[default]
    Incident,
    /// Something is needed: a request (`sc_request`).
    Request,
}

/// An empty form, at medium urgency and impact, and normal priority.
impl Default for IncidentDraft {
    fn default() -> IncidentDraft {
        IncidentDraft {
            short_description: String::new(),
            description: String::new(),
            urgency: Level::Medium.code().to_owned(),
            impact: Level::Medium.code().to_owned(),
            priority: normal_priority(),
            template: None,
            page_details: String::new(),
            console_log: String::new(),
            kind: ServiceNowKind::Incident,
            follow_up: None,
        }
    }
}

impl IncidentDraft {
    /// A fresh draft describing the page the user is on, from the connection's template for this
    /// page (the first whose conditions hold, else the fallback): the page's title, the
    /// template's description for this page, and its urgency, impact or priority when it fixes
    /// them. The privacy settings decide what of the page it may name.
    pub fn from_page(
        page: &PageContext,
        templates: &TemplateSet,
        privacy: &PrivacySettings,
        messages: &Messages,
    ) -> IncidentDraft {
        let details = page_details(page, privacy, messages);
        // The template is chosen from the whole page, which stays in the browser; what the report
        // will say is only what the privacy settings allow.
        let page_context = TicketContext {
            page_title: page.title.clone(),
            page_url: page.url.clone(),
            browser: page.user_agent.clone(),
            ..TicketContext::default()
        };
        let shown = |allowed: bool, value: &str| match allowed {
            true => value.to_owned(),
            false => String::new(),
        };
        let context = TicketContext {
            page_title: shown(privacy.page_title, &page.title),
            page_url: shown(privacy.page_url, &page.url),
            browser: shown(privacy.browser, &page.user_agent),
            ..TicketContext::default()
        };
        let Some(template) = templates.choose(&page_context) else {
            return IncidentDraft {
                short_description: context.page_title,
                page_details: details,
                ..IncidentDraft::default()
            };
        };
        let fixed = template.fixed_values();
        let level = |field: &str| {
            fixed
                .get(field)
                .and_then(|code| Level::from_code(code))
                .map(|level| level.code().to_owned())
        };
        let blank = IncidentDraft::default();
        IncidentDraft {
            short_description: context.page_title.clone(),
            description: template
                .prefill("description", &context)
                .unwrap_or_default(),
            urgency: level("urgency").unwrap_or(blank.urgency),
            impact: level("impact").unwrap_or(blank.impact),
            priority: fixed
                .get("priority")
                .filter(|code| TicketPriority::from_code(code).is_some())
                .cloned()
                .unwrap_or(blank.priority),
            template: Some(template.name.clone()),
            page_details: details,
            console_log: String::new(),
            kind: blank.kind,
            follow_up: None,
        }
    }

    /// The description as sent: what the user wrote, then the page's details and the console
    /// block (redacted when it was read) they left in.
    fn description_with_details(&self) -> String {
        [
            self.description.trim_end(),
            self.page_details.trim(),
            self.console_log.trim(),
        ]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
    }

    fn is_blank(&self) -> bool {
        self.short_description.trim().is_empty() && self.description.trim().is_empty()
    }

    /// What filing this draft in `provider` sends; `title` is the trimmed one-liner and
    /// `template` the one the draft started from, whose fixed values go with it.
    fn new_ticket(
        &self,
        provider: Provider,
        title: String,
        template: Option<&Template>,
    ) -> NewTicket {
        let level = |code: &str| Level::from_code(code).unwrap_or(Level::Medium);
        let fixed = template.map(Template::fixed_values).unwrap_or_default();
        match (provider, self.kind) {
            (Provider::ServiceNow, ServiceNowKind::Request) => NewTicket::Request {
                request: NewRequest {
                    short_description: title,
                    description: self.description_with_details(),
                    requested_for: String::new(),
                },
            },
            (Provider::ServiceNow, ServiceNowKind::Incident) => NewTicket::Incident {
                incident: NewIncident {
                    short_description: title,
                    description: self.description_with_details(),
                    urgency: level(&self.urgency),
                    impact: level(&self.impact),
                    caller_id: String::new(),
                    parent_incident: self.follow_up.as_ref().map(|parent| parent.sys_id.clone()),
                },
                fixed,
            },
            (Provider::Zendesk, _) => NewTicket::Zendesk(zendesk::NewTicket {
                subject: title,
                body: self.description_with_details(),
                priority: TicketPriority::from_code(&self.priority),
                ticket_type: fixed
                    .get("type")
                    .and_then(|code| TicketType::from_code(code)),
                tags: fixed
                    .get("tags")
                    .map(|tags| {
                        tags.split([',', ' '])
                            .filter(|tag| !tag.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
                ..zendesk::NewTicket::default()
            }),
        }
    }
}

/// Files a ticket in the connected service desk: an incident in ServiceNow (short description,
/// description, urgency and impact), a ticket in Zendesk (subject, description, priority).
#[component]
pub fn NewIncidentForm(
    /// The saved connection to file it in.
    connection: Connection,
    /// True from a submit until its outcome is shown.
    #[prop(optional)]
    filing: RwSignal<bool>,
) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let provider = connection.provider();
    let blank = IncidentDraft::default();
    let short_description = RwSignal::new(blank.short_description);
    let description = RwSignal::new(blank.description);
    let urgency = RwSignal::new(blank.urgency);
    let impact = RwSignal::new(blank.impact);
    let priority = RwSignal::new(blank.priority);
    let (missing_title, set_missing_title) = signal(false);
    let template = RwSignal::new(blank.template);
    let details = RwSignal::new(blank.page_details);
    let console_log = RwSignal::new(blank.console_log);
    let kind = RwSignal::new(blank.kind);
    let follow_up = RwSignal::new(blank.follow_up);
    let current_draft = move || IncidentDraft {
        short_description: short_description.get(),
        description: description.get(),
        urgency: urgency.get(),
        impact: impact.get(),
        priority: priority.get(),
        template: template.get(),
        page_details: details.get(),
        console_log: console_log.get(),
        kind: kind.get(),
        follow_up: follow_up.get(),
    };
    let apply = move |draft: IncidentDraft| {
        short_description.set(draft.short_description);
        description.set(draft.description);
        urgency.set(draft.urgency);
        impact.set(draft.impact);
        priority.set(draft.priority);
        template.set(draft.template);
        details.set(draft.page_details);
        console_log.set(draft.console_log);
        kind.set(draft.kind);
        follow_up.set(draft.follow_up);
    };

    // The connection's templates, read with the draft: a new draft starts from one of them.
    let templates = RwSignal::new(TemplateSet::servicenow_default());
    let loader = platform.clone();
    let template_connection = connection.clone();
    let loader_messages = messages.clone();
    let draft_ready = keep_draft(
        platform.clone(),
        INCIDENT_DRAFT_KEY,
        current_draft,
        move |saved: Option<IncidentDraft>| async move {
            let loaded = connection_templates(&loader, &template_connection).await;
            let page = loader.page_context().await.unwrap_or_default();
            let draft = match saved {
                Some(draft) if !draft.is_blank() => draft,
                _ => {
                    let privacy = storage::load_privacy(&loader).await.unwrap_or_default();
                    let draft =
                        IncidentDraft::from_page(&page, &loaded, &privacy, &loader_messages);
                    // Only when the user opted in: reading injects a script into the tab. A
                    // page the capture cannot reach (the browser's own) simply has none.
                    let console_log = match (privacy.console_errors, page.tab_id) {
                        (true, Some(tab_id)) => {
                            match loader
                                .ask_worker(WorkerRequest::ReadConsole { tab_id })
                                .await
                            {
                                Ok(WorkerReply::Console { entries }) => {
                                    console_details(&entries, &loader_messages)
                                }
                                _ => String::new(),
                            }
                        }
                        _ => String::new(),
                    };
                    IncidentDraft {
                        console_log,
                        ..draft
                    }
                }
            };
            // Opened from "Report the selected text" on this page: the text goes in, quoted,
            // above whatever the draft already says.
            let draft = match storage::take_report_request(&loader).await {
                Ok(Some(request)) if request.page_url == page.url => IncidentDraft {
                    description: with_quoted_selection(&request.selection, &draft.description),
                    ..draft
                },
                _ => draft,
            };
            // Opened from a ticket's page to file a follow-up to it.
            let draft = match FollowUp::from_fragment(&document::fragment()) {
                Some(parent) if provider == Provider::ServiceNow => IncidentDraft {
                    follow_up: Some(parent),
                    kind: ServiceNowKind::Incident,
                    ..draft
                },
                _ => draft,
            };
            // The popup may have closed (or the view changed) while this was read.
            if templates.try_set(loaded).is_none() {
                apply(draft);
            }
        },
    );

    // The popup's list of queued reports, when this form is in one.
    let outbox_changed = use_context::<OutboxChanged>();
    let screenshot = RwSignal::new(None::<ScreenshotDraft>);
    let create = Action::new_unsync(move |(submitted, ticket): &(IncidentDraft, NewTicket)| {
        let (platform, connection, submitted, ticket) = (
            platform.clone(),
            connection.clone(),
            submitted.clone(),
            ticket.clone(),
        );
        // Read now: after an await the form may be gone.
        let shot = screenshot.get_untracked();
        async move {
            let picture = shot.as_ref().map(|shot| shot.result.clone());
            let outcome = file(&platform, &connection, ticket, picture).await;
            // The form may be gone by now.
            let _ = filing.try_set(false);
            let filing = outcome?;
            if let (Filing::Queued, Some(changed)) = (&filing, outbox_changed) {
                changed.bump();
            }
            // The screenshot went with it. One that could not be attached, or that waits with a
            // queued report the outbox cannot carry, stays here.
            if matches!(filing, Filing::Filed(_)) && shot.is_some() {
                let _ = screenshot.try_set(None);
                let _ = platform.remove(SCREENSHOT_DRAFT_KEY).await;
            }
            // Filed or safely queued: the draft has done its job, unless it changed meanwhile;
            // then it is new work. On failure it stays, so nothing typed is lost.
            if untrack(current_draft) == submitted {
                // The next report from this page starts from the same template.
                apply(IncidentDraft {
                    template: submitted.template.clone(),
                    kind: submitted.kind,
                    ..IncidentDraft::default()
                });
                let _ = platform.remove(INCIDENT_DRAFT_KEY).await;
            }
            Ok::<Filing, api::AppError>(filing)
        }
    });

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let title = short_description.get_untracked().trim().to_owned();
        set_missing_title.set(title.is_empty());
        if title.is_empty() {
            return;
        }
        let draft = untrack(current_draft);
        let ticket = templates.with_untracked(|templates| {
            let chosen = draft.template.as_deref().and_then(|name| {
                templates
                    .templates
                    .iter()
                    .find(|template| template.name == name)
            });
            draft.new_ticket(provider, title, chosen)
        });
        filing.set(true);
        create.dispatch((draft, ticket));
    };
    let outcome_messages = messages.clone();
    let outcome = move || match create.value().get() {
        Some(Ok(Filing::Queued)) => view! {
            <p role="status" class="queued">{outcome_messages.text("outbox_queued")}</p>
        }
        .into_any(),
        Some(Ok(Filing::Filed(ticket) | Filing::FiledWithoutScreenshot(ticket, _))) => {
            let pieces = match provider {
                Provider::ServiceNow => outcome_messages.pieces("incident_created"),
                Provider::Zendesk => outcome_messages.pieces("ticket_created"),
            };
            let created = rich_text(pieces, |arg_idx| {
                match arg_idx {
                0 => view! {
                    <a href=ticket.web_link.clone() target="_blank" rel="noopener">{ticket.reference.clone()}</a>
                }
                .into_any(),
                _ => ticket.title.clone().into_any(),
            }
            });
            let not_attached = match create.value().get() {
                Some(Ok(Filing::FiledWithoutScreenshot(_, error))) => {
                    Some(outcome_messages.format(
                        "screenshot_not_attached",
                        &[&describe_for(&error, provider, &outcome_messages)],
                    ))
                }
                _ => None,
            };
            view! {
                <p role="status" class="success">{created}</p>
                {not_attached.map(|message| view! { <p role="alert" class="error">{message}</p> })}
            }
            .into_any()
        }
        Some(Err(error)) => view! {
            <p role="alert" class="error">{describe_for(&error, provider, &outcome_messages)}</p>
        }
        .into_any(),
        None => ().into_any(),
    };
    let missing = messages.text("incident_short_description_missing");
    let template_messages = messages.clone();
    let (title_label, title_name, create_label, creating) = match provider {
        Provider::ServiceNow => (
            messages.text("incident_short_description_label"),
            "short_description",
            messages.text("incident_create"),
            messages.text("incident_creating"),
        ),
        Provider::Zendesk => (
            messages.text("ticket_subject_label"),
            "subject",
            messages.text("ticket_create"),
            messages.text("ticket_creating"),
        ),
    };
    let request_label = messages.text("request_create");
    let follow_up_messages = messages.clone();
    // A request has no urgency and impact to choose; what it is comes first.
    let choices = match provider {
        Provider::ServiceNow => view! {
            <Show when=move || kind.get() == ServiceNowKind::Incident>
                <IncidentChoices urgency impact/>
            </Show>
        }
        .into_any(),
        Provider::Zendesk => view! { <PriorityChoice priority/> }.into_any(),
    };
    let kind_choice = (provider == Provider::ServiceNow).then(|| view! { <KindChoice kind/> });
    let create_label = move || match kind.get() {
        ServiceNowKind::Request if provider == Provider::ServiceNow => request_label.clone(),
        _ => create_label.clone(),
    };
    view! {
        <form class="new-incident" on:submit=submit>
            // Nothing can be typed before the draft is in (it would be overwritten) or while the
            // ticket is being filed (it would be cleared).
            <fieldset disabled=move || !draft_ready.get() || create.pending().get()>
                {move || follow_up.get().map(|parent| view! {
                    <p class="follow-up">
                        {follow_up_messages.format("follow_up_of", &[&parent.number])}
                        " "
                        <button type="button" class="link" on:click=move |_| follow_up.set(None)>
                            {follow_up_messages.text("follow_up_clear")}
                        </button>
                    </p>
                })}
                {kind_choice}
                <label>
                    {title_label}
                    <input type="text" name=title_name maxlength="160" bind:value=short_description/>
                </label>
                {move || missing_title.get().then(|| view! { <p role="alert" class="error">{missing.clone()}</p> })}
                <label>
                    {messages.text("incident_description_label")}
                    <textarea name="description" rows="5" bind:value=description></textarea>
                </label>
                {choices}
                {move || template.get().map(|name| view! {
                    <p class="template-name">{template_messages.format("incident_template", &[&name])}</p>
                })}
                <label for="page-details">{messages.text("incident_page_details_label")}</label>
                <textarea id="page-details" name="page_details" rows="5" class="page-details" bind:value=details></textarea>
                <button type="button" class="link" hidden=move || details.with(String::is_empty) on:click=move |_| details.set(String::new())>
                    {messages.text("incident_page_details_remove")}
                </button>
                <ConsoleField console_log/>
                <ScreenshotField screenshot/>
                <button type="submit" class="primary">{create_label}</button>
            </fieldset>
            <div aria-live="polite">
                {move || create.pending().get().then(|| view! { <p role="status">{creating.clone()}</p> })}
                {outcome}
            </div>
        </form>
    }
}

/// Whether a ServiceNow report is about something broken or something needed.
#[component]
fn KindChoice(
    /// The choice.
    kind: RwSignal<ServiceNowKind>,
) -> impl IntoView {
    let messages = expect_context::<Messages>();
    let choices = [
        (
            ServiceNowKind::Incident,
            "incident",
            messages.text("kind_incident"),
        ),
        (
            ServiceNowKind::Request,
            "request",
            messages.text("kind_request"),
        ),
    ]
    .into_iter()
    .map(|(choice, value, label)| {
        view! {
            <label class="choice">
                <input
                    type="radio"
                    name="kind"
                    value=value
                    prop:checked=move || kind.get() == choice
                    on:change=move |_| kind.set(choice)
                />
                {label}
            </label>
        }
    })
    .collect_view();
    view! {
        <fieldset class="kind">
            <legend>{messages.text("kind_legend")}</legend>
            {choices}
        </fieldset>
    }
}

fn normal_priority() -> String {
    TicketPriority::Normal.code().to_owned()
}

/// The templates `connection` files with (flare-core's default for its service desk when they
/// cannot be read: a report is still worth filing).
async fn connection_templates(platform: &PlatformHandle, connection: &Connection) -> TemplateSet {
    let default = || connection.provider().default_templates();
    let Ok(saved) = api::saved_connections(platform).await else {
        return default();
    };
    let Some(saved) = saved.same_as(connection) else {
        return default();
    };
    match storage::templates_for(platform, saved).await {
        Ok((templates, _)) => templates,
        Err(_) => default(),
    }
}

#[cfg(test)]
mod tests;

/// How a submitted report ended.
#[derive(Debug, Clone, PartialEq)]
enum Filing {
    /// Filed.
    Filed(Filed),
    /// Filed, but the screenshot could not be attached, for this reason.
    FiledWithoutScreenshot(Filed, AppError),
    /// Kept in the outbox, to be filed by the background worker.
    Queued,
}

/// What the form shows of a filed ticket.
#[derive(Debug, Clone, PartialEq)]
struct Filed {
    /// Its number (`INC0010001`, `#42`).
    reference: String,
    /// Its title.
    title: String,
    /// The ticket on the service desk.
    web_link: String,
}

/// Has the background worker file `ticket` in the saved connection `connection` is, with the
/// `screenshot` (a PNG `data:` URL); it queues what cannot be filed yet.
async fn file(
    platform: &PlatformHandle,
    connection: &Connection,
    ticket: NewTicket,
    screenshot: Option<String>,
) -> Result<Filing, AppError> {
    let saved = api::saved_connections(platform).await?;
    let connection_id = saved
        .same_as(connection)
        .map(|saved| saved.id.clone())
        .ok_or_else(|| AppError::Browser("the connection is no longer saved".to_owned()))?;
    let request = WorkerRequest::FileReport {
        connection_id,
        ticket,
        screenshot,
    };
    match platform.ask_worker(request).await? {
        WorkerReply::Filed {
            reference,
            title,
            web_link,
            screenshot_error,
        } => {
            let filed = Filed {
                reference,
                title,
                web_link,
            };
            Ok(match screenshot_error {
                None => Filing::Filed(filed),
                Some(error) => Filing::FiledWithoutScreenshot(filed, error),
            })
        }
        WorkerReply::Queued => Ok(Filing::Queued),
        WorkerReply::Failed { error } => Err(error),
        _ => Err(AppError::Browser(
            "the background worker did not file the report".to_owned(),
        )),
    }
}
