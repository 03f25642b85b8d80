"""Per-image features for duplicate detection, read with PIL (data preparation only: the model's pixels
come from the C++ core). For each file: its size, whether it carries coloured marks, a 64-bit DCT
perceptual hash, and for the pixel check the 32x32 gray image as ranks (so that a copy with another
contrast or gamma still matches), normalised to zero mean and unit variance, and the normalised Laplacian
of those ranks (high-pass, 30x30): two chest X-rays of different patients often correlate > 0.9 at
32x32, their fine structure does not.
The image is squashed to a square before both, so that copies resized without keeping the aspect ratio
(as the COVID-19 Radiography Database did) still match.
"""
import io

import numpy as np
from PIL import Image

SMALL = 32      # side of the gray image for the pixel check and the DCT
HASH_SIDE = 8   # 8x8 low frequencies -> 64-bit hash
COLOUR_SIDE = 128
COLOUR_CHROMA = 48   # max-min over R,G,B above this is a coloured pixel
COLOUR_MIN_PIXELS = 6  # of 128x128

Image.MAX_IMAGE_PIXELS = 16384 * 16384


def _dct_matrix(n):
    k = np.arange(n)[:, None]
    x = np.arange(n)[None, :]
    m = np.cos(np.pi * (2 * x + 1) * k / (2 * n)) * np.sqrt(2.0 / n)
    m[0] /= np.sqrt(2.0)
    return m.astype(np.float32)


_DCT = _dct_matrix(SMALL)
_BITS = (np.uint64(1) << np.arange(64, dtype=np.uint64))


def open_image(path):
    """PIL image decoded at reduced size where the format allows it (JPEG draft). Returns (img, w, h)."""
    with open(path, "rb") as f:
        data = f.read()
    im = Image.open(io.BytesIO(data))
    w, h = im.size
    if im.format == "JPEG":
        im.draft("RGB" if im.mode in ("RGB", "YCbCr", "CMYK") else "L", (COLOUR_SIDE * 2, COLOUR_SIDE * 2))
    im.load()
    return im, w, h


def to_gray_rgb(im):
    """-> (gray 'L' image, RGB image or None when the source has no colour)."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        a = np.asarray(im, dtype=np.float32)
        lo, hi = float(a.min()), float(a.max())
        a = (a - lo) * (255.0 / (hi - lo)) if hi > lo else a * 0
        return Image.fromarray(a.astype(np.uint8), "L"), None
    if im.mode in ("L", "1"):
        return im.convert("L"), None
    if im.mode in ("LA", "La"):
        return im.convert("L"), None
    rgb = im.convert("RGB")
    return rgb.convert("L"), rgb


def colour_marks(rgb):
    if rgb is None:
        return 0
    a = np.asarray(rgb.resize((COLOUR_SIDE, COLOUR_SIDE), Image.NEAREST), dtype=np.int16)
    chroma = a.max(axis=2) - a.min(axis=2)
    return int(np.count_nonzero(chroma > COLOUR_CHROMA) >= COLOUR_MIN_PIXELS)


def small_gray(gray):
    return np.asarray(gray.resize((SMALL, SMALL), Image.BOX), dtype=np.float32)


def phash(small):
    """64-bit DCT perceptual hash of a 32x32 gray image (low 8x8 frequencies against their median,
    the DC term excluded from the median)."""
    d = _DCT @ small @ _DCT.T
    low = d[:HASH_SIDE, :HASH_SIDE].ravel()
    bits = low > np.median(low[1:])
    return int(np.sum(_BITS[bits]))


def normalised(small):
    v = small.ravel() - small.mean()
    s = float(np.sqrt(np.mean(v * v)))
    return (v / s if s > 1e-6 else v * 0).astype(np.float32)


def highpass(small):
    x = small
    lap = 4 * x[1:-1, 1:-1] - x[:-2, 1:-1] - x[2:, 1:-1] - x[1:-1, :-2] - x[1:-1, 2:]
    return normalised(lap)


def ranks(small):
    r = np.argsort(np.argsort(small.ravel(), kind="stable"), kind="stable").astype(np.float32)
    return r.reshape(small.shape)


def _pack(s, colour, w, h):
    r = ranks(s)
    return {"phash": phash(s), "vec": normalised(r), "hp": highpass(r), "colour": colour, "w": w, "h": h}


def from_array(a):
    """Features of an 8-bit gray array (DICOM pixels)."""
    return _pack(small_gray(Image.fromarray(a, "L")), 0, a.shape[1], a.shape[0])


def features(path):
    """Features of an image file; raises on an unreadable file."""
    im, w, h = open_image(path)
    gray, rgb = to_gray_rgb(im)
    return _pack(small_gray(gray), colour_marks(rgb), w, h)


def thumbnail(path, side):
    """A side x side gray thumbnail (aspect kept, centred on black) for the contact sheets."""
    im, _, _ = open_image(path)
    gray, _ = to_gray_rgb(im)
    gray.thumbnail((side, side), Image.BILINEAR)
    out = Image.new("L", (side, side), 0)
    out.paste(gray, ((side - gray.width) // 2, (side - gray.height) // 2))
    return out
