//! Raster image files: TIFF (every page), PNG and JPEG.
//!
//! Opening reads only headers and tags (size, resolution, scanner tags); pixels are decoded
//! when a worker takes the page.

use std::io::Cursor;
use std::sync::Arc;

use tiff::decoder::{ifd::Value, Decoder as TiffDecoder, DecodingResult};
use tiff::tags::Tag;
use tiff::ColorType;

use super::{
    check_pixels, Document, FileInfo, Format, ImageInfo, Limits, Page, PageImage, PageInfo,
    PageKind, RasterSource, SourceError,
};

/// One page of an image file.
pub(crate) struct FrameRef {
    pub data: Arc<[u8]>,
    pub format: Format,
    pub index: u32,
}

fn malformed(format: Format, message: impl std::fmt::Display) -> SourceError {
    let name = match format {
        Format::Tiff => "TIFF",
        Format::Png => "PNG",
        Format::Jpeg => "JPEG",
        _ => "image",
    };
    let message = message.to_string();
    // Decoders report a file cut short as an unexpected end of data.
    if message.contains("end of file")
        || message.contains("UnexpectedEof")
        || message.contains("unexpected EOF")
    {
        return SourceError::Truncated(format!("{name}: {message}"));
    }
    SourceError::Malformed {
        format: name,
        message,
    }
}

/// Facts about one frame, read from headers.
struct FrameHeader {
    width: u32,
    height: u32,
    dpi: Option<f64>,
    encoding: String,
    bits: Option<u8>,
    color: Option<String>,
}

pub(crate) fn open(
    bytes: Arc<[u8]>,
    format: Format,
    limits: &Limits,
) -> Result<Document, SourceError> {
    let (frames, file_info) = match format {
        Format::Tiff => tiff_headers(&bytes, limits)?,
        Format::Png => (vec![png_header(&bytes)?], FileInfo::default()),
        Format::Jpeg => jpeg_header(&bytes)?,
        _ => return Err(SourceError::UnsupportedFormat),
    };
    // An image file's pages are its rasters: one that is too large to decode (a header that
    // claims 100,000 × 100,000 pixels) makes the document unreadable now, from its header,
    // whether or not OCR would later decode it.
    for h in &frames {
        check_pixels(u64::from(h.width), u64::from(h.height), limits)?;
    }
    let pages = frames
        .into_iter()
        .enumerate()
        .map(|(index, h)| {
            let index = index as u32;
            let info = PageInfo {
                index,
                kind: PageKind::Scanned,
                kind_reason: format!(
                    "raster image file ({}×{} px{})",
                    h.width,
                    h.height,
                    h.dpi.map(|d| format!(", {d} dpi")).unwrap_or_default()
                ),
                width_pt: None,
                height_pt: None,
                width_px: Some(h.width),
                height_px: Some(h.height),
                dpi: h.dpi,
                image: Some(ImageInfo {
                    encoding: h.encoding,
                    width_px: h.width,
                    height_px: h.height,
                    bits_per_component: h.bits,
                    color_space: h.color,
                    coverage: 1.0,
                    decodable: true,
                }),
                visible_text_chars: 0,
                invisible_text_chars: 0,
            };
            let raster = RasterSource::Image(FrameRef {
                data: Arc::clone(&bytes),
                format,
                index,
            });
            Page::new(info, None, Some(raster))
        })
        .collect();
    Ok(Document {
        format,
        pages,
        file_info,
    })
}

fn round_dpi(d: f64) -> Option<f64> {
    (d.is_finite() && d > 1.0).then(|| (d * 10.0).round() / 10.0)
}

fn png_header(bytes: &[u8]) -> Result<FrameHeader, SourceError> {
    let decoder = png::Decoder::new(Cursor::new(bytes));
    let reader = decoder.read_info().map_err(|e| malformed(Format::Png, e))?;
    let info = reader.info();
    let dpi = info.pixel_dims.and_then(|d| match d.unit {
        png::Unit::Meter => round_dpi(f64::from(d.xppu) * 0.0254),
        png::Unit::Unspecified => None,
    });
    Ok(FrameHeader {
        width: info.width,
        height: info.height,
        dpi,
        encoding: "png".into(),
        bits: Some(info.bit_depth as u8),
        color: Some(format!("{:?}", info.color_type)),
    })
}

