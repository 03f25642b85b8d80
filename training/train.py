"""Train the two shipped models (and, for the audits, leave-one-source-out fold models, source classifiers
and, on request, a plain baseline).

/usr/bin/python3 -m training.train --data ../shared/cxr-data --out models [--smoke] [--schedule NAME] [--recipe NAME]
    [--init PATH] [--seed N]

Stages, for each variant ("shipped" with the measures against shortcuts, "baseline" without them, same
architecture and schedule):
0. (make train-lungs: the lung model in --out, whose masks make the lung fields)
1. pretrain the backbone on the whole training pool: covid / normal / pneumonia / nodule, adult and pediatric;
2. fine-tune Model 1 (COVID-19 vs normal) and Model 2 (COVID-19 vs pneumonia) from it;
3. shipped: leave-one-source-out folds (HELD_OUT): a second backbone pretrained without any held-out source,
   and per task and held-out source a fold model fine-tuned from it without that source, which predicts the
   held-out source's train+val images; temperature, threshold and inconclusive band are fitted on these
   cross-fitted predictions together with the shipped model's val predictions for the other sources
   (calibrate.py); export ONNX + card to --out;
4. fine-tune a source classifier (which collection an image comes from) on Model 1's training images the
   same way, for audit (c).
The test split is never read here.
"""
import argparse
import json
import os
import time

import numpy as np
import torch

from . import calibrate, compress, export, loop, metrics, quantize
from .data import Manifest, Split, composition
from .lungs.field import LungFields
from .model import Classifier

TASKS = {"covid_normal": ("covid", "normal"), "covid_pneumonia": ("covid", "pneumonia")}
PRETRAIN_CLASSES = ("normal", "covid", "pneumonia", "nodule")
SOURCES = ("crd_partial", "ieee8023", "kermany_224", "jsrt", "nih", "chexpert")
VERSION = "4.2.0"  # 4.2.0: static int8 (uint8 activations between the convolutions; training/quantize.py); 4.1.0: Model 1 fine-tuned without Stanford's images (appearance_without_stanford; Stanford kept in pretraining and Model 2); 4.0.0: chexpert in training and folds, the appearance recipe (chosen on held-out sources); 3.0.0: contract v3 (one effective resolution), nih in training, cross-fitted operating point
# Samples drawn per stage (--schedule); "search" is the recipe search's short schedule (experiments.recipe_search).
SCHEDULES = {
    "full": {"pretrain": 80000, "finetune": 50000, "fold_pretrain": 40000, "fold_finetune": 24000, "source": 16000,
             "limit": None},
    "search": {"pretrain": 12000, "finetune": 8000, "fold_pretrain": 6000, "fold_finetune": 4000, "source": 4000,
               "limit": None},
    "smoke": {"pretrain": 320, "finetune": 192, "fold_pretrain": 128, "fold_finetune": 96, "source": 128, "limit": 400},
}
# Leave-one-source-out folds per task: the sources a model can be trained without while every label keeps
# a source (crd_partial and kermany_224 cannot: they alone carry most COVID-19 and every child).
HELD_OUT = {"covid_normal": ("nih", "jsrt", "chexpert", "ieee8023"), "covid_pneumonia": ("nih", "chexpert", "ieee8023")}
# Each class's sampling mass split between age groups (loop.balanced_weights): Model 2's pneumonias are led
# by adults (nih, chexpert, ieee8023) so that the children of one hospital cannot carry the class; in
# pretraining adult pneumonia now has two hospitals of about 300 images each, so adults lead there too.
AGE_MASS = {"covid_normal": {"normal": {"adult": 0.7, "pediatric": 0.3}},
            "covid_pneumonia": {"pneumonia": {"adult": 0.8, "pediatric": 0.2}},
            "pretrain": {"normal": {"adult": 0.7, "pediatric": 0.3}, "pneumonia": {"adult": 0.7, "pediatric": 0.3}}}
