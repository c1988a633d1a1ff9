//! A post's thread: its comments oldest first with "load more", the composer, and edit and
//! delete in place (one's own; any, for the post's author). Texts are text nodes, never HTML.

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::components::A;

use crate::{
    domain::CommentText,
    dto::{CommentPageResponse, CommentRequest, CommentResponse, UpdateCommentRequest},
    error::{AppError, ErrorCode},
    server_fns::comments::{add_comment, delete_comment, edit_comment, list_comments},
    session::Session,
    ui::{
        Route,
        a11y::ConfirmDelete,
        forms::{
            CharacterCount, FieldError, FormError, LoadMore, TextArea, described_by, field_message,
            on_answer,
        },
        i18n::{around, counted, relative_time, use_i18n},
        pictures::Avatar,
    },
};

/// What every comment of the thread needs to know about it.
#[derive(Clone)]
struct ThreadContext {
    post_id: String,
    post_author: String,
    comments: RwSignal<Vec<CommentResponse>>,
    count: RwSignal<u64>,
}

/// The thread under a post.
#[component]
pub fn Thread(
    /// The post.
    post_id: String,
    /// Who wrote the post (`sub`), who may delete any comment.
    post_author: String,
    /// The count the post came with; kept current as comments come and go here.
    count: u64,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let comments = RwSignal::new(Vec::<CommentResponse>::new());
    let next = RwSignal::new(None::<String>);
    let count = RwSignal::new(count);
    let error = RwSignal::new(None::<AppError>);
    let load = {
        let post_id = post_id.clone();
        Action::new_local(move |cursor: &Option<String>| {
            list_comments(post_id.clone(), None, cursor.clone())
        })
    };
    on_answer(load, error, move |page: CommentPageResponse| {
        comments.update(|shown| shown.extend(page.comments));
        next.set(page.next_cursor);
    });
    load.dispatch_local(None);
    provide_context(ThreadContext {
        post_id: post_id.clone(),
        post_author,
        comments,
        count,
    });

    view! {
        <section class="thread" aria-labelledby="thread-title">
            <h2 id="thread-title" data-testid="comment-count">
                {move || match count.get() {
                    0 => i18n.t().no_comments.to_owned(),
                    n => counted(i18n.t(), n, |m| m.comments_one, |m| m.comments_other),
                }}
            </h2>
            <FormError error=error />
            <ol class="comments" aria-label=i18n.text(|m| m.comments)>
                <For
                    each=move || comments.get()
                    key=|comment| (comment.id.clone(), comment.version)
                    children=|comment| view! { <CommentItem comment=comment /> }
                />
            </ol>
            <LoadMore label=|m| m.more_comments next load />
            <Show
                when=move || session.user().is_some()
                fallback=move || {
                    let parts = move || around(i18n.t().log_in_to_comment, "link");
                    view! {
                        <p class="muted">
                            {move || parts().0}
                            <A href=Route::LOG_IN.to_string()>{i18n.text(|m| m.log_in)}</A>
                            {move || parts().1}
                        </p>
                    }
                }
            >
                <Composer more_to_load=Signal::derive(move || next.get().is_some()) />
            </Show>
        </section>
    }
}

/// Writes a comment; it appears at the end of the thread (once the thread is all loaded).
#[component]
fn Composer(more_to_load: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let thread = expect_context::<ThreadContext>();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let added_at_end = RwSignal::new(false);
    let post_id = thread.post_id.clone();
    let send = Action::new_local(move |request: &CommentRequest| {
        session.authorized(add_comment(post_id.clone(), request.clone()))
    });
    on_answer(send, error, move |comment: CommentResponse| {
        text.set(String::new());
        thread.count.update(|count| *count += 1);
        if more_to_load.get_untracked() {
            added_at_end.set(true);
        } else {
            thread.comments.update(|shown| shown.push(comment));
        }
    });
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        added_at_end.set(false);
        match CommentText::parse(&text.get_untracked()) {
            Ok(_) => {
                send.dispatch_local(CommentRequest {
                    text: text.get_untracked(),
                });
            }
            Err(err) => error.set(Some(err.into())),
        }
    };
    view! {
        <form class="composer comment-composer" on:submit=submit novalidate>
            <TextArea label=|m| m.your_comment name="text" value=text error=error max=CommentText::MAX_CHARS />
            <FormError error=error />
            <p class="muted" role="status">
                {move || added_at_end.get().then(|| i18n.t().comment_added_at_end)}
            </p>
            <button type="submit" disabled=move || send.pending().get()>{i18n.text(|m| m.add_comment)}</button>
        </form>
    }
}

