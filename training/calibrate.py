"""Temperature scaling, the operating threshold and the inconclusive band, fitted on cross-fitted
predictions of train+val (never test): for every source that can be held out, the predictions of a model
that did not train on that source; for the others, the shipped model's predictions on val."""
import numpy as np

SENS_TARGET = 0.95
# The threshold is set where the cross-fitted sensitivity is >= SENS_MARGIN rather than exactly 0.95, so
# that the shipped sensitivity stays >= 0.95 on new data despite the pool's sampling noise.
SENS_MARGIN = 0.96
BAND_SENS = 0.98
BAND_SPEC = 0.85

POOL_RULE = ("Cross-fitted pool (train+val, never test): for each source a model can be trained without "
             "(leave-one-source-out folds), the predictions of a fold model fine-tuned from a backbone that saw "
             "none of those sources; for every other image of val, the shipped model's own prediction.")
THRESHOLD_RULE = (f"Largest threshold on calibrated P(COVID-19) at which the cross-fitted pool's sensitivity is "
                  f">= {SENS_MARGIN} (target: >= {SENS_TARGET} on new data). Temperature: NLL on the same pool. "
                  + POOL_RULE + " Chosen without test.")
BAND_RULE = (f"Inconclusive band, from the cross-fitted pool: low = the largest threshold at which its sensitivity "
             f"is >= {BAND_SENS}; high = the smallest threshold at which its specificity is >= {BAND_SPEC}; each "
             "clamped so that low <= threshold <= high. Probabilities inside [low, high) are reported as "
             "inconclusive by the page.")


def softmax1(logits, t):
    z = logits / t
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e[:, 1] / e.sum(axis=1)


def nll(logits, y, t):
    p1 = np.clip(softmax1(logits, t), 1e-7, 1 - 1e-7)
    return float(-np.mean(np.where(y == 1, np.log(p1), np.log(1 - p1))))


def fit_temperature(logits, y):
    """T minimising the val negative log-likelihood (grid on log T, then a finer grid)."""
    y = np.asarray(y)
    grid = np.exp(np.linspace(np.log(0.05), np.log(20), 241))
    best = min(grid, key=lambda t: nll(logits, y, t))
    fine = best * np.exp(np.linspace(-0.03, 0.03, 61))
    return float(min(fine, key=lambda t: nll(logits, y, t)))


def threshold_for_sensitivity(p, y, target):
    """Largest t such that mean(p[y==1] >= t) >= target."""
    pos = np.sort(np.asarray(p)[np.asarray(y) == 1])
    k = int(np.floor((1 - target) * len(pos) + 1e-9))  # positives we may miss
    return float(pos[min(k, len(pos) - 1)])


def threshold_for_specificity(p, y, target):
    """Smallest t such that mean(p[y==0] < t) >= target."""
    neg = np.sort(np.asarray(p)[np.asarray(y) == 0])
    k = int(np.ceil(target * len(neg) - 1e-9))  # negatives that must fall below t
    return float(np.nextafter(neg[k - 1], 1.0)) if k >= 1 else 0.0


def operating_point(p, y):
    thr = threshold_for_sensitivity(p, y, SENS_MARGIN)
    low = min(threshold_for_sensitivity(p, y, BAND_SENS), thr)
    high = max(threshold_for_specificity(p, y, BAND_SPEC), thr)
    return thr, low, high
