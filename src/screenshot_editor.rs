//! The screenshot editor, a page of its own (`screenshot.html`, in the full pages' wasm): crop,
//! redact, highlight and point at parts of the screenshot that goes with the next report. What
//! it saves has the marks burned into the pixels (flare-core's `annotate` plans the drawing).

use flare_core::annotate::{Draw, Edits, Mark, Point, Rect};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::canvas::{
    canvas_point, capture_pointer, load_picture, paint, render_png, Picture,
};
use crate::browser::{document, PlatformHandle};
use crate::i18n::Messages;
use crate::storage::{self, ScreenshotDraft};
use crate::ui::appearance::follow_saved_appearance;
use crate::ui::errors::describe;

/// What a drag on the picture does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Redact,
    Highlight,
    Arrow,
    Crop,
}

/// The editor's root.
#[component]
pub fn ScreenshotEditor(
    /// The browser services (the real extension APIs, or a fake in tests).
    platform: PlatformHandle,
    /// The words to show; by default in the language of the browser's UI.
    #[prop(default = Messages::for_ui_language())]
    messages: Messages,
) -> impl IntoView {
    provide_context(platform.clone());
    provide_context(messages.clone());
    follow_saved_appearance(&platform);
    document::set_title(&messages.text("editor_title"));
    let loaded = LocalResource::new(move || {
        let platform = platform.clone();
        async move {
            let draft = storage::load_screenshot(&platform).await.ok().flatten()?;
            let picture = load_picture(&draft.original).await.ok()?;
            Some((draft, picture))
        }
    });
    let loading = messages.text("editor_loading");
    let none = messages.text("editor_none");
    view! {
        <main class="popup editor" lang=messages.language()>
            <header class="brand">
                <h1>{messages.text("editor_title")}</h1>
            </header>
            <Suspense fallback=move || view! { <p role="status">{loading.clone()}</p> }>
                {move || {
                    let none = none.clone();
                    Suspend::new(async move {
                        match loaded.await {
                            Some((draft, picture)) => view! { <Editor draft picture/> }.into_any(),
                            None => view! { <p class="empty">{none}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </main>
    }
}

/// The tools, the picture and what to do with the result.
#[component]
fn Editor(draft: ScreenshotDraft, picture: Picture) -> impl IntoView {
    let platform = expect_context::<PlatformHandle>();
    let messages = expect_context::<Messages>();
    let original = draft.original.clone();
    let edits = RwSignal::new(draft.edits);
    let tool = RwSignal::new(Tool::Redact);
    // Where a drag started and where it is now, in the shown picture's pixels.
    let drag = RwSignal::new(None::<(Point, Point)>);
    let (saved, set_saved) = signal(None::<Result<(), String>>);
    let (width, height) = (picture.width, picture.height);
    let shown = picture.clone();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    // Paints once the canvas is in the page, then whenever the edits or the drag change.
    Effect::new(move || {
        let Some(element) = canvas.get() else {
            return;
        };
        let current = edits.get();
        let (shown_edits, overlay) = match drag.get() {
            Some((start, end)) => preview(&current, tool.get(), start, end, (width, height)),
            None => (current, Vec::new()),
        };
        let _ = paint(&element, &shown, &shown_edits, &overlay);
    });
    let at = move |event: &leptos::ev::PointerEvent| {
        let element = canvas.get_untracked()?;
        canvas_point(
            &element,
            f64::from(event.client_x()),
            f64::from(event.client_y()),
        )
    };
    let start = move |event: leptos::ev::PointerEvent| {
        if let (Some(point), Some(element)) = (at(&event), canvas.get_untracked()) {
            capture_pointer(&element, event.pointer_id());
            drag.set(Some((point, point)));
            set_saved.set(None);
        }
    };
    let extend = move |event: leptos::ev::PointerEvent| {
        if let (Some((from, _)), Some(point)) = (drag.get_untracked(), at(&event)) {
            drag.set(Some((from, point)));
        }
    };
    let finish = move |event: leptos::ev::PointerEvent| {
        let Some((from, to)) = drag.get_untracked() else {
            return;
        };
        let to = at(&event).unwrap_or(to);
        drag.set(None);
        edits.update(|edits| {
            *edits = apply_drag(edits, tool.get_untracked(), from, to, (width, height));
        });
    };
    let save_messages = messages.clone();
    let save = move |_| {
        let result = render_png(&picture, &edits.get_untracked());
        let (platform, messages, original) =
            (platform.clone(), save_messages.clone(), original.clone());
        spawn_local(async move {
            let stored = match result {
                Ok(result) => {
                    let draft = ScreenshotDraft {
                        original,
                        edits: edits.get_untracked(),
                        result,
                    };
                    storage::save_screenshot(&platform, &draft)
                        .await
                        .map_err(|error| describe(&error.into(), &messages))
                }
                Err(error) => Err(describe(&error.into(), &messages)),
            };
            set_saved.set(Some(stored));
        });
    };
    let tools = [
        (Tool::Redact, messages.text("editor_redact")),
        (Tool::Highlight, messages.text("editor_highlight")),
        (Tool::Arrow, messages.text("editor_arrow")),
        (Tool::Crop, messages.text("editor_crop")),
    ]
    .into_iter()
    .map(|(choice, label)| {
        view! {
            <label class="choice">
                <input
                    type="radio"
                    name="tool"
                    prop:checked=move || tool.get() == choice
                    on:change=move |_| tool.set(choice)
                />
                {label}
            </label>
        }
    })
    .collect_view();
    let done = messages.text("editor_saved");
    view! {
        <fieldset class="tools">
            <legend>{messages.text("editor_tools")}</legend>
            {tools}
        </fieldset>
        <p class="hint">{messages.text("editor_hint")}</p>
        <canvas
            node_ref=canvas
            class="screenshot-canvas"
            role="img"
            aria-label=messages.text("editor_canvas")
            on:pointerdown=start
            on:pointermove=extend
            on:pointerup=finish
            on:pointercancel=move |_| drag.set(None)
        ></canvas>
        <div class="actions start">
            <button type="button" disabled=move || edits.with(|edits| *edits == Edits::default()) on:click=move |_| edits.update(Edits::undo)>
                {messages.text("editor_undo")}
            </button>
            <button type="button" class="primary" on:click=save>{messages.text("editor_save")}</button>
        </div>
        <div role="status" aria-live="polite">
            {move || match saved.get() {
                Some(Ok(())) => Some(view! { <p class="success">{done.clone()}</p> }.into_any()),
                Some(Err(message)) => Some(view! { <p class="error">{message}</p> }.into_any()),
                None => None,
            }}
        </div>
    }
}

/// `edits` with a drag from `start` to `end` (points on the shown picture) made with `tool`.
fn apply_drag(
    edits: &Edits,
    tool: Tool,
    start: Point,
    end: Point,
    (width, height): (f64, f64),
) -> Edits {
    let mut next = edits.clone();
    let (from, to) = (
        edits.to_source(start, width, height),
        edits.to_source(end, width, height),
    );
    match tool {
        Tool::Redact => next.add(Mark::Redact(Rect::spanning(from, to))),
        Tool::Highlight => next.add(Mark::Highlight(Rect::spanning(from, to))),
        Tool::Arrow => next.add(Mark::Arrow { from, to }),
        Tool::Crop => {
            if let Some(crop) = Rect::spanning(from, to).clip(width, height) {
                next.crop = Some(crop);
            }
        }
    }
    next
}

/// What the canvas shows while a drag goes on: the mark as it would be, or, for a crop, the
/// picture as it is with the outline of what would be kept.
fn preview(
    edits: &Edits,
    tool: Tool,
    start: Point,
    end: Point,
    size: (f64, f64),
) -> (Edits, Vec<Draw>) {
    match tool {
        Tool::Crop => {
            let outline = Draw::StrokeRect {
                rect: Rect::spanning(start, end),
                width: 2.0,
            };
            (edits.clone(), vec![outline])
        }
        _ => (apply_drag(edits, tool, start, end, size), Vec::new()),
    }
}
