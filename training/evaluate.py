"""Evaluate the shipped models on `test`: headline figures through the headless predictor, shortcut audits
in PyTorch on the cache for the shipped models (lung field), the previous models (models/previous/*, each
through its own input) and the plain baseline, the transfer audits (named groups, resolution,
leave-one-source-out: training/transfer.py), the lung model's Dice, plots, docs/EVALUATION.md, model cards.

/usr/bin/python3 -m training.evaluate --data ../shared/cxr-data --models models [--smoke] [--allow-torch]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

from . import audits, metrics, plots, predictor, report, transfer
from .data import Manifest, Split, full_image, load_canonical, sha256_file
from .lungs.data import load_masks
from .lungs.field import LungFields
from .export import TITLES, set_data_prose
from .loop import run_batches
from .train import TASKS

PARITY_TOL = 0.005


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="../shared/cxr-data")
    ap.add_argument("--models", default="models")
    ap.add_argument("--aux", default=None, help="baseline + source classifiers (default build/baseline)")
    ap.add_argument("--previous", default=os.path.join("models", "previous"),
                    help="folders of previous models (card + pytorch/<name>.pt) for the before/after audits")
    ap.add_argument("--smoke", action="store_true", help="a small test subset; writes build/smoke-eval/")
    ap.add_argument("--doc", default=None, help="default docs/EVALUATION.md (smoke: build/smoke-eval/)")
    ap.add_argument("--allow-torch", action="store_true",
                    help="if the predictor is not built, take the headline figures from PyTorch (marked)")
    ap.add_argument("--threads", type=int, default=2)
    return ap.parse_args(argv)


def task_mask(rows, name):
    labels = TASKS[name]
    return np.array([r["label"] in labels for r in rows]), np.array([r["label"] == "covid" for r in rows], int)


def run_predictor(test, args, log):
    if not predictor.available():
        if not args.allow_torch:
            sys.exit("evaluate: the headless predictor is not built (make build); --allow-torch to go on "
                     "with PyTorch figures")
        log("predictor unavailable: headline figures from PyTorch on the cache (marked in the report)")
        return None
    t = time.time()
    res = predictor.predict(test.files, args.models)
    log(f"predictor: {len(res)} rows in {time.time() - t:.0f}s")
    return res


def previous_models(folder):
    """(label, folder) of each previous pair in `folder` (models/previous/<label>/), oldest first."""
    if not os.path.isdir(folder):
        return []
    return [(d, os.path.join(folder, d)) for d in sorted(os.listdir(folder))
            if os.path.exists(os.path.join(folder, d, "covid_normal.json"))]


def audit_images(manifest, test, fields, rows_mask):
    """Canonical images, the lung model's masks and the audit outlines (the manifest's outline where the
    image has one, else the lung model's) of the selected test rows."""
    idx = test.idx[rows_mask]
    canon = np.ascontiguousarray(load_canonical(manifest, "test")[idx])
    pred = fields.masks("test", test.idx)[rows_mask]
    truth_rows = [i for i, r in enumerate(manifest.rows("test")) if r["lung_mask"]]
    truth = load_masks(manifest, "test") >= 128
    pos = {i: k for k, i in enumerate(truth_rows)}
    outline = np.stack([truth[pos[i]] if i in pos else pred[k] >= 128 for k, i in enumerate(idx)])
    return canon, pred, outline, int(sum(i in pos for i in idx))


def evaluate_model(name, test, p_head, p_torch, aux, args, fields, manifest, n_boot, log):
    net, card = audits.load_shipped(args.models, name)
    thr = card["threshold"]
    m, y_all = task_mask(test.rows, name)
    rows = [r for r, k in zip(test.rows, m) if k]
    y = y_all[m]
    info = [i for i, k in zip(test.field_info, m) if k]
    res = {"title": TITLES[name], "threshold": thr, "band": card["inconclusive"], "temperature": card["temperature"]}
    res["test"] = metrics.breakdown(y, p_head[m], thr, rows, n_boot=n_boot)
    if name == "covid_pneumonia":
        adult = np.array([r["age_group"] == "adult" for r in rows])
        res["adult_only"] = metrics.summary(y[adult], p_head[m][adult], thr, n_boot=n_boot)
    res["called_covid"] = transfer.group_rates(test.rows, p_head, thr, card["inconclusive"])
    log(f"[{name}] test {res['test']['all']}")
    canon, pred, outline, n_truth = audit_images(manifest, test, fields, m)
    res["outlines"] = {"manifest": n_truth, "lung_model": int(len(canon) - n_truth)}
    jpeg = audits.recompressed(canon)
    v2 = audits.Inputs("lung_field", pred)
    shipped, _, cam, x = audits.model_audit(net, thr, v2, canon, outline, jpeg, y, rows, info)
    res["audit"] = {"shipped": shipped}
    res["curves"] = {"y": y, "p": p_head[m], "p_torch_full": p_torch[m]}
    res["cam"] = (x, y, p_head[m], cam, rows)
    v1 = audits.Inputs("central")
    others = [(label, *audits.load_baseline(folder, name, shipped=True)) for label, folder in previous_models(args.previous)]
    others.append(("baseline", *audits.load_baseline(aux, name)))
    for label, bnet, bcard in others:
        if bnet is None:
            continue
        kind = v1 if label == "baseline" or bcard.get("contract_version", 1) < 2 else v2
        binfo = info if kind is v2 else None
        res["audit"][label], pb, _, _ = audits.model_audit(bnet, bcard["threshold"], kind, canon, outline, jpeg,
                                                            y, rows, binfo)
        res[f"{label}_test"] = metrics.summary(y, pb, bcard["threshold"], n_boot=n_boot)
        res["curves"][f"p_{label}"] = pb
        p_all = run_batches(bnet, test.x if kind is v2 else v1(load_canonical(manifest, "test")[test.idx]))[1]
        res[f"{label}_called_covid"] = transfer.group_rates(test.rows, p_all, bcard["threshold"], bcard["inconclusive"])
    log(f"[{name}] audit {json.dumps(res['audit'], default=str)[:3000]}")
    return res, card


