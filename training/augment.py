"""The package's one augmentation module: transforms, composed per model.

- Classifiers (`augment`, `augment_with_masks`; PIL, per image, on the 224x224 model input): each transform
  attacks a cue that differs by source in ../shared/cxr-data rather than by disease:
  - contrast, brightness and gamma changes (exposure and processing differ by hospital);
  - small rotations, scalings, shifts and horizontal flips (position of markers, borders, framing);
  - resolution jitter: box-downsampling to 64..224 px and bilinear upsampling back;
  - border blanking: random margins replaced by the image mean (burnt-in text, "D"/"R" markers, frames);
  - JPEG re-compression at quality 30..95 and mild Gaussian noise (compression and noise fingerprints).
  The per-image standardisation inside the network removes the global intensity level on top of this.
  Optionally (`refs`, the recipe search's appearance variant), an image first takes another source's look:
  `match_appearance` maps its gray-level histogram onto a donor image's and adds noise up to the donor's level.
- The lung model (`augment_lungs`; torch, batched, on the 256x256 canonical image with its mask).
- The input gate (`augment_gate`; torch, batched, on 4x pooled canonical images).
"""
import io
import math

import numpy as np
import torch
import torch.nn.functional as F
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


def noise_level(u8):
    """Robust noise estimate (gray levels): median absolute deviation of the residual after a 3x3 box blur."""
    a = u8.astype(np.float32)
    p = np.pad(a, 1, mode="edge")
    box = sum(p[i:i + a.shape[0], j:j + a.shape[1]] for i in range(3) for j in range(3)) / 9.0
    r = a - box
    return 1.4826 * float(np.median(np.abs(r - np.median(r))))


def match_appearance(u8, ref, rng):
    """`u8` with `ref`'s gray-level histogram (quantile mapping: contrast, brightness, processing curve) and,
    where `ref` is the noisier, Gaussian noise up to its noise level."""
    src = np.bincount(u8.ravel(), minlength=256).cumsum() / u8.size
    dst = np.bincount(ref.ravel(), minlength=256).cumsum() / ref.size
    out = np.interp(src, dst, np.arange(256)).astype(np.float32)[u8]
    extra = noise_level(ref) ** 2 - noise_level(u8) ** 2
    if extra > 0:
        out = out + rng.normal(0, np.sqrt(extra), out.shape).astype(np.float32)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def augment_one(u8, rng, mask=None, ref=None):
    """One image (and, given `mask` uint8 [224,224], the lung mask moved with it: returned as the second
    value, float32 0..1); given `ref`, with that image's appearance first (`match_appearance`)."""
    if ref is not None:
        u8 = match_appearance(u8, ref, rng)
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


def augment(x_u8, rng, refs=None):
    """uint8 [B,224,224] -> float32 tensor [B,1,224,224] in 0..255, augmented (`refs`: per image a donor
    image for match_appearance, or None)."""
    refs = refs if refs is not None else [None] * len(x_u8)
    return torch.from_numpy(np.stack([augment_one(u, rng, ref=r) for u, r in zip(x_u8, refs)])).unsqueeze(1)


def augment_with_masks(x_u8, masks_u8, rng, refs=None):
    """As `augment`, with each image's lung mask (uint8 0/255) moved alike: (images, masks [B,1,224,224] 0..1)."""
    refs = refs if refs is not None else [None] * len(x_u8)
    pairs = [augment_one(u, rng, m, r) for u, m, r in zip(x_u8, masks_u8, refs)]
    return (torch.from_numpy(np.stack([p[0] for p in pairs])).unsqueeze(1),
            torch.from_numpy(np.stack([p[1] for p in pairs])).unsqueeze(1))


def plain(x_u8):
    """uint8 [B,224,224] -> float32 tensor [B,1,224,224] in 0..255, unchanged."""
    return torch.from_numpy(np.asarray(x_u8, dtype=np.float32)).unsqueeze(1)


def resolution_loss(x, size, out):
    """[B,1,h,w] float -> area-averaged to size x size, then bilinearly back to out x out (lost detail)."""
    return F.interpolate(F.interpolate(x, size=(size, size), mode="area"), size=(out, out), mode="bilinear",
                         align_corners=False)


