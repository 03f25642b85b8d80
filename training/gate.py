"""The learned input gate: is this a frontal chest X-ray?  (issue 5, item 3)

    /usr/bin/python3 -m training.gate --data ../shared/cxr-data --out models [--smoke]

Positives: frontal images (every label except `lateral`) of the pool, canonical bytes from the cxr-prep cache
(training/data.py), source-balanced. Negatives: the manifest's `lateral` rows (manifest split) and the files
of training/gate_negatives.py (written as PNG/JPEG, preprocessed by cxr-prep). Threshold chosen on `val`
only; `test` is read for the report. Writes <out>/gate.onnx, <out>/gate.json, docs/eval/gate.md (not in
smoke runs) and <out>/gate_scores_<split>.csv.
"""
import argparse
import csv
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import gate_negatives as neg
from .data import INPUT, OFF, Manifest, failed_indices, load_canonical, sha256_file

VERSION = "1.1.0"
NEG_CATS = ["lateral", "natural", "graphics", "text", "screenshot", "diagram", "synthetic", "colour"]
REASON = "not_a_frontal_chest_xray"


class GateNet(nn.Module):
    """[N,1,224,224] float 0..255 -> logits [N,2]. 4x average pooling to 56x56, per-image standardisation,
    4 conv stages; the head sees the spatial layout (7x7), global features and the raw mean/std."""

    def __init__(self, w=(8, 16, 32, 48)):
        super().__init__()
        layers, c = [], 1
        for i, o in enumerate(w):
            layers += [nn.Conv2d(c, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True)]
            if i < len(w) - 1:
                layers.append(nn.MaxPool2d(2))
            c = o
        self.features = nn.Sequential(*layers)
        self.squeeze = nn.Conv2d(c, 16, 1)
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(16 * 49 + c + 2, 32), nn.ReLU(inplace=True),
                                  nn.Linear(32, 2))

    def forward(self, x):
        return self.body(F.avg_pool2d(x, 4))                    # 56x56

    def body(self, x):
        m = x.mean(dim=(1, 2, 3), keepdim=True)
        s = ((x - m) ** 2).mean(dim=(1, 2, 3), keepdim=True).sqrt()
        f = self.features((x - m) / (s + 2.0))                  # eps 2 grey levels: blanks stay blank
        stats = torch.cat([m.flatten(1), s.flatten(1)], 1) / 128.0 - 0.5
        z = torch.cat([F.relu(self.squeeze(f)).flatten(1), f.mean(dim=(2, 3)), stats], 1)
        return self.head(z)


