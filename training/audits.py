"""Shortcut audits, run in PyTorch on the cached canonical images (the same pixels the predictor sees).

Every edit is made on the canonical 256x256 image; each model then gets its own input from the edited
image (contract v1 models: the central 224x224; contract v2: the lung field, made by the C++ core from
the lung mask of the *unedited* image, as the page would have made it):
- box: the central region of the v1 input (middle 60% of the width, 15-85% of the height of the central
  224x224) hidden (replaced by the image mean) or shown alone (everything else replaced);
- lung outline: the lung mask dilated by 8 px (the manifest's outline where the image has one, else the
  lung model's) hidden or shown alone;
- CAM mass inside the lungs (the outline, not dilated, in the input's box) for true positives;
- the source classifier trained on the model's own input (`source_audit`);
- JPEG re-compression of the canonical image at quality 75 (`recompressed`): compression differs by
  source, so a model that reads the disease should keep its verdicts (AUC and mean |change of p|).
"""
import json
import os
import subprocess
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

from . import compress, loop, metrics
from .augment import jpeg_roundtrip
from .data import CANON, INPUT, OFF
from .lungs.field import TOOL, in_box, read_fields
from .model import Classifier, Exported, for_card
from .train import SOURCES

# The central region, in canonical pixels (the contract-v1 models' audit, on the central 224x224).
C0, C1 = OFF + round(0.2 * INPUT), OFF + round(0.8 * INPUT)
R0, R1 = OFF + round(0.15 * INPUT), OFF + round(0.85 * INPUT)
NO_PIXELS = "no pixels: label + age only"  # the source audit's reference row (label_age_rule)
DILATE = 8  # canonical px around the outline that count as lung in the outline audits


def box_mask(n):
    m = np.zeros((n, CANON, CANON), bool)
    m[:, R0:R1, C0:C1] = True
    return m


def dilated(masks):
    return np.stack([ndimage.distance_transform_edt(~m) <= DILATE for m in masks]) if len(masks) else masks


def replace(canon, keep):
    """Canonical images with every pixel outside `keep` set to the image's mean (uint8)."""
    m = canon.reshape(len(canon), -1).mean(axis=1).round().astype(np.uint8)
    return np.where(keep, canon, m[:, None, None]).astype(np.uint8)


class Inputs:
    """Makes a model's input from (edited) canonical images: 'central' (v1) or 'lung_field' (v2, with the
    lung model's masks of the unedited images)."""

    def __init__(self, kind, pred_masks=None):
        self.kind, self.pred_masks = kind, pred_masks

    def __call__(self, canon):
        if self.kind == "central":
            return np.ascontiguousarray(canon[:, OFF:OFF + INPUT, OFF:OFF + INPUT])
        with tempfile.TemporaryDirectory() as tmp:
            c, m = os.path.join(tmp, "c.u8"), os.path.join(tmp, "m.u8")
            np.ascontiguousarray(canon).tofile(c)
            np.ascontiguousarray(self.pred_masks).tofile(m)
            subprocess.run([TOOL, "--canon", c, "--masks", m, "--out", os.path.join(tmp, "f.field.u8"),
                            "--info", os.path.join(tmp, "f.field.tsv")], check=True, capture_output=True)
            return read_fields(os.path.join(tmp, "f"))[0].copy()

    def boxes(self, n, info=None):
        """(x, y, side) of the input on the canonical image, per image."""
        if self.kind == "central":
            return [(OFF, OFF, INPUT)] * n
        return [r["box"] for r in info]


def load_shipped(models_dir, name):
    with open(os.path.join(models_dir, f"{name}.json")) as f:
        card = json.load(f)
    clf = for_card(card)
    compress.load_state_(clf, torch.load(os.path.join(models_dir, "pytorch", f"{name}.pt"), map_location="cpu"))
    return Exported(clf.eval(), card["temperature"]).eval(), card


def load_baseline(folder, name, shipped=False):
    """A model kept outside models/: the plain baseline (build/baseline) or, with `shipped`, a shipped
    model of an earlier contract (its card and pytorch/<name>.pt, e.g. build/v1-models)."""
    path = os.path.join(folder, f"{name}.json")
    if not os.path.exists(path):
        return None, None
    if shipped:
        return load_shipped(folder, name)
    with open(path) as f:
        card = json.load(f)
    clf = Classifier(2, standardise=card.get("standardise", False))
    clf.load_state_dict(torch.load(os.path.join(folder, f"{name}.pt"), map_location="cpu"))
    return Exported(clf.eval(), card["temperature"]).eval(), card


def cam_share(cam, masks_in_input):
    """Share of CAM mass (upsampled bilinearly to 224x224) inside the masks, per image."""
    up = F.interpolate(torch.from_numpy(cam).unsqueeze(1), size=(INPUT, INPUT), mode="bilinear",
                       align_corners=False).clamp(min=0).squeeze(1).numpy()
    tot = up.sum(axis=(1, 2))
    inside = (up * masks_in_input).sum(axis=(1, 2))
    return np.where(tot > 0, inside / np.maximum(tot, 1e-12), np.nan)


JPEG_QUALITY = 75


def recompressed(canon, quality=JPEG_QUALITY):
    """Canonical images saved as JPEG at `quality` and decoded again."""
    return np.stack([jpeg_roundtrip(c, quality) for c in canon]) if len(canon) else canon.copy()


