"""Manifest reading and the canonical-image cache made by the project's C++ core (build/native/cxr-prep).

The cache is one raw file per split, keyed by the manifest's sha256 and the core's sources:
build/cache/<manifest sha12>-core<sources sha8>/<split>.u8 holds 65536 bytes (256x256 row-major uint8) per
manifest row of that split, in manifest order. Pixels never come from Python decoding: the page, the
predictor and training see the same bytes.
"""
import csv
import glob
import hashlib
import os
import subprocess
import sys

import numpy as np

CANON = 256
INPUT = 224
OFF = (CANON - INPUT) // 2
PREP = os.path.join("build", "native", "cxr-prep")
CACHE_ROOT = os.path.join("build", "cache")
CORE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src", "core")


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Manifest:
    """The rows of manifest.csv plus its hash; `rows(split)` never mixes splits."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.path = os.path.join(data_dir, "manifest.csv")
        self.sha256 = sha256_file(self.path)
        with open(self.path, newline="") as f:
            self.all = list(csv.DictReader(f))

    def rows(self, split):
        return [r for r in self.all if r["split"] == split]


def core_sources_sha():
    """sha256[:8] of the C++ core's sources: every cached pixel (canonical images, mask rasters, lung fields)
    is a function of them, so an edit to the core makes a new cache instead of reusing stale bytes."""
    h = hashlib.sha256()
    for p in sorted(glob.glob(os.path.join(CORE_DIR, "*.h")) + glob.glob(os.path.join(CORE_DIR, "*.cpp"))):
        h.update(os.path.basename(p).encode() + b"\0")
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:8]


def cache_dir(manifest):
    """The cache folder of one manifest with this core."""
    return os.path.join(CACHE_ROOT, f"{manifest.sha256[:12]}-core{core_sources_sha()}")


def cache_path(manifest, split):
    return os.path.join(cache_dir(manifest), f"{split}.u8")


def build_cache(manifest, split, jobs=2):
    """Run cxr-prep for one split (only if its cache is missing); return the path of the .u8 file."""
    out = cache_path(manifest, split)
    if not os.path.exists(out):
        run_prep(manifest, [r["path"] for r in manifest.rows(split)], out, jobs)
    return out


def run_prep(manifest, paths, out, jobs=2):
    """cxr-prep on `paths` (relative to the data folder) into `out` (256x256 uint8 per path, in order);
    failures get zeros and are listed, by index, in `out`.failed."""
    if not os.path.exists(PREP):
        sys.exit(f"{PREP} is missing: run `make native` first")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    lst = out + ".list"
    with open(lst, "w") as f:
        f.write("".join(p + "\n" for p in paths))
    tmp = out + ".tmp"
    res = subprocess.run([PREP, "--list", lst, "--out", tmp, "--root", manifest.data_dir,
                          "--jobs", str(jobs)], capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"cxr-prep failed ({res.returncode}): {res.stderr[-2000:]}")
    failed = [line for line in res.stderr.splitlines() if line.count("\t") >= 2]
    if failed:
        print(f"cxr-prep: {len(failed)} images failed in {os.path.basename(out)}:", *failed[:10], sep="\n  ",
              file=sys.stderr)
    with open(out + ".failed", "w") as f:
        f.write("".join(line.split("\t")[0] + "\n" for line in failed))
    os.replace(tmp, out)


def failed_indices(manifest, split):
    p = cache_path(manifest, split) + ".failed"
    if not os.path.exists(p):
        return set()
    with open(p) as f:
        return {int(x) for x in f.read().split()}


def load_canonical(manifest, split):
    """memmap [n,256,256] uint8 of a split's canonical images (builds the cache when missing)."""
    path = build_cache(manifest, split)
    n = len(manifest.rows(split))
    return np.memmap(path, dtype=np.uint8, mode="r", shape=(n, CANON, CANON))


def model_input(canon):
    """The central 224x224 of canonical images ([n,256,256] uint8) -> [n,224,224] uint8 (a copy in RAM)."""
    return np.ascontiguousarray(canon[:, OFF:OFF + INPUT, OFF:OFF + INPUT])