class Exported(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        logits = self.net(x)
        return torch.softmax(logits, 1)[:, 1], logits


# ---------------------------------------------------------------- data
def pool_part(man, split, limit=None, seed=0):
    """Canonical images (memmap) and row indices of a split: frontal (label != lateral) and lateral."""
    rows = man.rows(split)
    canon = load_canonical(man, split)
    bad = failed_indices(man, split)
    fr = [i for i, r in enumerate(rows) if i not in bad and r["label"] != "lateral"]
    la = [i for i, r in enumerate(rows) if i not in bad and r["label"] == "lateral"]
    if limit and len(fr) > limit:
        fr = sorted(np.random.default_rng(seed).choice(fr, limit, replace=False).tolist())
    return canon, rows, fr, la


def pooled(canon, idx, bs=512):
    """4x average-pooled canonical images [n,64,64] float32 (training works at the net's 56x56 resolution)."""
    out = np.zeros((len(idx), 64, 64), np.float32)
    for i in range(0, len(idx), bs):
        x = torch.from_numpy(np.asarray(canon[idx[i:i + bs]])).float().unsqueeze(1)
        out[i:i + bs] = F.avg_pool2d(x, 4)[:, 0].numpy()
    return out


def augment(x, rng, strong):
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
        x = F.interpolate(F.interpolate(x, size=(r, r), mode="area"), size=(56, 56), mode="bilinear",
                          align_corners=False)
    gam = torch.exp(u(-0.5, 0.5)).view(b, 1, 1, 1)
    x = 255.0 * (x.clamp(0, 255) / 255.0) ** gam
    x = x * u(0.75, 1.25).view(b, 1, 1, 1) + u(-25, 25).view(b, 1, 1, 1)
    x = x + torch.randn(x.shape, generator=g) * u(0, 2).view(b, 1, 1, 1)
    return x.clamp(0, 255)


@torch.no_grad()
def scores(net, x224, bs=256):
    """p_in_scope for [n,224,224] uint8 (numpy) or [n,1,224,224] float."""
    net.eval()
    out = []
    for i in range(0, len(x224), bs):
        xb = x224[i:i + bs]
        xb = torch.from_numpy(np.asarray(xb)).float().unsqueeze(1) if isinstance(xb, np.ndarray) else xb
        out.append(torch.softmax(net(xb), 1)[:, 1])
    return torch.cat(out).numpy() if out else np.zeros(0, np.float32)


def train(net, pos, negs, epochs, steps, bs, seed, log):
    """pos: (pooled [n,64,64], source list); negs: list of (pooled, weight, strong_aug)."""
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
    t0 = time.time()
    for ep in range(epochs):
        net.train()
        tot = 0.0
        for _ in range(steps):
            ip = rng.choice(idx_p, half, p=w)
            xp = augment(torch.from_numpy(canon_p[ip]).unsqueeze(1), rng, strong=False)
            parts, counts = [], rng.multinomial(half, nw)
            for (cn, _, strong), k in zip(negs, counts):
                if k:
                    ii = rng.choice(len(cn), k)
                    parts.append(augment(torch.from_numpy(cn[ii]).unsqueeze(1), rng, strong))
            x = torch.cat([xp] + parts)
            y = torch.cat([torch.ones(half, dtype=torch.long), torch.zeros(half, dtype=torch.long)])
            loss = F.cross_entropy(net.body(x), y, label_smoothing=0.02)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item()
        log(f"epoch {ep + 1}/{epochs} loss {tot / steps:.4f} ({time.time() - t0:.0f} s)")
    return net


# ---------------------------------------------------------------- evaluation
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


# ---------------------------------------------------------------- export
def pattern_v1():
    yy, xx = np.mgrid[0:INPUT, 0:INPUT]
    return torch.from_numpy(((3 * xx + 5 * yy) % 256).astype(np.float32)).view(1, 1, INPUT, INPUT)


def export(net, path):
    net.eval()
    wrapped = Exported(net).eval()
    torch.onnx.export(wrapped, torch.zeros(2, 1, INPUT, INPUT), path, opset_version=17,
                      input_names=["input"], output_names=["p_in_scope", "logits"],
                      dynamic_axes={"input": {0: "N"}, "p_in_scope": {0: "N"}, "logits": {0: "N"}})
    import onnx
    onnx.checker.check_model(onnx.load(path))
    with torch.no_grad():
        prob, logits = wrapped(pattern_v1())
    return float(prob[0]), [round(float(v), 5) for v in logits[0]]


# ---------------------------------------------------------------- main
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


def kept_date(path, card):
    """The date the gate file was made: the old card's, when the export is the same file (--reuse)."""
    try:
        with open(path) as f:
            old = json.load(f)
    except (OSError, ValueError):
        return card["created"]
    return old.get("created", card["created"]) if old.get("sha256") == card["sha256"] else card["created"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="../shared/cxr-data")
    ap.add_argument("--out", default="models")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--steps", type=int, default=80)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--doc", default=os.path.join("docs", "eval", "gate.md"))
    ap.add_argument("--predictor", choices=["auto", "off"], default="auto")
    ap.add_argument("--reuse", default=None, metavar="PT",
                    help="load the gate's weights from PT (an earlier run's build/gate_net.pt) instead of training; "
                         "threshold, export, card and report are made again")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    log = lambda m: print(f"[gate] {m}", flush=True)
    man = Manifest(a.data)
    if a.smoke:
        a.epochs, a.steps = 2, 8
        plans = {s: dict({k: max(1, v // 20) for k, v in neg.PLAN[s].items()}, files=4) for s in neg.SPLITS}
        root, limit, bs = os.path.join("build", "gate-data-smoke"), 300, 32
    else:
        plans, root, limit, bs = dict(neg.PLAN), neg.ROOT, None, 64
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time()

    canon, rows, fr, la = pool_part(man, "train", limit=limit and 4 * limit, seed=a.seed)
    nx, nrows = neg.build("train", plans["train"], root)
    by_cat = {}
    for k, r in enumerate(nrows):
        if r["failed"] == "0":
            by_cat.setdefault(r["category"], []).append(k)
    log(f"train: {len(fr)} frontal, {len(la)} lateral, negatives {({c: len(v) for c, v in by_cat.items()})} "
        f"({time.time() - t0:.0f} s)")
    # negative mixture: laterals (hardest, few files: strong augmentation) get a fixed large share
    negs = [(pooled(canon, np.array(la)), 0.2, True)]
    wts = {"natural": 0.2, "graphics": 0.12, "text": 0.12, "screenshot": 0.12, "diagram": 0.08, "synthetic": 0.12,
           "colour": 0.04}
    negs += [(pooled(nx, np.array(v)), wts.get(c, 0.1), True) for c, v in sorted(by_cat.items())]
    if a.reuse:
        net = GateNet()
        net.load_state_dict(torch.load(a.reuse, map_location="cpu"))
        log(f"weights reused from {a.reuse}")
    else:
        net = train(GateNet(), (pooled(canon, np.array(fr)), [rows[i]["source"] for i in fr]), negs,
                    a.epochs, a.steps, bs, a.seed, log)

    res = {}
    for split in ("val", "test"):
        items, p = eval_split(man, split, net, root, plans[split], limit)
        res[split] = (items, p)
        write_scores(os.path.join(a.out if a.smoke else "build", f"gate_scores_{split}.csv"), items, p)
    vf = np.array([it["category"] == "frontal" for it in res["val"][0]])
    thr = threshold_from_val(res["val"][1][vf], 0.01)
    figs = {s: breakdown(res[s][0], res[s][1], thr) for s in res}
    for s in figs:
        log(f"{s}: threshold {thr:.4f}: frontal rejected {figs[s]['frontal']['all']}, "
            f"negatives rejected {figs[s]['negatives']['all']}")
        log(f"  per category: {json.dumps({c: v['rate'] for c, v in figs[s]['negatives']['category'].items()})}")

    onnx_path = os.path.join(a.out, "gate.onnx")
    expected, expected_logits = export(net, onnx_path)
    torch.save(net.state_dict(), os.path.join("build", "gate_net.pt") if not a.smoke else os.path.join(a.out, "gate_net.pt"))
    counts = {"train": {"frontal": len(fr), "lateral": len(la), **{c: len(v) for c, v in by_cat.items()}}}
    for s in ("val", "test"):
        cats = [it["category"] for it in res[s][0]]
        counts[s] = {c: cats.count(c) for c in ["frontal"] + NEG_CATS if c in cats}

    from . import gate_report
    card = gate_report.card(VERSION, sha256_file(onnx_path), thr, (expected, expected_logits), counts, figs, None, man, a,
                            net)
    card["created"] = kept_date(os.path.join(a.out, "gate.json"), card)
    gate_report.write_card(card, os.path.join(a.out, "gate.json"))
    if a.predictor == "auto":
        items = res["test"][0][::10] if a.smoke else res["test"][0]       # smoke: a tenth, for speed
        card["metrics"]["test_predictor"] = gate_report.predictor_figures(items, a.out, log)
        gate_report.write_card(card, os.path.join(a.out, "gate.json"))
        if not a.smoke and card["metrics"]["test_predictor"]:
            card["stress_probes"] = {s: gate_report.probes(a.data, os.path.join("build", "gate-predict-models"), s)
                                     for s in ("val", "test")}
            gate_report.write_card(card, os.path.join(a.out, "gate.json"))
    if not a.smoke:
        os.makedirs(os.path.dirname(a.doc), exist_ok=True)
        with open(a.doc, "w") as f:
            f.write(gate_report.markdown(card))
    log(f"wrote {onnx_path} ({os.path.getsize(onnx_path) / 1024:.0f} KiB), threshold {thr:.4f}, "
        f"self-test {expected:.6f}, {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
