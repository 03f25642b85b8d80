"""Binary metrics with bootstrap confidence intervals, and their breakdown by source / age group / view."""
import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

N_BOOT = 1000


def auc(y, p):
    y = np.asarray(y)
    return float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else None


def sens_spec(y, p, thr):
    y, pred = np.asarray(y), np.asarray(p) >= thr
    sens = float(pred[y == 1].mean()) if (y == 1).any() else None
    spec = float((~pred[y == 0]).mean()) if (y == 0).any() else None
    return sens, spec


def ece(y, p, bins=10):
    """Expected calibration error of P(COVID) with equal-width bins."""
    y, p = np.asarray(y, float), np.asarray(p, float)
    idx = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.sum() * abs(p[m].mean() - y[m].mean())
    return float(total / len(y))


def reliability(y, p, bins=10):
    y, p = np.asarray(y, float), np.asarray(p, float)
    idx = np.minimum((p * bins).astype(int), bins - 1)
    return [(float(p[idx == b].mean()), float(y[idx == b].mean()), int((idx == b).sum()))
            for b in range(bins) if (idx == b).any()]


def _stats(y, p, thr):
    s, sp = sens_spec(y, p, thr)
    return {"auc": auc(y, p), "sensitivity": s, "specificity": sp, "ece": ece(y, p)}


def summary(y, p, thr, seed=0, n_boot=N_BOOT):
    """n, positives, AUC / sensitivity / specificity / ECE with 95% percentile-bootstrap CIs."""
    y, p = np.asarray(y), np.asarray(p, float)
    out = {"n": int(len(y)), "n_covid": int(y.sum())}
    if len(y) == 0:
        return out
    point = _stats(y, p, thr)
    rng = np.random.default_rng(seed)
    boots = {k: [] for k in point}
    pos, neg = np.nonzero(y == 1)[0], np.nonzero(y == 0)[0]
    for _ in range(n_boot):  # stratified: keeps the class counts of the sample
        i = np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))]) if len(pos) and len(neg) \
            else rng.integers(0, len(y), len(y))
        st = _stats(y[i], p[i], thr)
        for k, v in st.items():
            if v is not None:
                boots[k].append(v)
    for k, v in point.items():
        if v is None:
            continue
        b = boots[k]
        out[k] = round(v, 4)
        if b:
            out[k + "_ci95"] = [round(float(np.percentile(b, 2.5)), 4), round(float(np.percentile(b, 97.5)), 4)]
    return out


def breakdown(y, p, thr, rows, seed=0, n_boot=N_BOOT):
    """Overall figures plus the same per source, per age group, per view and per label x source."""
    y, p = np.asarray(y), np.asarray(p, float)
    out = {"all": summary(y, p, thr, seed, n_boot)}
    for col in ("source", "age_group", "view"):
        groups = {}
        for i, r in enumerate(rows):
            groups.setdefault(r[col], []).append(i)
        out["by_" + col] = {g: summary(y[ix], p[ix], thr, seed, n_boot) for g, ix in sorted(groups.items())}
    return out


def roc_points(y, p):
    fpr, tpr, _ = roc_curve(y, p)
    return fpr, tpr


def rate_above(p, thr):
    p = np.asarray(p)
    return float((p >= thr).mean()) if len(p) else None