# shipped: contract v2's lung-field input and the measures against shortcuts; baseline: neither (v1's
# central 224x224, no augmentation, fixed scaling, natural sampling), for the audits' comparison.
# shipped also fine-tunes with a 14x14 CAM grid (model.dilate_last_stage) and lung guidance: `guide` times
# the share of its COVID-19 evidence outside the lungs is added to the loss (loop.train_classifier).
# The recipe search's options (RECIPES) default to the v3 recipe: internal resolution, widths, the source
# adversary's peak weight (adversary.py) and the share of images given another source's look (augment.py).
V3 = {"internal": 112, "widths": (16, 32, 64, 128), "adversary": 0.0, "appearance": 0.0, "group_dro": 0.0}
VARIANTS = {"shipped": dict(V3, aug=True, standardise=True, balanced=True, input="lung_field", fine_cam=True,
                            guide=1.0),
            "baseline": dict(V3, aug=False, standardise=False, balanced=False, input="central", fine_cam=False,
                             guide=0.0)}
# Recipes tried on the leave-one-source-out folds (docs/EVALUATION.md, "What we tried"); --recipe applies one to
# the shipped variant.
RECIPES = {"v3": {}, "res160": {"internal": 160}, "adversary": {"adversary": 0.5}, "appearance": {"appearance": 0.5},
           "wide": {"widths": (16, 32, 64, 192)}, "group_dro": {"group_dro": 0.01},
           "wide_appearance": {"widths": (16, 32, 64, 192), "appearance": 0.5},
           # Stanford's normals kept in pretraining, left out of Model 1's fine-tuning and folds: on the nih and
           # jsrt folds they cost AUC 0.08 and 0.07 (What we tried, "What costs NIH and JSRT")
           "appearance_without_stanford": {"appearance": 0.5, "fine_tune_without": {"covid_normal": ("chexpert",)}}}


def fine_tune_rows(tr, name, v):
    """A task's train split less the sources recipe `v` leaves out of that task's fine-tuning (and folds)."""
    drop = set(v.get("fine_tune_without", {}).get(name, ()))
    return tr.subset(np.array([r["source"] not in drop for r in tr.rows])) if drop else tr


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="../shared/cxr-data")
    ap.add_argument("--out", default="models")
    ap.add_argument("--aux", default=None, help="baseline + source classifiers (default build/baseline, "
                                                "build/smoke-baseline with --smoke)")
    ap.add_argument("--smoke", action="store_true", help="tiny subset and schedule (CI); = --schedule smoke")
    ap.add_argument("--schedule", default="full", choices=sorted(SCHEDULES), help="samples drawn per stage")
    ap.add_argument("--recipe", default="v3", choices=sorted(RECIPES), help="the shipped variant's recipe")
    ap.add_argument("--init", default=None, help="state_dict on disk to start the backbone from")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--variants", default="shipped", help="shipped,baseline (the baseline: make train-baseline)")
    ap.add_argument("--reuse-pretrain", action="store_true",
                    help="load each variant's pretrained backbone from --aux (as an earlier run with the same "
                         "seed and data saved it) instead of pretraining again")
    ap.add_argument("--resume", action="store_true",
                    help="--reuse-pretrain, and load the leave-one-source-out fold models an interrupted run with "
                         "the same seed, data and recipe saved in --aux/loso instead of training them again")
    return ap.parse_args(argv)


def init_backbone(clf, path, log):
    """Copy every tensor of `path` whose name and shape match the backbone (3-channel first convs are
    summed over channels to fit the 1-channel input)."""
    sd = torch.load(path, map_location="cpu")
    sd = sd.get("state_dict", sd) if isinstance(sd, dict) else sd
    own = clf.backbone.state_dict()
    loaded = 0
    for k, v in sd.items():
        k2 = k[len("backbone."):] if k.startswith("backbone.") else k
        if k2 in own:
            if v.dim() == 4 and v.shape[1] == 3 and own[k2].shape[1] == 1:
                v = v.sum(dim=1, keepdim=True)
            if v.shape == own[k2].shape:
                own[k2] = v
                loaded += 1
    clf.backbone.load_state_dict(own)
    log(f"--init {path}: {loaded}/{len(own)} backbone tensors loaded")


