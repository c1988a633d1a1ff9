//! The board: the list (newest first, "more" paging), one post, and the write and edit forms.
//! Titles and contents are inserted as text nodes, so markup in a post is shown, never run.

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map},
};

use crate::{
    domain::{PostContent, PostTitle},
    dto::{PostPageResponse, PostRequest, PostResponse, UpdatePostRequest},
    error::{AppError, ErrorCode},
    server_fns::posts::{create_post, delete_post, get_post, list_posts, update_post},
    session::Session,
    ui::{
        Route,
        a11y::ConfirmDelete,
        flags::{BETA, COMMENTS, PICTURES, WhenFlag},
        forms::{CharacterCount, FormError, LoadError, LoadMore, TextArea, TextField, on_answer},
        i18n::{PageTitle, Text, counted, relative_time, titled, use_i18n},
        pages::comments::Thread,
        pictures::{Avatar, ImageDrafts, ImagesField, PostImages},
        require_sign_in::RequireSignIn,
    },
};

/// Who wrote a post and when.
#[component]
fn Byline(post: PostResponse) -> impl IntoView {
    let i18n = use_i18n();
    let edited = post.updated_at != post.created_at;
    let created = post.created_at.clone();
    view! {
        <p class="byline" data-testid="byline">
            <Avatar url=post.avatar_url.clone() name=post.user_name.clone() />
            <span class="author">{post.user_name}</span>
            " · "
            <time datetime=post.created_at.clone() title=post.created_at.clone()>
                {move || relative_time(i18n.language(), &created)}
            </time>
            {edited.then(|| view! { " · " {i18n.text(|m| m.edited)} })}
        </p>
    }
}

/// The board, newest first; "More posts" appends the next page.
#[component]
pub fn Board() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let posts = RwSignal::new(Vec::<PostResponse>::new());
    let next = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<AppError>);
    let load = Action::new_local(|cursor: &Option<String>| list_posts(None, cursor.clone()));
    on_answer(load, error, move |page: PostPageResponse| {
        posts.update(|shown| shown.extend(page.posts));
        next.set(page.next_cursor);
    });
    load.dispatch_local(None);
    let loaded = move || load.version().get() > 0;

    view! {
        <section class="board" aria-labelledby="board-title">
            <div class="board-head">
                <h2 id="board-title">{i18n.text(|m| m.latest_posts)}</h2>
                <Show when=move || session.user().is_some()>
                    <A href=Route::NewPost.to_string() attr:class="button">{i18n.text(|m| m.write_post)}</A>
                </Show>
            </div>
            <FormError error=error />
            <Show when=move || loaded() && posts.with(Vec::is_empty) && error.get().is_none()>
                <p class="muted">{i18n.text(|m| m.no_posts)}</p>
            </Show>
            <ol class="post-list">
                <For
                    each=move || posts.get()
                    key=|post| post.id.clone()
                    children=move |post| {
                        let (href, title) = (Route::Post(post.id.clone()).to_string(), post.title.clone());
                        let images = post.images.len() as u64;
                        let comments = post.comment_count;
                        let pictures = (images > 0).then_some(move || counted(i18n.t(), images, |m| m.images_one, |m| m.images_other));
                        let comments = (comments > 0).then_some(move || counted(i18n.t(), comments, |m| m.comments_one, |m| m.comments_other));
                        view! {
                            <li class="post-item">
                                <A href=href attr:class="post-link">{title}</A>
                                {pictures.map(|text| view! { <span class="muted image-count">{text}</span> })}
                                {comments.map(|text| view! { <span class="muted comment-count" data-testid="board-comment-count">{text}</span> })}
                                <Byline post=post />
                            </li>
                        }
                    }
                />
            </ol>
            <LoadMore label=|m| m.more_posts next load />
        </section>
    }
}

