"""Would histogram equalisation inside the lungs make the source harder to read from the lung field?

    /usr/bin/python3 -m training.experiments.equalise_source --data ../shared/cxr-data --models models \
        --backbone build/baseline/shipped_backbone.pt

Val only. A source classifier is trained as `training.train` trains audit (c)'s (the shipped backbone,
augmentations and sampling, Model 1's train images) on three inputs: the lung field as served, the same
with its gray levels equalised by the histogram of the (input-grid) lung mask's pixels, and the whole
image. Reported on val: 4-way accuracy, balanced accuracy, and the AUC between two sources inside one
label and age group (audits.within_group_auc), where disease and age cannot help.
"""
import argparse

import numpy as np
import torch

from ..audits import source_scores
from ..data import Manifest, Split
from ..lungs.field import LungFields
from ..train import SOURCES, VARIANTS, fit_source_classifier

LABELS = {"covid", "normal"}


def equalised(x, masks):
    """Each image's gray levels mapped through the CDF of its lung pixels (0..255)."""
    out = np.empty_like(x)
    for i in range(len(x)):
        lung = x[i][masks[i] >= 128]
        if lung.size < 100:
            out[i] = x[i]
            continue
        cdf = np.cumsum(np.bincount(lung, minlength=256)) / lung.size
        out[i] = np.round(255 * cdf[x[i]]).astype(np.uint8)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="../shared/cxr-data")
    ap.add_argument("--models", default="models")
    ap.add_argument("--backbone", default="build/baseline/shipped_backbone.pt")
    ap.add_argument("--samples", type=int, default=16000)
    ap.add_argument("--seed", type=int, default=1234)
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    manifest = Manifest(a.data)
    fields = LungFields(manifest, a.models, print)
    tr, va = (Split(manifest, s, LABELS, fields=fields) for s in ("train", "val"))
    trf, vaf = (Split(manifest, s, LABELS, fields="full") for s in ("train", "val"))
    inputs = {"lung field": (tr.x, va.x),
              "lung field, equalised in the lungs": (equalised(tr.x, tr.lung_masks()), equalised(va.x, va.lung_masks())),
              "whole image": (trf.x, vaf.x)}
    backbone = torch.load(a.backbone, map_location="cpu")
    for name, (xt, xv) in inputs.items():
        clf = fit_source_classifier(backbone, xt, tr.rows, SOURCES, a.samples, VARIANTS["shipped"], a.seed, print,
                                    tag="source")
        s = source_scores(clf, SOURCES, xv, va.rows)
        print(f"{name}: val accuracy {s['accuracy']:.3f} balanced {s['balanced_accuracy']:.3f} "
              + "; ".join(f"{k} AUC {v['auc']:.3f}" for k, v in s["within_group_auc"].items()), flush=True)


if __name__ == "__main__":
    main()
