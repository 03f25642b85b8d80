"""Contract v2 inputs for training and evaluation: the lung model's masks for every image of a split, and
the lung-field inputs the C++ core makes from them (build/native/cxr-lung-field, the code the page runs).

Cached beside the canonical images, keyed by the lung model's sha256 (a new lung model, new inputs):
  build/cache/<manifest sha12>-core<sha8>/lungs-<onnx sha12>/<split>.mask.u8   256x256 per row, 255 = lung
  .../<split>.field.u8   224x224 per row (the classifiers' input)   .../<split>.field.tsv  box, area, gate reason
The masks come from PyTorch with the shipped static int8 model (training/quantize.py), whose integer
arithmetic is ONNX Runtime's; the page's mask agrees except for pixels within float rounding of P = 0.5
in the fp32 head (docs/ANALYSIS.md, "Static int8 models").
"""
import csv
import hashlib
import os
import subprocess
import sys

import numpy as np
import torch

from .. import compress
from ..data import CANON, INPUT, cache_dir, cache_path, load_canonical, sha256_file
from .unet import UNet

TOOL = os.path.join("build", "native", "cxr-lung-field")


def load_net(models_dir):
    net = UNet()
    compress.load_state_(net, torch.load(os.path.join(models_dir, "pytorch", "lungs.pt"), map_location="cpu"))
    return net.eval()


@torch.no_grad()
def masks_of(net, canon, batch=32):
    """uint8 [n,256,256]: 255 where the lung model's P(lung) >= 0.5."""
    out = np.zeros((len(canon), CANON, CANON), np.uint8)
    for i in range(0, len(canon), batch):
        xb = torch.from_numpy(np.asarray(canon[i:i + batch], np.float32)).unsqueeze(1)
        out[i:i + batch] = np.where(torch.sigmoid(net(xb))[:, 0].numpy() >= 0.5, 255, 0)
    return out


def folder(manifest, models_dir):
    sha = sha256_file(os.path.join(models_dir, "lungs.onnx"))[:12]
    return os.path.join(cache_dir(manifest), f"lungs-{sha}")


def make_fields(canon_path, mask_path, out_prefix):
    """cxr-lung-field on two .u8 files, into out_prefix.field.{u8,tsv}."""
    if not os.path.exists(TOOL):
        sys.exit(f"{TOOL} is missing: run `make native` first")
    res = subprocess.run([TOOL, "--canon", canon_path, "--masks", mask_path, "--out", out_prefix + ".field.u8.tmp",
                          "--info", out_prefix + ".field.tsv"], capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"cxr-lung-field failed: {res.stderr[-2000:]}")
    os.replace(out_prefix + ".field.u8.tmp", out_prefix + ".field.u8")


def in_box(masks, boxes):
    """Masks [n,256,256] resampled (nearest) onto each input's 224x224 grid."""
    out = np.zeros((len(masks), INPUT, INPUT), bool)
    for k, (m, (x, y, side)) in enumerate(zip(masks, boxes)):
        c = np.clip(np.floor(x + (np.arange(INPUT) + 0.5) * side / INPUT).astype(int), 0, CANON - 1)
        r = np.clip(np.floor(y + (np.arange(INPUT) + 0.5) * side / INPUT).astype(int), 0, CANON - 1)
        out[k] = m[np.ix_(r, c)]
    return out


def read_fields(prefix):
    x = np.fromfile(prefix + ".field.u8", dtype=np.uint8).reshape(-1, INPUT, INPUT)
    with open(prefix + ".field.tsv") as f:
        info = [{"box": tuple(int(v) for v in r[1:4]), "area": float(r[4]), "lungs": int(r[5]), "reason": r[6]}
                for r in csv.reader(f, delimiter="\t")]
    return x, info


class LungFields:
    """Masks [n,256,256] and lung-field inputs [n,224,224] (uint8) of given rows of a split, made once and
    cached; the whole split's rows by default (a subset, e.g. for smoke runs, gets its own cache entry)."""

    def __init__(self, manifest, models_dir, log=print):
        self.manifest, self.models_dir, self.log = manifest, models_dir, log
        self.dir = folder(manifest, models_dir)
        self._net = None
        self._subsets = {}  # split -> [(prefix, sorted row indices)] of subset entries used in this process

    def _prefix(self, split, idx):
        n = len(self.manifest.rows(split))
        if idx is None or (len(idx) == n and np.array_equal(idx, np.arange(n))):
            return os.path.join(self.dir, split), None
        key = hashlib.sha1(np.asarray(idx, np.int64).tobytes()).hexdigest()[:10]
        return os.path.join(self.dir, f"{split}-{key}"), np.asarray(idx, np.int64)

    def _make(self, split, idx):
        prefix, sub = self._prefix(split, idx)
        if os.path.exists(prefix + ".field.u8"):
            return prefix
        os.makedirs(self.dir, exist_ok=True)
        canon = load_canonical(self.manifest, split)
        canon_path = cache_path(self.manifest, split)
        if sub is not None:
            canon = np.ascontiguousarray(canon[sub])
            canon_path = prefix + ".canon.u8"
            canon.tofile(canon_path)
        self._net = self._net or load_net(self.models_dir)
        self.log(f"lung masks for {split}: {len(canon)} images")
        masks_of(self._net, canon).tofile(prefix + ".mask.u8.tmp")
        os.replace(prefix + ".mask.u8.tmp", prefix + ".mask.u8")
        make_fields(canon_path, prefix + ".mask.u8", prefix)
        if sub is not None:
            os.remove(canon_path)
        return prefix

    def _source(self, split, idx):
        """The cache entry to read and the rows to take from it: the whole split's (made once) unless
        only a small subset is wanted (smoke runs), which gets its own entry."""
        n = len(self.manifest.rows(split))
        if idx is None or os.path.exists(os.path.join(self.dir, f"{split}.field.u8")) or len(idx) > n // 4:
            return self._make(split, None), (slice(None) if idx is None else np.asarray(idx, np.int64))
        idx = np.asarray(idx, np.int64)
        for prefix, have in self._subsets.get(split, []):  # a subset of a subset already made: read from it
            pos = np.searchsorted(have, idx)
            if np.all(pos < len(have)) and np.array_equal(have[np.minimum(pos, len(have) - 1)], idx):
                return prefix, pos
        prefix = self._make(split, idx)
        if np.all(np.diff(idx) > 0):  # rows lie in the entry in idx order: searchable when sorted
            self._subsets.setdefault(split, []).append((prefix, idx))
        return prefix, slice(None)

    def masks(self, split, idx=None):
        prefix, take = self._source(split, idx)
        return np.fromfile(prefix + ".mask.u8", dtype=np.uint8).reshape(-1, CANON, CANON)[take]

    def masks_in_input(self, split, idx, boxes):
        """The lung model's masks on each input's grid, uint8 [n,224,224] (255 = lung), for guided training."""
        return in_box(self.masks(split, idx) >= 128, boxes).astype(np.uint8) * 255

    def fields(self, split, idx=None):
        """(inputs [n,224,224] uint8, info per row: box (x, y, side), area, lungs, gate reason)."""
        prefix, take = self._source(split, idx)
        x, info = read_fields(prefix)
        if isinstance(take, slice):
            return x[take], info[take]
        return x[take], [info[i] for i in take]

