"""What static int8 changed on val: the previous (weight-only) classifiers against the shipped ones, in PyTorch,
on the same lung fields (the shipped lung model's). Never test.

/usr/bin/python3 -m training.experiments.static_int8_val --models models --before models/previous/lung-field-v4.1.0

Prints, per task: AUC, sensitivity and specificity at each card's threshold, the verdicts that changed and
the differences in P(COVID-19).
"""
import argparse
import os

import numpy as np
import torch

from .. import audits, metrics
from ..data import Manifest, Split
from ..evaluate import TASKS
from ..loop import run_batches
from ..lungs.field import LungFields


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join("..", "shared", "cxr-data"))
    ap.add_argument("--models", default="models")
    ap.add_argument("--before", default=os.path.join("models", "previous", "lung-field-v4.1.0"))
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    manifest = Manifest(args.data)
    fields = LungFields(manifest, args.models, print)
    for name in TASKS:
        val = Split(manifest, "val", labels=TASKS[name], fields=fields)
        y = np.array([r["label"] == "covid" for r in val.rows])
        p, thr = {}, {}
        for tag, folder in (("before", args.before), ("shipped", args.models)):
            net, card = audits.load_shipped(folder, name)
            p[tag], thr[tag] = run_batches(net, val.x)[1], card["threshold"]
            s = metrics.summary(y, p[tag], thr[tag], n_boot=0)
            print(f"{name} {tag} {card['version']}: n {len(y)} AUC {s['auc']:.4f} sensitivity {s['sensitivity']:.3f} "
                  f"specificity {s['specificity']:.3f}")
        d = np.abs(p["shipped"] - p["before"])
        changed = int(((p["shipped"] >= thr["shipped"]) != (p["before"] >= thr["before"])).sum())
        print(f"{name}: verdicts changed {changed}; |dp| mean {d.mean():.4f} p99 {np.quantile(d, 0.99):.4f} "
              f"max {d.max():.4f}")


if __name__ == "__main__":
    main()
