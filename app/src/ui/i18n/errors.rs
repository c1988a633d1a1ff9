//! Errors in the person's language. The server's `error` text stays English for REST
//! clients; the SPA shows each error from its stable `code` (and the `field` it names).

use super::messages::{Messages, fill};
use crate::error::{AppError, ErrorCode};

/// What to tell a person about `err`.
pub fn describe(m: &Messages, err: &AppError) -> String {
    let field = err.field.as_deref();
    let text = match (err.code, field) {
        (ErrorCode::BadRequest, Some(field)) => field_rule(m, field),
        (ErrorCode::Conflict, Some("username")) => m.error_username_taken,
        (ErrorCode::Conflict, _) if err.current.is_some() => m.error_stale_post,
        (ErrorCode::Conflict, _) if err.current_comment.is_some() => m.error_stale_comment,
        (ErrorCode::NotFound, Some("username" | "memberUsernames")) => m.error_no_such_person,
        (_, Some("file")) => m.error_upload_failed,
        (ErrorCode::BadRequest | ErrorCode::UnsupportedMediaType, None) => m.error_bad_request,
        (ErrorCode::Unauthorized, _) => m.error_unauthorized,
        (ErrorCode::Forbidden, _) => m.error_forbidden,
        (ErrorCode::NotConfirmed, _) => m.error_not_confirmed,
        (ErrorCode::NotFound | ErrorCode::MethodNotAllowed, _) => m.error_not_found,
        (ErrorCode::Conflict, _) => m.error_conflict,
        (ErrorCode::PayloadTooLarge, _) => m.error_too_large,
        (ErrorCode::Throttled, _) => {
            return match err.retry_after_secs {
                Some(seconds) => fill(m.error_throttled, &[("seconds", &seconds.to_string())]),
                None => m.error_throttled_briefly.to_owned(),
            };
        }
        (ErrorCode::Unavailable, _) => m.error_unavailable,
        (ErrorCode::Internal | ErrorCode::MisdirectedRequest, _)
        | (ErrorCode::UnsupportedMediaType, Some(_)) => m.error_internal,
    };
    text.to_owned()
}

/// The rule of the field a 400 names, said as what to do.
fn field_rule(m: &Messages, field: &str) -> &'static str {
    match field {
        "username" => m.error_username,
        "email" => m.error_email,
        "password" => m.error_password,
        "code" => m.error_code,
        "title" => m.error_title,
        "content" => m.error_content,
        "text" => m.error_text,
        "name" => m.error_room_name,
        "memberUsernames" => m.error_members,
        "images" | "alt" => m.error_images,
        "file" | "contentType" | "size" => m.error_file,
        _ => m.error_bad_request,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::i18n::{en::EN, ko::KO};

    #[test]
    fn each_code_reads_in_the_persons_language_whatever_the_server_wrote() {
        let throttled = AppError::throttled(30);
        assert_eq!(
            describe(&KO, &throttled),
            "시도가 너무 많습니다. 30초 뒤에 다시 시도하세요."
        );
        assert_eq!(
            describe(&EN, &throttled),
            "Too many attempts. Try again in 30 seconds."
        );

        let title = AppError::invalid_field("title", "Title is empty.");
        assert_eq!(describe(&KO, &title), KO.error_title);
        let taken = AppError::conflict(Some("username"), "That username is taken.");
        assert_eq!(describe(&KO, &taken), KO.error_username_taken);
        assert_eq!(
            describe(&EN, &AppError::not_confirmed()),
            EN.error_not_confirmed
        );
        assert_eq!(
            describe(&KO, &AppError::unavailable()),
            KO.error_unavailable
        );
    }
}