UNMET = "Targets not met on the test split: "


def targets_unmet(name, res):
    """The targets a model misses on test (docs/EVALUATION.md lists them), from its results."""
    return [f"{t} {report.f3(v)}" for t, v, ok in report.target_rows(name, res) if ok is False]


def update_card(models_dir, name, card, res, src_audit, headline_source, parity, transfer_audits):
    """The test figures and audits into the card."""
    path = os.path.join(models_dir, f"{name}.json")
    if card["sha256"] != sha256_file(os.path.join(models_dir, f"{name}.onnx")):
        sys.exit(f"evaluate: {name}.onnx does not match the sha256 of its card")
    test = dict(res["test"], computed_with=headline_source, threshold=res["threshold"])
    if "adult_only" in res:
        test["adult_pneumonia_only"] = res["adult_only"]
    test["called_covid_at_threshold"] = res["called_covid"]
    card["metrics"]["test"] = test
    set_data_prose(card, name)  # the card's prose follows the code (a corrected limitation needs no retraining)
    unmet = targets_unmet(name, res)
    if unmet:
        card["known_limitations"].insert(0, UNMET + "; ".join(unmet) + ". What holds it back: "
                                         + report.held_back(name, res, transfer_audits, card) + " (See docs/EVALUATION.md.)")
    earlier = card.get("audits") or {}
    card["audits"] = {"computed_with": "PyTorch on the cached canonical images (test split); docs/EVALUATION.md",
                      "measured_on_version": card["version"],
                      "central_region": "middle 60% of width, 15-85% of height of the central 224x224",
                      "lung_outline": f"dilated by {audits.DILATE} canonical px; the manifest's outline for "
                                      f"{res['outlines']['manifest']} images, the lung model's for "
                                      f"{res['outlines']['lung_model']}",
                      **res["audit"], "source_classifier": src_audit, "predictor_parity": parity,
                      "resolution": (transfer_audits.get("resolution") or {}).get(name),
                      "leave_one_source_out": (transfer_audits.get("loso") or {}).get(name)}
    keep_unmeasured(card["audits"], earlier)
    with open(path, "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")


def keep_unmeasured(new, earlier, keys=("source_classifier", "leave_one_source_out")):
    """The audits that need the training run's --aux (fold models, source classifiers) and that this run could
    not measure stay as an earlier make eval measured them, marked with the version they were measured on."""
    kept = []
    for k in keys:
        now, before = new.get(k) or {}, earlier.get(k) or {}
        missing = [sub for sub, v in before.items() if v is not None and now.get(sub) is None]
        if missing:
            new[k] = {**now, **{sub: before[sub] for sub in missing}}
            kept += [k] if not now else [f"{k}.{sub}" for sub in missing]
    if kept:
        new["kept_from_earlier"] = {"audits": kept, "measured_on_version": earlier.get("measured_on_version", "earlier"),
                                    "why": "not measured by this make eval: no fold models or source classifiers in --aux"}


def lung_section(models_dir, manifest, test, fields, plot_dir, log):
    """The lung model's card figures (Dice on held-out outlines), gate reasons on test, overlays."""
    from .lungs import report as lung_report
    return lung_report.section(models_dir, manifest, test, fields, plot_dir, log)


