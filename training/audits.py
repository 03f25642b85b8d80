"""Shortcut audits, run in PyTorch on the cached canonical images (the same pixels the predictor sees):
(a) lungs hidden, (b) lungs only, (c) source classifier, (d) CAM mass inside the central region."""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

from . import compress, loop, metrics
from .model import Classifier, Exported
from .train import SOURCES

N = 224
# The central region: middle 60% of the width, 15%..85% of the height of the 224x224 model input.
C0, C1 = round(0.2 * N), round(0.8 * N)
R0, R1 = round(0.15 * N), round(0.85 * N)


def lungs_hidden(xb):
    out = xb.copy()
    m = xb.mean(axis=(1, 2), keepdims=True)
    out[:, R0:R1, C0:C1] = np.broadcast_to(m, (len(xb), R1 - R0, C1 - C0))
    return out


def lungs_only(xb):
    out = np.broadcast_to(xb.mean(axis=(1, 2), keepdims=True), xb.shape).copy()
    out[:, R0:R1, C0:C1] = xb[:, R0:R1, C0:C1]
    return out


def load_shipped(models_dir, name):
    with open(os.path.join(models_dir, f"{name}.json")) as f:
        card = json.load(f)
    clf = Classifier(2, standardise=True)
    compress.load_state_(clf, torch.load(os.path.join(models_dir, "pytorch", f"{name}.pt"), map_location="cpu"))
    return Exported(clf.eval(), card["temperature"]).eval(), card


def load_baseline(aux, name):
    path = os.path.join(aux, f"{name}.json")
    if not os.path.exists(path):
        return None, None
    with open(path) as f:
        card = json.load(f)
    clf = Classifier(2, standardise=card.get("standardise", False))
    clf.load_state_dict(torch.load(os.path.join(aux, f"{name}.pt"), map_location="cpu"))
    return Exported(clf.eval(), card["temperature"]).eval(), card


def cam_share(cam):
    """Share of CAM mass (upsampled bilinearly to 224x224) inside the central region, per image."""
    up = F.interpolate(torch.from_numpy(cam).unsqueeze(1), size=(N, N), mode="bilinear", align_corners=False)
    up = up.clamp(min=0).squeeze(1).numpy()
    tot = up.sum(axis=(1, 2))
    inside = up[:, R0:R1, C0:C1].sum(axis=(1, 2))
    return np.where(tot > 0, inside / np.maximum(tot, 1e-12), np.nan)


def model_audit(net, thr, x, y, rows):
    """Figures of one model on one task's test images: full input, lungs hidden, lungs only, CAM."""
    out = {}
    _, p_full, cam = loop.run_batches(net, x)
    for key, tf in (("full", None), ("lungs_hidden", lungs_hidden), ("lungs_only", lungs_only)):
        p = p_full if tf is None else loop.run_batches(net, x, transform=tf)[1]
        s, sp = metrics.sens_spec(y, p, thr)
        out[key] = {"auc": metrics.auc(y, p), "sensitivity": s, "specificity": sp}
    crd = np.array([r["source"] == "crd_partial" for r in rows])
    out["within_crd_auc"] = metrics.auc(y[crd], p_full[crd])
    tp = (y == 1) & (p_full >= thr)
    share = cam_share(cam[tp]) if tp.any() else np.array([np.nan])
    out["cam_central_share_tp"] = {"mean": float(np.nanmean(share)), "median": float(np.nanmedian(share)),
                                   "n": int(tp.sum())}
    # the central region covers 0.6 * 0.7 = 42% of the input: a uniform CAM would score 0.42
    out["cam_central_share_uniform"] = round((C1 - C0) * (R1 - R0) / N / N, 4)
    return out, p_full, cam


def source_audit(aux, variant, x, rows):
    """Audit (c): accuracy of the source classifier of `variant` on the given test images."""
    path = os.path.join(aux, f"source_{variant}.pt")
    if not os.path.exists(path):
        return None
    saved = torch.load(path, map_location="cpu")
    names, state = (saved["sources"], saved["state"]) if "sources" in saved else (list(SOURCES), saved)
    clf = Classifier(len(names), standardise=(variant == "shipped"))
    clf.load_state_dict(state)
    clf.eval()
    y = np.array([names.index(r["source"]) for r in rows])
    pred = loop.run_batches(clf, x).argmax(1)
    present = sorted(set(y.tolist()))
    per = {names[k]: float((pred[y == k] == k).mean()) for k in present}
    counts = np.bincount(y, minlength=len(names))
    return {"accuracy": float((pred == y).mean()), "balanced_accuracy": float(np.mean(list(per.values()))),
            "per_source_recall": per, "majority_accuracy": float(counts.max() / len(y)),
            "chance_balanced": 1.0 / len(present), "n": int(len(y))}
