"""The recipe search on leave-one-source-out folds (train+val only; never test).

/usr/bin/python3 -m training.experiments.recipe_search --task covid_normal --held-out chexpert,nih \
    --recipes v3,adversary,appearance,wide,res160 [--schedule search] [--threads 2] [--out build/search]

For each recipe (train.RECIPES over the shipped variant) a backbone is pretrained without any source of
train.HELD_OUT (as make train's fold backbone; saved in --out and shared by recipes of the same network),
then per held-out source a fold model is fine-tuned on train without that source. Each fold model predicts
the held-out source's train+val images and every other source's val images. A recipe's cross-fitted pool
is all of its folds' predictions; temperature (NLL) and threshold (pool sensitivity >= calibrate.SENS_MARGIN)
come from that pool, as in calibrate.py. Per held-out source: AUC of its negatives against the COVID-19
images the fold model never trained on (the held-out source's own, else every source's val), sensitivity
on those positives and specificity on the held-out negatives at the pool's threshold. Results go to
--out/<task>-<recipe>.json; --table prints the markdown table of every result found in --out.
"""
import argparse
import glob
import json
import os
import time

import numpy as np
import torch

from .. import calibrate, loop, metrics
from ..data import Manifest, Split
from ..lungs.field import LungFields
from ..train import (HELD_OUT, PRETRAIN_CLASSES, RECIPES, SCHEDULES, TASKS, VARIANTS, classifier, fine_tune_rows,
                     fold_model, pretrain)


def network_key(v):
    return f"r{v['internal']}-w{'-'.join(map(str, v['widths']))}"


def fold_backbone(v, pool, cfg, args, log):
    """The backbone pretrained without any held-out source, for this recipe's network (cached in --out)."""
    path = os.path.join(args.out, f"backbone-{network_key(v)}-s{cfg['fold_pretrain']}-n{len(pool)}-seed{args.seed}.pt")
    torch.manual_seed(args.seed)
    pre = classifier(len(PRETRAIN_CLASSES), v, fine_cam=False)
    if os.path.exists(path):
        pre.backbone.load_state_dict(torch.load(path, map_location="cpu"))
        log(f"fold backbone reused from {path}")
    else:
        pretrain(pre, pool, cfg["fold_pretrain"], v, args.seed, None, log, tag=f"{network_key(v)}/pretrain")
        torch.save(pre.backbone.state_dict(), path)
    return pre


def fold(name, src, v, pre, tr, va, cfg, seed, log):
    """One fold model's logits: on the held-out source's train+val images and on the other sources' val."""
    t0 = time.time()
    clf = fold_model(name, src, v, pre.backbone.state_dict(), fine_tune_rows(tr, name, v), cfg["fold_finetune"], seed,
                     log)[0]
    parts = [tr.subset(np.array([r["source"] == src for r in tr.rows])),
             va.subset(np.array([r["source"] == src for r in va.rows])),
             va.subset(np.array([r["source"] != src for r in va.rows]))]
    logits = [loop.run_batches(clf, p.x) if len(p) else np.zeros((0, 2), np.float32) for p in parts]
    rows = [dict(source=r["source"], label=r["label"], held=k < 2) for k, p in enumerate(parts) for r in p.rows]
    return np.concatenate(logits), rows, time.time() - t0


def fold_arrays(f):
    """A fold's logits and, per row, its source, label and whether it is a held-out image."""
    return {"logits": f["logits"], "source": np.array([r["source"] for r in f["rows"]]),
            "label": np.array([r["label"] for r in f["rows"]]), "held": np.array([r["held"] for r in f["rows"]])}


def scored(is_covid, held):
    """A fold's scored rows: COVID-19 from the held-out source itself when it has any, else every COVID-19
    image (the other sources' val); negatives from the held-out source. Returns the two masks."""
    own = is_covid & held
    return (own if own.any() else is_covid), ~is_covid & held


def score(name, folds):
    """Per held-out source: AUC, sensitivity, specificity at the pool's threshold; the pool's own figures."""
    classes = TASKS[name][::-1]
    logits = np.concatenate([f["logits"] for f in folds.values()])
    y = np.concatenate([[classes.index(r["label"]) for r in f["rows"]] for f in folds.values()])
    t = calibrate.fit_temperature(logits, y)
    thr = calibrate.threshold_for_sensitivity(calibrate.softmax1(logits, t), y, calibrate.SENS_MARGIN)
    out = {"temperature": t, "threshold": thr, "by_source": {}}
    for src, f in folds.items():
        p = calibrate.softmax1(f["logits"], t)
        yf = np.array([classes.index(r["label"]) for r in f["rows"]])
        held = np.array([r["held"] for r in f["rows"]])
        pos, neg = scored(yf == 1, held)
        sel = pos | neg
        s, sp = metrics.sens_spec(yf[sel], p[sel], thr)
        seen = ~held
        out["by_source"][src] = {
            "n_negative": int(neg.sum()), "n_covid": int(pos.sum()),
            "covid_from": src if ((yf == 1) & held).any() else "val of the other sources",
            "auc": metrics.auc(yf[sel], p[sel]), "sensitivity": s, "specificity": sp,
            "seen_val_auc": metrics.auc(yf[seen], p[seen]), "seconds": f["seconds"]}
    return out