def labelled(split, classes):
    return np.array([classes.index(l) for l in split.column("label")])


def age_mass(key, classes):
    """AGE_MASS[key] keyed by class index, as loop.balanced_weights takes it."""
    return {classes.index(c): m for c, m in AGE_MASS.get(key, {}).items()}


def classifier(n_classes, v, fine_cam=None):
    """An untrained net shaped as variant `v` says."""
    return Classifier(n_classes, v["standardise"], widths=v["widths"],
                      fine_cam=v["fine_cam"] if fine_cam is None else fine_cam, internal=v["internal"])


def fine_tune(name, clf, backbone_state, tr, n_samples, v, seed, log, tag):
    """Fine-tune one binary model from a pretrained backbone; returns the prior correction."""
    clf.backbone.load_state_dict(backbone_state)
    classes = TASKS[name][::-1]  # 0 = negative class, 1 = covid
    y = labelled(tr, classes)
    w = loop.balanced_weights(tr.rows, y, age_mass=age_mass(name, classes)) if v["balanced"] else None
    masks = tr.lung_masks() if v["guide"] > 0 else None
    loop.train_classifier(clf, tr.x, y, n_samples, lr=1e-3, seed=seed + 1, weights=w, aug=v["aug"], log=log, tag=tag,
                          masks=masks, guide=v["guide"], rows=tr.rows, adversary=v["adversary"],
                          appearance=v["appearance"], group_dro=v["group_dro"])
    return loop.prior_correction(clf, y) if v["balanced"] else 0.0


def fold_prior(name, tr, v):
    """The prior correction fine_tune added to a saved model's bias (its value only: the saved bias has it)."""
    return loop.prior_log_odds(labelled(tr, TASKS[name][::-1])) if v["balanced"] else 0.0


def fit_head(name, clf, pre, tr, va, cfg, v, seed, log, quantize=False, pool=None):
    """Fine-tune one binary model from the pretrained backbone; return it with its calibration: on val, or,
    given `pool` (cross_fitted), on the cross-fitted pool. With `quantize`, BatchNorm is folded, the conv
    weights rounded to int8 levels and the activations between the convolutions quantized to uint8 with ranges
    from training images (training/quantize.py) before calibration, so that the shipped ONNX file (static
    int8) and everything measured here compute alike."""
    prior = fine_tune(name, clf, pre.backbone.state_dict(), tr, cfg["finetune"], v, seed, log, tag=name)
    if quantize:
        compress.quantize_weights_(clf)
        quantize_activations_(clf, tr.x)
    if pool is None:
        return dict(calibrate_head(name, clf, va, log), prior=prior)
    return dict(calibrate_pooled(name, clf, va, pool, log), prior=prior)


def quantize_activations_(clf, images):
    """Static int8 (training/quantize.py) from a seeded sample of the model's training images."""
    quantize.calibrate_(clf, quantize.calibration_batches(images))


def calibrate_head(name, clf, va, log):
    """Temperature, operating threshold and inconclusive band on val, with the val metrics."""
    return calibrate_logits(name, loop.run_batches(clf, va.x), va, log)


def calibrate_logits(name, logits, va, log):
    """calibrate_head on given val logits (e.g. of an altered input)."""
    yv = labelled(va, TASKS[name][::-1])
    t = calibrate.fit_temperature(logits, yv)
    p = calibrate.softmax1(logits, t)
    thr, low, high = calibrate.operating_point(p, yv)
    val = metrics.breakdown(yv, p, thr, va.rows)
    log(f"[{name}] val AUC {val['all'].get('auc')} T {t:.3f} thr {thr:.4f} band [{low:.4f},{high:.4f}] "
        f"sens {val['all'].get('sensitivity')} spec {val['all'].get('specificity')} ECE {val['all'].get('ece')}")
    return {"temperature": t, "threshold": thr, "band": (low, high), "val": val}


