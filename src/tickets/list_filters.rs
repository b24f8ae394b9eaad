//! Whose tickets a list shows, and the words, the state and the order it is narrowed and
//! ordered by.

use flare_core::listing::{ListQuery, Scope, Whose};
use flare_core::providers::servicenow::TicketSort;
use leptos::prelude::*;

use crate::api::Provider;
use crate::i18n::Messages;

/// A search box (applied when sent, so each keystroke does not ask the service desk) and the
/// choices of state and, for ServiceNow, order (applied when chosen).
#[component]
pub(crate) fn ListFilters(
    /// What the list asks for; changed here.
    query: RwSignal<ListQuery>,
    /// Whose list it is: Zendesk lists in its own order.
    provider: Provider,
    /// The lists the user is offered (core's `Whose`); a choice only when there are several.
    #[prop(into)]
    lists: Signal<Vec<Whose>>,
) -> impl IntoView {
    let messages = expect_context::<Messages>();
    let whose_messages = messages.clone();
    let whose_picker = move || {
        let offered = lists.get();
        (offered.len() > 1).then(|| {
            let messages = &whose_messages;
            let options = offered
                .iter()
                .map(|whose| {
                    let (value, label) = match whose {
                        Whose::Mine => ("mine", messages.text("list_whose_mine")),
                        Whose::AssignedToMe => ("assigned", messages.text("list_whose_assigned")),
                        Whose::MyGroups => ("groups", messages.text("list_whose_groups")),
                        Whose::MyRequests => ("requests", messages.text("list_whose_requests")),
                    };
                    let whose = *whose;
                    view! { <option value=value selected=move || query.with(|query| query.whose == whose)>{label}</option> }
                })
                .collect_view();
            view! {
                <label>
                    {messages.text("list_whose_label")}
                    <select name="whose" on:change:target=move |event| {
                        let chosen = event.target().selected_index();
                        if let Some(whose) = usize::try_from(chosen).ok().and_then(|index| offered.get(index)) {
                            query.update(|query| query.whose = *whose);
                        }
                    }>
                        {options}
                    </select>
                </label>
            }
        })
    };
    let typed = RwSignal::new(query.get_untracked().text);
    let search = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        query.update(|query| query.text = typed.get_untracked());
    };
    let scopes = [
        (Scope::All, "all", messages.text("list_scope_all")),
        (Scope::Open, "open", messages.text("list_scope_open")),
        (Scope::Done, "done", messages.text("list_scope_done")),
    ];
    let scope_values = scopes.clone().map(|(scope, value, _)| (scope, value));
    let scope_options = scopes
        .into_iter()
        .map(|(scope, value, label)| {
            view! { <option value=value selected=move || query.with(|query| query.scope == scope)>{label}</option> }
        })
        .collect_view();
    let sort_picker = (provider == Provider::ServiceNow).then(|| {
        let sorts = [
            (TicketSort::UpdatedNewest, "updated", messages.text("list_sort_updated")),
            (TicketSort::CreatedNewest, "created", messages.text("list_sort_created")),
            (TicketSort::Priority, "priority", messages.text("list_sort_priority")),
        ];
        let sort_values = sorts.clone().map(|(sort, value, _)| (sort, value));
        let options = sorts
            .into_iter()
            .map(|(sort, value, label)| {
                view! { <option value=value selected=move || query.with(|query| query.sort == sort)>{label}</option> }
            })
            .collect_view();
        view! {
            <label>
                {messages.text("list_sort_label")}
                <select name="sort" on:change:target=move |event| {
                    let chosen = event.target().value();
                    if let Some((sort, _)) = sort_values.iter().find(|(_, value)| *value == chosen) {
                        query.update(|query| query.sort = *sort);
                    }
                }>
                    {options}
                </select>
            </label>
        }
    });
    view! {
        <form role="search" class="list-search" on:submit=search>
            <label for="ticket-search" class="visually-hidden">{messages.text("list_search_label")}</label>
            <input
                type="search"
                id="ticket-search"
                name="search"
                placeholder=messages.text("list_search_placeholder")
                prop:value=move || typed.get()
                on:input:target=move |event| typed.set(event.target().value())
            />
            <button type="submit">{messages.text("list_search")}</button>
        </form>
        <div class="row list-filters">
            {whose_picker}
            <label>
                {messages.text("list_scope_label")}
                <select name="scope" on:change:target=move |event| {
                    let chosen = event.target().value();
                    if let Some((scope, _)) = scope_values.iter().find(|(_, value)| *value == chosen) {
                        query.update(|query| query.scope = *scope);
                    }
                }>
                    {scope_options}
                </select>
            </label>
            {sort_picker}
        </div>
    }
}
