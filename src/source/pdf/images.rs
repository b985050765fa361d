//! Image XObjects: their description (filters, size, colour space) and their decoding to
//! pixels without rendering the page (DCT, CCITT, raw samples in the colour spaces scans use).

use lopdf::{Dictionary, Object, ObjectId};

use super::content::{is_over_limit, number};
use super::{malformed, round2, PdfImageRef};
use crate::source::{check_pixels, ImageInfo, Limits, PageImage, SourceError};

/// Largest Indexed colour-space lookup accepted (256 entries of at most 4 bytes, with room
/// for producers that pad the stream).
const MAX_PALETTE_BYTES: usize = 64 * 1024;

/// The last filter names the image encoding; earlier ones (rare) are transport encodings.
fn filters(dict: &Dictionary) -> Vec<Vec<u8>> {
    match dict.get(b"Filter") {
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        _ => Vec::new(),
    }
}

fn encoding_name(filter: Option<&[u8]>) -> (&'static str, bool) {
    match filter {
        Some(b"DCTDecode") | Some(b"DCT") => ("dct", true),
        Some(b"FlateDecode") | Some(b"Fl") => ("flate", true),
        Some(b"CCITTFaxDecode") | Some(b"CCF") => ("ccitt", true),
        Some(b"LZWDecode") | Some(b"LZW") => ("lzw", true),
        Some(b"RunLengthDecode") | Some(b"RL") => ("run_length", true),
        Some(b"ASCIIHexDecode") | Some(b"AHx") | Some(b"ASCII85Decode") | Some(b"A85") => {
            ("ascii", true)
        }
        Some(b"JBIG2Decode") => ("jbig2", false),
        Some(b"JPXDecode") => ("jpx", false),
        Some(_) => ("other", false),
        None => ("raw", true),
    }
}

fn int(dict: &Dictionary, key: &[u8]) -> Option<i64> {
    dict.get(key).ok().and_then(|o| o.as_i64().ok())
}

fn color_space_name(doc: &lopdf::Document, dict: &Dictionary) -> Option<String> {
    let (_, cs) = doc.dereference(dict.get(b"ColorSpace").ok()?).ok()?;
    match cs {
        Object::Name(n) => Some(String::from_utf8_lossy(n).into_owned()),
        Object::Array(a) => a
            .first()
            .and_then(|o| o.as_name().ok())
            .map(|n| String::from_utf8_lossy(n).into_owned()),
        _ => None,
    }
}

pub(super) fn image_info(doc: &lopdf::Document, id: ObjectId, coverage: f64) -> Option<ImageInfo> {
    let stream = doc.get_object(id).ok()?.as_stream().ok()?;
    let dict = &stream.dict;
    let filters = filters(dict);
    let (encoding, decodable) = encoding_name(filters.last().map(Vec::as_slice));
    let width = u32::try_from(int(dict, b"Width")?).ok()?;
    let height = u32::try_from(int(dict, b"Height")?).ok()?;
    Some(ImageInfo {
        encoding: encoding.to_string(),
        width_px: width,
        height_px: height,
        bits_per_component: int(dict, b"BitsPerComponent").and_then(|b| u8::try_from(b).ok()),
        color_space: color_space_name(doc, dict),
        coverage: round2(coverage),
        decodable,
    })
}

