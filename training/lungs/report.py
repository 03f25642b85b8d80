"""The lung model's part of docs/EVALUATION.md: Dice/IoU on held-out outlines, the gate's lung reasons on
test, and a grid of outlines on COVID-19, pediatric, lateral and JSRT test images."""
import collections
import json
import os

import numpy as np
from PIL import Image, ImageDraw

from ..data import load_canonical
from .data import MaskSet
from .field import load_net
from .metrics import dice_iou
from .train import predict

GROUPS = [("COVID-19, crd_partial", lambda r: r["label"] == "covid" and r["source"] == "crd_partial"),
          ("COVID-19, ieee8023", lambda r: r["label"] == "covid" and r["source"] == "ieee8023"),
          ("pediatric normal", lambda r: r["label"] == "normal" and r["age_group"] == "pediatric"),
          ("pediatric pneumonia", lambda r: r["label"] == "pneumonia" and r["age_group"] == "pediatric"),
          ("adult normal, crd_partial", lambda r: r["label"] == "normal" and r["source"] == "crd_partial"),
          ("lateral, ieee8023", lambda r: r["label"] == "lateral")]


def dice_rows(models_dir, manifest):
    net = load_net(models_dir)
    out = []
    for split in ("val", "test"):
        ds = MaskSet(manifest, split)
        if not len(ds):
            continue
        p = predict(net, ds.x) >= 0.5
        for kind, sel in (("manual (JSRT SCR)", ds.manual), ("model-made (ieee8023 VAE)", ~ds.manual)):
            if sel.any():
                d, j = dice_iou(p[sel], ds.y[sel])
                out.append((split, kind, int(sel.sum()), float(d.mean()), float(np.median(d)), float(d.min()),
                            float(j.mean())))
    return out


def overlay_grid(canon, masks, labels, path, per_row=6, tile=160):
    rows = -(-len(canon) // per_row)
    sheet = Image.new("RGB", (per_row * tile, rows * (tile + 14)), "white")
    draw = ImageDraw.Draw(sheet)
    for k, (c, m, label) in enumerate(zip(canon, masks, labels)):
        rgb = np.stack([c] * 3, -1).astype(np.float32)
        edge = m & ~(np.roll(m, 1, 0) & np.roll(m, -1, 0) & np.roll(m, 1, 1) & np.roll(m, -1, 1))
        edge = edge | np.roll(edge, 1, 0) | np.roll(edge, 1, 1)
        rgb[edge] = (0, 215, 240)
        im = Image.fromarray(rgb.astype(np.uint8)).resize((tile, tile), Image.BILINEAR)
        x, y = (k % per_row) * tile, (k // per_row) * (tile + 14)
        sheet.paste(im, (x, y + 14))
        draw.text((x + 2, y + 1), label[:26], fill="black")
    sheet.quantize(colors=128).save(path, optimize=True)
    return path


def section(models_dir, manifest, test, fields, plot_dir, log):
    with open(os.path.join(models_dir, "lungs.json")) as f:
        card = json.load(f)
    dice = dice_rows(models_dir, manifest)
    log(f"lungs: Dice {dice}")
    reasons = collections.Counter()
    totals = collections.Counter()
    for r, i in zip(test.rows, test.field_info):
        key = f"{r['label']}/{r['source']}/{r['age_group']}"
        totals[key] += 1
        if i["reason"]:
            reasons[(key, i["reason"])] += 1
    all_canon = load_canonical(manifest, "test")
    masks = fields.masks("test", test.idx) >= 128
    rng = np.random.default_rng(0)
    picks, labels = [], []
    for name, f in GROUPS:
        members = [k for k, r in enumerate(test.rows) if f(r)]
        for k in rng.permutation(members)[:3] if members else []:
            picks.append(int(k))
            reason = test.field_info[int(k)]["reason"]
            labels.append(f"{name}{' [' + reason + ']' if reason else ''}")
    path = overlay_grid(np.stack([all_canon[test.idx[k]] for k in picks]), masks[picks], labels,
                        os.path.join(plot_dir, "lung_outlines.png"))
    lines = ["## Lung fields: the lung model", "",
             f"`models/lungs.onnx` v{card['version']} ({card['bytes']} bytes, {card['architecture']['parameters']} "
             f"parameters, {card['architecture']['type']}), sha256 `{card['sha256'][:16]}…`. Trained on the train "
             "split's outlines only; Dice and IoU per image on the canonical 256×256 grid (threshold 0.5), "
             "weights as shipped (int8 levels), PyTorch:", "",
             "| split | outlines | n | Dice mean | Dice median | Dice min | IoU mean |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {s} | {k} | {n} | {d:.4f} | {md:.4f} | {mn:.4f} | {j:.4f} |" for s, k, n, d, md, mn, j in dice]
    lines += ["", "The manual outlines are the target (Dice ≥ 0.95); the ieee8023 outlines are another model's "
              "and coarser, so agreement with them is only a sanity check.", "",
              "Implausible lung fields on `test` (the input gate refuses these, with its reason):", "",
              "| group | n | refused | reasons |", "|---|---|---|---|"]
    for key in sorted(totals):
        rs = {reason: c for (k, reason), c in reasons.items() if k == key}
        lines.append(f"| {key} | {totals[key]} | {sum(rs.values())} ({sum(rs.values()) / totals[key]:.1%}) | "
                     + (", ".join(f"{r} {c}" for r, c in sorted(rs.items())) or "–") + " |")
    rel = os.path.relpath(path, os.path.dirname(os.path.dirname(path)))
    lines += ["", "Outlines of the lung model on random test images of each group (cyan; a gate reason in "
              "brackets):", "", f"![Lung outlines]({rel})", ""]
    return {"figs": [path], "markdown": lines, "dice": dice}
