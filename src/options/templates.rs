//! Each connection's ticket templates (seed 004): where each applies, what it fills in, and which
//! one a report gets when none matches. The popup routes every new report through them.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::PlatformHandle;
use crate::i18n::Messages;
use crate::options::template_form::{FixedValue, TemplateForm, TemplateProblem, TemplateSetForm};
use crate::options::Connections;
use crate::storage;

/// The connection choice and its templates.
#[component]
pub(crate) fn TemplatesSection() -> impl IntoView {
    let messages = expect_context::<Messages>();
    let Connections { saved, .. } = expect_context::<Connections>();
    let chosen = RwSignal::new(None::<String>);
    // The chosen connection while it exists, else the default one.
    let selected = Memo::new(move |_| {
        saved.with(|saved| {
            let saved = saved.as_ref()?;
            let chosen = chosen.get().filter(|id| saved.find(id).is_some());
            chosen.or_else(|| saved.default_connection().map(|default| default.id.clone()))
        })
    });
    let choices = move || {
        saved.with(|saved| {
            saved.as_ref().map_or_else(Vec::new, |saved| {
                saved
                    .connections
                    .iter()
                    .map(|connection| (connection.id.clone(), connection.name.clone()))
                    .collect::<Vec<_>>()
            })
        })
    };
    let picker_label = messages.text("templates_connection_label");
    let picker = move || {
        let choices = choices();
        (choices.len() > 1).then(|| {
            let options = choices
                .into_iter()
                .map(|(id, name)| {
                    let is_selected = selected.get_untracked().as_ref() == Some(&id);
                    view! { <option value=id selected=is_selected>{name}</option> }
                })
                .collect_view();
            view! {
                <p>
                    <label for="templates-connection">{picker_label.clone()}</label>
                    <select id="templates-connection" on:change:target=move |event| chosen.set(Some(event.target().value()))>
                        {options}
                    </select>
                </p>
            }
        })
    };
    let empty = messages.text("templates_no_connection");
    view! {
        <section id="templates" aria-labelledby="templates-heading">
            <h2 id="templates-heading">{messages.text("options_templates_heading")}</h2>
            <p class="hint">{messages.text("templates_hint")}</p>
            {picker}
            {move || match selected.get() {
                Some(connection_id) => view! { <TemplateEditor connection_id/> }.into_any(),
                None => view! { <p class="empty">{empty.clone()}</p> }.into_any(),
            }}
        </section>
    }
}

/// A text input of a template, read and written by the same accessor.
#[derive(Clone, Copy)]
enum TextField {
    Name,
    UrlPattern,
    Keywords,
    Description,
}

impl TextField {
    fn of(self, template: &mut TemplateForm) -> &mut String {
        match self {
            TextField::Name => &mut template.name,
            TextField::UrlPattern => &mut template.url_pattern,
            TextField::Keywords => &mut template.keywords,
            TextField::Description => &mut template.description,
        }
    }
}