def auc_se(a, n_pos, n_neg):
    """Hanley & McNeil's (1982) standard error of an AUC (no bootstrap: only the logits are kept)."""
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    return float(np.sqrt((a * (1 - a) + (n_pos - 1) * (q1 - a * a) + (n_neg - 1) * (q2 - a * a)) / (n_pos * n_neg)))


def table(out_dir):
    """Markdown rows of every result in out_dir."""
    lines = ["| model | recipe | schedule | held out | n neg / n COVID-19 | AUC (± SE) | sensitivity | specificity | "
             "val AUC, seen sources |", "|---|---|---|---|---|---|---|---|---|"]
    for path in sorted(glob.glob(os.path.join(out_dir, "*.json"))):
        with open(path) as f:
            res = json.load(f)
        for src, m in res["score"]["by_source"].items():
            recipe = res["recipe"] + "".join(f" without {w}" for w in res.get("without", [])) + (
                f", seed {res['seed']}" if res.get("seed", 1234) != 1234 else "")
            # a source without negatives (ieee8023 in Model 1) gives a sensitivity only
            auc = "—" if m["auc"] is None else f"{m['auc']:.3f} ± {auc_se(m['auc'], m['n_covid'], m['n_negative']):.3f}"
            lines.append(f"| {res['task']} | {recipe} | {res['schedule_name']}, {res['train_images']} train | {src} | "
                         f"{m['n_negative']} / {m['n_covid']} | {auc} | {m['sensitivity']:.3f} | "
                         f"{'—' if m['specificity'] is None else format(m['specificity'], '.3f')} | {m['seen_val_auc']:.3f} |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="../shared/cxr-data")
    ap.add_argument("--models", default="models", help="where the lung model is")
    ap.add_argument("--task", default="covid_normal", choices=sorted(TASKS))
    ap.add_argument("--held-out", default=None, help="comma-separated; default train.HELD_OUT[task]")
    ap.add_argument("--recipes", default="v3")
    ap.add_argument("--schedule", default="search", choices=sorted(SCHEDULES))
    ap.add_argument("--train-limit", type=int, default=None,
                    help="a stratified subset of train of about this many images (the CPU-bound search)")
    ap.add_argument("--without", default="",
                    help="comma-separated sources left out of every fold's fine-tuning (an ablation: what their images "
                         "cost the held-out source)")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=os.path.join("build", "search"))
    ap.add_argument("--table", action="store_true", help="print the table of the results in --out and stop")
    args = ap.parse_args(argv)
    if args.table:
        print(table(args.out))
        return
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    cfg = SCHEDULES[args.schedule]
    t0 = time.time()

    def log(msg):
        print(f"{time.time() - t0:7.0f}s {msg}", flush=True)

    manifest = Manifest(args.data)
    fields = LungFields(manifest, args.models, log)
    held_all = {s for srcs in HELD_OUT.values() for s in srcs}
    # One train subset (label x source strata) serves pretraining and fine-tuning, so that the lung model
    # runs once on it; val is whole.
    every = Split(manifest, "train", set(PRETRAIN_CLASSES), args.train_limit or cfg["limit"], args.seed,
                  fields=fields)
    pool = every.subset(np.array([r["source"] not in held_all for r in every.rows]))
    without = set(filter(None, args.without.split(",")))
    tr = every.subset(np.array([r["label"] in TASKS[args.task] for r in every.rows]))
    va = Split(manifest, "val", set(TASKS[args.task]), cfg["limit"], args.seed, fields=fields)
    log(f"train {len(every)} images ({len(tr)} of the task, {len(pool)} for the fold backbone), val {len(va)}")
    sources = args.held_out.split(",") if args.held_out else HELD_OUT[args.task]
    for recipe in args.recipes.split(","):
        v = dict(VARIANTS["shipped"], **RECIPES[recipe])
        if without:  # the recipe's own fine_tune_without, widened for this task
            dropped = v.get("fine_tune_without", {})
            v["fine_tune_without"] = dict(dropped, **{args.task: tuple(sorted(without | set(dropped.get(args.task, ()))))})
        pre = fold_backbone(v, pool, cfg, args, log)
        folds = {}
        for src in sources:
            logits, rows, sec = fold(args.task, src, v, pre, tr, va, cfg, args.seed, log)
            folds[src] = {"logits": logits, "rows": rows, "seconds": sec}
        res = {"task": args.task, "recipe": recipe, "measures": {k: list(x) if isinstance(x, tuple) else x
                                                                   for k, x in v.items()},
               "schedule_name": args.schedule, "schedule": cfg, "seed": args.seed, "manifest": manifest.sha256,
               "train_images": len(every), "task_train_images": len(fine_tune_rows(tr, args.task, v)),
               "without": sorted(without),
               "score": score(args.task, folds)}
        tag = "".join(f"-without-{w}" for w in sorted(without)) + (f"-seed{args.seed}" if args.seed != 1234 else "")
        path = os.path.join(args.out, f"{args.task}-{recipe}-{args.schedule}-n{len(every)}{tag}.json")
        with open(path, "w") as f:
            json.dump(res, f, indent=1)
        log(f"[{recipe}] {json.dumps(res['score'])}")
        # the rows beside the logits, so that two recipes' folds can be compared image by image (paired bootstrap)
        np.savez_compressed(path[:-5] + ".npz", **{f"{s}_{k}": v for s in folds for k, v in fold_arrays(folds[s]).items()})
    print(table(args.out))


if __name__ == "__main__":
    main()
