"""An independent computation of the "Your data" figures (src/core/site_metrics.h) with scikit-learn,
SciPy and numpy: the reference that tests/python/test_site_metrics.py checks the C++ against, and that
tests/e2e/your_data.test.mjs runs on the page's predictions.

  /usr/bin/python3 tests/python/site_metrics_ref.py THRESHOLD < pairs    ("p label" lines; label 1 = COVID-19)
prints {"n_pos", "n_neg", "auc", "auc_ci", "sensitivity", "specificity", "site_thresholds": {"0.95": ...}}.
"""
import json
import sys

import numpy as np
from scipy.stats import binomtest, norm
from sklearn.metrics import roc_auc_score, roc_curve

Z = norm.ppf(0.975)
TARGETS = (0.90, 0.95, 0.98)


def delong(p, y):
    """AUC and its DeLong SE by the O(m n) definition (not the midrank algorithm the C++ uses)."""
    x, z = p[y == 1], p[y == 0]
    psi = (x[:, None] > z[None, :]) + 0.5 * (x[:, None] == z[None, :])
    auc = psi.mean()
    if len(x) < 2 or len(z) < 2:
        return auc, None
    var = psi.mean(axis=1).var(ddof=1) / len(x) + psi.mean(axis=0).var(ddof=1) / len(z)
    return auc, float(np.sqrt(var))


def wilson(k, n):
    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=0.95, method="wilson")
    return [ci.low, ci.high]


def site_threshold(p, y, target):
    if (y == 1).sum() < 20 or (y == 0).sum() < 20:
        return None
    fpr, tpr, thr = roc_curve(y, p, drop_intermediate=False)
    ok = [i for i in range(1, len(thr)) if tpr[i] >= target]
    i = max(ok, key=lambda i: thr[i])
    t = float(thr[i])
    tp, tn = int(((p >= t) & (y == 1)).sum()), int(((p < t) & (y == 0)).sum())
    n_pos, n_neg = int((y == 1).sum()), int((y == 0).sum())
    return {"threshold": t, "sensitivity": tp / n_pos, "sensitivity_ci": wilson(tp, n_pos),
            "specificity": tn / n_neg, "specificity_ci": wilson(tn, n_neg)}


def ece(p, y, bins=10):
    b = np.minimum(np.floor(p * bins).astype(int), bins - 1)
    return float(sum((b == k).sum() / len(p) * abs(p[b == k].mean() - y[b == k].mean()) for k in range(bins) if (b == k).any()))


def figures(p, y, threshold, band=(0.5, 0.5)):
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=int)
    n_pos, n_neg = int((y == 1).sum()), int((y == 0).sum())
    out = {"n_pos": n_pos, "n_neg": n_neg, "auc": None, "auc_ci": None, "roc": None}
    if n_pos and n_neg:
        auc, se = delong(p, y)
        out["auc"] = float(roc_auc_score(y, p))
        out["auc_delong"] = float(auc)
        if se is not None:
            out["auc_ci"] = [max(0.0, auc - Z * se), min(1.0, auc + Z * se)]
        fpr, tpr, thr = roc_curve(y, p, drop_intermediate=False)
        out["roc"] = {"threshold": [None] + [float(t) for t in thr[1:]], "fpr": fpr.tolist(), "tpr": tpr.tolist()}
    called = p >= threshold
    tp, tn = int((called & (y == 1)).sum()), int((~called & (y == 0)).sum())
    out["confusion"] = {"tp": tp, "fn": n_pos - tp, "fp": n_neg - tn, "tn": tn}
    out["sensitivity"] = tp / n_pos if n_pos else None
    out["sensitivity_ci"] = wilson(tp, n_pos) if n_pos else None
    out["specificity"] = tn / n_neg if n_neg else None
    out["specificity_ci"] = wilson(tn, n_neg) if n_neg else None
    inc = int(((p >= band[0]) & (p < band[1])).sum())
    out["inconclusive"] = inc / len(p) if len(p) else None
    out["ece"] = ece(p, y) if len(p) else None
    out["site_thresholds"] = {f"{t:.2f}": site_threshold(p, y, t) for t in TARGETS}
    return out


if __name__ == "__main__":
    pairs = np.loadtxt(sys.stdin, ndmin=2)
    print(json.dumps(figures(pairs[:, 0], pairs[:, 1], float(sys.argv[1]))))
