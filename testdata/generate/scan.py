"""Paper-scan simulation: rasterise a PDF page, stamp a red seal (dấu đỏ), add a handwritten
signature, skew, blur, noise and paper tone. Seal / signature boxes are computed from masks that
undergo exactly the same geometric transforms as the page, so they are exact in the final raster.
"""
import math
import os
import subprocess
import tempfile

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

PT_PER_INCH = 72.0
SEAL_FONTS = ["/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
              "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf"]
PAPER = np.array([247, 244, 236], dtype=np.float32)
INK = np.array([28, 28, 34], dtype=np.float32)
SEAL_RED = np.array([214, 38, 48], dtype=np.float32)
PEN_BLUE = np.array([22, 34, 118], dtype=np.float32)


def rasterize(pdf, page_index, dpi):
    with tempfile.TemporaryDirectory() as td:
        out = os.path.join(td, "p")
        subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page_index + 1), "-l", str(page_index + 1),
                        "-png", "-singlefile", pdf, out], check=True)
        return Image.open(out + ".png").convert("RGB").copy()


def _seal_font(size):
    for f in SEAL_FONTS:
        if os.path.exists(f):
            return ImageFont.truetype(f, size)
    return ImageFont.load_default()


def _arc_text(mask, text, cx, cy, r, font, top, span_deg):
    """Write `text` along a circle of radius r. top=True: along the top arc, reading clockwise."""
    widths = [font.getlength(ch) for ch in text]
    total = sum(widths)
    span = min(math.radians(span_deg), total / r * 1.15)
    scale = span / (total / r)
    a = -span / 2
    for ch, w in zip(text, widths):
        da = w / r * scale
        mid = a + da / 2
        a += da
        if ch == " ":
            continue
        sz = int(font.size * 2)
        tile = Image.new("L", (sz, sz), 0)
        ImageDraw.Draw(tile).text((sz / 2, sz / 2), ch, fill=255, font=font, anchor="mm")
        if top:
            px, py = cx + r * math.sin(mid), cy - r * math.cos(mid)
            tile = tile.rotate(-math.degrees(mid), resample=Image.BICUBIC)
        else:
            px, py = cx + r * math.sin(mid), cy + r * math.cos(mid)
            tile = tile.rotate(math.degrees(mid), resample=Image.BICUBIC)
        mask.paste(255, (int(px - sz / 2), int(py - sz / 2)), tile)


def seal_mask(size_px, top_text, bottom_text, rng):
    """Return an 'L' mask (size_px square) of a round Vietnamese seal with a star in the centre."""
    ss = 2
    S = size_px * ss
    m = Image.new("L", (S, S), 0)
    d = ImageDraw.Draw(m)
    c = S / 2
    u = S / 40.0                      # 1 mm if the seal is 40 mm wide
    d.ellipse([c - 19.6 * u, c - 19.6 * u, c + 19.6 * u, c + 19.6 * u], outline=255, width=int(1.1 * u))
    d.ellipse([c - 12.6 * u, c - 12.6 * u, c + 12.6 * u, c + 12.6 * u], outline=255, width=int(0.5 * u))
    font = _seal_font(int(3.6 * u))
    _arc_text(m, top_text, c, c, 15.6 * u, font, True, 225)
    _arc_text(m, "★ " + bottom_text + " ★" if bottom_text else "", c, c, 15.6 * u, font, False, 125)
    # five-pointed star
    R, r = 6.5 * u, 2.6 * u
    pts = []
    for i in range(10):
        ang = -math.pi / 2 + i * math.pi / 5
        rad = R if i % 2 == 0 else r
        pts.append((c + rad * math.cos(ang), c + rad * math.sin(ang)))
    d.polygon(pts, fill=255)
    m = m.resize((size_px, size_px), Image.LANCZOS)
    # uneven ink: multiply by a smooth random field
    field = rng.uniform(0.55, 1.0, size=(8, 8)).astype(np.float32)
    field = np.array(Image.fromarray((field * 255).astype(np.uint8)).resize((size_px, size_px), Image.BICUBIC),
                     dtype=np.float32) / 255.0
    arr = np.asarray(m, dtype=np.float32) / 255.0 * field
    return arr


def signature_mask(w, h, rng, dpi=200):
    """Random cursive-looking pen strokes in a w x h box. Returns float mask in [0, 1]."""
    ss = 3
    W, H = w * ss, h * ss
    img = Image.new("L", (W, H), 0)
    d = ImageDraw.Draw(img)
    pen = 2.6 * dpi / 200.0 * ss
    # main stroke: loops made of a drifting sum of sinusoids
    n = 400
    t = np.linspace(0, 1, n)
    loops = rng.integers(4, 7)
    ph = rng.uniform(0, 2 * np.pi, 3)
    x = 0.08 + 0.72 * t + 0.05 * np.sin(2 * np.pi * loops * t + ph[0])
    y = 0.55 - 0.15 * t + 0.28 * np.sin(2 * np.pi * loops * t + ph[1]) * (0.6 + 0.4 * np.sin(np.pi * t + ph[2]))
    pts = list(zip(x * W, y * H))
    for i in range(len(pts) - 1):
        wd = max(2, int(pen * (0.9 + 0.35 * math.sin(i / 37.0))))
        d.line([pts[i], pts[i + 1]], fill=255, width=wd)
    # flourish underline (quadratic bezier)
    p0 = np.array([0.05 * W, 0.78 * H])
    p1 = np.array([0.55 * W, rng.uniform(0.95, 1.05) * H])
    p2 = np.array([0.97 * W, rng.uniform(0.55, 0.7) * H])
    bz = [(1 - s) ** 2 * p0 + 2 * (1 - s) * s * p1 + s ** 2 * p2 for s in np.linspace(0, 1, 120)]
    for a, b in zip(bz[:-1], bz[1:]):
        d.line([tuple(a), tuple(b)], fill=255, width=int(pen * 0.8))
    # a short initial stroke
    q = [(0.15 * W + rng.uniform(-5, 5) * ss, 0.15 * H), (0.22 * W, 0.7 * H)]
    d.line(q, fill=255, width=int(pen))
    img = img.resize((w, h), Image.LANCZOS)
    return np.asarray(img, dtype=np.float32) / 255.0 * 0.92


