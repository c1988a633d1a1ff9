//! Pictures made on the spot for tests, including hostile ones: shared by the imaging unit
//! tests, the REST tests and the picture benchmark, so all feed the server the same files.
#![allow(
    dead_code,
    reason = "each of the three targets that include this file uses some of it"
)]

use image::{
    ImageBuffer, Rgb, RgbImage, Rgba,
    codecs::{jpeg::JpegEncoder, png::PngEncoder},
};

/// A `width` × `height` photo-like JPEG (a gradient).
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut bytes = Vec::new();
    image
        .write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, 90))
        .unwrap();
    bytes
}

/// A `width` × `height` PNG, half transparent.
pub fn transparent_png(width: u32, height: u32) -> Vec<u8> {
    let image = ImageBuffer::from_fn(width, height, |x, _| {
        Rgba::<u8>([200, 10, 10, if x < width / 2 { 0 } else { 255 }])
    });
    let mut bytes = Vec::new();
    image
        .write_with_encoder(PngEncoder::new(&mut bytes))
        .unwrap();
    bytes
}

/// `jpeg` with an APP1 EXIF block holding an orientation and a GPS position (the text
/// `GPS` and a latitude marker a test can look for).
pub fn jpeg_with_gps_exif(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let plain = jpeg(width, height);
    let exif = exif_block(orientation);
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
    app1.extend_from_slice(&exif);
    // After SOI (FF D8).
    let mut bytes = plain[..2].to_vec();
    bytes.extend_from_slice(&app1);
    bytes.extend_from_slice(&plain[2..]);
    bytes
}

/// The marker the EXIF block carries in its GPS latitude reference, to prove it is gone.
pub const GPS_MARKER: &[u8] = b"GPSLAT-BOARDWALK";

fn exif_block(orientation: u16) -> Vec<u8> {
    // "Exif\0\0", then a little-endian TIFF header, IFD0 with Orientation and a
    // GPS IFD pointer, and a GPS IFD whose latitude reference is an ASCII string.
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&8u32.to_le_bytes());
    // IFD0: 2 entries.
    tiff.extend_from_slice(&2u16.to_le_bytes());
    // Orientation (0x0112), SHORT, 1, value.
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&u32::from(orientation).to_le_bytes());
    // GPSInfo pointer (0x8825), LONG, 1, offset of the GPS IFD.
    let gps_ifd_offset = 8 + 2 + 2 * 12 + 4;
    tiff.extend_from_slice(&0x8825u16.to_le_bytes());
    tiff.extend_from_slice(&4u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&u32::try_from(gps_ifd_offset).unwrap().to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    // GPS IFD: 1 entry, GPSLatitudeRef (0x0001), ASCII, pointing at the marker.
    let marker_offset = gps_ifd_offset + 2 + 12 + 4;
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0001u16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&u32::try_from(GPS_MARKER.len()).unwrap().to_le_bytes());
    tiff.extend_from_slice(&u32::try_from(marker_offset).unwrap().to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(GPS_MARKER);
    let mut block = b"Exif\0\0".to_vec();
    block.extend_from_slice(&tiff);
    block
}

/// A tiny PNG whose header claims 60,000 × 60,000 pixels: 14 GB once decoded.
pub fn png_bomb() -> Vec<u8> {
    let mut bytes = transparent_png(1, 1);
    // IHDR's width and height sit at bytes 16..24; its CRC (29..33) must match them.
    bytes[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

/// A JPEG whose frame header claims 20,000 × 20,000 pixels (within each side's limit,
/// over the pixel count).
pub fn jpeg_bomb() -> Vec<u8> {
    let mut bytes = jpeg(8, 8);
    let sof = bytes
        .windows(2)
        .position(|pair| pair == [0xFF, 0xC0])
        .unwrap();
    // SOF0: marker, length (2), precision (1), height (2), width (2).
    bytes[sof + 5..sof + 7].copy_from_slice(&20_000u16.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&20_000u16.to_be_bytes());
    bytes
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A `width` × `height` JPEG as noisy as a camera's (a gradient under pseudo-random grain),
/// at a camera's quality, so its size and decoding cost are a photo's, not a flat test
/// card's.
pub fn photo(width: u32, height: u32) -> Vec<u8> {
    let mut state: u32 = 0x9E37_79B9;
    let image = RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let grain = (state % 48) as u8;
        let base = |v: u32, span: u32| u8::try_from(v * 200 / span.max(1)).unwrap_or(200);
        Rgb([
            base(x, width).saturating_add(grain),
            base(y, height).saturating_add(grain / 2),
            base(x + y, width + height).saturating_add(grain / 3),
        ])
    });
    let mut bytes = Vec::new();
    image
        .write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, 92))
        .unwrap();
    bytes
}
