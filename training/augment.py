"""Augmentations against source shortcuts, applied per image (PIL) to model inputs (uint8 [B,224,224]).

Each one attacks a cue that differs by source in ../shared/cxr-data rather than by disease:
- contrast, brightness and gamma changes (exposure and processing differ by hospital);
- small rotations, scalings, shifts and horizontal flips (position of markers, borders, framing);
- resolution jitter: box-downsampling to 64..224 px and bilinear upsampling back (sources come at
  224 px or at up to 512 px, so sharpness alone identifies them);
- border blanking: random margins replaced by the image mean (burnt-in text, "D"/"R" markers, frames);
- JPEG re-compression at quality 30..95 and mild Gaussian noise (compression and noise fingerprints).
The per-image standardisation inside the network removes the global intensity level on top of this.
"""
import io
import math

import numpy as np
import torch
from PIL import Image

N = 224


def intensity_lut(rng, mean):
    gamma = math.exp(rng.uniform(-0.35, 0.35))
    c, shift = rng.uniform(0.75, 1.3), rng.uniform(-20, 20)
    v = 255.0 * (np.arange(256) / 255.0) ** gamma
    m = 255.0 * (mean / 255.0) ** gamma
    return np.clip(np.round(m + c * (v - m) + shift), 0, 255).astype(np.uint8)


def affine_params(rng):
    """Rotation, scale and shift as PIL's inverse-map coefficients, and whether to flip."""
    ang = math.radians(rng.uniform(-8, 8))
    s = rng.uniform(0.88, 1.12)
    tx, ty = rng.uniform(-0.06, 0.06, 2) * N
    cx = cy = N / 2
    # inverse map (output -> input) for PIL: rotate by ang, scale by s, about the centre, then shift
    a, b = math.cos(ang) / s, math.sin(ang) / s
    coeffs = (a, b, cx - a * (cx + tx) - b * (cy + ty), -b, a, cy + b * (cx + tx) - a * (cy + ty))
    return coeffs, rng.random() < 0.5


def affine(img, params, fill):
    coeffs, flip = params
    img = img.transform((N, N), Image.AFFINE, coeffs, resample=Image.BILINEAR, fillcolor=fill)
    return img.transpose(Image.FLIP_LEFT_RIGHT) if flip else img


def jpeg_roundtrip(u8, quality):
    """A gray uint8 image saved as JPEG at `quality` and decoded again (PIL)."""
    buf = io.BytesIO()
    Image.fromarray(u8).save(buf, format="JPEG", quality=quality)
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("L"))


def blank_borders(a, rng, max_frac=0.15):
    t, b, l, r = (int(rng.uniform(0, max_frac) * N) for _ in range(4))
    m = a.mean()
    a[:t, :] = m
    a[N - b:, :] = m
    a[:, :l] = m
    a[:, N - r:] = m
    return a


def augment_one(u8, rng, mask=None):
    """One image (and, given `mask` uint8 [224,224], the lung mask moved with it: returned as the second
    value, float32 0..1)."""
    mean = float(u8.mean())
    img = Image.fromarray(intensity_lut(rng, mean)[u8])
    params = affine_params(rng)
    img = affine(img, params, int(round(mean)))
    if mask is not None:
        mask = np.asarray(affine(Image.fromarray(mask), params, 0), np.float32) / 255.0
    if rng.random() < 0.6:
        s = int(rng.integers(64, N))
        img = img.resize((s, s), Image.BOX).resize((N, N), Image.BILINEAR)
    a = np.array(img)
    if rng.random() < 0.35:
        a = blank_borders(a, rng)
    if rng.random() < 0.5:
        a = jpeg_roundtrip(a, int(rng.integers(30, 96)))
    a = a.astype(np.float32)
    if rng.random() < 0.3:
        a = np.clip(a + rng.normal(0, rng.uniform(0, 6), a.shape).astype(np.float32), 0, 255)
    return a if mask is None else (a, mask)


def augment(x_u8, rng):
    """uint8 [B,224,224] -> float32 tensor [B,1,224,224] in 0..255, augmented."""
    return torch.from_numpy(np.stack([augment_one(u, rng) for u in x_u8])).unsqueeze(1)


def augment_with_masks(x_u8, masks_u8, rng):
    """As `augment`, with each image's lung mask (uint8 0/255) moved alike: (images, masks [B,1,224,224] 0..1)."""
    pairs = [augment_one(u, rng, m) for u, m in zip(x_u8, masks_u8)]
    return (torch.from_numpy(np.stack([p[0] for p in pairs])).unsqueeze(1),
            torch.from_numpy(np.stack([p[1] for p in pairs])).unsqueeze(1))


def plain(x_u8):
    """uint8 [B,224,224] -> float32 tensor [B,1,224,224] in 0..255, unchanged."""
    return torch.from_numpy(np.asarray(x_u8, dtype=np.float32)).unsqueeze(1)