def _bbox(mask, thr=0.12):
    ys, xs = np.nonzero(mask > thr)
    if len(xs) == 0:
        return None
    return [int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1]


def _rotate_f(arr, angle, fill):
    """Rotate a float HxW or HxWx3 array about the centre (counter-clockwise degrees)."""
    if arr.ndim == 2:
        im = Image.fromarray(np.clip(arr * 255, 0, 255).astype(np.uint8), "L")
        return np.asarray(im.rotate(angle, resample=Image.BICUBIC, fillcolor=0), dtype=np.float32) / 255.0
    im = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    return np.asarray(im.rotate(angle, resample=Image.BICUBIC, fillcolor=tuple(int(v) for v in fill)),
                      dtype=np.float32)


def simulate(page_img, dpi, sig, seal_text, rng, skew_deg=0.0, with_seal=True, with_signature=True,
             noise_sigma=4.0, blur=0.7, rotate180=False, quantize=0, texture=0.0, speckles=0):
    """Return (RGB PIL image, seals[], signatures[]) with boxes in final raster pixel coords."""
    base = np.asarray(page_img, dtype=np.float32) / 255.0
    h, w = base.shape[:2]
    img = INK + (PAPER - INK) * base
    seal_full = np.zeros((h, w), np.float32)
    sign_full = np.zeros((h, w), np.float32)
    k = dpi / PT_PER_INCH
    page_h_pt = h / k
    if sig and with_signature:
        sw, sh = int(48 / 25.4 * dpi), int(22 / 25.4 * dpi)
        cx = sig["cx"] * k + rng.uniform(-0.03, 0.03) * sw
        top = (page_h_pt - sig["title_bottom"]) * k
        bottom = (page_h_pt - sig["name_top"]) * k
        cy = (top + bottom) / 2
        x0, y0 = int(cx - sw / 2), int(cy - sh / 2)
        sm = signature_mask(sw, sh, rng, dpi)
        sign_full[y0:y0 + sh, x0:x0 + sw] = np.maximum(sign_full[y0:y0 + sh, x0:x0 + sw], sm)
        a = sign_full[..., None]
        img = img * (1 - a) + PEN_BLUE * a
    if sig and with_seal:
        sz = int(40 / 25.4 * dpi)
        cx = sig["cx"] * k - 0.42 * sz + rng.uniform(-0.03, 0.03) * sz
        cy = (page_h_pt - (sig["title_bottom"] + sig["name_baseline"]) / 2) * k + rng.uniform(-0.05, 0.05) * sz
        x0, y0 = int(cx - sz / 2), int(cy - sz / 2)
        seal_full[y0:y0 + sz, x0:x0 + sz] = seal_mask(sz, seal_text[0], seal_text[1], rng)
        a = (seal_full * 0.88)[..., None]
        img = img * (1 - a * (1 - SEAL_RED / 255.0))
    if skew_deg:
        img = _rotate_f(img, skew_deg, PAPER)
        seal_full = _rotate_f(seal_full, skew_deg, 0)
        sign_full = _rotate_f(sign_full, skew_deg, 0)
    if rotate180:
        img, seal_full, sign_full = img[::-1, ::-1], seal_full[::-1, ::-1], sign_full[::-1, ::-1]
    out = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    if blur:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    arr = np.asarray(out, dtype=np.float32)
    if noise_sigma:
        lum = rng.normal(0, noise_sigma, size=(h, w, 1)).astype(np.float32)
        chroma = rng.normal(0, noise_sigma * 0.25, size=(h, w, 3)).astype(np.float32)
        arr = arr + lum + chroma
    if texture:       # smooth, low-frequency paper unevenness (cheap for lossless codecs)
        f = rng.uniform(-1, 1, size=(12, 9)).astype(np.float32)
        f = np.asarray(Image.fromarray(((f + 1) * 127.5).astype(np.uint8)).resize((w, h), Image.BICUBIC),
                       dtype=np.float32) / 127.5 - 1
        arr = arr + texture * f[..., None]
    if speckles:      # dust specks
        for _ in range(speckles):
            x, y, r = int(rng.integers(0, w)), int(rng.integers(0, h)), int(rng.integers(1, 3))
            arr[max(0, y - r):y + r, max(0, x - r):x + r] *= rng.uniform(0.3, 0.8)
    if quantize:
        arr = np.round(arr / quantize) * quantize
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    seals = [{"bbox": b} for b in [_bbox(seal_full)] if b]
    signs = [{"bbox": b} for b in [_bbox(sign_full)] if b]
    return out, seals, signs


def to_bilevel(img, threshold=165):
    g = img.convert("L")
    return g.point(lambda p: 255 if p > threshold else 0).convert("1", dither=Image.Dither.NONE)
