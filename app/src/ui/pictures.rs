//! Pictures in the SPA: sending one (a signed form from the server, the file posted straight
//! to storage with a progress bar, then "complete"), the profile picture editor, the images
//! field of the post form, and the small avatar beside a name.

use std::{cell::RefCell, rc::Rc};

use futures::channel::oneshot;
use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{File, FileList, FormData, HtmlInputElement, ProgressEvent, Url, XmlHttpRequest};

use crate::{
    domain::{AltText, ImageType, MAX_POST_IMAGES, UploadSize},
    dto::{
        CreateUploadRequest, ImageVariant, PictureResponse, PostImage, PostImageRequest,
        SetAvatarRequest, UploadPurpose, UploadTicketResponse,
    },
    error::AppError,
    server_fns::media::{complete_upload, create_upload, remove_avatar, set_avatar},
    session::Session,
    ui::{
        forms::{FormError, field_message},
        i18n::{Text, describe, fill, use_i18n},
    },
};

/// What the file chooser offers: the four accepted types.
fn accepted_types() -> String {
    ImageType::ALL.map(ImageType::mime).join(",")
}

/// A refusal of the chosen file, said about the file.
fn file_error(message: impl Into<String>) -> AppError {
    AppError::invalid_field("file", message)
}

/// The file was fine but did not arrive: the connection, or a permission that expired.
fn upload_failed() -> AppError {
    AppError {
        field: Some("file".to_owned()),
        ..AppError::unavailable()
    }
}

/// Sends `file` as a picture for `purpose`, reporting the upload's progress (0–1) in
/// `progress`. The type and size are checked here first, with the server's own rules.
pub async fn upload_picture(
    session: Session,
    file: File,
    purpose: UploadPurpose,
    progress: RwSignal<f64>,
) -> Result<PictureResponse, AppError> {
    let content_type = ImageType::parse(&file.type_()).map_err(|err| file_error(err.message))?;
    // A file's size is a whole number of bytes, well inside f64's exact range.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let size = file.size() as u64;
    UploadSize::parse(size).map_err(|err| file_error(err.message))?;
    let ticket = session
        .authorized(create_upload(CreateUploadRequest {
            purpose,
            content_type: content_type.mime().to_owned(),
            size,
        }))
        .await?;
    post_form(&ticket, &file, progress).await?;
    progress.set(1.0);
    session.authorized(complete_upload(ticket.upload_id)).await
}

/// Posts the signed form and the file with `XMLHttpRequest`, the one browser API that
/// reports upload progress.
async fn post_form(
    ticket: &UploadTicketResponse,
    file: &File,
    progress: RwSignal<f64>,
) -> Result<(), AppError> {
    let browser_refused = |_| upload_failed();
    let form = FormData::new().map_err(browser_refused)?;
    for (name, value) in &ticket.fields {
        form.append_with_str(name, value).map_err(browser_refused)?;
    }
    form.append_with_blob("file", file)
        .map_err(browser_refused)?;
    let request = XmlHttpRequest::new().map_err(browser_refused)?;
    request.open("POST", &ticket.url).map_err(browser_refused)?;

    let (done, finished) = oneshot::channel::<bool>();
    let done = Rc::new(RefCell::new(Some(done)));
    let settle = move |loaded: bool| {
        let done = Rc::clone(&done);
        Closure::<dyn FnMut()>::new(move || {
            if let Some(done) = done.borrow_mut().take() {
                let _ = done.send(loaded);
            }
        })
    };
    let on_load = settle(true);
    let on_error = settle(false);
    let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
        if event.length_computable() && event.total() > 0.0 {
            progress.set(event.loaded() / event.total());
        }
    });
    request.set_onload(Some(on_load.as_ref().unchecked_ref()));
    request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    request.set_onabort(Some(on_error.as_ref().unchecked_ref()));
    if let Ok(upload) = request.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    request
        .send_with_opt_form_data(Some(&form))
        .map_err(browser_refused)?;
    let loaded = finished.await.unwrap_or(false);
    // The handlers live until the request settled.
    drop((on_load, on_error, on_progress));
    let status = request.status().unwrap_or_default();
    match (loaded, status) {
        (true, 200..=299) => Ok(()),
        (true, 413 | 400) => Err(file_error("The file is larger than it said it was.")),
        _ => Err(upload_failed()),
    }
}

