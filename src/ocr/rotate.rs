//! The deskew rotation of an 8-bit gray page.
//!
//! It is Leptonica's area-map rotation (`pixRotate` with `L_ROTATE_AREA_MAP`, what
//! `pixDeskew` uses): every output pixel is the mix of the four source pixels around the point
//! it comes from, weighted in sixteenths of a pixel, and white comes in at the edges. Leptonica
//! works that point out with two float products and two float-to-integer conversions for every
//! pixel. Here it is stepped along the row in fixed point and truncated to sixteenths as
//! Leptonica's conversion truncates, which gives the same pixels (but for about one in ten
//! thousand, where Leptonica's single precision rounds the other way) in about half the time:
//! on a 300 dpi A4 page Leptonica's rotation was about 22 ms, half of what deskew cost in full
//! mode. Shear rotation, the other fast way, moves whole pixels and costs CER (docs/ocr.md).

/// Fractional bits of the source position.
const FRAC: u32 = 24;

/// An 8-bit gray raster in Leptonica's memory layout: `stride` bytes a row, and pixel `x` of a
/// row at byte `x ^ swizzle` (Leptonica keeps the first pixel of a 32-bit word in its most
/// significant byte, so on a little-endian machine the bytes of each word run backwards).
pub(crate) struct GrayLayout {
    pub width: usize,
    pub height: usize,
    pub stride: usize,
    pub swizzle: usize,
}

impl GrayLayout {
    /// Leptonica's layout of a `width` × `height` raster with `wpl` 32-bit words a row.
    pub fn leptonica(width: usize, height: usize, wpl: usize) -> GrayLayout {
        GrayLayout {
            width,
            height,
            stride: wpl * 4,
            swizzle: if cfg!(target_endian = "little") { 3 } else { 0 },
        }
    }
}

/// Writes into `dst` the raster `src` turned by `radians` about its centre (clockwise for a
/// positive angle, as `pixRotate` turns it), both laid out as `layout`. White comes in where
/// the turned page leaves the sheet.
pub(crate) fn rotate_area_map(src: &[u8], dst: &mut [u8], layout: &GrayLayout, radians: f64) {
    let GrayLayout {
        width,
        height,
        stride,
        swizzle,
    } = *layout;
    if width < 2 || height < 2 {
        dst.copy_from_slice(src);
        return;
    }
    let one = f64::from(1u32 << FRAC);
    let (sin, cos) = radians.sin_cos();
    // Leptonica's centre: the integer half of each side.
    let (xcen, ycen) = ((width / 2) as i64, (height / 2) as i64);
    // Output pixel (j, i) comes from (xcen + (j - xcen) cos + (i - ycen) sin,
    // ycen + (i - ycen) cos - (j - xcen) sin): a straight step along each row. The offsets
    // from the centre are kept in fixed point.
    let (step_x, step_y) = ((cos * one).round() as i64, (-sin * one).round() as i64);
    let (last_x, last_y) = (width as i64 - 2, height as i64 - 2);
    let source = |rx: i64, ry: i64| {
        // In sixteenths, truncated towards zero as Leptonica's integer conversion does, so
        // that both rotations give the same pixels.
        let (tx, ty) = (sixteenths(rx), sixteenths(ry));
        (
            xcen + (tx >> 4),
            ycen + (ty >> 4),
            (tx & 15) as i32,
            (ty & 15) as i32,
        )
    };
    for (i, row) in dst.chunks_exact_mut(stride).take(height).enumerate() {
        let dy = (i as i64 - ycen) as f64;
        let mut rx = ((-(xcen as f64) * cos + dy * sin) * one).round() as i64;
        let mut ry = ((dy * cos + xcen as f64 * sin) * one).round() as i64;
        let mut j = 0;
        while j < width {
            let (xp, yp, _, _) = source(rx, ry);
            if xp < 0 || yp < 0 || xp > last_x || yp > last_y {
                row[j ^ swizzle] = 255;
                j += 1;
                rx += step_x;
                ry += step_y;
                continue;
            }
            // A span of the row whose source stays between the same two source rows (the
            // angle is small, so these spans are long): the rows are sliced once for it.
            let span_row = yp;
            let top = &src[yp as usize * stride..(yp as usize + 1) * stride];
            let bottom = &src[(yp as usize + 1) * stride..(yp as usize + 2) * stride];
            while j < width {
                let (xp, yp, xf, yf) = source(rx, ry);
                if yp != span_row || xp < 0 || xp > last_x {
                    break;
                }
                let (x0, x1) = (xp as usize ^ swizzle, (xp as usize + 1) ^ swizzle);
                // Two mixes along x, then one along y: the same weights as the four products.
                let (p00, p01) = (i32::from(top[x0]), i32::from(top[x1]));
                let (p10, p11) = (i32::from(bottom[x0]), i32::from(bottom[x1]));
                let upper = p00 * 16 + xf * (p01 - p00);
                let lower = p10 * 16 + xf * (p11 - p10);
                row[j ^ swizzle] = ((upper * 16 + yf * (lower - upper) + 128) >> 8) as u8;
                j += 1;
                rx += step_x;
                ry += step_y;
            }
        }
    }
}

/// A fixed-point offset in whole sixteenths of a pixel, truncated towards zero.
fn sixteenths(v: i64) -> i64 {
    const SHIFT: u32 = FRAC - 4;
    // Adding the divisor less one to a negative value makes the shift round towards zero.
    (v + ((v >> 63) & ((1 << SHIFT) - 1))) >> SHIFT
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(width: usize, height: usize) -> GrayLayout {
        GrayLayout {
            width,
            height,
            stride: width,
            swizzle: 0,
        }
    }

    #[test]
    fn no_turn_gives_the_raster_back() {
        let layout = plain(9, 7);
        let src: Vec<u8> = (0..63).map(|v| (v * 4) as u8).collect();
        let mut dst = vec![0; 63];
        rotate_area_map(&src, &mut dst, &layout, 0.0);
        // The last row and column have no pixel below or beside them to mix with: white.
        for y in 0..6 {
            assert_eq!(dst[y * 9..y * 9 + 8], src[y * 9..y * 9 + 8], "row {y}");
        }
    }

    #[test]
    fn a_dark_dot_moves_the_way_pixrotate_turns_it() {
        // A dark dot 40 px right of the centre; a clockwise turn of 5° takes it to
        // (40 cos 5°, 40 sin 5°) from the centre: down, on the screen.
        let layout = plain(101, 101);
        let mut src = vec![255u8; 101 * 101];
        src[50 * 101 + 90] = 0;
        let mut dst = vec![0u8; 101 * 101];
        rotate_area_map(&src, &mut dst, &layout, 5f64.to_radians());
        let (mut sum, mut sx, mut sy) = (0.0, 0.0, 0.0);
        for (at, v) in dst.iter().enumerate() {
            let ink = f64::from(255 - v);
            sum += ink;
            sx += ink * (at % 101) as f64;
            sy += ink * (at / 101) as f64;
        }
        let want = (
            50.0 + 40.0 * 5f64.to_radians().cos(),
            50.0 + 40.0 * 5f64.to_radians().sin(),
        );
        let got = (sx / sum, sy / sum);
        assert!(
            (got.0 - want.0).abs() < 0.2 && (got.1 - want.1).abs() < 0.2,
            "the dot's ink is centred at {got:?}, not {want:?}"
        );
    }
}