/// Decodes a page's image XObject to pixels, without rendering the page.
pub(crate) fn decode_image(src: &PdfImageRef, limits: &Limits) -> Result<PageImage, SourceError> {
    let stream = src
        .doc
        .get_object(src.id)
        .and_then(Object::as_stream)
        .map_err(|e| malformed(format!("image object: {e}")))?;
    let dict = &stream.dict;
    let width = int(dict, b"Width")
        .filter(|w| *w > 0)
        .ok_or_else(|| malformed("image without /Width"))? as u64;
    let height = int(dict, b"Height")
        .filter(|h| *h > 0)
        .ok_or_else(|| malformed("image without /Height"))? as u64;
    check_pixels(width, height, limits)?;
    let filters = filters(dict);
    let last = filters.last().map(Vec::as_slice);
    let (encoding, decodable) = encoding_name(last);
    if !decodable {
        return Err(SourceError::UnsupportedEncoding(encoding.into()));
    }
    let image = match encoding {
        "dct" => {
            let data = strip_transport_filters(stream, &filters, limits)?;
            // The JPEG decoder can panic on broken data (see image::decode_contained).
            std::panic::catch_unwind(|| {
                ::image::load_from_memory_with_format(&data, ::image::ImageFormat::Jpeg)
            })
            .map_err(|_| malformed("JPEG image: the decoder crashed on this data"))?
            .map_err(|e| malformed(format!("JPEG image: {e}")))?
        }
        "ccitt" => {
            let data = strip_transport_filters(stream, &filters, limits)?;
            decode_ccitt(&data, dict, width, height)?
        }
        _ => {
            // Raw samples take at most 8 bytes a pixel (4 components of 16 bits), plus one
            // predictor byte a row: a stream that inflates beyond that is not this image.
            let limit = width
                .saturating_mul(height)
                .saturating_mul(8)
                .saturating_add(height + 64 * 1024)
                .min(limits.max_stream_bytes as u64) as usize;
            let data = stream.decompressed_content_with_limit(limit).map_err(|e| {
                if is_over_limit(&e) {
                    SourceError::StreamTooLarge {
                        what: format!("image of {width}×{height} pixels"),
                        limit,
                    }
                } else {
                    malformed(format!("image stream: {e}"))
                }
            })?;
            samples_to_image(&src.doc, dict, &data, width as u32, height as u32)?
        }
    };
    Ok(PageImage { image, dpi: None })
}

/// For `[/FlateDecode /DCTDecode]`-style chains: undoes every filter but the last.
fn strip_transport_filters(
    stream: &lopdf::Stream,
    filters: &[Vec<u8>],
    limits: &Limits,
) -> Result<Vec<u8>, SourceError> {
    if filters.len() <= 1 {
        return Ok(stream.content.clone());
    }
    let mut outer = stream.clone();
    let prefix: Vec<Object> = filters[..filters.len() - 1]
        .iter()
        .map(|f| Object::Name(f.clone()))
        .collect();
    outer.dict.set("Filter", Object::Array(prefix));
    outer.dict.remove(b"DecodeParms");
    outer
        .decompressed_content_with_limit(limits.max_stream_bytes)
        .map_err(|e| malformed(format!("image stream: {e}")))
}

fn decode_params(dict: &Dictionary) -> Option<&Dictionary> {
    match dict.get(b"DecodeParms").ok()? {
        Object::Dictionary(d) => Some(d),
        Object::Array(a) => a.last().and_then(|o| o.as_dict().ok()),
        _ => None,
    }
}

fn inverted_decode(dict: &Dictionary) -> bool {
    dict.get(b"Decode")
        .ok()
        .and_then(|d| d.as_array().ok())
        .and_then(|a| a.first())
        .and_then(number)
        == Some(1.0)
}

fn decode_ccitt(
    data: &[u8],
    dict: &Dictionary,
    width: u64,
    height: u64,
) -> Result<::image::DynamicImage, SourceError> {
    let params = decode_params(dict);
    let param = |key: &[u8]| params.and_then(|p| p.get(key).ok());
    let k = param(b"K").and_then(|o| o.as_i64().ok()).unwrap_or(0);
    let columns = param(b"Columns")
        .and_then(|o| o.as_i64().ok())
        .unwrap_or(width as i64);
    let black_is_1 = param(b"BlackIs1")
        .and_then(|o| o.as_bool().ok())
        .unwrap_or(false);
    let cols = u16::try_from(columns).map_err(|_| malformed("CCITT /Columns out of range"))?;
    let rows = u16::try_from(height).map_err(|_| malformed("CCITT image too tall"))?;
    let mut pixels: Vec<u8> = Vec::with_capacity(usize::from(cols) * usize::from(rows));
    let mut lines = 0u16;
    let on_line = |transitions: &[u16]| {
        if lines < rows {
            pixels.extend(fax::decoder::pels(transitions, cols).map(|c| match c {
                fax::Color::Black => 0u8,
                fax::Color::White => 255u8,
            }));
            lines += 1;
        }
    };
    let ok = if k < 0 {
        fax::decoder::decode_g4(data.iter().copied(), cols, Some(rows), on_line)
    } else {
        fax::decoder::decode_g3(data.iter().copied(), on_line)
    };
    if ok.is_none() && pixels.is_empty() {
        return Err(malformed("CCITT stream does not decode"));
    }
    // Lines the stream did not carry are white: decoders pad the same way.
    pixels.resize(usize::from(cols) * usize::from(rows), 255);
    // /BlackIs1 and a [1 0] /Decode array each swap the meaning of the two colours.
    if black_is_1 != inverted_decode(dict) {
        pixels.iter_mut().for_each(|p| *p = 255 - *p);
    }
    ::image::GrayImage::from_raw(u32::from(cols), u32::from(rows), pixels)
        .map(::image::DynamicImage::ImageLuma8)
        .ok_or_else(|| malformed("CCITT image size mismatch"))
}