/// The files of a file input's `change` event.
fn chosen_files(event: &leptos::ev::Event) -> Vec<File> {
    let Some(input) = event
        .target()
        .and_then(|target| target.dyn_into::<HtmlInputElement>().ok())
    else {
        return Vec::new();
    };
    let files = input
        .files()
        .map(|list| list_files(&list))
        .unwrap_or_default();
    // The list is live: take the files first, then clear the input so that choosing the
    // same file again fires `change` again.
    input.set_value("");
    files
}

fn list_files(list: &FileList) -> Vec<File> {
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// A local preview of a chosen file; revoke it when it is no longer shown.
fn preview_url(file: &File) -> Option<String> {
    Url::create_object_url_with_blob(file).ok()
}

fn revoke(url: &str) {
    if url.starts_with("blob:") {
        let _ = Url::revoke_object_url(url);
    }
}

/// A person's small picture beside their name, or their initial when they have none.
/// Decorative: the name next to it says who it is.
#[component]
pub fn Avatar(url: Option<String>, name: String, #[prop(default = 32)] size: u32) -> impl IntoView {
    match url {
        Some(url) => view! {
            <img class="avatar" src=url width=size height=size alt="" loading="lazy" decoding="async" />
        }
        .into_any(),
        None => {
            let initial: String = name.chars().next().map(char::to_uppercase).into_iter().flatten().collect();
            view! {
                <span class=format!("avatar avatar-initial avatar-{size}") aria-hidden="true">
                    {initial}
                </span>
            }
            .into_any()
        }
    }
}

/// A progress bar for an upload in flight.
#[component]
fn UploadProgress(progress: RwSignal<f64>, #[prop(into)] label: Signal<String>) -> impl IntoView {
    view! {
        <progress max="1" value=move || progress.get() aria-label=label></progress>
    }
}

/// The profile picture on "my account": choose, preview, upload with progress, replace,
/// remove.
#[component]
pub fn AvatarEditor(
    /// The current picture (256 px), if any.
    current: Option<String>,
    /// Whose picture it is, for the initial shown without one.
    username: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let shown = RwSignal::new(current);
    let chosen = RwSignal::new(None::<(File, String)>);
    let progress = RwSignal::new(0.0);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let forget_chosen = move || {
        if let Some((_, preview)) = chosen.get_untracked() {
            revoke(&preview);
        }
        chosen.set(None);
    };
    let choose = move |event: leptos::ev::Event| {
        error.set(None);
        if let Some(file) = chosen_files(&event).into_iter().next() {
            forget_chosen();
            if let Some(preview) = preview_url(&file) {
                chosen.set(Some((file, preview)));
            }
        }
    };
    let upload = move |_| {
        let Some((file, _)) = chosen.get_untracked() else {
            return;
        };
        busy.set(true);
        progress.set(0.0);
        spawn_local(async move {
            let outcome = async {
                let picture =
                    upload_picture(session, file, UploadPurpose::Avatar, progress).await?;
                session
                    .authorized(set_avatar(SetAvatarRequest {
                        picture_id: picture.id,
                    }))
                    .await
            }
            .await;
            match outcome {
                Ok(avatar) => {
                    shown.set(Some(avatar.avatar_large_url));
                    forget_chosen();
                }
                Err(err) => error.set(Some(err)),
            }
            busy.set(false);
        });
    };
    let remove = move |_| {
        busy.set(true);
        spawn_local(async move {
            match session.authorized(remove_avatar()).await {
                Ok(()) => shown.set(None),
                Err(err) => error.set(Some(err)),
            }
            busy.set(false);
        });
    };
    let file_message = field_message(error, "file");
    let file_message =
        move || file_message().map(|text| view! { <p class="field-error" role="alert">{text}</p> });

    view! {
        <section class="avatar-editor" aria-labelledby="avatar-title">
            <h2 id="avatar-title">{i18n.text(|m| m.profile_picture)}</h2>
            <div class="avatar-row">
                {move || match chosen.get() {
                    Some((_, preview)) => view! {
                        <img class="avatar-large" src=preview width="128" height="128" alt=i18n.text(|m| m.new_picture_preview) />
                    }
                    .into_any(),
                    None => view! {
                        <Avatar url=shown.get() name=username.clone() size=128 />
                    }
                    .into_any(),
                }}
                <div class="avatar-actions">
                    <input
                        id="avatar-file"
                        class="visually-hidden"
                        type="file"
                        accept=accepted_types()
                        on:change=choose
                        disabled=move || busy.get()
                    />
                    <label class="button secondary" for="avatar-file">
                        {move || { let m = i18n.t(); if shown.get().is_some() { m.choose_new_picture } else { m.choose_picture } }}
                    </label>
                    <Show when=move || chosen.get().is_some()>
                        <button type="button" on:click=upload disabled=move || busy.get()>
                            {i18n.text(|m| m.use_picture)}
                        </button>
                        <button type="button" class="secondary" on:click=move |_| forget_chosen() disabled=move || busy.get()>
                            {i18n.text(|m| m.cancel)}
                        </button>
                    </Show>
                    <Show when=move || shown.get().is_some() && chosen.get().is_none()>
                        <button type="button" class="secondary" on:click=remove disabled=move || busy.get()>
                            {i18n.text(|m| m.remove_picture)}
                        </button>
                    </Show>
                </div>
            </div>
            <Show when=move || busy.get() && chosen.get().is_some()>
                <UploadProgress progress label=Signal::derive(move || i18n.t().uploading_picture.to_owned()) />
            </Show>
            {file_message}
            <FormError error=error />
        </section>
    }
}

/// Where one image of the post form is.
#[derive(Clone, PartialEq)]
enum Draft {
    /// Being sent; the bar shows how far.
    Uploading(RwSignal<f64>),
    /// Checked by the server; this is the picture.
    Ready(String),
    /// Refused or lost; the error says why.
    Failed(AppError),
}

/// One image in the post form.
#[derive(Clone)]
struct DraftImage {
    key: u32,
    preview: String,
    alt: RwSignal<String>,
    state: RwSignal<Draft>,
}

/// The images of a post being written or edited, in order.
#[derive(Clone, Copy)]
pub struct ImageDrafts {
    images: RwSignal<Vec<DraftImage>>,
    next_key: StoredValue<u32>,
}

impl ImageDrafts {
    /// The images a post already has (when editing), or none.
    pub fn new(existing: &[PostImage]) -> Self {
        let drafts = Self {
            images: RwSignal::new(Vec::new()),
            next_key: StoredValue::new(0),
        };
        drafts.replace(existing);
        drafts
    }

    /// Shows `existing` instead of whatever the form held.
    pub fn replace(self, existing: &[PostImage]) {
        for image in self.images.get_untracked() {
            revoke(&image.preview);
        }
        let images = existing
            .iter()
            .map(|image| DraftImage {
                key: self.key(),
                preview: image.small.url.clone(),
                alt: RwSignal::new(image.alt.clone()),
                state: RwSignal::new(Draft::Ready(image.picture_id.clone())),
            })
            .collect();
        self.images.set(images);
    }

    fn key(self) -> u32 {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        key
    }

    /// Starts uploading `files`, as many as still fit.
    fn add(self, session: Session, files: Vec<File>, error: RwSignal<Option<AppError>>) {
        let room = MAX_POST_IMAGES.saturating_sub(self.images.with_untracked(Vec::len));
        if files.len() > room {
            error.set(Some(AppError::invalid_field(
                "images",
                format!("A post shows at most {MAX_POST_IMAGES} images."),
            )));
        }
        for file in files.into_iter().take(room) {
            let Some(preview) = preview_url(&file) else {
                continue;
            };
            let progress = RwSignal::new(0.0);
            let state = RwSignal::new(Draft::Uploading(progress));
            self.images.update(|images| {
                images.push(DraftImage {
                    key: self.key(),
                    preview,
                    alt: RwSignal::new(String::new()),
                    state,
                });
            });
            spawn_local(async move {
                let outcome = upload_picture(session, file, UploadPurpose::Post, progress).await;
                state.set(match outcome {
                    Ok(picture) => Draft::Ready(picture.id),
                    Err(err) => Draft::Failed(err),
                });
            });
        }
    }

    fn remove(self, key: u32) {
        self.images.update(|images| {
            if let Some(at) = images.iter().position(|image| image.key == key) {
                revoke(&images.remove(at).preview);
            }
        });
    }

    /// Moves the image one place earlier (`-1`) or later (`1`).
    fn shift(self, key: u32, by: isize) {
        self.images.update(|images| {
            let Some(at) = images.iter().position(|image| image.key == key) else {
                return;
            };
            let Some(to) = at.checked_add_signed(by).filter(|to| *to < images.len()) else {
                return;
            };
            images.swap(at, to);
        });
    }

    /// The images for the request, once every one is uploaded and described; otherwise
    /// what to fix, naming the image.
    pub fn request(self) -> Result<Vec<PostImageRequest>, AppError> {
        self.images.with_untracked(|images| {
            images
                .iter()
                .enumerate()
                .map(|(n, image)| {
                    let which = n + 1;
                    let invalid = |message: String| AppError::invalid_field("images", message);
                    let picture_id = match image.state.get_untracked() {
                        Draft::Ready(id) => id,
                        Draft::Uploading(_) => {
                            return Err(invalid(format!(
                                "Image {which} is still uploading. Wait a moment."
                            )));
                        }
                        Draft::Failed(_) => {
                            return Err(invalid(format!(
                                "Image {which} could not be uploaded. Remove it or try again."
                            )));
                        }
                    };
                    let alt = AltText::parse(&image.alt.get_untracked())
                        .map_err(|err| invalid(format!("Image {which}: {}", err.message)))?;
                    Ok(PostImageRequest {
                        picture_id,
                        alt: alt.as_ref().to_owned(),
                    })
                })
                .collect()
        })
    }
}

/// The post form's images: add by choosing or dropping files, then reorder, describe or
/// remove each.
#[component]
pub fn ImagesField(drafts: ImageDrafts, error: RwSignal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let dragging = RwSignal::new(false);
    let full = move || drafts.images.with(Vec::len) >= MAX_POST_IMAGES;
    let on_drop = move |event: leptos::ev::DragEvent| {
        event.prevent_default();
        dragging.set(false);
        let files = event
            .data_transfer()
            .and_then(|transfer| transfer.files())
            .map(|list| list_files(&list))
            .unwrap_or_default();
        drafts.add(session, files, error);
    };
    let message = field_message(error, "images");
    let message =
        move || message().map(|text| view! { <p class="field-error" role="alert">{text}</p> });
    let numbered =
        move |template: Text, n: usize| fill(template(i18n.t()), &[("n", &n.to_string())]);

    view! {
        <fieldset class="images-field">
            <legend>{move || fill(i18n.t().images_legend, &[("max", &MAX_POST_IMAGES.to_string())])}</legend>
            <ol class="image-drafts">
                <For
                    each=move || drafts.images.get()
                    key=|image| image.key
                    children=move |image| {
                        let key = image.key;
                        let position = move || {
                            drafts.images.with(|images| images.iter().position(|i| i.key == key).unwrap_or(0))
                        };
                        let is_last = move || position() + 1 == drafts.images.with(Vec::len);
                        let alt_id = format!("image-alt-{key}");
                        view! {
                            <li class="image-draft" data-testid="image-draft">
                                <img src=image.preview.clone() alt="" width="96" height="96" class="image-thumb" />
                                <div class="image-draft-body">
                                    {move || match image.state.get() {
                                        Draft::Uploading(progress) => view! {
                                            <UploadProgress progress label=Signal::derive(move || numbered(|m| m.uploading_image, position() + 1)) />
                                        }
                                        .into_any(),
                                        Draft::Ready(_) => view! { <span class="muted">{i18n.text(|m| m.uploaded)}</span> }.into_any(),
                                        Draft::Failed(why) => view! { <p class="field-error" role="alert">{move || describe(i18n.t(), &why)}</p> }.into_any(),
                                    }}
                                    <label for=alt_id.clone()>
                                        {move || numbered(|m| m.describe_image, position() + 1)}
                                    </label>
                                    <input
                                        id=alt_id
                                        type="text"
                                        maxlength=AltText::MAX_CHARS
                                        prop:value=move || image.alt.get()
                                        on:input=move |event| image.alt.set(event_target_value(&event))
                                    />
                                    <div class="image-draft-actions">
                                        <button type="button" class="secondary" on:click=move |_| drafts.shift(key, -1)
                                            disabled=move || position() == 0
                                            aria-label=move || numbered(|m| m.move_earlier, position() + 1)>
                                            "↑"
                                        </button>
                                        <button type="button" class="secondary" on:click=move |_| drafts.shift(key, 1)
                                            disabled=is_last
                                            aria-label=move || numbered(|m| m.move_later, position() + 1)>
                                            "↓"
                                        </button>
                                        <button type="button" class="secondary" on:click=move |_| drafts.remove(key)
                                            aria-label=move || numbered(|m| m.remove_image, position() + 1)>
                                            {i18n.text(|m| m.remove)}
                                        </button>
                                    </div>
                                </div>
                            </li>
                        }
                    }
                />
            </ol>
            <Show when=move || !full()>
                <div
                    class="drop-zone"
                    class:dragging=move || dragging.get()
                    on:dragover=move |event: leptos::ev::DragEvent| {
                        event.prevent_default();
                        dragging.set(true);
                    }
                    on:dragleave=move |_| dragging.set(false)
                    on:drop=on_drop
                >
                    <label for="post-images">{i18n.text(|m| m.drop_pictures)}</label>
                    <input
                        id="post-images"
                        type="file"
                        multiple=true
                        accept=accepted_types()
                        on:change=move |event| drafts.add(session, chosen_files(&event), error)
                    />
                </div>
            </Show>
            {message}
        </fieldset>
    }
}

/// A post's images at full width, each with its size set so the page does not jump while
/// they load, and the thumbnail offered to narrow screens.
#[component]
pub fn PostImages(images: Vec<PostImage>) -> impl IntoView {
    let source_set = |large: &ImageVariant, small: &ImageVariant| {
        format!(
            "{} {}w, {} {}w",
            small.url, small.width, large.url, large.width
        )
    };
    view! {
        <div class="post-images">
            {images
                .into_iter()
                .map(|image| {
                    view! {
                        <figure>
                            <img
                                src=image.large.url.clone()
                                srcset=source_set(&image.large, &image.small)
                                sizes="(max-width: 760px) 100vw, 720px"
                                width=image.large.width
                                height=image.large.height
                                alt=image.alt
                                loading="lazy"
                                decoding="async"
                            />
                        </figure>
                    }
                })
                .collect_view()}
        </div>
    }
}
