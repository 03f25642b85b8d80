"""The lung masks of the manifest (`lung_mask` column) on the canonical grid, beside their images.

Masks go through the same C++ core as the images (cxr-prep: central square, area resize to 256x256), so
a mask pixel covers exactly the canonical image's pixel; values >= 128 are lung. Cached as
build/cache/<manifest sha12>-core<sha8>/masks-<split>.u8 in the row order of `MaskSet.rows`.
"""
import os

import numpy as np

from ..data import CANON, Rows, cache_dir, run_prep

MANUAL = "jsrt"  # SCR manual outlines; the ieee8023 outlines are a VAE model's, coarser


class MaskSet(Rows):
    """Canonical images [n,256,256] uint8 and binary masks [n,256,256] bool of one split's masked rows."""

    def __init__(self, manifest, split, sources=None):
        super().__init__(manifest, split, lambda r: r["lung_mask"] and (sources is None or r["source"] in sources))
        idx = list(self.idx)
        self.x = np.ascontiguousarray(self.canon[self.idx]) if idx else np.zeros((0, CANON, CANON), np.uint8)
        masks = load_masks(manifest, split)
        all_masked = [i for i, r in enumerate(manifest.rows(split)) if r["lung_mask"]]
        pos = {i: k for k, i in enumerate(all_masked)}
        self.y = masks[[pos[i] for i in idx]] >= 128 if idx else np.zeros((0, CANON, CANON), bool)
        self.manual = np.array([r["source"] == MANUAL for r in self.rows], bool)


def load_masks(manifest, split):
    rows = [r for r in manifest.rows(split) if r["lung_mask"]]
    out = os.path.join(cache_dir(manifest), f"masks-{split}.u8")
    if not os.path.exists(out):
        run_prep(manifest, [r["lung_mask"] for r in rows], out)
    return np.fromfile(out, dtype=np.uint8).reshape(len(rows), CANON, CANON)
