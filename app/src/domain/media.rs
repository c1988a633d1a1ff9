//! What pictures are made of: which files may be uploaded, how big, what ids look like, and
//! the description every image in a post carries.

use super::{FieldError, TextKind, plain_text};

/// Most bytes one upload may have (10 MiB): the presigned policy and the local upload route
/// both refuse anything larger.
pub const MAX_UPLOAD_BYTES: u64 = 10 * 1024 * 1024;

/// Most images one post may show.
pub const MAX_POST_IMAGES: usize = 4;

/// An upload's id, which the picture made from it keeps: 32 lowercase hex digits, random.
/// Ids are unguessable, and a record is only found under its owner, so an id alone never
/// reaches someone else's picture.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MediaId(String);

impl MediaId {
    /// Accepts exactly 32 lowercase hex digits; `field` names the input in the refusal.
    pub fn parse(raw: &str, field: &'static str) -> Result<Self, FieldError> {
        let valid = raw.len() == 32 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldError::new(field, "That is not a picture id."))
        }
    }
}

impl AsRef<str> for MediaId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for MediaId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The picture formats Boardwalk accepts (an animated GIF keeps its first frame).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageType {
    /// `image/jpeg`.
    Jpeg,
    /// `image/png`.
    Png,
    /// `image/webp`.
    Webp,
    /// `image/gif`.
    Gif,
}

impl ImageType {
    /// Every accepted type, in the order the SPA's file chooser lists them.
    pub const ALL: [Self; 4] = [Self::Jpeg, Self::Png, Self::Webp, Self::Gif];

    /// Accepts the four image types by their MIME name (case-insensitive, parameters
    /// ignored); anything else is refused naming `contentType`.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let essence = raw.split(';').next().unwrap_or_default().trim();
        Self::ALL
            .into_iter()
            .find(|kind| kind.mime().eq_ignore_ascii_case(essence))
            .ok_or_else(|| {
                FieldError::new("contentType", "Upload a JPEG, PNG, WebP or GIF picture.")
            })
    }

    /// The MIME type, as S3 stores and serves it.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Gif => "image/gif",
        }
    }

    /// The file name extension served pictures carry.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Gif => "gif",
        }
    }

    /// The name people know the format by, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
            Self::Webp => "WebP",
            Self::Gif => "GIF",
        }
    }
}

/// The size an upload declares: 1 byte to [`MAX_UPLOAD_BYTES`]. It becomes the upper end of
/// the policy's `content-length-range`, so the file can be no larger than announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadSize(u64);

impl UploadSize {
    /// Refuses an empty or too large file, naming `size`.
    pub fn parse(bytes: u64) -> Result<Self, FieldError> {
        if bytes == 0 {
            return Err(FieldError::new("size", "The file is empty."));
        }
        if bytes > MAX_UPLOAD_BYTES {
            return Err(FieldError::new(
                "size",
                format!(
                    "The file is {:.1} MB; the most is {} MB.",
                    megabytes(bytes),
                    MAX_UPLOAD_BYTES / (1024 * 1024)
                ),
            ));
        }
        Ok(Self(bytes))
    }

    /// The declared size in bytes.
    pub fn get(self) -> u64 {
        self.0
    }
}

fn megabytes(bytes: u64) -> f64 {
    // Sizes here are at most a few gigabytes, far inside f64's exact range.
    #[allow(clippy::cast_precision_loss)]
    let bytes = bytes as f64;
    bytes / (1024.0 * 1024.0)
}

/// What an image shows, for people who cannot see it: one line of plain text, 1–500
/// characters after trimming. Required on every image in a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AltText(String);

impl AltText {
    /// Most characters a description may have.
    pub const MAX_CHARS: usize = 500;

    /// Trims surrounding spaces; refuses an empty, too long or not plain description.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let alt = raw.trim();
        if alt.is_empty() {
            return Err(FieldError::new(
                "alt",
                "Describe the image for people who cannot see it.",
            ));
        }
        if alt.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(
                "alt",
                format!("A description has at most {} characters.", Self::MAX_CHARS),
            ));
        }
        plain_text(alt, "alt", TextKind::Line)?;
        Ok(Self(alt.to_owned()))
    }
}

impl AsRef<str> for AltText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_32_lowercase_hex_digits() {
        assert!(MediaId::parse("0123456789abcdef0123456789abcdef", "uploadId").is_ok());
        for bad in [
            "",
            "0123456789ABCDEF0123456789abcdef",
            "0123456789abcdef0123456789abcde",
            "../../etc/passwd0123456789abcdef",
        ] {
            assert_eq!(
                MediaId::parse(bad, "uploadId").unwrap_err().field,
                "uploadId"
            );
        }
    }

    #[test]
    fn the_four_image_types_are_accepted_by_mime_name() {
        assert_eq!(ImageType::parse("image/png").unwrap(), ImageType::Png);
        assert_eq!(ImageType::parse("IMAGE/JPEG").unwrap(), ImageType::Jpeg);
        assert_eq!(
            ImageType::parse("image/webp; q=1").unwrap(),
            ImageType::Webp
        );
        for bad in ["text/html", "image/svg+xml", "image/tiff", ""] {
            assert_eq!(ImageType::parse(bad).unwrap_err().field, "contentType");
        }
    }

    #[test]
    fn sizes_run_from_one_byte_to_ten_megabytes() {
        assert!(UploadSize::parse(1).is_ok());
        assert!(UploadSize::parse(MAX_UPLOAD_BYTES).is_ok());
        assert_eq!(UploadSize::parse(0).unwrap_err().field, "size");
        let too_big = UploadSize::parse(MAX_UPLOAD_BYTES + 1).unwrap_err();
        assert_eq!(too_big.field, "size");
        assert!(too_big.message.contains("10 MB"), "{}", too_big.message);
    }

    #[test]
    fn a_description_is_required_and_plain() {
        assert_eq!(AltText::parse("  A cat  ").unwrap().as_ref(), "A cat");
        assert!(AltText::parse("   ").is_err());
        assert!(AltText::parse("two\nlines").is_err());
        assert!(AltText::parse(&"x".repeat(AltText::MAX_CHARS + 1)).is_err());
    }
}
