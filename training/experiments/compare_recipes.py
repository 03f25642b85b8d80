"""Paired comparison of two recipes' leave-one-source-out folds from the recipe search's saved logits.

/usr/bin/python3 -m training.experiments.compare_recipes build/search-full/covid_pneumonia-appearance-full-n10144.npz \
    build/search-full/covid_pneumonia-v3-full-n10144.npz [--resamples 1000]

Both files must hold the same rows (recipe_search saves each fold's source, label and held-out flag beside
its logits). Per held-out source, the AUC of its negatives against the COVID-19 images the fold never
trained on (as recipe_search scores it) for each recipe, and the difference A - B with a 95% interval from
resampling the images (positives and negatives apart, the same resample for both recipes): it holds the
sampling of images, not the training's seed-to-seed spread.
"""
import argparse

import numpy as np

from .. import metrics
from .recipe_search import scored


def folds(path):
    """{held-out source: (logits, source, label, held)} of one saved search result."""
    z = np.load(path)
    names = sorted({k.rsplit("_", 1)[0] for k in z.files if k.endswith("_logits")})
    if any(f"{s}_held" not in z.files for s in names):
        raise SystemExit(f"{path} has no rows beside its logits (saved before recipe_search kept them)")
    return {s: (z[f"{s}_logits"], z[f"{s}_source"], z[f"{s}_label"], z[f"{s}_held"]) for s in names}


def score(logits):
    """A monotone score for COVID-19, class 1 as in calibrate.softmax1 (the logit difference: a temperature
    would not change an AUC)."""
    return logits[:, 1] - logits[:, 0]


def paired(a, b, resamples, seed=0):
    """Per source: n, AUC of A, AUC of B, A - B and its 95% interval."""
    out = {}
    rng = np.random.default_rng(seed)
    for src in a:
        la, sa, ya, ha = a[src]
        lb, sb, yb, hb = b[src]
        if not (np.array_equal(sa, sb) and np.array_equal(ya, yb) and np.array_equal(ha, hb)):
            raise SystemExit(f"fold {src}: the two files do not hold the same rows")
        pos_mask, neg_mask = scored(ya == "covid", ha)
        sel = pos_mask | neg_mask
        y = (ya == "covid")[sel].astype(int)
        pa, pb = score(la)[sel], score(lb)[sel]
        pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
        if not len(pos) or not len(neg):  # no AUC (ieee8023 in Model 1 has no normals)
            continue
        diffs = []
        for _ in range(resamples):
            idx = np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))])
            diffs.append(metrics.auc(y[idx], pa[idx]) - metrics.auc(y[idx], pb[idx]))
        auc_a, auc_b = metrics.auc(y, pa), metrics.auc(y, pb)
        out[src] = {"n_covid": len(pos), "n_negative": len(neg), "auc_a": auc_a, "auc_b": auc_b,
                    "diff": auc_a - auc_b, "ci": [float(np.percentile(diffs, 2.5)), float(np.percentile(diffs, 97.5))]}
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--resamples", type=int, default=1000)
    args = ap.parse_args(argv)
    a, b = folds(args.a), folds(args.b)
    if sorted(a) != sorted(b):
        raise SystemExit(f"different folds: {sorted(a)} and {sorted(b)}")
    print("| held out | n COVID-19 / n neg | AUC A | AUC B | A − B (95% interval) |\n|---|---|---|---|---|")
    for src, r in paired(a, b, args.resamples).items():
        print(f"| {src} | {r['n_covid']} / {r['n_negative']} | {r['auc_a']:.3f} | {r['auc_b']:.3f} | "
              f"{r['diff']:+.3f} ({r['ci'][0]:+.3f} to {r['ci'][1]:+.3f}) |")


if __name__ == "__main__":
    main()