# ---- the lung model's transforms
def lung_geometry(x, y, rng):
    n = x.shape[0]
    theta = np.zeros((n, 2, 3), np.float32)
    for i in range(n):
        a = math.radians(rng.uniform(-10, 10))
        s = rng.uniform(0.8, 1.2)
        sx = s * (-1 if rng.random() < 0.5 else 1)
        theta[i] = [[math.cos(a) / sx, -math.sin(a) / s, rng.uniform(-0.1, 0.1)],
                    [math.sin(a) / sx, math.cos(a) / s, rng.uniform(-0.1, 0.1)]]
    grid = F.affine_grid(torch.from_numpy(theta), list(x.shape), align_corners=False)
    fill = x.mean(dim=(1, 2, 3), keepdim=True)
    x = F.grid_sample(x - fill, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + fill
    y = F.grid_sample(y, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return x, y


def lung_intensity(x, rng):
    out = []
    for xi in x:
        g = math.exp(rng.uniform(-0.4, 0.4))
        v = 255.0 * (xi / 255.0).clamp(0, 1) ** g
        m = v.mean()
        v = m + rng.uniform(0.7, 1.3) * (v - m) + rng.uniform(-25, 25)
        s = int(rng.integers(56, 257))
        if rng.random() < 0.6 and s < 256:
            v = resolution_loss(v[None], s, 256)[0]
        if rng.random() < 0.3:
            v = v + torch.randn_like(v) * rng.uniform(0, 8)
        out.append(v.clamp(0, 255))
    return torch.stack(out)


def augment_lungs(x_u8, y_bool, rng):
    """The lung model's: canonical images and their masks, uint8 [B,256,256], bool [B,256,256] -> float32
    [B,1,256,256] 0..255, float32 [B,1,256,256] 0..1. Geometry moves image and mask together; intensity,
    resolution and noise change the image only. Together they stand in for the sources the masks do not
    cover: 224-px COVID-19 Radiography images, children, AP portable films."""
    x = torch.from_numpy(np.asarray(x_u8, np.float32)).unsqueeze(1)
    y = torch.from_numpy(np.asarray(y_bool, np.float32)).unsqueeze(1)
    x, y = lung_geometry(x, y, rng)
    return lung_intensity(x, rng), y


# ---- the input gate's transforms
def augment_gate(x, rng, strong):
    """x: [B,1,64,64] pooled canonical, float 0..255 -> random affine / flip / gamma / contrast / resolution /
    noise, central 56x56 (= the net's view of the central 224x224)."""
    b = x.shape[0]
    g = torch.Generator().manual_seed(int(rng.integers(1 << 31)))
    u = lambda lo, hi: lo + (hi - lo) * torch.rand(b, generator=g)
    rot = u(-30, 30) if strong else u(-15, 15)
    ang = rot * np.pi / 180
    sc = u(0.8, 1.25) if strong else torch.where(torch.rand(b, generator=g) < 0.3, u(0.6, 0.9), u(0.85, 1.25))
    flip = torch.where(torch.rand(b, generator=g) < 0.5, -1.0, 1.0)
    th = torch.zeros(b, 2, 3)
    th[:, 0, 0], th[:, 0, 1] = torch.cos(ang) / sc * flip, -torch.sin(ang) / sc
    th[:, 1, 0], th[:, 1, 1] = torch.sin(ang) / sc * flip, torch.cos(ang) / sc
    th[:, :, 2] = (torch.rand(b, 2, generator=g) - 0.5) * 0.12
    # borders uncovered by zoom-out/rotation: black mostly, sometimes grey or white (letterboxed, scanned films)
    fill = torch.where(torch.rand(b, generator=g) < 0.7, torch.zeros(b), u(0, 255)).view(b, 1, 1, 1)
    x = F.grid_sample(x - fill, F.affine_grid(th, x.shape, align_corners=False), align_corners=False) + fill
    x = x[:, :, 4:60, 4:60]
    if rng.random() < 0.3:
        r = int(rng.integers(16, 48))
        x = resolution_loss(x, r, 56)
    gam = torch.exp(u(-0.5, 0.5)).view(b, 1, 1, 1)
    x = 255.0 * (x.clamp(0, 255) / 255.0) ** gam
    x = x * u(0.75, 1.25).view(b, 1, 1, 1) + u(-25, 25).view(b, 1, 1, 1)
    x = x + torch.randn(x.shape, generator=g) * u(0, 2).view(b, 1, 1, 1)
    return x.clamp(0, 255)