def fold_model(name, src, v, backbone_state, tr, n_samples, seed, log, reuse=None):
    """The leave-one-source-out model without `src`: seeded as every fold, fine-tuned from `backbone_state` on
    train without that source, or loaded from `reuse` (a saved fold model). Returns the model, its prior
    correction and the mask of the train rows it was fine-tuned on."""
    keep = np.array([r["source"] != src for r in tr.rows])
    torch.manual_seed(seed + 1)
    clf = classifier(2, v)
    if reuse:
        clf.load_state_dict(torch.load(reuse, map_location="cpu"))
        clf.eval()
        log(f"[{name}] fold without {src} reused from {reuse}")
        return clf, fold_prior(name, tr.subset(keep), v), keep
    prior = fine_tune(name, clf, backbone_state, tr.subset(keep), n_samples, v, seed, log, tag=f"{name}/without-{src}")
    return clf, prior, keep


def cross_fitted(name, pre_loso, tr, va, cfg, v, seed, aux, log, resume=False):
    """Leave-one-source-out folds of one task: for each held-out source, a fold model fine-tuned from the
    backbone pretrained without any held-out source, on train without that source (and without what the
    recipe leaves out of fine-tuning); its logits on the source's train+val images. Fold models are saved to aux/loso/ for make eval's audit (and, with
    `resume`, loaded from there when an interrupted run saved them)."""
    logits, rows, folds = [], [], {}
    os.makedirs(os.path.join(aux, "loso"), exist_ok=True)
    for src in HELD_OUT[name]:
        saved = os.path.join(aux, "loso", f"{name}-without-{src}.pt")
        reuse = saved if resume and os.path.exists(saved) else None
        clf, prior, keep = fold_model(name, src, v, pre_loso.backbone.state_dict(), fine_tune_rows(tr, name, v),
                                      cfg["fold_finetune"], seed, log, reuse)
        if reuse is None:
            torch.save(clf.state_dict(), saved)
        n = 0
        for part in (tr, va):
            held = part.subset(np.array([r["source"] == src for r in part.rows]))
            if len(held):
                logits.append(loop.run_batches(clf, held.x))
                rows += held.rows
                n += len(held)
        folds[src] = {"trained_on": int(keep.sum()), "predicted": n, "prior": prior}
        log(f"[{name}] fold without {src}: trained on {int(keep.sum())}, predicted {n} held-out images")
    return {"logits": np.concatenate(logits) if logits else np.zeros((0, 2)), "rows": rows, "folds": folds}


def calibrate_pooled(name, clf, va, pool, log):
    """Temperature, threshold and band on the cross-fitted pool: the fold models' logits for the held-out
    sources' train+val images, and this model's val logits for every other source's images."""
    classes = TASKS[name][::-1]
    own = va.subset(np.array([r["source"] not in HELD_OUT[name] for r in va.rows]))
    logits = np.concatenate([loop.run_batches(clf, own.x), pool["logits"]])
    rows = own.rows + pool["rows"]
    y = np.array([classes.index(r["label"]) for r in rows])
    t = calibrate.fit_temperature(logits, y)
    p = calibrate.softmax1(logits, t)
    thr, low, high = calibrate.operating_point(p, y)
    pooled = metrics.breakdown(y, p, thr, rows)
    yv = labelled(va, classes)
    val = metrics.breakdown(yv, calibrate.softmax1(loop.run_batches(clf, va.x), t), thr, va.rows)
    log(f"[{name}] cross-fitted pool n={len(y)}: T {t:.3f} thr {thr:.4f} band [{low:.4f},{high:.4f}] "
        f"pool sens {pooled['all'].get('sensitivity')} spec {pooled['all'].get('specificity')}; "
        f"val AUC {val['all'].get('auc')} sens {val['all'].get('sensitivity')} spec {val['all'].get('specificity')}")
    return {"temperature": t, "threshold": thr, "band": (low, high), "val": val, "cross_fitted": pooled,
            "folds": pool["folds"]}


