//! Turning an uploaded file into the pictures Boardwalk serves: check that the bytes are the
//! declared format, refuse decompression bombs before decoding a pixel, honour the EXIF
//! orientation, cut the sizes a purpose needs, and re-encode. Re-encoding writes pixels
//! only, so every piece of metadata the camera wrote (GPS position included) is gone.
//!
//! Pure, blocking CPU work: the service runs it on the blocking pool, one at a time per
//! permit.

use std::io::Cursor;

use app::{domain::ImageType, dto::UploadPurpose};
use image::{
    DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits,
    codecs::{jpeg::JpegEncoder, png::PngEncoder},
    metadata::Orientation,
};

/// Most pixels a picture may have (30 megapixels: a 6000 × 5000 photo). Checked from the
/// header, before decoding, so a small file that claims to be huge costs nothing.
pub const MAX_PIXELS: u64 = 30_000_000;
/// Longest side accepted, whatever the pixel count.
pub const MAX_SIDE: u32 = 12_000;
/// What the decoder may allocate: the largest accepted picture as RGBA, and a margin.
const MAX_DECODER_BYTES: u64 = 4 * MAX_PIXELS + 16 * 1024 * 1024;
/// JPEG quality of served variants: indistinguishable from the original at these sizes.
const JPEG_QUALITY: u8 = 82;

/// Why a file could not become a picture.
#[derive(Debug, thiserror::Error)]
pub enum ImagingError {
    /// The bytes are not the format the upload declared (an HTML page named `.png`).
    #[error("the file is not a {}", declared.label())]
    NotDeclaredType {
        /// What the upload said it was.
        declared: ImageType,
    },
    /// The picture has more pixels than [`MAX_PIXELS`] or a side longer than [`MAX_SIDE`].
    #[error("the picture is {width} × {height} pixels")]
    TooManyPixels {
        /// As its header says.
        width: u32,
        /// As its header says.
        height: u32,
    },
    /// The header looked right but the image data is broken.
    #[error("the {} could not be decoded", declared.label())]
    Undecodable {
        /// What the upload said it was.
        declared: ImageType,
        /// What the decoder said.
        #[source]
        cause: image::ImageError,
    },
    /// Re-encoding failed: a bug, not the uploader's fault.
    #[error("could not encode a variant")]
    Encode(#[source] image::ImageError),
}

/// One encoded size of a picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// The file.
    pub bytes: Vec<u8>,
    /// JPEG, or PNG when the picture has transparent pixels.
    pub kind: ImageType,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
}

/// The two sizes a purpose calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    /// Avatar 256 px square; post image at most 1600 × 3200.
    pub large: Encoded,
    /// Avatar 64 px square; post image at most 480 × 960.
    pub small: Encoded,
}

/// The box each size must fit in, and whether it is filled (cropped to a square) or fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    Square(u32),
    Within(u32, u32),
}

fn cuts(purpose: UploadPurpose) -> (Cut, Cut) {
    match purpose {
        UploadPurpose::Avatar => (Cut::Square(256), Cut::Square(64)),
        UploadPurpose::Post => (Cut::Within(1600, 3200), Cut::Within(480, 960)),
    }
}

fn format_of(kind: ImageType) -> ImageFormat {
    match kind {
        ImageType::Jpeg => ImageFormat::Jpeg,
        ImageType::Png => ImageFormat::Png,
        ImageType::Webp => ImageFormat::WebP,
        ImageType::Gif => ImageFormat::Gif,
    }
}

/// Checks, decodes and cuts `bytes`, declared as `declared`, into the sizes `purpose` needs.
pub fn process(
    bytes: &[u8],
    declared: ImageType,
    purpose: UploadPurpose,
) -> Result<Processed, ImagingError> {
    let format = format_of(declared);
    if image::guess_format(bytes).ok() != Some(format) {
        return Err(ImagingError::NotDeclaredType { declared });
    }
    let undecodable = |cause| ImagingError::Undecodable { declared, cause };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODER_BYTES);
    reader.limits(limits);
    let mut decoder = match reader.into_decoder() {
        Ok(decoder) => decoder,
        Err(image::ImageError::Limits(_)) => return Err(too_many_pixels(bytes, format)),
        Err(cause) => return Err(undecodable(cause)),
    };
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImagingError::TooManyPixels { width, height });
    }
    // A broken EXIF block only loses the rotation, not the picture.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let pixels = DynamicImage::from_decoder(decoder).map_err(|cause| match cause {
        image::ImageError::Limits(_) => ImagingError::TooManyPixels { width, height },
        cause => undecodable(cause),
    })?;
    let (large_cut, small_cut) = cuts(purpose);
    // Cut first and rotate the small result: rotating 30 megapixels costs a copy of them.
    let large = oriented(cut(&pixels, large_cut, orientation), orientation);
    drop(pixels);
    let small = cut(&large, small_cut, Orientation::NoTransforms);
    Ok(Processed {
        large: encode(&large)?,
        small: encode(&small)?,
    })
}

/// The size the header claims, for the refusal; the decoder's own limit already fired.
fn too_many_pixels(bytes: &[u8], format: ImageFormat) -> ImagingError {
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .unwrap_or((u32::MAX, u32::MAX));
    ImagingError::TooManyPixels { width, height }
}

