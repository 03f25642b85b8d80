"""Would averaging the logits of the input and its left-right mirror (test-time augmentation) help?

    /usr/bin/python3 -m training.experiments.flip_tta --data ../shared/cxr-data --models models

Val only: for each shipped model, AUC, and sensitivity / specificity / ECE at its own val-fitted temperature
and threshold, for the input as is, mirrored, and the mean of the two logits.
"""
import argparse

import numpy as np
import torch

from .. import loop
from ..audits import load_shipped
from ..data import Manifest, Split
from ..lungs.field import LungFields
from ..train import TASKS, calibrate_logits


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="../shared/cxr-data")
    ap.add_argument("--models", default="models")
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    manifest = Manifest(a.data)
    fields = LungFields(manifest, a.models, print)
    for name, classes in TASKS.items():
        va = Split(manifest, "val", set(classes), fields=fields)
        net, _ = load_shipped(a.models, name)
        clf = net.clf  # the logits before the graph's temperature
        plain = loop.run_batches(clf, va.x)
        mirrored = loop.run_batches(clf, np.ascontiguousarray(va.x[:, :, ::-1]))
        for tag, logits in (("as is", plain), ("mirrored", mirrored), ("mean of both", (plain + mirrored) / 2)):
            s = calibrate_logits(name, logits, va, lambda _: None)["val"]["all"]
            print(f"{name} {tag:13s} val AUC {s['auc']:.4f} sens {s['sensitivity']:.3f} "
                  f"spec {s['specificity']:.3f} ECE {s['ece']:.3f}")


if __name__ == "__main__":
    main()
