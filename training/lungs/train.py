"""Train, check and export the lung segmentation model.

/usr/bin/python3 -m training.lungs.train --data ../shared/cxr-data --out models [--smoke] [--seed N]

Fits on the train split's masks (JSRT manual outlines weighted 1, ieee8023 model-made outlines 0.5),
folds BatchNorm, rounds the weights to int8 levels and quantizes the activations (static int8, as shipped:
training/quantize.py), then measures Dice and IoU on the
val and test masks, separately for manual and model-made outlines, and writes models/lungs.onnx with
its card. Nothing is selected on test: the schedule is fixed and test is only measured.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from .. import compress, loop, quantize
from ..data import Manifest, load_canonical
from . import export
from ..augment import augment_lungs
from .data import MaskSet
from .metrics import dice_iou

FULL = {"samples": 10000, "batch": 16}
SMOKE = {"samples": 96, "batch": 8}
WEIGHT = {"jsrt": 1.0, "ieee8023": 0.5}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="../shared/cxr-data")
    ap.add_argument("--out", default="models")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=2)
    return ap.parse_args(argv)


def loss_fn(logits, y):
    p = torch.sigmoid(logits)
    inter = (p * y).sum(dim=(1, 2, 3))
    dice = (2 * inter + 1) / (p.sum(dim=(1, 2, 3)) + y.sum(dim=(1, 2, 3)) + 1)
    return F.binary_cross_entropy_with_logits(logits, y) + (1 - dice).mean()


def fit(net, ds, cfg, seed, log):
    w = np.array([WEIGHT.get(r["source"], 0.5) for r in ds.rows])

    def batch_loss(ix, rng):
        x, y = augment_lungs(ds.x[ix], ds.y[ix], rng)
        return loss_fn(net(x), y), {}

    return loop.train(net, len(ds), cfg["samples"], batch_loss, lr=3e-3, weight_decay=1e-4, seed=seed,
                      weights=w / w.sum(), batch=cfg["batch"], log=log, tag="lungs")


@torch.no_grad()
def predict(net, x_u8, batch=16):
    out = []
    for i in range(0, len(x_u8), batch):
        xb = torch.from_numpy(np.asarray(x_u8[i:i + batch], np.float32)).unsqueeze(1)
        out.append(torch.sigmoid(net(xb))[:, 0].numpy())
    return np.concatenate(out) if out else np.zeros((0, 256, 256), np.float32)


def measure(net, ds):
    """Mean Dice and IoU (threshold 0.5) per kind of outline."""
    p = predict(net, ds.x) >= 0.5
    res = {}
    for kind, sel in (("manual", ds.manual), ("model_made", ~ds.manual)):
        if sel.any():
            d, j = dice_iou(p[sel], ds.y[sel])
            res[kind] = {"n": int(sel.sum()), "dice": round(float(d.mean()), 4), "dice_min": round(float(d.min()), 4),
                         "iou": round(float(j.mean()), 4)}
    return res


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    cfg = SMOKE if args.smoke else FULL
    manifest = Manifest(args.data)
    t0 = time.time()

    def log(msg):
        print(f"{time.time() - t0:7.0f}s {msg}", flush=True)

    from .unet import UNet
    tr = MaskSet(manifest, "train")
    log(f"train masks: {len(tr)} ({int(tr.manual.sum())} manual)")
    torch.manual_seed(args.seed)  # the initial weights too (torch's own start seed is random)
    net = fit(UNet(), tr, cfg, args.seed, log)
    compress.quantize_weights_(net)
    quantize.calibrate_(net, quantize.calibration_batches(load_canonical(manifest, "train")))  # every source
    metrics = {s: measure(net, MaskSet(manifest, s)) for s in ("train", "val", "test")}
    log(f"[lungs] Dice/IoU: {json.dumps(metrics)}")
    os.makedirs(os.path.join(args.out, "pytorch"), exist_ok=True)
    torch.save(net.state_dict(), os.path.join(args.out, "pytorch", "lungs.pt"))
    export.export(net, manifest, metrics, {"seed": args.seed, "schedule": cfg, "outline_weights": WEIGHT},
                  args.out, log)
    log(f"done in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
