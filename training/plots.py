"""PNG figures of docs/EVALUATION.md: ROC curves, reliability diagram, CAM overlays (kept small)."""
import io
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from PIL import Image  # noqa: E402

from . import metrics  # noqa: E402

DPI = 80


def _save(fig, path):
    """Save as a 256-colour PNG (plots and overlays stay well under 300 KB)."""
    buf = io.BytesIO()
    fig.savefig(buf, dpi=DPI, bbox_inches="tight", format="png")
    plt.close(fig)
    buf.seek(0)
    Image.open(buf).convert("RGB").quantize(colors=256).save(path, optimize=True)
    return path


def roc(curves, path):
    """curves: {model title: [(label, y, p, style), ...]}"""
    fig, axes = plt.subplots(1, len(curves), figsize=(5 * len(curves), 4.6))
    for ax, (title, lines) in zip(np.atleast_1d(axes), curves.items()):
        for label, y, p, style in lines:
            if metrics.auc(y, p) is None:
                continue
            fpr, tpr = metrics.roc_points(y, p)
            ax.plot(fpr, tpr, style, label=f"{label} (AUC {metrics.auc(y, p):.3f})", lw=1.4)
        ax.plot([0, 1], [0, 1], ":", color="grey", lw=0.8)
        ax.set(title=title, xlabel="1 - specificity", ylabel="sensitivity", xlim=(0, 1), ylim=(0, 1.01))
        ax.legend(loc="lower right", fontsize=7)
    return _save(fig, path)


def reliability(series, path):
    """series: {label: (y, p)}"""
    fig, ax = plt.subplots(figsize=(4.8, 4.6))
    ax.plot([0, 1], [0, 1], ":", color="grey", lw=0.8)
    for label, (y, p) in series.items():
        pts = metrics.reliability(y, p)
        ax.plot([a for a, _, _ in pts], [b for _, b, _ in pts], "o-", ms=3,
                label=f"{label} (ECE {metrics.ece(y, p):.3f})")
    ax.set(xlabel="mean predicted P(COVID-19)", ylabel="observed share of COVID-19", xlim=(0, 1), ylim=(0, 1),
           title="Reliability (test, 10 bins)")
    ax.legend(fontsize=7, loc="upper left")
    return _save(fig, path)


def cam_grid(items, path, cols=6):
    """items: [(image uint8 224x224, cam hxw, caption)] -> a grid of overlays."""
    rows = -(-len(items) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.9 * cols, 2.05 * rows))
    for ax in np.atleast_1d(axes).ravel():
        ax.axis("off")
    for ax, (img, cam, cap) in zip(np.atleast_1d(axes).ravel(), items):
        up = F.interpolate(torch.from_numpy(np.asarray(cam, np.float32))[None, None], size=img.shape,
                           mode="bilinear", align_corners=False)[0, 0].numpy()
        ax.imshow(img, cmap="gray", vmin=0, vmax=255)
        ax.imshow(up, cmap="jet", alpha=0.35 * (up > 0.05), vmin=0, vmax=1)
        ax.set_title(cap, fontsize=6)
    fig.tight_layout(pad=0.2)
    return _save(fig, path)


def check_sizes(paths, limit=300 * 1024):
    return {os.path.basename(p): os.path.getsize(p) for p in paths if os.path.getsize(p) > limit}
