"""The gate's data as arrays: frontal and lateral rows of the pool, 4x pooled for training, and one split's
items and scores for evaluation."""
import csv
import os

import numpy as np
import torch
import torch.nn.functional as F

from ..data import INPUT, OFF, Rows
from . import negatives as neg
from .net import scores


def pool_part(man, split, limit=None, seed=0):
    """Canonical images (memmap) and row indices of a split: frontal (label != lateral) and lateral."""
    frontal = Rows(man, split, lambda r: r["label"] != "lateral")
    fr = frontal.idx.tolist()
    la = Rows(man, split, lambda r: r["label"] == "lateral").idx.tolist()
    if limit and len(fr) > limit:
        fr = sorted(np.random.default_rng(seed).choice(fr, limit, replace=False).tolist())
    return frontal.canon, man.rows(split), fr, la


def pooled(canon, idx, bs=512):
    """4x average-pooled canonical images [n,64,64] float32 (training works at the net's 56x56 resolution)."""
    out = np.zeros((len(idx), 64, 64), np.float32)
    for i in range(0, len(idx), bs):
        x = torch.from_numpy(np.asarray(canon[idx[i:i + bs]])).float().unsqueeze(1)
        out[i:i + bs] = F.avg_pool2d(x, 4)[:, 0].numpy()
    return out


def eval_split(man, split, net, root, plan, limit=None):
    """Items (dicts) and scores of one split: frontal + lateral from the pool, the negatives' files."""
    canon, rows, fr, la = pool_part(man, split, limit)
    items = [dict(category="frontal", file=os.path.join(man.data_dir, rows[i]["path"]), source=rows[i]["source"],
                  age_group=rows[i]["age_group"], label=rows[i]["label"]) for i in fr]
    items += [dict(category="lateral", file=os.path.join(man.data_dir, rows[i]["path"]), source=rows[i]["source"],
                   age_group=rows[i]["age_group"], label="lateral") for i in la]
    x = np.concatenate([canon[np.array(fr + la, dtype=np.int64)]]) if fr + la else np.zeros((0, 256, 256), np.uint8)
    nx, nrows = neg.build(split, plan, root)
    ok = [k for k, r in enumerate(nrows) if r["failed"] == "0"]
    items += [dict(category=nrows[k]["category"], file=nrows[k]["file"], origin=nrows[k]["origin"]) for k in ok]
    p = np.concatenate([scores(net, x[:, OFF:OFF + INPUT, OFF:OFF + INPUT]),
                        scores(net, nx[ok][:, OFF:OFF + INPUT, OFF:OFF + INPUT])])
    return items, p


def write_scores(path, items, p):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "category", "source", "age_group", "p_in_scope"])
        for it, s in zip(items, p):
            w.writerow([it["file"], it["category"], it.get("source", ""), it.get("age_group", ""), f"{s:.6f}"])
