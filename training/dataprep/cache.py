"""The canonical-image cache for training, made by the project's C++ core (build/native/cxr-prep) through
training/data.py's own helpers, so that `make train DATA=<out>` finds it ready: build/cache/<manifest
sha256[:12]>-core<sha8>/<split>.u8 (data.cache_path), 65,536 bytes per manifest row of the split."""
import os

from .. import data

SPLITS = ("train", "val", "test")


def build(out, jobs=2):
    """-> {split: (cache path, [failed manifest paths])}, or a string saying why nothing was built."""
    if not os.path.exists(data.PREP):
        return f"{data.PREP} is missing (run `make native`); the cache will be built by training instead"
    manifest = data.Manifest(out)
    result = {}
    for split in SPLITS:
        rows = manifest.rows(split)
        if not rows:
            continue
        path = data.build_cache(manifest, split, jobs=jobs)
        bad = sorted(data.failed_indices(manifest, split))
        result[split] = (path, [rows[i]["path"] for i in bad])
    return result