/// JPEG resolution: EXIF XResolution where present (scanners and cameras write it), else the
/// JFIF APP0 density.
fn jpeg_header(bytes: &[u8]) -> Result<(Vec<FrameHeader>, FileInfo), SourceError> {
    let (width, height) =
        ::image::ImageReader::with_format(Cursor::new(bytes), ::image::ImageFormat::Jpeg)
            .into_dimensions()
            .map_err(|e| malformed(Format::Jpeg, e))?;
    let mut info = FileInfo::default();
    let mut dpi = None;
    if let Ok(exif) = exif::Reader::new().read_from_container(&mut Cursor::new(bytes)) {
        let text = |tag| {
            exif.get_field(tag, exif::In::PRIMARY)
                .map(|f| {
                    f.display_value()
                        .to_string()
                        .trim_matches('"')
                        .trim()
                        .to_string()
                })
                .filter(|s| !s.is_empty())
        };
        info.make = text(exif::Tag::Make);
        info.model = text(exif::Tag::Model);
        info.software = text(exif::Tag::Software);
        let unit = exif
            .get_field(exif::Tag::ResolutionUnit, exif::In::PRIMARY)
            .and_then(|f| f.value.get_uint(0))
            .unwrap_or(2);
        dpi = exif
            .get_field(exif::Tag::XResolution, exif::In::PRIMARY)
            .and_then(|f| match &f.value {
                exif::Value::Rational(v) => v.first().map(|r| r.to_f64()),
                _ => None,
            })
            .and_then(|r| round_dpi(if unit == 3 { r * 2.54 } else { r }));
    }
    if dpi.is_none() {
        dpi = jfif_density(bytes);
    }
    Ok((
        vec![FrameHeader {
            width,
            height,
            dpi,
            encoding: "jpeg".into(),
            bits: Some(8),
            color: None,
        }],
        info,
    ))
}

/// The JFIF APP0 segment right after SOI: `FF E0 len "JFIF\0" ver(2) units xden(2) yden(2)`.
fn jfif_density(bytes: &[u8]) -> Option<f64> {
    let seg = bytes.get(2..16)?;
    if seg[0] != 0xFF || seg[1] != 0xE0 || &seg[4..9] != b"JFIF\0" {
        return None;
    }
    let units = seg[11];
    let x = f64::from(u16::from_be_bytes([seg[12], seg[13]]));
    match units {
        1 => round_dpi(x),
        2 => round_dpi(x * 2.54),
        _ => None,
    }
}

fn rational(v: Value) -> Option<f64> {
    match v {
        Value::Rational(n, d) if d != 0 => Some(f64::from(n) / f64::from(d)),
        Value::Short(n) => Some(f64::from(n)),
        Value::Unsigned(n) => Some(f64::from(n)),
        _ => None,
    }
}

fn tiff_decoder(bytes: &[u8], format: Format) -> Result<TiffDecoder<Cursor<&[u8]>>, SourceError> {
    TiffDecoder::new(Cursor::new(bytes)).map_err(|e| malformed(format, e))
}

fn tiff_headers(
    bytes: &[u8],
    limits: &Limits,
) -> Result<(Vec<FrameHeader>, FileInfo), SourceError> {
    let mut dec = tiff_decoder(bytes, Format::Tiff)?;
    let mut info = FileInfo::default();
    let text = |dec: &mut TiffDecoder<Cursor<&[u8]>>, tag| {
        dec.get_tag_ascii_string(tag)
            .ok()
            .map(|s| s.trim_end_matches('\0').trim().to_string())
            .filter(|s| !s.is_empty())
    };
    info.make = text(&mut dec, Tag::Make);
    info.model = text(&mut dec, Tag::Model);
    info.software = text(&mut dec, Tag::Software);
    let mut frames = Vec::new();
    loop {
        if frames.len() as u64 >= u64::from(limits.max_pages) {
            return Err(SourceError::TooManyPages(
                frames.len() as u64 + 1,
                limits.max_pages,
            ));
        }
        let (width, height) = dec.dimensions().map_err(|e| malformed(Format::Tiff, e))?;
        let unit = dec
            .find_tag_unsigned::<u16>(Tag::ResolutionUnit)
            .ok()
            .flatten()
            .unwrap_or(2);
        let dpi = dec
            .find_tag(Tag::XResolution)
            .ok()
            .flatten()
            .and_then(rational)
            .and_then(|r| match unit {
                2 => round_dpi(r),
                3 => round_dpi(r * 2.54),
                _ => None,
            });
        let compression = dec
            .find_tag_unsigned::<u16>(Tag::Compression)
            .ok()
            .flatten()
            .unwrap_or(1);
        let color = dec.colortype().ok();
        frames.push(FrameHeader {
            width,
            height,
            dpi,
            encoding: tiff_compression_name(compression).into(),
            bits: color.map(|c| c.bit_depth()),
            color: color.map(|c| format!("{c:?}")),
        });
        if !dec.more_images() {
            break;
        }
        dec.next_image().map_err(|e| malformed(Format::Tiff, e))?;
    }
    Ok((frames, info))
}

fn tiff_compression_name(code: u16) -> &'static str {
    match code {
        1 => "tiff_none",
        2 => "tiff_ccitt_rle",
        3 => "tiff_ccitt_g3",
        4 => "tiff_ccitt_g4",
        5 => "tiff_lzw",
        6 | 7 => "tiff_jpeg",
        8 | 32946 => "tiff_deflate",
        32773 => "tiff_packbits",
        _ => "tiff_other",
    }
}

