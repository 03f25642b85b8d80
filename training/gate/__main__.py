"""python -m training.gate: train (or --reuse), threshold, export, card and report of the input gate."""
import argparse
import json
import os
import time

import numpy as np
import torch

from ..data import Manifest
from ..export import write_json
from . import VERSION, NEG_CATS, card as gate_card
from . import negatives as neg
from .data import eval_split, pool_part, pooled, write_scores
from .fit import breakdown, threshold_from_val, train
from .net import GateNet, export


def kept_date(path, card):
    """The date the gate file was made: the old card's, when the export is the same file (--reuse)."""
    try:
        with open(path) as f:
            old = json.load(f)
    except (OSError, ValueError):
        return card["created"]
    return old.get("created", card["created"]) if old.get("sha256") == card["sha256"] else card["created"]


def main(argv=None):
    ap = argparse.ArgumentParser(description="The learned input gate: is this a frontal chest X-ray?")
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

    card = gate_card.card(VERSION, thr, (expected, expected_logits), counts, figs, man, a, net)
    card["created"] = kept_date(os.path.join(a.out, "gate.json"), card)
    write_json(os.path.join(a.out, "gate.json"), card)
    if a.predictor == "auto":
        items = res["test"][0][::10] if a.smoke else res["test"][0]       # smoke: a tenth, for speed
        card["metrics"]["test_predictor"] = gate_card.predictor_figures(items, a.out, log)
        write_json(os.path.join(a.out, "gate.json"), card)
        if not a.smoke and card["metrics"]["test_predictor"]:
            card["stress_probes"] = {s: gate_card.probes(a.data, os.path.join("build", "gate-predict-models"), s)
                                     for s in ("val", "test")}
            write_json(os.path.join(a.out, "gate.json"), card)
    if not a.smoke:
        os.makedirs(os.path.dirname(a.doc), exist_ok=True)
        with open(a.doc, "w") as f:
            f.write(gate_card.markdown(card))
    log(f"wrote {onnx_path} ({os.path.getsize(onnx_path) / 1024:.0f} KiB), threshold {thr:.4f}, "
        f"self-test {expected:.6f}, {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