/// The colour model of an image XObject, as far as we decode it.
enum Colors {
    Gray,
    Rgb,
    Cmyk,
    /// Palette of RGB triples.
    Indexed(Vec<[u8; 3]>),
}

fn colors(doc: &lopdf::Document, dict: &Dictionary) -> Result<Colors, SourceError> {
    if dict
        .get(b"ImageMask")
        .ok()
        .and_then(|o| o.as_bool().ok())
        .unwrap_or(false)
    {
        return Ok(Colors::Gray);
    }
    let cs = match dict.get(b"ColorSpace") {
        Ok(o) => doc
            .dereference(o)
            .map(|(_, o)| o)
            .map_err(|e| malformed(e.to_string()))?,
        Err(_) => return Ok(Colors::Gray),
    };
    colors_of(doc, cs, 0)
}

fn colors_of(doc: &lopdf::Document, cs: &Object, depth: usize) -> Result<Colors, SourceError> {
    let unsupported = |what: &[u8]| {
        SourceError::UnsupportedEncoding(format!("colour space {}", String::from_utf8_lossy(what)))
    };
    match cs {
        Object::Name(n) => match n.as_slice() {
            b"DeviceGray" | b"CalGray" | b"G" => Ok(Colors::Gray),
            b"DeviceRGB" | b"CalRGB" | b"RGB" => Ok(Colors::Rgb),
            b"DeviceCMYK" | b"CMYK" => Ok(Colors::Cmyk),
            other => Err(unsupported(other)),
        },
        Object::Array(a) if depth < 4 => {
            let family = a.first().and_then(|o| o.as_name().ok()).unwrap_or(b"");
            match family {
                b"ICCBased" => {
                    let n = a
                        .get(1)
                        .and_then(|o| doc.dereference(o).ok())
                        .and_then(|(_, o)| o.as_stream().ok())
                        .and_then(|s| int(&s.dict, b"N"))
                        .unwrap_or(3);
                    Ok(match n {
                        1 => Colors::Gray,
                        4 => Colors::Cmyk,
                        _ => Colors::Rgb,
                    })
                }
                b"CalGray" => Ok(Colors::Gray),
                b"CalRGB" | b"Lab" => Ok(Colors::Rgb),
                b"Indexed" | b"I" => {
                    let base = a
                        .get(1)
                        .and_then(|o| doc.dereference(o).ok())
                        .map(|(_, o)| o)
                        .ok_or_else(|| malformed("Indexed colour space without base"))?;
                    let base = colors_of(doc, base, depth + 1)?;
                    let lookup: Vec<u8> = match a.get(3).and_then(|o| doc.dereference(o).ok()) {
                        Some((_, Object::String(s, _))) => s.clone(),
                        // A palette holds at most 256 entries of 4 bytes: a lookup stream that
                        // inflates far beyond that is not a palette (it may be a bomb).
                        Some((_, Object::Stream(s))) => s
                            .decompressed_content_with_limit(MAX_PALETTE_BYTES)
                            .map_err(|e| malformed(e.to_string()))?,
                        _ => return Err(malformed("Indexed colour space without lookup")),
                    };
                    let palette = match base {
                        Colors::Gray => lookup.iter().map(|&g| [g, g, g]).collect(),
                        Colors::Rgb => lookup.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect(),
                        Colors::Cmyk => lookup
                            .chunks_exact(4)
                            .map(|c| cmyk_to_rgb(c[0], c[1], c[2], c[3]))
                            .collect(),
                        Colors::Indexed(_) => return Err(malformed("nested Indexed colour space")),
                    };
                    Ok(Colors::Indexed(palette))
                }
                other => Err(unsupported(other)),
            }
        }
        _ => Err(malformed("unreadable colour space")),
    }
}