pub(crate) fn decode_frame(src: &FrameRef, limits: &Limits) -> Result<PageImage, SourceError> {
    let image = match src.format {
        Format::Tiff => decode_tiff_frame(&src.data, src.index, limits)?,
        Format::Png | Format::Jpeg => {
            let format = if src.format == Format::Png {
                ::image::ImageFormat::Png
            } else {
                ::image::ImageFormat::Jpeg
            };
            let reader = ::image::ImageReader::with_format(Cursor::new(&src.data[..]), format);
            let (w, h) = ::image::ImageReader::with_format(Cursor::new(&src.data[..]), format)
                .into_dimensions()
                .map_err(|e| malformed(src.format, e))?;
            check_pixels(u64::from(w), u64::from(h), limits)?;
            decode_contained(src.format, || reader.decode())?
        }
        _ => return Err(SourceError::UnsupportedFormat),
    };
    Ok(PageImage { image, dpi: None })
}

/// Runs a third-party decoder, turning a panic inside it into a `malformed` error: zune-jpeg
/// 0.5.15 panics (an unwrap in its AVX2 IDCT) on a JPEG the fuzzer found
/// (testdata/fuzz/zune-jpeg-idct-panic.jpg). The pipeline would catch it at the document
/// boundary as an `internal` error, but the file is simply broken and its record should say so.
fn decode_contained(
    format: Format,
    decode: impl FnOnce() -> ::image::ImageResult<::image::DynamicImage>,
) -> Result<::image::DynamicImage, SourceError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(decode)) {
        Ok(result) => result.map_err(|e| malformed(format, e)),
        Err(_) => Err(malformed(format, "the decoder crashed on this file")),
    }
}

fn decode_tiff_frame(
    bytes: &[u8],
    index: u32,
    limits: &Limits,
) -> Result<::image::DynamicImage, SourceError> {
    let err = |e| malformed(Format::Tiff, e);
    let mut tiff_limits = tiff::decoder::Limits::default();
    tiff_limits.decoding_buffer_size =
        usize::try_from(limits.max_pixels.saturating_mul(4)).unwrap_or(usize::MAX);
    let mut dec = tiff_decoder(bytes, Format::Tiff)?.with_limits(tiff_limits);
    dec.seek_to_image(index as usize).map_err(err)?;
    let (w, h) = dec.dimensions().map_err(err)?;
    check_pixels(u64::from(w), u64::from(h), limits)?;
    let color = dec.colortype().map_err(err)?;
    let data = match dec.read_image().map_err(err)? {
        DecodingResult::U8(v) => v,
        DecodingResult::U16(v) => v.into_iter().map(|s| (s >> 8) as u8).collect(),
        _ => {
            return Err(SourceError::UnsupportedEncoding(
                "TIFF sample format".into(),
            ))
        }
    };
    let (wu, hu) = (w as usize, h as usize);
    let image = match color {
        ColorType::Gray(1) => {
            let row_bytes = wu.div_ceil(8);
            let mut px = Vec::with_capacity(wu * hu);
            for row in data.chunks(row_bytes).take(hu) {
                px.extend((0..wu).map(|x| {
                    let bit = row.get(x / 8).map_or(0, |b| (b >> (7 - x % 8)) & 1);
                    if bit == 1 {
                        255
                    } else {
                        0
                    }
                }));
            }
            ::image::GrayImage::from_raw(w, h, px).map(::image::DynamicImage::ImageLuma8)
        }
        ColorType::Gray(_) => {
            ::image::GrayImage::from_raw(w, h, data).map(::image::DynamicImage::ImageLuma8)
        }
        ColorType::GrayA(_) => {
            ::image::GrayAlphaImage::from_raw(w, h, data).map(::image::DynamicImage::ImageLumaA8)
        }
        ColorType::RGB(_) | ColorType::YCbCr(_) => {
            ::image::RgbImage::from_raw(w, h, data).map(::image::DynamicImage::ImageRgb8)
        }
        ColorType::RGBA(_) => {
            ::image::RgbaImage::from_raw(w, h, data).map(::image::DynamicImage::ImageRgba8)
        }
        ColorType::CMYK(_) => {
            let px: Vec<u8> = data
                .chunks_exact(4)
                .flat_map(|c| {
                    let k = 255 - u16::from(c[3]);
                    [0, 1, 2].map(|i| ((255 - u16::from(c[i])) * k / 255) as u8)
                })
                .collect();
            ::image::RgbImage::from_raw(w, h, px).map(::image::DynamicImage::ImageRgb8)
        }
        other => {
            return Err(SourceError::UnsupportedEncoding(format!(
                "TIFF colour type {other:?}"
            )))
        }
    };
    image.ok_or_else(|| malformed(Format::Tiff, "image data size does not match its header"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jfif_density_in_dots_per_inch_and_per_cm() {
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
        jpeg.extend_from_slice(b"JFIF\0");
        jpeg.extend_from_slice(&[1, 1, 1, 0x01, 0x2C, 0x01, 0x2C]); // 300 dpi
        assert_eq!(jfif_density(&jpeg), Some(300.0));
        // Offsets in the file: SOI (2) + marker (2) + length (2) + "JFIF\0" (5) + version (2).
        jpeg[13] = 2; // dots per cm
        jpeg[14..16].copy_from_slice(&118u16.to_be_bytes());
        assert_eq!(jfif_density(&jpeg), Some(299.7));
        jpeg[13] = 0; // aspect ratio only
        assert_eq!(jfif_density(&jpeg), None);
    }
}