fn swaps_axes(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// `image` cut to `size`, where `size` is meant for the picture after `orientation` is
/// applied (so a portrait photo stored sideways is fitted by its real width).
fn cut(image: &DynamicImage, size: Cut, orientation: Orientation) -> DynamicImage {
    let (width, height) = (image.width(), image.height());
    match size {
        Cut::Square(side) => {
            let edge = width.min(height);
            let square = image.crop_imm((width - edge) / 2, (height - edge) / 2, edge, edge);
            if edge <= side {
                square
            } else {
                square.thumbnail_exact(side, side)
            }
        }
        Cut::Within(max_width, max_height) => {
            let (max_width, max_height) = if swaps_axes(orientation) {
                (max_height, max_width)
            } else {
                (max_width, max_height)
            };
            if width <= max_width && height <= max_height {
                image.clone()
            } else {
                image.thumbnail(max_width, max_height)
            }
        }
    }
}

fn oriented(mut image: DynamicImage, orientation: Orientation) -> DynamicImage {
    image.apply_orientation(orientation);
    image
}

fn has_transparency(image: &DynamicImage) -> bool {
    image.color().has_alpha() && image.to_rgba8().pixels().any(|pixel| pixel.0[3] < u8::MAX)
}

/// JPEG for opaque pictures, PNG where something shows through. Neither encoder writes any
/// metadata.
fn encode(image: &DynamicImage) -> Result<Encoded, ImagingError> {
    let mut bytes = Vec::new();
    let kind = if has_transparency(image) {
        image
            .to_rgba8()
            .write_with_encoder(PngEncoder::new(&mut bytes))
            .map_err(ImagingError::Encode)?;
        ImageType::Png
    } else {
        image
            .to_rgb8()
            .write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY))
            .map_err(ImagingError::Encode)?;
        ImageType::Jpeg
    };
    Ok(Encoded {
        bytes,
        kind,
        width: image.width(),
        height: image.height(),
    })
}

#[cfg(test)]
#[path = "../../../tests/shared/samples.rs"]
pub(crate) mod samples;

#[cfg(test)]
mod tests {
    use super::{samples::*, *};

    fn decoded(encoded: &Encoded) -> DynamicImage {
        image::load_from_memory(&encoded.bytes).unwrap()
    }

    #[test]
    fn a_post_photo_is_fitted_to_1600_wide_with_a_480_wide_thumbnail() {
        let processed = process(&photo(4000, 3000), ImageType::Jpeg, UploadPurpose::Post).unwrap();
        assert_eq!(
            (processed.large.width, processed.large.height),
            (1600, 1200)
        );
        assert_eq!((processed.small.width, processed.small.height), (480, 360));
        assert_eq!(processed.large.kind, ImageType::Jpeg);
        assert_eq!(decoded(&processed.large).width(), 1600);
    }

    #[test]
    fn a_small_picture_is_never_enlarged() {
        let processed = process(&jpeg(300, 200), ImageType::Jpeg, UploadPurpose::Post).unwrap();
        assert_eq!((processed.large.width, processed.large.height), (300, 200));
        assert_eq!((processed.small.width, processed.small.height), (300, 200));
    }

    #[test]
    fn an_avatar_is_cropped_to_squares() {
        let processed = process(&jpeg(900, 600), ImageType::Jpeg, UploadPurpose::Avatar).unwrap();
        assert_eq!((processed.large.width, processed.large.height), (256, 256));
        assert_eq!((processed.small.width, processed.small.height), (64, 64));
    }

    #[test]
    fn transparency_is_kept_as_png() {
        let processed = process(
            &transparent_png(800, 400),
            ImageType::Png,
            UploadPurpose::Post,
        )
        .unwrap();
        assert_eq!(processed.large.kind, ImageType::Png);
        assert_eq!(decoded(&processed.large).to_rgba8().get_pixel(0, 0).0[3], 0);
    }

    #[test]
    fn bytes_that_are_not_the_declared_type_are_refused() {
        let html = b"<!doctype html><script>alert(1)</script>".to_vec();
        assert!(matches!(
            process(&html, ImageType::Png, UploadPurpose::Post),
            Err(ImagingError::NotDeclaredType {
                declared: ImageType::Png
            })
        ));
        assert!(matches!(
            process(&jpeg(10, 10), ImageType::Png, UploadPurpose::Post),
            Err(ImagingError::NotDeclaredType { .. })
        ));
    }

    #[test]
    fn decompression_bombs_are_refused_from_their_header() {
        for (bomb, kind) in [(png_bomb(), ImageType::Png), (jpeg_bomb(), ImageType::Jpeg)] {
            let refused = process(&bomb, kind, UploadPurpose::Post).unwrap_err();
            assert!(
                matches!(refused, ImagingError::TooManyPixels { .. }),
                "{kind:?}: {refused:?}"
            );
        }
    }

    #[test]
    fn exif_metadata_is_gone_and_its_orientation_applied() {
        // Orientation 6: stored landscape, shown rotated 90° clockwise (portrait).
        let upload = jpeg_with_gps_exif(400, 200, 6);
        assert!(upload.windows(GPS_MARKER.len()).any(|w| w == GPS_MARKER));

        let processed = process(&upload, ImageType::Jpeg, UploadPurpose::Post).unwrap();

        for variant in [&processed.large, &processed.small] {
            assert!(
                !variant
                    .bytes
                    .windows(GPS_MARKER.len())
                    .any(|w| w == GPS_MARKER)
            );
            assert!(!variant.bytes.windows(4).any(|w| w == b"Exif"));
        }
        assert_eq!((processed.large.width, processed.large.height), (200, 400));
    }

    #[test]
    fn a_broken_file_of_the_right_type_is_undecodable() {
        let mut truncated = jpeg(64, 64);
        truncated.truncate(40);
        assert!(matches!(
            process(&truncated, ImageType::Jpeg, UploadPurpose::Post),
            Err(ImagingError::Undecodable { .. })
        ));
    }
}