/// One post at its own address (`/posts/42`), with edit and delete for its author only.
#[component]
pub fn PostView() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let post = LocalResource::new(move || get_post(id()));
    let title = Signal::derive(move || match post.get() {
        Some(Ok(post)) => post.title,
        Some(Err(_)) => i18n.t().not_found_title.to_owned(),
        None => i18n.t().post.to_owned(),
    });

    view! {
        <PageTitle page=title />
        <Suspense fallback=move || view! { <p class="muted">{i18n.text(|m| m.loading)}</p> }>
            {move || {
                post.get()
                    .map(|answer| match answer {
                        Ok(post) => {
                            let author = post.user_id.clone();
                            let mine = move || session.user().is_some_and(|user| user.sub == author);
                            let post_id = post.id.clone();
                            view! {
                                <article class="post">
                                    <h1>{post.title.clone()}</h1>
                                    <Byline post=post.clone() />
                                    <div class="post-content" data-testid="post-content">
                                        {post.content.clone()}
                                    </div>
                                    <PostImages images=post.images.clone() />
                                    <Show when=mine>
                                        <AuthorActions id=post_id.clone() />
                                    </Show>
                                </article>
                                <WhenFlag flag=COMMENTS>
                                    <Thread post_id=post.id.clone() post_author=post.user_id.clone() count=post.comment_count />
                                </WhenFlag>
                            }
                                .into_any()
                        }
                        Err(err) => view! { <h1>{i18n.text(|m| m.post)}</h1><LoadError err /> }.into_any(),
                    })
            }}
        </Suspense>
        <p>
            <A href=Route::Home.to_string()>{i18n.text(|m| m.back_to_board)}</A>
        </p>
    }
}

/// Edit, and delete behind a confirmation step.
#[component]
fn AuthorActions(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let error = RwSignal::new(None::<AppError>);
    let delete = Action::new_local(move |id: &String| session.authorized(delete_post(id.clone())));
    let navigate = use_navigate();
    on_answer(delete, error, move |_| {
        navigate(&Route::Home.to_string(), Default::default());
    });
    let delete_id = id.clone();

    view! {
        <div class="actions">
            <A href=Route::EditPost(id).to_string() attr:class="button">{i18n.text(|m| m.edit)}</A>
            <ConfirmDelete
                question=|m| m.confirm_delete_post
                pending=delete.pending()
                on_confirm=move || {
                    delete.dispatch_local(delete_id.clone());
                }
            />
            <FormError error=error />
        </div>
    }
}

/// Title, content and images with live counters and field errors, shared by writing and
/// editing.
#[component]
fn PostForm(
    title: RwSignal<String>,
    content: RwSignal<String>,
    images: ImageDrafts,
    error: RwSignal<Option<AppError>>,
    #[prop(into)] pending: Signal<bool>,
    submit_label: Text,
    on_submit: impl Fn(PostRequest) + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let checked = PostTitle::parse(&title.get_untracked())
            .and(PostContent::parse(&content.get_untracked()))
            .map_err(AppError::from)
            .and_then(|_| images.request());
        match checked {
            Ok(images) => on_submit(PostRequest {
                title: title.get_untracked(),
                content: content.get_untracked(),
                images,
            }),
            Err(err) => error.set(Some(err)),
        }
    };
    view! {
        <form on:submit=submit novalidate class="post-form">
            <TextField label=|m| m.title_label name="title" value=title error=error hint="field-title-count" />
            <CharacterCount value=title max=PostTitle::MAX_CHARS id="field-title-count" />
            <TextArea label=|m| m.content_label name="content" value=content error=error max=PostContent::MAX_CHARS />
            <WhenFlag flag=PICTURES>
                <ImagesField drafts=images error=error />
            </WhenFlag>
            <WhenFlag flag=BETA>
                <LivePreview title content />
            </WhenFlag>
            <FormError error=error />
            <button type="submit" disabled=move || pending.get()>{i18n.text(submit_label)}</button>
        </form>
    }
}

