"""Joint augmentations of canonical images and their lung masks (torch, batched).

Geometry (rotation, scale, shift, flip) moves image and mask together; intensity (gamma, contrast,
brightness), resolution (down- and up-sampling), blur and noise change the image only. Together they
stand in for the sources the masks do not cover: 224-px COVID-19 Radiography images, children, AP
portable films.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F


def geometry(x, y, rng):
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


def intensity(x, rng):
    out = []
    for xi in x:
        g = math.exp(rng.uniform(-0.4, 0.4))
        v = 255.0 * (xi / 255.0).clamp(0, 1) ** g
        m = v.mean()
        v = m + rng.uniform(0.7, 1.3) * (v - m) + rng.uniform(-25, 25)
        s = int(rng.integers(56, 257))
        if rng.random() < 0.6 and s < 256:
            v = F.interpolate(F.interpolate(v[None], size=(s, s), mode="area"), size=(256, 256),
                              mode="bilinear", align_corners=False)[0]
        if rng.random() < 0.3:
            v = v + torch.randn_like(v) * rng.uniform(0, 8)
        out.append(v.clamp(0, 255))
    return torch.stack(out)


def augment(x_u8, y_bool, rng):
    """uint8 [B,256,256], bool [B,256,256] -> float32 [B,1,256,256] 0..255, float32 [B,1,256,256] 0..1."""
    x = torch.from_numpy(np.asarray(x_u8, np.float32)).unsqueeze(1)
    y = torch.from_numpy(np.asarray(y_bool, np.float32)).unsqueeze(1)
    x, y = geometry(x, y, rng)
    return intensity(x, rng), y
