"""The inconclusive band's rule, measured on the cross-fitted pool (train+val; never test).

/usr/bin/python3 -m training.experiments.band_rule --models models --aux build/baseline

Rebuilds each task's pool as train.py made it (fold models on the held-out sources' train+val images, the
shipped model on val for the other sources), applies the card's temperature, and prints, for candidate
rules, the band and the share of the pool's negatives and positives that would fall inside it. With
--write, the band of calibrate.py's rule (BAND_SENS, BAND_SPEC) goes into each card, as make train with
that rule makes it (the threshold and temperature do not depend on it).
"""
import argparse
import json
import os

import numpy as np
import torch

from .. import calibrate, compress, loop
from ..data import Manifest, Split
from ..export import write_json
from ..lungs.field import LungFields
from ..model import for_card
from ..train import HELD_OUT, TASKS
from ..transfer import load_fold


def pool(name, models, aux, manifest, fields):
    classes = TASKS[name][::-1]
    with open(os.path.join(models, f"{name}.json")) as f:
        card = json.load(f)
    clf = for_card(card)
    compress.load_state_(clf, torch.load(os.path.join(models, "pytorch", f"{name}.pt"), map_location="cpu"))
    with open(os.path.join(aux, "loso", f"{name}.json")) as f:
        info = json.load(f)
    tr = Split(manifest, "train", set(classes), fields=fields)
    va = Split(manifest, "val", set(classes), fields=fields)
    own = va.subset(np.array([r["source"] not in HELD_OUT[name] for r in va.rows]))
    logits, rows = [loop.run_batches(clf.eval(), own.x)], list(own.rows)
    for src in HELD_OUT[name]:
        fold = load_fold(aux, name, src, info)
        for part in (tr, va):
            held = part.subset(np.array([r["source"] == src for r in part.rows]))
            if len(held):
                logits.append(loop.run_batches(fold, held.x))
                rows += held.rows
    y = np.array([classes.index(r["label"]) for r in rows])
    return calibrate.softmax1(np.concatenate(logits), card["temperature"]), y, card


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="../shared/cxr-data")
    ap.add_argument("--models", default="models")
    ap.add_argument("--aux", default=os.path.join("build", "baseline"))
    ap.add_argument("--write", action="store_true", help="write calibrate.py's band into the cards")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    manifest = Manifest(a.data)
    fields = LungFields(manifest, a.models)
    for name in TASKS:
        p, y, card = pool(name, a.models, a.aux, manifest, fields)
        thr = card["threshold"]
        print(f"{name}: pool n={len(y)} ({int(y.sum())} COVID-19), threshold {thr:.4f}")
        for sens in (0.98, 0.99):
            for spec in (0.85, 0.90, 0.95, 0.99):
                low = min(calibrate.threshold_for_sensitivity(p, y, sens), thr)
                high = max(calibrate.threshold_for_specificity(p, y, spec), thr)
                inside = (p >= low) & (p < high)
                print(f"  sens {sens} spec {spec}: band [{low:.4f}, {high:.4f}) holds {inside[y == 0].mean():.1%} of "
                      f"negatives, {inside[y == 1].mean():.1%} of COVID-19")
        if a.write:
            _, low, high = calibrate.operating_point(p, y)
            card["inconclusive"] = {"low": round(float(low), 6), "high": round(float(high), 6),
                                    "rule": calibrate.BAND_RULE}
            card["threshold_rule"] = calibrate.THRESHOLD_RULE
            write_json(os.path.join(a.models, f"{name}.json"), card)
            loso = os.path.join(a.aux, "loso", f"{name}.json")
            with open(loso) as f:
                info = json.load(f)
            info["inconclusive"] = {"low": float(low), "high": float(high)}
            write_json(loso, info)
            print(f"  wrote band [{low:.4f}, {high:.4f}) into {name}.json")


if __name__ == "__main__":
    main()