def check_folds(models_dir, aux):
    """The leave-one-source-out audit reads the fold models `make train` left in aux/loso/: they must be the
    shipped models' own (their operating point is the card's), not those of an earlier run or recipe."""
    for name in TASKS:
        path = os.path.join(aux, "loso", f"{name}.json")
        if not os.path.exists(path):
            continue
        with open(path) as f:
            folds = json.load(f)
        with open(os.path.join(models_dir, f"{name}.json")) as f:
            card = json.load(f)
        if abs(folds["threshold"] - card["threshold"]) > 1e-6 or abs(folds["temperature"] - card["temperature"]) > 1e-5:
            sys.exit(f"evaluate: {path} (threshold {folds['threshold']:.6f}) holds the folds of another training "
                     f"run than {models_dir}/{name}.json (threshold {card['threshold']:.6f}); pass --aux with the "
                     "folder the shipped models' make train wrote")


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    aux = args.aux or os.path.join("build", "smoke-baseline" if args.smoke else "baseline")
    check_folds(args.models, aux)
    doc = args.doc or (os.path.join("build", "smoke-eval", "EVALUATION.md") if args.smoke
                       else os.path.join("docs", "EVALUATION.md"))
    plot_dir = os.path.join(os.path.dirname(doc), "eval")
    os.makedirs(plot_dir, exist_ok=True)
    n_boot = 200 if args.smoke else metrics.N_BOOT
    t0 = time.time()

    def log(msg):
        print(f"{time.time() - t0:7.0f}s {msg}", flush=True)

    manifest = Manifest(args.data)
    fields = LungFields(manifest, args.models, log)
    test = Split(manifest, "test", limit=240 if args.smoke else None, seed=0, fields=fields)
    log(f"test: {len(test)} images")
    pred = run_predictor(test, args, log)
    results, cards, parity_rows = {}, {}, []
    for name in TASKS:
        net, _ = audits.load_shipped(args.models, name)
        p_torch = run_batches(net, test.x)[1]
        if pred is None:
            p_head, source = p_torch, "PyTorch on the cache (predictor unavailable)"
        else:
            p_head = np.array([pred[(f, name)]["p_covid"] for f in test.files], dtype=float)
            source = "headless predictor (node tools/predict.mjs)"
            ok = ~np.isnan(p_head)
            parity_rows.append((name, np.abs(p_head[ok] - p_torch[ok]), int((~ok).sum())))
            p_head = np.where(ok, p_head, p_torch)
        results[name], cards[name] = evaluate_model(name, test, p_head, p_torch, aux, args, fields, manifest,
                                                    n_boot, log)
    parity = None
    if parity_rows:
        diffs = np.concatenate([d for _, d, _ in parity_rows])
        parity = {"max_abs_diff": float(diffs.max()), "mean_abs_diff": float(diffs.mean()), "n": int(len(diffs)),
                  "failed_in_predictor": sum(k for _, _, k in parity_rows), "tolerance": PARITY_TOL,
                  "ok": bool(diffs.max() <= PARITY_TOL)}
        log(f"parity predictor vs PyTorch: {parity}")
    m1 = task_mask(test.rows, "covid_normal")[0]
    rows1 = [r for r, k in zip(test.rows, m1) if k]
    canon1 = np.ascontiguousarray(load_canonical(manifest, "test")[test.idx[m1]])
    central, full = audits.Inputs("central")(canon1), full_image(canon1)
    src = {"shipped": audits.source_audit(os.path.join(aux, "source_shipped.pt"), True, test.x[m1], rows1),
           "full image": audits.source_audit(os.path.join(aux, "source_full.pt"), True, full, rows1),
           "baseline": audits.source_audit(os.path.join(aux, "source_baseline.pt"), False, central, rows1),
           audits.NO_PIXELS: audits.label_age_rule(
               [r for r in manifest.rows("train") if r["label"] in TASKS["covid_normal"]], rows1)}
    log(f"source classifier: {src}")
    transfer_audits = {"loso": transfer.loso_audit(aux, test, log)}
    if pred is not None:
        transfer_audits["resolution"] = transfer.resolution_audit(test.files, test.rows, pred, args.models, cards, log)
    figs = report.make_plots(results, plot_dir)
    big = plots.check_sizes(figs)
    if big:
        log(f"WARNING: plots over 300 KB: {big}")
    for name in TASKS:
        update_card(args.models, name, cards[name], results[name], src, source, parity, transfer_audits)
    lungs = lung_section(args.models, manifest, test, fields, plot_dir, log)
    figs += lungs["figs"]
    report.write(doc, results, src, parity, source, manifest, cards, figs, lungs, transfer_audits, smoke=args.smoke)
    log(f"wrote {doc} and the cards in {args.models}")
    if parity is not None and not parity["ok"]:
        sys.exit(f"evaluate: PARITY FAILED: predictor vs PyTorch max |diff| {parity['max_abs_diff']:.5f} > {PARITY_TOL}")


if __name__ == "__main__":
    main()
