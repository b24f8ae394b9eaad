//! Says which of the administrator's settings could not be used, so the user can tell their IT
//! department exactly what to fix.

use leptos::prelude::*;

use crate::i18n::Messages;
use crate::options::Connections;

/// Nothing when the policy is fine (or absent); otherwise one line per entry left out.
#[component]
pub(crate) fn ManagedNotice() -> impl IntoView {
    let messages = expect_context::<Messages>();
    let Connections { managed, .. } = expect_context::<Connections>();
    move || {
        let problems = managed.with(|managed| managed.problems.clone());
        (!problems.is_empty()).then(|| {
            let lines = problems
                .into_iter()
                .map(|problem| {
                    view! { <li>{messages.format("managed_problem", &[&problem.entry, &problem.reason])}</li> }
                })
                .collect_view();
            view! {
                <div role="alert" class="error managed-problems">
                    <p>{messages.text("managed_problems_intro")}</p>
                    <ul>{lines}</ul>
                </div>
            }
        })
    }
}