def full_image(canon):
    """The whole canonical image ([n,256,256] uint8) area-resized to the model input -> [n,224,224] uint8:
    the "full image" of the source-classifier audit (not a contract input; never served)."""
    import torch
    import torch.nn.functional as F
    out = np.zeros((len(canon), INPUT, INPUT), np.uint8)
    for i in range(0, len(canon), 256):
        t = torch.from_numpy(np.asarray(canon[i:i + 256], np.float32)).unsqueeze(1)
        out[i:i + 256] = F.interpolate(t, size=(INPUT, INPUT), mode="area").round().clamp(0, 255).squeeze(1).numpy()
    return out


class Rows:
    """The dataset base (in the manner of torchxrayvision's Dataset): the rows of one split that `keep`
    accepts, failed decodes dropped, with their positions in the split (`idx`, the cache's order) and the
    split's canonical images (`canon`, a memmap). Split, lungs.data.MaskSet and gate.data build on it."""

    def __init__(self, manifest, split, keep=None):
        rows = manifest.rows(split)
        bad = failed_indices(manifest, split)
        self.idx = np.array([i for i, r in enumerate(rows) if i not in bad and (keep is None or keep(r))], np.int64)
        self.rows = [rows[i] for i in self.idx]
        self.canon = load_canonical(manifest, split)
        self.manifest, self.split = manifest, split

    def __len__(self):
        return len(self.rows)

    def column(self, name):
        return [r[name] for r in self.rows]


class Split(Rows):
    """Images (model input, uint8) and rows of one split, optionally restricted to some labels. With
    `fields` (training.lungs.field.LungFields) the input is the lung field, else the central 224x224 of
    contract v1; with fields="full", the whole canonical image (`full_image`)."""

    def __init__(self, manifest, split, labels=None, limit=None, seed=0, fields=None):
        super().__init__(manifest, split, None if labels is None else (lambda r: r["label"] in labels))
        if limit is not None and len(self.idx) > limit:
            every = manifest.rows(split)
            self.idx = np.array(subsample(every, list(self.idx), limit, seed), np.int64)
            self.rows = [every[i] for i in self.idx]
        canon = self.canon
        if not len(self.idx):
            self.x = np.zeros((0, INPUT, INPUT), np.uint8)
        elif fields == "full":
            self.x = full_image(canon[self.idx])
        elif fields is not None:
            self.x, self.field_info = fields.fields(split, self.idx)
        else:
            self.x = model_input(canon[self.idx])
        self.files = [os.path.join(manifest.data_dir, r["path"]) for r in self.rows]
        self._fields, self._split = fields, split

    def subset(self, keep):
        """The same split restricted to the rows where the boolean array `keep` is true."""
        import copy
        out = copy.copy(self)
        k = np.asarray(keep, bool)
        out.rows = [r for r, t in zip(self.rows, k) if t]
        out.idx, out.x = self.idx[k], self.x[k]
        out.files = [f for f, t in zip(self.files, k) if t]
        if hasattr(self, "field_info"):
            out.field_info = [i for i, t in zip(self.field_info, k) if t]
        return out

    def lung_masks(self):
        """The lung masks on the input's grid (uint8 [n,224,224], 255 = lung); lung-field splits only."""
        return self._fields.masks_in_input(self._split, self.idx, [r["box"] for r in self.field_info])


def subsample(rows, idx, limit, seed):
    """A fixed, stratified (label x source) subset of `idx` of size about `limit` (for smoke runs)."""
    rng = np.random.default_rng(seed)
    strata = {}
    for i in idx:
        strata.setdefault((rows[i]["label"], rows[i]["source"]), []).append(i)
    out = []
    for key in sorted(strata):
        members = strata[key]
        k = max(2, round(limit * len(members) / len(idx)))
        out += list(rng.permutation(members)[:k])
    return sorted(int(i) for i in out)


def composition(manifest, splits=("train", "val", "test")):
    """Counts per split x label x source x age group (for the model card)."""
    out = {}
    for s in splits:
        c = {}
        for r in manifest.rows(s):
            key = f"{r['label']}/{r['source']}/{r['age_group']}"
            c[key] = c.get(key, 0) + 1
        out[s] = dict(sorted(c.items()))
    return out
