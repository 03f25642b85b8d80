"""Training the gate (augmentation, loop), its threshold from val and its figures per category and source."""

import numpy as np
import torch
import torch.nn.functional as F

from .. import loop
from ..augment import augment_gate
from . import NEG_CATS


def train(net, pos, negs, epochs, steps, bs, seed, log):
    """pos: (pooled [n,64,64], source list); negs: list of (pooled, weight, strong_aug). Each batch is half
    positives (equal mass per source), half negatives drawn from the mixture; one-cycle learning rate."""
    rng = np.random.default_rng(seed)
    canon_p, src_p = pos
    idx_p = np.arange(len(src_p))
    src_p = np.array(src_p)
    w = np.zeros(len(idx_p))
    for s in np.unique(src_p):
        w[src_p == s] = 1.0 / (src_p == s).sum()   # equal mass per source
    w /= w.sum()
    nw = np.array([n[2] for n in negs], float)
    nw /= nw.sum()
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * steps, pct_start=0.15)
    half = bs // 2
    y = torch.cat([torch.ones(half, dtype=torch.long), torch.zeros(half, dtype=torch.long)])

    def step_loss(_):
        ip = rng.choice(idx_p, half, p=w)
        xp = augment_gate(torch.from_numpy(canon_p[ip]).unsqueeze(1), rng, strong=False)
        parts, counts = [], rng.multinomial(half, nw)
        for (cn, _, strong), k in zip(negs, counts):
            if k:
                ii = rng.choice(len(cn), k)
                parts.append(augment_gate(torch.from_numpy(cn[ii]).unsqueeze(1), rng, strong))
        return F.cross_entropy(net.body(torch.cat([xp] + parts)), y, label_smoothing=0.02), {}

    return loop.run_steps(net, epochs * steps, step_loss, opt, sched, log=log, tag="gate", every=steps, batch=bs)


def threshold_from_val(p_frontal, max_reject=0.01):
    """Largest threshold (reject p < t) that rejects at most max_reject of frontal val X-rays."""
    p = np.sort(p_frontal)
    k = int(np.floor(max_reject * len(p)))
    return float(p[k])


def breakdown(split_data, p, thr):
    """split_data: list of dicts (category, source, age_group, label); p: scores. Returns dict of figures."""
    rej = p < thr
    out = {"frontal": {}, "negatives": {}}

    def rate(mask):
        n = int(mask.sum())
        return {"n": n, "rejected": int((rej & mask).sum()), "rate": round(float((rej & mask).sum()) / n, 4) if n else None}
    cat = np.array([d["category"] for d in split_data])
    fr = cat == "frontal"
    out["frontal"]["all"] = rate(fr)
    for key in ("source", "age_group", "label"):
        vals = np.array([d.get(key, "") for d in split_data])
        out["frontal"][key] = {v: rate(fr & (vals == v)) for v in sorted(set(vals[fr]))}
    out["negatives"]["all"] = rate(~fr)
    out["negatives"]["all_but_colour"] = rate(~fr & (cat != "colour"))
    out["negatives"]["category"] = {c: rate(cat == c) for c in NEG_CATS if (cat == c).any()}
    return out