fn cmyk_to_rgb(c: u8, m: u8, y: u8, k: u8) -> [u8; 3] {
    let f = |v: u8| ((255 - u16::from(v)) * (255 - u16::from(k)) / 255) as u8;
    [f(c), f(m), f(y)]
}

/// Unpacks raw samples (after Flate/LZW/...) into an image.
fn samples_to_image(
    doc: &lopdf::Document,
    dict: &Dictionary,
    data: &[u8],
    width: u32,
    height: u32,
) -> Result<::image::DynamicImage, SourceError> {
    let colors = colors(doc, dict)?;
    let mask = dict
        .get(b"ImageMask")
        .ok()
        .and_then(|o| o.as_bool().ok())
        .unwrap_or(false);
    let bpc = if mask {
        1
    } else {
        int(dict, b"BitsPerComponent").unwrap_or(8)
    };
    if !matches!(bpc, 1 | 2 | 4 | 8 | 16) {
        return Err(malformed(format!("{bpc} bits per component")));
    }
    let comps: usize = match colors {
        Colors::Gray | Colors::Indexed(_) => 1,
        Colors::Rgb => 3,
        Colors::Cmyk => 4,
    };
    let bpc = bpc as usize;
    let row_bytes = (width as usize * comps * bpc).div_ceil(8);
    let needed = row_bytes * height as usize;
    if data.len() < needed {
        return Err(SourceError::Truncated(format!(
            "image data holds {} of {} bytes",
            data.len(),
            needed
        )));
    }
    let max = (1u32 << bpc.min(8)) - 1;
    // Sample `i` of a row, scaled to 0..=255 (or the raw index for Indexed images).
    let sample = |row: &[u8], i: usize| -> u8 {
        match bpc {
            8 => row[i],
            16 => row[2 * i],
            _ => {
                let bit = i * bpc;
                let byte = row[bit / 8];
                let shift = 8 - bpc - (bit % 8);
                let v = (u32::from(byte) >> shift) & max;
                if matches!(colors, Colors::Indexed(_)) {
                    v as u8
                } else {
                    (v * 255 / max) as u8
                }
            }
        }
    };
    let invert = mask != inverted_decode(dict);
    let (w, h) = (width as usize, height as usize);
    let image = match &colors {
        Colors::Gray => {
            let mut px = Vec::with_capacity(w * h);
            for row in data.chunks(row_bytes).take(h) {
                px.extend((0..w).map(|x| {
                    let v = sample(row, x);
                    if invert {
                        255 - v
                    } else {
                        v
                    }
                }));
            }
            ::image::GrayImage::from_raw(width, height, px).map(::image::DynamicImage::ImageLuma8)
        }
        Colors::Indexed(palette) => {
            let mut px = Vec::with_capacity(w * h * 3);
            for row in data.chunks(row_bytes).take(h) {
                for x in 0..w {
                    let idx = usize::from(sample(row, x));
                    px.extend_from_slice(palette.get(idx).unwrap_or(&[0, 0, 0]));
                }
            }
            ::image::RgbImage::from_raw(width, height, px).map(::image::DynamicImage::ImageRgb8)
        }
        Colors::Rgb | Colors::Cmyk => {
            let mut px = Vec::with_capacity(w * h * 3);
            for row in data.chunks(row_bytes).take(h) {
                for x in 0..w {
                    let s = |c: usize| sample(row, x * comps + c);
                    if comps == 4 {
                        px.extend_from_slice(&cmyk_to_rgb(s(0), s(1), s(2), s(3)));
                    } else {
                        px.extend_from_slice(&[s(0), s(1), s(2)]);
                    }
                }
            }
            ::image::RgbImage::from_raw(width, height, px).map(::image::DynamicImage::ImageRgb8)
        }
    };
    image.ok_or_else(|| malformed("image size mismatch"))
}