/// One comment, with edit and delete for whoever may.
#[component]
fn CommentItem(comment: CommentResponse) -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let thread = expect_context::<ThreadContext>();
    let editing = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let author = comment.user_id.clone();
    let post_author = thread.post_author.clone();
    let mine = move || session.user().is_some_and(|me| me.sub == author);
    let may_delete = {
        let mine = mine.clone();
        move || mine() || session.user().is_some_and(|me| me.sub == post_author)
    };
    let edited = comment.updated_at != comment.created_at;
    let created = comment.created_at.clone();
    let (post_id, id) = (thread.post_id.clone(), comment.id.clone());
    let remove = Action::new_local(move |(): &()| {
        session.authorized(delete_comment(post_id.clone(), id.clone()))
    });
    let removed_id = comment.id.clone();
    on_answer(remove, error, move |_| {
        thread
            .comments
            .update(|shown| shown.retain(|c| c.id != removed_id));
        thread
            .count
            .update(|count| *count = count.saturating_sub(1));
    });

    view! {
        <li class="comment" data-testid="comment">
            <p class="byline">
                <Avatar url=comment.avatar_url.clone() name=comment.user_name.clone() size=24 />
                <span class="author">{comment.user_name.clone()}</span>
                " · "
                <time datetime=comment.created_at.clone() title=comment.created_at.clone()>
                    {move || relative_time(i18n.language(), &created)}
                </time>
                {edited.then(|| view! { " · " {i18n.text(|m| m.edited)} })}
            </p>
            <Show
                when=move || editing.get()
                fallback={
                    let text = comment.text.clone();
                    move || view! { <p class="comment-text">{text.clone()}</p> }
                }
            >
                <CommentEditor comment=comment.clone() editing />
            </Show>
            <div class="actions">
                <Show when=move || mine() && !editing.get()>
                    <button type="button" class="link-button" on:click=move |_| editing.set(true)>{i18n.text(|m| m.edit)}</button>
                </Show>
                <Show when=may_delete.clone()>
                    <ConfirmDelete
                        question=|m| m.confirm_delete_comment
                        cancel=|m| m.keep_it
                        class="link-button"
                        pending=remove.pending()
                        on_confirm=move || {
                            remove.dispatch_local(());
                        }
                    />
                </Show>
            </div>
            <FormError error=error />
        </li>
    }
}

/// Edits a comment in place from the version shown; if it changed meanwhile, says so and
/// offers the current text.
#[component]
fn CommentEditor(comment: CommentResponse, editing: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let thread = expect_context::<ThreadContext>();
    let text = RwSignal::new(comment.text.clone());
    let version = RwSignal::new(comment.version);
    let error = RwSignal::new(None::<AppError>);
    let current = RwSignal::new(None::<CommentResponse>);
    let (post_id, id) = (thread.post_id.clone(), comment.id.clone());
    let save = Action::new_local(move |request: &UpdateCommentRequest| {
        session.authorized(edit_comment(post_id.clone(), id.clone(), request.clone()))
    });
    on_answer(save, error, move |saved: CommentResponse| {
        thread.comments.update(|shown| {
            if let Some(slot) = shown.iter_mut().find(|c| c.id == saved.id) {
                *slot = saved.clone();
            }
        });
        editing.set(false);
    });
    Effect::new(move || {
        if let Some(Err(err)) = save.value().get()
            && err.code == ErrorCode::Conflict
        {
            current.set(err.current_comment.map(|comment| *comment));
        }
    });
    let field_id = format!("comment-edit-{}", comment.id);
    let counter_id = format!("{field_id}-count");
    let error_id = format!("{field_id}-error");
    let message = field_message(error, "text");
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        match CommentText::parse(&text.get_untracked()) {
            Ok(_) => {
                save.dispatch_local(UpdateCommentRequest {
                    text: text.get_untracked(),
                    version: Some(version.get_untracked()),
                });
            }
            Err(err) => error.set(Some(err.into())),
        }
    };
    view! {
        <form class="comment-editor" on:submit=submit novalidate>
            <label for=field_id.clone()>{i18n.text(|m| m.edit_comment)}</label>
            <textarea
                id=field_id
                rows="4"
                prop:value=move || text.get()
                on:input=move |event| text.set(event_target_value(&event))
                aria-invalid=move || message().is_some().to_string()
                aria-describedby=described_by(Some(counter_id.clone()), error_id.clone(), message)
            ></textarea>
            <CharacterCount value=text max=CommentText::MAX_CHARS id=counter_id />
            {move || {
                current.get().map(|latest| {
                    let shown = latest.text.clone();
                    view! {
                        <div class="conflict" role="region" aria-label=i18n.text(|m| m.comment_current_version)>
                            <p>{i18n.text(|m| m.comment_now_reads)}</p>
                            <p class="comment-text">{shown}</p>
                            <button type="button" class="secondary" on:click=move |_| {
                                text.set(latest.text.clone());
                                version.set(latest.version);
                                current.set(None);
                                error.set(None);
                            }>{i18n.text(|m| m.start_again)}</button>
                        </div>
                    }
                })
            }}
            <FieldError id=error_id message />
            <FormError error=error />
            <button type="submit" disabled=move || save.pending().get()>{i18n.text(|m| m.save)}</button>
            <button type="button" class="secondary" on:click=move |_| editing.set(false)>{i18n.text(|m| m.cancel)}</button>
        </form>
    }
}