/// Edits the templates of one connection and saves them together.
#[component]
fn TemplateEditor(
    /// The connection whose templates these are.
    connection_id: String,
) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let form = RwSignal::new(None::<TemplateSetForm>);
    let current = RwSignal::new(0_usize);
    let problems = RwSignal::new(Vec::<TemplateProblem>::new());
    let (saved_ok, set_saved_ok) = signal(None::<bool>);
    let loader = platform.clone();
    let load_id = connection_id.clone();
    let Connections { saved, .. } = expect_context::<Connections>();
    let set_by_organisation = RwSignal::new(false);
    spawn_local(async move {
        let connection = saved.try_with_untracked(|saved| {
            saved
                .as_ref()
                .and_then(|saved| saved.find(&load_id).cloned())
        });
        let Some(connection) = connection.flatten() else {
            return;
        };
        // Templates that cannot be read start again from the default, as for a new connection.
        let (set, managed) = storage::templates_for(&loader, &connection)
            .await
            .unwrap_or_else(|_| (connection.connection.provider().default_templates(), false));
        set_by_organisation.set(managed);
        form.set(Some(TemplateSetForm::from_set(&set)));
    });
    let edit = move |change: &dyn Fn(&mut TemplateSetForm)| {
        form.update(|form| {
            if let Some(form) = form {
                change(form);
            }
        });
        set_saved_ok.set(None);
    };
    let names = Memo::new(move |_| {
        form.with(|form| {
            form.as_ref().map_or_else(Vec::new, |form| {
                form.templates
                    .iter()
                    .map(|template| template.name.clone())
                    .collect::<Vec<_>>()
            })
        })
    });
    let fallback =
        Memo::new(move |_| form.with(|form| form.as_ref().and_then(|form| form.fallback)));

    let new_name = messages.text("templates_new_name");
    let add = move |_| {
        let name = new_name.clone();
        edit(&|form| form.add(name.clone()));
        current.set(names.get_untracked().len().saturating_sub(1));
    };
    let remove = move |_| {
        let idx = current.get_untracked();
        edit(&|form| form.remove(idx));
        current.set(idx.min(names.get_untracked().len().saturating_sub(1)));
    };
    let move_up = move |_| {
        let idx = current.get_untracked();
        edit(&|form| form.move_up(idx));
        current.set(idx.saturating_sub(1));
    };
    let save_id = connection_id.clone();
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Some(edited) = form.get_untracked() else {
            return;
        };
        match edited.to_set() {
            Ok(set) => {
                problems.set(Vec::new());
                let (platform, id) = (platform.clone(), save_id.clone());
                spawn_local(async move {
                    let saved = storage::save_templates(&platform, &id, &set).await;
                    set_saved_ok.set(Some(saved.is_ok()));
                });
            }
            Err(found) => {
                if let Some(first) = found.first() {
                    current.set(problem_template(*first));
                }
                problems.set(found);
            }
        }
    };

    let template_label = messages.text("templates_template_label");
    let managed_note = messages.text("templates_managed");
    let picker = move || {
        let options = names
            .get()
            .into_iter()
            .enumerate()
            .map(|(idx, name)| {
                view! { <option value=idx.to_string() selected=move || current.get() == idx>{name}</option> }
            })
            .collect_view();
        view! {
            <select id="template-choice" on:change:target=move |event| {
                current.set(event.target().value().parse().unwrap_or_default());
            }>
                {options}
            </select>
        }
    };
    let fallback_options = move || {
        names
            .get()
            .into_iter()
            .enumerate()
            .map(|(idx, name)| {
                view! { <option value=idx.to_string() selected=move || fallback.get() == Some(idx)>{name}</option> }
            })
            .collect_view()
    };
    let count = Memo::new(move |_| names.with(Vec::len));
    let editor_messages = messages.clone();
    let template_form = move || {
        let idx = current.get();
        (idx < count.get()).then(|| {
            view! { <TemplateFields idx form problems messages=editor_messages.clone() on_edit=move || set_saved_ok.set(None)/> }
        })
    };
    let saved_messages = messages.clone();
    let saved_outcome = move || match saved_ok.get() {
        Some(true) => {
            view! { <p role="status" class="success">{saved_messages.text("templates_saved")}</p> }
                .into_any()
        }
        Some(false) => {
            view! { <p role="alert" class="error">{saved_messages.text("options_save_failed")}</p> }
                .into_any()
        }
        None => ().into_any(),
    };
    let problems_messages = messages.clone();
    let problems_summary = move || {
        (!problems.with(Vec::is_empty)).then(|| {
            view! { <p role="alert" class="error">{problems_messages.text("templates_problems")}</p> }
        })
    };
    view! {
        <form class="templates" on:submit=save>
            {move || set_by_organisation.get().then(|| view! { <p class="hint">{managed_note.clone()}</p> })}
            <fieldset disabled=move || form.with(Option::is_none) || set_by_organisation.get()>
                <div class="template-picker">
                    <label for="template-choice">{template_label}</label>
                    <div class="row">
                        {picker}
                        <button type="button" on:click=add>{messages.text("templates_add")}</button>
                        <button type="button" disabled=move || current.get() == 0 on:click=move_up>
                            {messages.text("templates_move_up")}
                        </button>
                        <button type="button" disabled=move || count.get() == 0 on:click=remove>
                            {messages.text("templates_remove")}
                        </button>
                    </div>
                </div>
                {template_form}
                <label for="template-fallback">{messages.text("templates_fallback_label")}</label>
                <select id="template-fallback" on:change:target=move |event| {
                    let chosen = event.target().value().parse::<usize>().ok();
                    edit(&|form| form.fallback = chosen);
                }>
                    <option value="" selected=move || fallback.get().is_none()>{messages.text("templates_fallback_none")}</option>
                    {fallback_options}
                </select>
                <div class="actions">
                    <button type="submit" class="primary">{messages.text("templates_save")}</button>
                </div>
            </fieldset>
            <div aria-live="polite">
                {problems_summary}
                {saved_outcome}
            </div>
        </form>
    }
}