def _figures(y, p, thr):
    s, sp = metrics.sens_spec(y, p, thr)
    return {"auc": metrics.auc(y, p), "sensitivity": s, "specificity": sp}


def model_audit(net, thr, inputs, canon, outline, jpeg, y, rows, info=None):
    """Figures of one model on one task's test images (canonical [n,256,256], outlines [n,256,256] bool,
    `jpeg` = recompressed(canon), made once per task for all the models audited on it)."""
    x = inputs(canon)
    _, p_full, cam = loop.run_batches(net, x)
    box, lungs = box_mask(len(canon)), dilated(outline)
    out = {"full": _figures(y, p_full, thr)}
    for key, keep in (("box_hidden", ~box), ("box_only", box), ("lungs_hidden", ~lungs), ("lungs_only", lungs)):
        out[key] = _figures(y, loop.run_batches(net, inputs(replace(canon, keep)))[1], thr)
    p_jpeg = loop.run_batches(net, inputs(jpeg))[1]
    out["jpeg"] = dict(_figures(y, p_jpeg, thr), quality=JPEG_QUALITY,
                       mean_abs_dp=float(np.abs(p_jpeg - p_full).mean()),
                       verdicts_changed=float(((p_jpeg >= thr) != (p_full >= thr)).mean()))
    crd = np.array([r["source"] == "crd_partial" for r in rows])
    out["within_crd_auc"] = metrics.auc(y[crd], p_full[crd])
    tp = (y == 1) & (p_full >= thr)
    inside = in_box(outline, inputs.boxes(len(canon), info))
    share = cam_share(cam[tp], inside[tp]) if tp.any() else np.array([np.nan])
    out["cam_lung_share_tp"] = {"mean": float(np.nanmean(share)), "median": float(np.nanmedian(share)),
                                "n": int(tp.sum()), "uniform": float(inside[tp].mean()) if tp.any() else None}
    return out, p_full, cam, x


def source_audit(path, standardise, x, rows):
    """Audit (c): accuracy of a saved source classifier on the given inputs (its own kind of input)."""
    if not os.path.exists(path):
        return None
    saved = torch.load(path, map_location="cpu")
    names, state = (saved["sources"], saved["state"]) if "sources" in saved else (list(SOURCES), saved)
    clf = Classifier(len(names), standardise=standardise)
    clf.load_state_dict(state)
    return source_scores(clf.eval(), names, x, rows)


def source_scores(clf, names, x, rows):
    """Accuracy, balanced accuracy, recall per source and the within-group AUCs of a source classifier."""
    y = np.array([names.index(r["source"]) for r in rows])
    logits = loop.run_batches(clf, x)
    pred = logits.argmax(1)
    present = sorted(set(y.tolist()))
    per = {names[k]: float((pred[y == k] == k).mean()) for k in present}
    counts = np.bincount(y, minlength=len(names))
    return {"accuracy": float((pred == y).mean()), "balanced_accuracy": float(np.mean(list(per.values()))),
            "per_source_recall": per, "majority_accuracy": float(counts.max() / len(y)),
            "chance_balanced": 1.0 / len(present), "n": int(len(y)),
            "within_group_auc": within_group_auc(logits, y, names, rows)}


def groups_of(rows):
    """The (label, age group) cells of `rows`, each with the row positions in it."""
    cells = {}
    for i, r in enumerate(rows):
        cells.setdefault((r["label"], r["age_group"]), []).append(i)
    return cells


def within_group_auc(logits, y, names, rows):
    """Source cues beyond disease and age: inside each (label, age group) cell, for every two sources with at
    least 5 images each (the larger first), the AUC with which the classifier's logit difference tells them
    apart (0.5 = it cannot)."""
    out = {}
    for (label, age), ix in sorted(groups_of(rows).items()):
        ix = np.array(ix)
        ks = [k for k in sorted(set(y[ix].tolist()), key=lambda k: -(y[ix] == k).sum()) if (y[ix] == k).sum() >= 5]
        for i, a in enumerate(ks):
            for b in ks[i + 1:]:
                pair = ix[(y[ix] == a) | (y[ix] == b)]
                score = logits[pair, b] - logits[pair, a]
                out[f"{age} {label}: {names[a]} vs {names[b]}"] = {
                    "auc": metrics.auc((y[pair] == b).astype(int), score),
                    "n": [int((y[ix] == a).sum()), int((y[ix] == b).sum())]}
    return out


def label_age_rule(train_rows, rows):
    """A source 'classifier' that sees no pixels: each (label, age group) cell's most common source on
    train. Its accuracy is what knowing only the disease and the age gives."""
    cells = {}
    for r in train_rows:
        c = cells.setdefault((r["label"], r["age_group"]), {})
        c[r["source"]] = c.get(r["source"], 0) + 1
    rule = {k: max(c, key=c.get) for k, c in cells.items()}
    hit = np.array([rule.get((r["label"], r["age_group"])) == r["source"] for r in rows])
    src = np.array([r["source"] for r in rows])
    per = {s: float(hit[src == s].mean()) for s in dict.fromkeys(src)}
    counts = np.unique(src, return_counts=True)[1]
    return {"accuracy": float(hit.mean()), "balanced_accuracy": float(np.mean(list(per.values()))),
            "per_source_recall": per, "majority_accuracy": float(counts.max() / len(rows)),
            "chance_balanced": 1.0 / len(per), "n": int(len(rows)), "within_group_auc": {}}
