"""How the models carry to X-rays made elsewhere (make eval): named groups with the share called COVID-19 and
the share the page calls inconclusive; the resolution audit through the predictor; the leave-one-source-out
audit of the fold models that `make train` fitted the operating point with."""
import hashlib
import json
import os

import numpy as np
import torch
from PIL import Image

from . import metrics, predictor
from .calibrate import softmax1
from .loop import run_batches
from .model import INTERNAL, WIDTHS, Classifier
from .train import TASKS

RESOLUTION_MIN_SIDE = 448
RESOLUTION_TARGET = 224

GROUPS = {
    "adult normal (nih)": lambda r: r["label"] == "normal" and r["source"] == "nih",
    "adult normal (crd/RSNA)": lambda r: r["label"] == "normal" and r["source"] == "crd_partial",
    "adult normal (chexpert, Stanford)": lambda r: r["label"] == "normal" and r["source"] == "chexpert",
    "adult normal (JSRT, Japan)": lambda r: r["label"] == "normal" and r["source"] == "jsrt",
    "pediatric normal (kermany)": lambda r: r["label"] == "normal" and r["age_group"] == "pediatric",
    "adult nodule (JSRT)": lambda r: r["label"] == "nodule",
    "adult pneumonia (nih)": lambda r: r["label"] == "pneumonia" and r["source"] == "nih",
    "adult pneumonia (chexpert, Stanford)": lambda r: r["label"] == "pneumonia" and r["source"] == "chexpert",
    "adult pneumonia (ieee8023)": lambda r: r["label"] == "pneumonia" and r["source"] == "ieee8023",
    "pediatric pneumonia (kermany)": lambda r: r["label"] == "pneumonia" and r["age_group"] == "pediatric",
    "adult COVID-19 (crd_partial)": lambda r: r["label"] == "covid" and r["source"] == "crd_partial",
    "adult COVID-19 (ieee8023)": lambda r: r["label"] == "covid" and r["source"] == "ieee8023",
    "lateral views (ieee8023)": lambda r: r["label"] == "lateral",
}


def group_rates(rows, p, thr, band):
    """Per named group of test: n, the share called COVID-19 (p >= threshold) and the share inside the
    inconclusive band [low, high) that the page reports as inconclusive."""
    out = {}
    p = np.asarray(p, float)
    for g, f in GROUPS.items():
        m = np.array([f(r) for r in rows])
        if m.any():
            out[g] = {"n": int(m.sum()), "called_covid": metrics.rate_above(p[m], thr),
                      "inconclusive": float(((p[m] >= band["low"]) & (p[m] < band["high"])).mean())}
    return out


def downscaled(files, rows, folder):
    """Each file whose shorter side is >= RESOLUTION_MIN_SIDE, area-resampled (PIL BOX) so that its shorter
    side is RESOLUTION_TARGET, as PNG in `folder`: ([original], [copy])."""
    os.makedirs(folder, exist_ok=True)
    orig, copies = [], []
    for f, r in zip(files, rows):
        if min(int(r["width"]), int(r["height"])) < RESOLUTION_MIN_SIDE:
            continue
        out = os.path.join(folder, hashlib.sha1(f.encode()).hexdigest()[:16] + ".png")
        if not os.path.exists(out):
            with Image.open(f) as im:
                im = im.convert("L")
                s = RESOLUTION_TARGET / min(im.size)
                im.resize((max(1, round(im.width * s)), max(1, round(im.height * s))), Image.BOX).save(out)
        orig.append(f)
        copies.append(out)
    return orig, copies


def resolution_audit(files, rows, pred, models_dir, cards, log):
    """Test images of >= 448 px, area-resampled to 224 px, through the predictor: per model, mean |dp| and
    the share of verdicts (p >= threshold) that change, over all such images and per source."""
    orig, copies = downscaled(files, rows, os.path.join(predictor.CACHE, "resolution"))
    if not orig:
        return None
    small = predictor.predict(copies, models_dir)
    by_file = dict(zip(files, rows))
    out = {"n": len(orig), "min_side": RESOLUTION_MIN_SIDE, "target": RESOLUTION_TARGET}
    for name in TASKS:
        thr = cards[name]["threshold"]
        a = np.array([pred[(f, name)]["p_covid"] for f in orig], dtype=float)
        b = np.array([small[(c, name)]["p_covid"] for c in copies], dtype=float)
        ok = ~(np.isnan(a) | np.isnan(b))
        src = np.array([by_file[f]["source"] for f in orig])
        per = {s: {"n": int((ok & (src == s)).sum()),
                   "mean_abs_dp": float(np.abs(a - b)[ok & (src == s)].mean()),
                   "verdicts_changed": float(((a >= thr) != (b >= thr))[ok & (src == s)].mean())}
               for s in sorted(set(src[ok]))}
        out[name] = {"n": int(ok.sum()), "mean_abs_dp": float(np.abs(a - b)[ok].mean()),
                     "max_abs_dp": float(np.abs(a - b)[ok].max()),
                     "verdicts_changed": float(((a >= thr) != (b >= thr))[ok].mean()), "by_source": per}
        log(f"[{name}] resolution audit: {json.dumps(out[name])[:400]}")
    return out


def load_fold(aux, name, src, info):
    clf = Classifier(2, info.get("standardise", True), fine_cam=info.get("fine_cam", True),
                     widths=tuple(info.get("widths", WIDTHS)), internal=info.get("internal", INTERNAL))
    clf.load_state_dict(torch.load(os.path.join(aux, "loso", f"{name}-without-{src}.pt"), map_location="cpu"))
    return clf.eval()


def loso_audit(aux, test, log):
    """For each task and held-out source: the fold model that never saw the source (nor did its backbone),
    on test, with the cross-fitted temperature and threshold. COVID-19 images of the held-out source (or
    all, if it has none) against its negatives (or all negatives, if it has none)."""
    out = {}
    for name, classes in TASKS.items():
        path = os.path.join(aux, "loso", f"{name}.json")
        if not os.path.exists(path):
            continue
        with open(path) as f:
            info = json.load(f)
        m = np.array([r["label"] in classes for r in test.rows])
        rows = [r for r, k in zip(test.rows, m) if k]
        x = test.x[m]
        y = np.array([r["label"] == "covid" for r in rows], int)
        res = {}
        for src in info["held_out"]:
            is_src = np.array([r["source"] == src for r in rows])
            pos = (y == 1) & is_src if ((y == 1) & is_src).any() else (y == 1)
            neg = (y == 0) & is_src if ((y == 0) & is_src).any() else (y == 0)
            sel = pos | neg
            logits = run_batches(load_fold(aux, name, src, info), x[sel])
            p = softmax1(logits, info["temperature"])
            s, sp = metrics.sens_spec(y[sel], p, info["threshold"])
            res[src] = {"n_covid": int(pos.sum()), "n_negative": int(neg.sum()),
                        "covid_from": src if ((y == 1) & is_src).any() else "all sources",
                        "negatives_from": src if ((y == 0) & is_src).any() else "all sources",
                        "auc": metrics.auc(y[sel], p), "sensitivity": s, "specificity": sp,
                        "inconclusive": float(((p >= info["inconclusive"]["low"]) &
                                               (p < info["inconclusive"]["high"])).mean())}
        out[name] = {"threshold": info["threshold"], "temperature": info["temperature"], "held_out": res}
        log(f"[{name}] leave-one-source-out: {json.dumps(res)[:600]}")
    return out
