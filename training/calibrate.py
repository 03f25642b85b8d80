"""Temperature scaling and the operating threshold, both fitted on the validation split only."""
import numpy as np

SENS_TARGET = 0.95
# The threshold is set where val sensitivity is >= SENS_MARGIN rather than exactly 0.95, so that the
# shipped sensitivity stays >= 0.95 on new data of the same kind despite the val sample's noise.
SENS_MARGIN = 0.97

THRESHOLD_RULE = (f"Largest threshold on calibrated P(COVID-19) at which sensitivity on the validation split "
                  f"is >= {SENS_MARGIN} (target: >= {SENS_TARGET} on new data; the margin absorbs the "
                  f"sampling noise of the validation set). Chosen on val only; test was never used.")
BAND_RULE = ("Inconclusive band, from the validation split: low = the largest threshold at which val "
             "sensitivity is >= 0.99 (below it almost no COVID-19 case of val falls); high = the smallest "
             "threshold at which val specificity is >= 0.99 (above it almost no negative of val falls); "
             "each clamped so that low <= threshold <= high. Probabilities inside [low, high) are reported "
             "as inconclusive by the page.")


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
    low = min(threshold_for_sensitivity(p, y, 0.99), thr)
    high = max(threshold_for_specificity(p, y, 0.99), thr)
    return thr, low, high