def run_variant(vname, args, cfg, manifest, log):
    v = dict(VARIANTS[vname], **(RECIPES[args.recipe] if vname == "shipped" else {}))
    seed = args.seed
    aux = args.aux
    lim = cfg["limit"]
    fields = LungFields(manifest, args.out, log) if v["input"] == "lung_field" else None

    def split(name, labels):
        return Split(manifest, name, labels, lim, seed, fields=fields)

    pre, reused, saved = pretrained(vname, split("train", set(PRETRAIN_CLASSES)), cfg["pretrain"], args, v, log)
    info = {"seed": seed, "schedule": {k: v_ for k, v_ in cfg.items() if k != "limit"},
            "measures": v, "recipe": args.recipe if vname == "shipped" else None, "lung_model": lung_model_id(args.out) if fields else None, "pretrain_classes": list(PRETRAIN_CLASSES), "init": args.init,
            "sampling_age_mass": AGE_MASS, "pretrain_reused_from": saved if reused else None}
    pre_loso = None
    if vname == "shipped":
        held = {s for srcs in HELD_OUT.values() for s in srcs}
        pool = split("train", set(PRETRAIN_CLASSES))
        pool = pool.subset(np.array([r["source"] not in held for r in pool.rows]))
        pre_loso = pretrained("loso", pool, cfg["fold_pretrain"], args, v, log)[0]
        info["held_out"] = HELD_OUT
    for name, classes in TASKS.items():
        tr = split("train", set(classes))
        va = split("val", set(classes))
        pool = (cross_fitted(name, pre_loso, tr, va, cfg, v, seed, aux, log, resume=args.resume)
                if pre_loso is not None else None)
        torch.manual_seed(seed + 1)
        clf = classifier(2, v)
        res = fit_head(name, clf, pre, fine_tune_rows(tr, name, v), va, cfg, v, seed, log,
                       quantize=vname == "shipped", pool=pool)
        if vname == "shipped":
            save_shipped(name, clf, res, manifest, dict(info, folds=res.get("folds")), args.out, log)
            with open(os.path.join(aux, "loso", f"{name}.json"), "w") as f:
                json.dump({"temperature": res["temperature"], "threshold": res["threshold"],
                           "inconclusive": {"low": res["band"][0], "high": res["band"][1]},
                           "held_out": list(HELD_OUT[name]), "folds": res["folds"],
                           "standardise": v["standardise"], "fine_cam": v["fine_cam"],
                           "internal": v["internal"], "widths": list(v["widths"])}, f, indent=1)
        else:
            torch.save(clf.state_dict(), os.path.join(aux, f"{name}.pt"))
            with open(os.path.join(aux, f"{name}.json"), "w") as f:
                json.dump({"name": name, "variant": vname, "temperature": res["temperature"],
                           "threshold": res["threshold"], "inconclusive": {"low": res["band"][0], "high": res["band"][1]},
                           "standardise": v["standardise"], "training": info, "metrics": {"val": res["val"]}},
                          f, indent=1)
    train_source_classifier(vname, pre, split("train", {"covid", "normal"}), manifest, cfg, v, seed, aux, log)
    if v["input"] == "lung_field":  # the same on the full image, for the source-classifier comparison
        full = Split(manifest, "train", {"covid", "normal"}, lim, seed, fields="full")
        train_source_classifier("full", pre, full, manifest, cfg, v, seed, aux, log)


def pretrained(tag, pool_tr, n_samples, args, v, log):
    """A backbone pretrained on `pool_tr` (4 classes), or the one an earlier run with the same seed and data
    saved in --aux (with --reuse-pretrain). Every net's initial weights come from the seed."""
    torch.manual_seed(args.seed)
    pre = classifier(len(PRETRAIN_CLASSES), v, fine_cam=False)
    saved = os.path.join(args.aux, f"{tag}_backbone.pt")
    reused = (args.reuse_pretrain or args.resume) and os.path.exists(saved)
    if reused:
        pre.backbone.load_state_dict(torch.load(saved, map_location="cpu"))
        log(f"[{tag}] pretrained backbone reused from {saved}")
    else:
        pretrain(pre, pool_tr, n_samples, v, args.seed, args.init, log, tag=f"{tag}/pretrain")
        os.makedirs(args.aux, exist_ok=True)
        torch.save(pre.backbone.state_dict(), saved)
    return pre, reused, saved