/// The post as it will read, updated while it is written (a beta feature).
#[component]
fn LivePreview(title: RwSignal<String>, content: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="live-preview" aria-label=i18n.text(|m| m.preview)>
            <p class="muted">{i18n.text(|m| m.preview_beta)}</p>
            <h2>{move || title.get()}</h2>
            <div class="post-content">{move || content.get()}</div>
        </section>
    }
}

/// Writes a new post, then opens it.
#[component]
pub fn NewPost() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle page=titled(|m| m.write_post) />
        <h1>{i18n.text(|m| m.write_post)}</h1>
        <RequireSignIn>
            <NewPostForm />
        </RequireSignIn>
    }
}

#[component]
fn NewPostForm() -> impl IntoView {
    let session = expect_context::<Session>();
    let (title, content) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let images = ImageDrafts::new(&[]);
    let error = RwSignal::new(None::<AppError>);
    let publish = Action::new_local(move |request: &PostRequest| {
        session.authorized(create_post(request.clone()))
    });
    let navigate = use_navigate();
    on_answer(publish, error, move |post| {
        navigate(&Route::Post(post.id).to_string(), Default::default());
    });
    view! {
        <PostForm
            title
            content
            images
            error
            pending=publish.pending()
            submit_label=|m| m.publish
            on_submit=move |request| {
                publish.dispatch_local(request);
            }
        />
    }
}

/// Edits one's own post from the version it was opened at; if someone (another tab) saved
/// in between, it says so and offers the current text instead of overwriting it.
#[component]
pub fn EditPost() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle page=titled(|m| m.edit_post) />
        <h1>{i18n.text(|m| m.edit_post)}</h1>
        <RequireSignIn>
            <EditPostForm />
        </RequireSignIn>
    }
}

#[component]
fn EditPostForm() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let params = use_params_map();
    let id = params.read_untracked().get("id").unwrap_or_default();
    let (title, content) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let images = ImageDrafts::new(&[]);
    let version = RwSignal::new(None::<u64>);
    let current = RwSignal::new(None::<PostResponse>);
    let error = RwSignal::new(None::<AppError>);
    let load_into_form = move |post: PostResponse| {
        title.set(post.title);
        content.set(post.content);
        images.replace(&post.images);
        version.set(Some(post.version));
        current.set(None);
        error.set(None);
    };
    let load = Action::new_local(|id: &String| get_post(id.clone()));
    on_answer(load, error, load_into_form);
    load.dispatch_local(id.clone());

    let save = Action::new_local(move |(id, request): &(String, UpdatePostRequest)| {
        session.authorized(update_post(id.clone(), request.clone()))
    });
    let navigate = use_navigate();
    on_answer(save, error, move |post| {
        navigate(&Route::Post(post.id).to_string(), Default::default());
    });
    Effect::new(move || {
        if let Some(Err(err)) = save.value().get()
            && err.code == ErrorCode::Conflict
        {
            current.set(err.current.map(|post| *post));
        }
    });

    view! {
        {move || {
            current
                .get()
                .map(|latest| {
                    let shown = latest.clone();
                    view! {
                        <section class="conflict" aria-label=i18n.text(|m| m.current_version)>
                            <p>{i18n.text(|m| m.post_now_reads)}</p>
                            <p class="conflict-title">{shown.title}</p>
                            <div class="post-content">{shown.content}</div>
                            <button type="button" class="secondary" on:click=move |_| load_into_form(latest.clone())>
                                {i18n.text(|m| m.start_again)}
                            </button>
                        </section>
                    }
                })
        }}
        <PostForm
            title
            content
            images
            error
            pending=save.pending()
            submit_label=|m| m.save_changes
            on_submit=move |request: PostRequest| {
                save.dispatch_local((
                    id.clone(),
                    UpdatePostRequest {
                        title: request.title,
                        content: request.content,
                        version: version.get_untracked(),
                        images: Some(request.images),
                    },
                ));
            }
        />
    }
}
