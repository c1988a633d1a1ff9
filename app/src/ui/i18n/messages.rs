//! The shape of a catalog: one field per string the SPA shows. Each language fills every
//! field (`en.rs`, `ko.rs`), so a string missing from one language does not compile, and the
//! tests below check that both fill each field with the same placeholders.
//!
//! Placeholders are `{name}`, filled by [`fill`]. English needs singular and plural forms
//! (`_one`, `_other`); Korean writes the same text in both.

/// Declares [`Messages`] from its field names.
macro_rules! messages {
    ($($key:ident,)*) => {
        /// Every string of the SPA in one language; a field's name says where it shows.
        pub struct Messages {
            $(pub $key: &'static str,)*
        }

        #[cfg(test)]
        impl Messages {
            /// Each field's name and text, for the tests that compare languages.
            pub fn entries(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($key), self.$key),)*]
            }
        }
    };
}

messages! {
    // The shell: header, menu, page titles.
    brand,
    skip_to_content,
    menu,
    account_nav,
    language,
    signed_in_as,
    chats,
    unread_one,
    unread_other,
    my_account,
    log_out,
    log_in,
    sign_up,
    loading,
    // Home and unknown pages.
    welcome,
    tagline,
    not_found_title,
    not_found_text,
    back_to_board,
    // The board and posts.
    latest_posts,
    write_post,
    no_posts,
    more_posts,
    images_one,
    images_other,
    comments_one,
    comments_other,
    edited,
    just_now,
    post,
    edit,
    delete,
    confirm_delete_post,
    yes_delete,
    cancel,
    title_label,
    content_label,
    count_of,
    publish,
    save_changes,
    preview,
    preview_beta,
    edit_post,
    current_version,
    post_now_reads,
    start_again,
    // Accounts.
    username,
    email,
    password,
    create_account,
    have_account,
    password_needs,
    rule_length,
    rule_cases,
    rule_digit,
    confirm_title,
    confirm_intro,
    code,
    confirm,
    send_new_code,
    code_sent,
    just_confirmed,
    enter_code,
    new_here,
    create_an_account,
    email_confirmed,
    yes,
    no,
    user_id,
    // Comments.
    no_comments,
    comments,
    more_comments,
    log_in_to_comment,
    your_comment,
    comment_added_at_end,
    add_comment,
    confirm_delete_comment,
    keep_it,
    edit_comment,
    comment_current_version,
    comment_now_reads,
    save,
    // Chat.
    chat,
    your_rooms,
    no_rooms,
    no_messages,
    start_room,
    people,
    room_name,
    start,
    members,
    room_settings,
    add_someone,
    add,
    leave_room,
    older_messages,
    messages,
    not_sent,
    retry,
    sending,
    message,
    message_hint,
    send,
    // Pictures.
    profile_picture,
    new_picture_preview,
    choose_new_picture,
    choose_picture,
    use_picture,
    remove_picture,
    uploading_picture,
    images_legend,
    uploading_image,
    uploaded,
    describe_image,
    move_earlier,
    move_later,
    remove_image,
    remove,
    drop_pictures,
    // Errors, by code and by field.
    error_bad_request,
    error_unauthorized,
    error_forbidden,
    error_not_confirmed,
    error_not_found,
    error_conflict,
    error_stale_post,
    error_stale_comment,
    error_username_taken,
    error_no_such_person,
    error_too_large,
    error_throttled,
    error_throttled_briefly,
    error_unavailable,
    error_internal,
    error_username,
    error_email,
    error_password,
    error_code,
    error_title,
    error_content,
    error_text,
    error_room_name,
    error_members,
    error_images,
    error_file,
    error_upload_failed,
}

/// `template` with each `{name}` replaced by its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

/// The text before and after `{name}` in `template`, for a placeholder that is an element
/// (a link, a name in bold) rather than text.
pub fn around<'a>(template: &'a str, name: &str) -> (&'a str, &'a str) {
    template
        .split_once(&format!("{{{name}}}"))
        .unwrap_or((template, ""))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::ui::i18n::{en::EN, ko::KO};

    fn placeholders(text: &str) -> BTreeSet<&str> {
        text.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn both_languages_have_every_key_with_the_same_placeholders() {
        let (english, korean) = (EN.entries(), KO.entries());
        let keys = |entries: &[(&'static str, &'static str)]| -> Vec<&'static str> {
            entries.iter().map(|(key, _)| *key).collect()
        };
        assert_eq!(keys(&english), keys(&korean));
        for ((key, en), (_, ko)) in english.iter().zip(&korean) {
            assert!(
                !en.trim().is_empty() && !ko.trim().is_empty(),
                "{key} is empty"
            );
            assert_eq!(
                placeholders(en),
                placeholders(ko),
                "{key}: {en:?} vs {ko:?}"
            );
        }
    }

    #[test]
    fn korean_is_written_in_korean() {
        // Only names stay the same in both: the languages' own names are not in the catalog.
        let hangul = |text: &str| text.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
        let not_korean: Vec<_> = KO
            .entries()
            .into_iter()
            .filter(|(key, text)| !hangul(text) && !matches!(*key, "count_of"))
            .collect();
        assert!(not_korean.is_empty(), "{not_korean:?}");
    }

    #[test]
    fn placeholders_are_filled_and_split() {
        assert_eq!(
            fill("{n} of {max}", &[("n", "3"), ("max", "10")]),
            "3 of 10"
        );
        assert_eq!(
            around("Signed in as {name}!", "name"),
            ("Signed in as ", "!")
        );
        assert_eq!(around("no placeholder", "name"), ("no placeholder", ""));
    }
}
