//! A post's thread: its comments oldest first with "load more", the composer, and edit and
//! delete in place (one's own; any, for the post's author). Texts are text nodes, never HTML.

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::components::A;

use super::posts::relative_time;
use crate::{
    domain::CommentText,
    dto::{CommentPageResponse, CommentRequest, CommentResponse, UpdateCommentRequest},
    error::{AppError, ErrorCode},
    server_fns::comments::{add_comment, delete_comment, edit_comment, list_comments},
    session::Session,
    ui::{
        Route,
        forms::{CharacterCount, FormError, LoadMore, TextArea, on_answer},
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
                    0 => "No comments yet".to_owned(),
                    1 => "1 comment".to_owned(),
                    n => format!("{n} comments"),
                }}
            </h2>
            <FormError error=error />
            <ol class="comments" aria-label="Comments">
                <For
                    each=move || comments.get()
                    key=|comment| (comment.id.clone(), comment.version)
                    children=|comment| view! { <CommentItem comment=comment /> }
                />
            </ol>
            <LoadMore label="Load more comments" next load />
            <Show
                when=move || session.user().is_some()
                fallback=|| view! {
                    <p class="muted">
                        <A href=Route::LOG_IN.to_string()>"Log in"</A>
                        " to comment."
                    </p>
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
    let session = expect_context::<Session>();
    let thread = expect_context::<ThreadContext>();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let note = RwSignal::new(None::<&'static str>);
    let post_id = thread.post_id.clone();
    let send = Action::new_local(move |request: &CommentRequest| {
        session.authorized(add_comment(post_id.clone(), request.clone()))
    });
    on_answer(send, error, move |comment: CommentResponse| {
        text.set(String::new());
        thread.count.update(|count| *count += 1);
        if more_to_load.get_untracked() {
            note.set(Some("Your comment was added at the end of the thread."));
        } else {
            thread.comments.update(|shown| shown.push(comment));
        }
    });
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        note.set(None);
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
            <TextArea label="Your comment" name="text" value=text error=error max=CommentText::MAX_CHARS />
            <FormError error=error />
            {move || note.get().map(|text| view! { <p class="muted" role="status">{text}</p> })}
            <button type="submit" disabled=move || send.pending().get()>"Comment"</button>
        </form>
    }
}

/// One comment, with edit and delete for whoever may.
#[component]
fn CommentItem(comment: CommentResponse) -> impl IntoView {
    let session = expect_context::<Session>();
    let thread = expect_context::<ThreadContext>();
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let author = comment.user_id.clone();
    let post_author = thread.post_author.clone();
    let mine = move || session.user().is_some_and(|me| me.sub == author);
    let may_delete = {
        let mine = mine.clone();
        move || mine() || session.user().is_some_and(|me| me.sub == post_author)
    };
    let edited = comment.updated_at != comment.created_at;
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
                    {relative_time(&comment.created_at)}
                </time>
                {edited.then_some(" · edited")}
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
                    <button type="button" class="link-button" on:click=move |_| editing.set(true)>"Edit"</button>
                </Show>
                <Show when=may_delete.clone()>
                    <Show
                        when=move || confirming.get()
                        fallback=move || view! {
                            <button type="button" class="link-button" on:click=move |_| confirming.set(true)>
                                "Delete"
                            </button>
                        }
                    >
                        <span role="alert">"Delete this comment?"</span>
                        <button type="button" class="danger" disabled=move || remove.pending().get()
                            on:click=move |_| { remove.dispatch_local(()); }>
                            "Yes, delete"
                        </button>
                        <button type="button" class="secondary" on:click=move |_| confirming.set(false)>"Keep it"</button>
                    </Show>
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
            <label for=field_id.clone()>"Edit your comment"</label>
            <textarea
                id=field_id
                rows="4"
                prop:value=move || text.get()
                on:input=move |event| text.set(event_target_value(&event))
                aria-describedby=counter_id.clone()
            ></textarea>
            <CharacterCount value=text max=CommentText::MAX_CHARS id=counter_id />
            {move || {
                current.get().map(|latest| {
                    let shown = latest.text.clone();
                    view! {
                        <div class="conflict" aria-label="Current version of the comment">
                            <p>"The comment now reads:"</p>
                            <p class="comment-text">{shown}</p>
                            <button type="button" class="secondary" on:click=move |_| {
                                text.set(latest.text.clone());
                                version.set(latest.version);
                                current.set(None);
                                error.set(None);
                            }>"Start again from the current version"</button>
                        </div>
                    }
                })
            }}
            {move || error.get().map(|err| view! { <p class="field-error" role="alert">{err.error}</p> })}
            <button type="submit" disabled=move || save.pending().get()>"Save"</button>
            <button type="button" class="secondary" on:click=move |_| editing.set(false)>"Cancel"</button>
        </form>
    }
}