/// The fields of the template at `idx`.
#[component]
fn TemplateFields(
    idx: usize,
    form: RwSignal<Option<TemplateSetForm>>,
    problems: RwSignal<Vec<TemplateProblem>>,
    messages: Messages,
    /// Called after every change, so an earlier "saved" no longer shows.
    on_edit: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let read = move |field: TextField| {
        move || {
            form.with(|form| {
                form.as_ref()
                    .and_then(|form| form.templates.get(idx))
                    .map(|template| field.of(&mut template.clone()).clone())
                    .unwrap_or_default()
            })
        }
    };
    let write = move |field: TextField| {
        move |value: String| {
            form.update(|form| {
                if let Some(template) = form.as_mut().and_then(|form| form.templates.get_mut(idx)) {
                    *field.of(template) = value;
                }
            });
            on_edit();
        }
    };
    let update_template = move |change: &dyn Fn(&mut TemplateForm)| {
        form.update(|form| {
            if let Some(template) = form.as_mut().and_then(|form| form.templates.get_mut(idx)) {
                change(template);
            }
        });
        on_edit();
    };
    let name_problem = {
        let messages = messages.clone();
        move || {
            problems.with(|problems| {
                problems.iter().find_map(|problem| match *problem {
                    TemplateProblem::NameMissing { template } if template == idx => {
                        Some(messages.text("templates_name_missing"))
                    }
                    TemplateProblem::NameTaken { template } if template == idx => {
                        Some(messages.text("templates_name_taken"))
                    }
                    _ => None,
                })
            })
        }
    };
    let has_name_problem = {
        let name_problem = name_problem.clone();
        move || name_problem().is_some()
    };
    let rows = Memo::new(move |_| {
        form.with(|form| {
            form.as_ref()
                .and_then(|form| form.templates.get(idx))
                .map_or(0, |template| template.fixed.len())
        })
    });
    let fixed_rows = {
        let messages = messages.clone();
        move || {
            (0..rows.get())
                .map(|row| view! { <FixedValueRow idx row form problems messages=messages.clone() on_edit/> })
                .collect_view()
        }
    };
    let allow_private = move || {
        form.with(|form| {
            form.as_ref()
                .and_then(|form| form.templates.get(idx))
                .is_some_and(|template| template.allow_private)
        })
    };
    view! {
        <div class="template">
            <label for="template-name">{messages.text("templates_name_label")}</label>
            <input
                id="template-name"
                type="text"
                maxlength="80"
                aria-invalid=move || if has_name_problem() { "true" } else { "false" }
                aria-describedby="template-name-problem"
                prop:value=read(TextField::Name)
                on:input:target=move |event| write(TextField::Name)(event.target().value())
            />
            <p id="template-name-problem" class="field-error">{name_problem}</p>
            <label for="template-url">{messages.text("templates_url_label")}</label>
            <input
                id="template-url"
                type="text"
                placeholder="https://*.example.com/*"
                aria-describedby="template-url-hint"
                prop:value=read(TextField::UrlPattern)
                on:input:target=move |event| write(TextField::UrlPattern)(event.target().value())
            />
            <p id="template-url-hint" class="hint">{messages.text("templates_url_hint")}</p>
            <label for="template-keywords">{messages.text("templates_keywords_label")}</label>
            <input
                id="template-keywords"
                type="text"
                aria-describedby="template-keywords-hint"
                prop:value=read(TextField::Keywords)
                on:input:target=move |event| write(TextField::Keywords)(event.target().value())
            />
            <p id="template-keywords-hint" class="hint">{messages.text("templates_keywords_hint")}</p>
            <label for="template-description">{messages.text("templates_description_label")}</label>
            <textarea
                id="template-description"
                rows="5"
                aria-describedby="template-description-hint"
                prop:value=read(TextField::Description)
                on:input:target=move |event| write(TextField::Description)(event.target().value())
            ></textarea>
            <p id="template-description-hint" class="hint">{messages.text("templates_description_hint")}</p>
            <fieldset class="fixed-values">
                <legend>{messages.text("templates_fixed_legend")}</legend>
                {fixed_rows}
                <button type="button" on:click=move |_| update_template(&|template| template.fixed.push(FixedValue::default()))>
                    {messages.text("templates_fixed_add")}
                </button>
            </fieldset>
            <label class="choice">
                <input
                    type="checkbox"
                    name="allow_private"
                    prop:checked=allow_private
                    on:change:target=move |event| {
                        let checked = event.target().checked();
                        update_template(&|template| template.allow_private = checked);
                    }
                />
                {messages.text("templates_allow_private")}
            </label>
        </div>
    }
}