def pretrain(pre, pool_tr, n_samples, v, seed, init, log, tag):
    """Stage 1: the backbone on a training pool (4 classes; 7x7 grid)."""
    log(f"[{tag}] pool: {len(pool_tr)} train images")
    if init:
        init_backbone(pre, init, log)
    yp = labelled(pool_tr, PRETRAIN_CLASSES)
    w = loop.balanced_weights(pool_tr.rows, yp, age_mass=age_mass("pretrain", PRETRAIN_CLASSES)) if v["balanced"] else None
    loop.train_classifier(pre, pool_tr.x, yp, n_samples, lr=3e-3, seed=seed, weights=w, aug=v["aug"], log=log, tag=tag)


def save_shipped(name, clf, res, manifest, info, out, log):
    os.makedirs(os.path.join(out, "pytorch"), exist_ok=True)
    torch.save(clf.state_dict(), os.path.join(out, "pytorch", f"{name}.pt"))
    onnx_path = os.path.join(out, f"{name}.onnx")
    st, cam_shape = export.export_onnx(clf, res["temperature"], onnx_path)
    export.write_card(os.path.join(out, f"{name}.json"), name=name, onnx_path=onnx_path, version=export_version(),
                      temperature=res["temperature"], threshold=res["threshold"], band=res["band"],
                      manifest=manifest, composition=composition(manifest), val_metrics=res["val"], clf=clf,
                      cam_shape=cam_shape, self_test=st, train_info=info, prior_log_odds=res["prior"],
                      extra={"cross_fitted": res.get("cross_fitted")} if res.get("cross_fitted") else None)
    log(f"[{name}] wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes), self-test {st}")


def lung_model_id(models_dir):
    with open(os.path.join(models_dir, "lungs.json")) as f:
        card = json.load(f)
    return {"file": "lungs.onnx", "sha256": card["sha256"], "version": card["version"]}


def export_version():
    return VERSION


def train_source_classifier(vname, pre, tr, manifest, cfg, v, seed, aux, log):
    """Audit (c): how much of the source is learnable from the same images (the variant's own input),
    trained the same way."""
    names = source_names(manifest)
    clf = fit_source_classifier(pre.backbone.state_dict(), tr.x, tr.rows, names, cfg["source"], v, seed, log,
                                tag=f"{vname}/source")
    torch.save({"state": clf.state_dict(), "sources": list(names)}, os.path.join(aux, f"source_{vname}.pt"))


def fit_source_classifier(backbone_state, x, rows, names, n_samples, v, seed, log, tag):
    """A source classifier fine-tuned from a pretrained backbone with variant `v`'s measures."""
    y = np.array([names.index(r["source"]) for r in rows])
    torch.manual_seed(seed + 2)
    clf = classifier(len(names), v, fine_cam=False)
    clf.backbone.load_state_dict(backbone_state)
    w = loop.balanced_weights(rows, y, key="label") if v["balanced"] else None
    loop.train_classifier(clf, x, y, n_samples, lr=1e-3, seed=seed + 2, weights=w, aug=v["aug"], log=log, tag=tag)
    return clf.eval()


def source_names(manifest):
    """The pool's four sources in their fixed order, then any others a manifest has (e.g. `make data`'s)."""
    return SOURCES + tuple(sorted({r["source"] for r in manifest.all} - set(SOURCES)))


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    cfg = SCHEDULES["smoke" if args.smoke else args.schedule]
    if args.aux is None:
        args.aux = os.path.join("build", "smoke-baseline" if args.smoke else "baseline")
    os.makedirs(args.out, exist_ok=True)
    manifest = Manifest(args.data)
    t0 = time.time()

    def log(msg):
        print(f"{time.time() - t0:7.0f}s {msg}", flush=True)

    log(f"manifest {manifest.sha256}; out {args.out}; aux {args.aux}; smoke {args.smoke}")
    for vname in args.variants.split(","):
        run_variant(vname, args, cfg, manifest, log)
    log(f"done in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