/// One fixed value of the template at `idx`: a field and its value.
#[component]
fn FixedValueRow(
    idx: usize,
    row: usize,
    form: RwSignal<Option<TemplateSetForm>>,
    problems: RwSignal<Vec<TemplateProblem>>,
    messages: Messages,
    on_edit: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let read = move |value: bool| {
        move || {
            form.with(|form| {
                form.as_ref()
                    .and_then(|form| form.templates.get(idx))
                    .and_then(|template| template.fixed.get(row))
                    .map(|fixed| {
                        if value {
                            fixed.value.clone()
                        } else {
                            fixed.field.clone()
                        }
                    })
                    .unwrap_or_default()
            })
        }
    };
    let write = move |value: bool, text: String| {
        form.update(|form| {
            let fixed = form
                .as_mut()
                .and_then(|form| form.templates.get_mut(idx))
                .and_then(|template| template.fixed.get_mut(row));
            if let Some(fixed) = fixed {
                match value {
                    true => fixed.value = text,
                    false => fixed.field = text,
                }
            }
        });
        on_edit();
    };
    let remove = move |_| {
        form.update(|form| {
            if let Some(template) = form.as_mut().and_then(|form| form.templates.get_mut(idx)) {
                if row < template.fixed.len() {
                    template.fixed.remove(row);
                }
            }
        });
        on_edit();
    };
    let problem_messages = messages.clone();
    let problem = move || {
        problems.with(|problems| {
            problems.iter().find_map(|problem| match *problem {
                TemplateProblem::FieldMissing { template, row: at }
                    if template == idx && at == row =>
                {
                    Some(problem_messages.text("templates_field_missing"))
                }
                TemplateProblem::FieldRepeated { template, row: at }
                    if template == idx && at == row =>
                {
                    Some(problem_messages.text("templates_field_repeated"))
                }
                _ => None,
            })
        })
    };
    let has_problem = {
        let problem = problem.clone();
        move || problem().is_some()
    };
    let number = (row + 1).to_string();
    let field_id = format!("fixed-field-{row}");
    let value_id = format!("fixed-value-{row}");
    let problem_id = format!("fixed-problem-{row}");
    view! {
        <div class="fixed-value">
            <div class="row">
                <div>
                    <label for=field_id.clone()>{messages.format("templates_fixed_field_label", &[&number])}</label>
                    <input
                        id=field_id
                        type="text"
                        aria-invalid=move || if has_problem() { "true" } else { "false" }
                        aria-describedby=problem_id.clone()
                        prop:value=read(false)
                        on:input:target=move |event| write(false, event.target().value())
                    />
                </div>
                <div>
                    <label for=value_id.clone()>{messages.format("templates_fixed_value_label", &[&number])}</label>
                    <input
                        id=value_id
                        type="text"
                        prop:value=read(true)
                        on:input:target=move |event| write(true, event.target().value())
                    />
                </div>
                <button type="button" class="link" on:click=remove>
                    {messages.format("templates_fixed_remove", &[&number])}
                </button>
            </div>
            <p id=problem_id class="field-error">{problem}</p>
        </div>
    }
}

/// The template a problem is in.
fn problem_template(problem: TemplateProblem) -> usize {
    match problem {
        TemplateProblem::NameMissing { template }
        | TemplateProblem::NameTaken { template }
        | TemplateProblem::FieldMissing { template, .. }
        | TemplateProblem::FieldRepeated { template, .. } => template,
    }
}
