"""Train the two shipped models (and, for the audits, a plain baseline and two source classifiers).

/usr/bin/python3 -m training.train --data ../shared/cxr-data --out models [--smoke] [--init PATH] [--seed N]

Stages, for each variant ("shipped" with the measures against shortcuts, "baseline" without them, same
architecture and schedule):
0. (make train runs training.lungs.train first: the lung model in --out, whose masks make the lung fields)
1. pretrain the backbone on the whole training pool: covid / normal / pneumonia / nodule, adult and pediatric;
2. fine-tune Model 1 (COVID-19 vs normal) and Model 2 (COVID-19 vs pneumonia) from it;
3. fit temperature, threshold and inconclusive band on val; shipped: export ONNX + card to --out;
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

from . import calibrate, compress, export, loop, metrics
from .data import Manifest, Split, composition
from .lungs.field import LungFields
from .model import Classifier

TASKS = {"covid_normal": ("covid", "normal"), "covid_pneumonia": ("covid", "pneumonia")}
PRETRAIN_CLASSES = ("normal", "covid", "pneumonia", "nodule")
SOURCES = ("crd_partial", "ieee8023", "kermany_224", "jsrt")
VERSION = "2.2.0"  # 2.2.0: made by one `make train` run with every initial weight seeded
FULL = {"pretrain": 100000, "finetune": 60000, "source": 16000, "limit": None}
SMOKE = {"pretrain": 320, "finetune": 192, "source": 128, "limit": 400}
# shipped: contract v2's lung-field input and the measures against shortcuts; baseline: neither (v1's
# central 224x224, no augmentation, fixed scaling, natural sampling), for the audits' comparison.
# shipped also fine-tunes with a 14x14 CAM grid (model.dilate_last_stage) and lung guidance: `guide` times
# the share of its COVID-19 evidence outside the lungs is added to the loss (loop.train).
VARIANTS = {"shipped": {"aug": True, "standardise": True, "balanced": True, "input": "lung_field",
                        "fine_cam": True, "guide": 1.0},
            "baseline": {"aug": False, "standardise": False, "balanced": False, "input": "central",
                         "fine_cam": False, "guide": 0.0}}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="../shared/cxr-data")
    ap.add_argument("--out", default="models")
    ap.add_argument("--aux", default=None, help="baseline + source classifiers (default build/baseline, "
                                                "build/smoke-baseline with --smoke)")
    ap.add_argument("--smoke", action="store_true", help="tiny subset and schedule (CI)")
    ap.add_argument("--init", default=None, help="state_dict on disk to start the backbone from")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--variants", default="shipped,baseline")
    ap.add_argument("--reuse-pretrain", action="store_true",
                    help="load each variant's pretrained backbone from --aux (as an earlier run with the same "
                         "seed and data saved it) instead of pretraining again")
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


def fit_head(name, clf, pre, tr, va, cfg, v, seed, log, quantize=False):
    """Fine-tune one binary model from the pretrained backbone; return it with its val calibration.
    With `quantize`, BatchNorm is folded and the conv weights rounded to int8 levels before calibration,
    so that the shipped ONNX file (int8 storage) and everything measured here compute alike."""
    clf.backbone.load_state_dict(pre.backbone.state_dict())
    y = labelled(tr, TASKS[name][::-1])  # 0 = negative class, 1 = covid
    w = loop.balanced_weights(tr.rows, y) if v["balanced"] else None
    masks = tr.lung_masks() if v["guide"] > 0 else None
    loop.train(clf, tr.x, y, cfg["finetune"], lr=1e-3, seed=seed + 1, weights=w, aug=v["aug"], log=log, tag=name,
               masks=masks, guide=v["guide"])
    prior = loop.prior_correction(clf, y) if v["balanced"] else 0.0
    if quantize:
        compress.quantize_weights_(clf)
    return dict(calibrate_head(name, clf, va, log), prior=prior)


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


def run_variant(vname, args, cfg, manifest, log):
    v = VARIANTS[vname]
    seed = args.seed
    aux = args.aux
    lim = cfg["limit"]
    fields = LungFields(manifest, args.out, log) if v["input"] == "lung_field" else None

    def split(name, labels):
        return Split(manifest, name, labels, lim, seed, fields=fields)

    torch.manual_seed(seed)  # every net's initial weights come from the seed (torch's own start seed is random)
    pre = Classifier(len(PRETRAIN_CLASSES), v["standardise"])
    saved = os.path.join(aux, f"{vname}_backbone.pt")
    reused = args.reuse_pretrain and os.path.exists(saved)
    if reused:
        pre.backbone.load_state_dict(torch.load(saved, map_location="cpu"))
        log(f"[{vname}] pretrained backbone reused from {saved}")
    else:
        pretrain(pre, split("train", set(PRETRAIN_CLASSES)), cfg, v, seed, args.init, log, tag=f"{vname}/pretrain")
        os.makedirs(aux, exist_ok=True)
        torch.save(pre.backbone.state_dict(), saved)
    info = {"seed": seed, "schedule": {k: cfg[k] for k in ("pretrain", "finetune", "source")},
            "measures": v, "lung_model": lung_model_id(args.out) if fields else None, "pretrain_classes": list(PRETRAIN_CLASSES), "init": args.init,
            "pretrain_reused_from": saved if reused else None}
    for name, classes in TASKS.items():
        tr = split("train", set(classes))
        va = split("val", set(classes))
        torch.manual_seed(seed + 1)
        clf = Classifier(2, v["standardise"], fine_cam=v["fine_cam"])
        res = fit_head(name, clf, pre, tr, va, cfg, v, seed, log, quantize=vname == "shipped")
        if vname == "shipped":
            save_shipped(name, clf, res, manifest, info, args.out, log)
        else:
            torch.save(clf.state_dict(), os.path.join(aux, f"{name}.pt"))
            with open(os.path.join(aux, f"{name}.json"), "w") as f:
                json.dump({"name": name, "variant": vname, "temperature": res["temperature"],
                           "threshold": res["threshold"], "inconclusive": {"low": res["band"][0], "high": res["band"][1]},
                           "standardise": v["standardise"], "training": info, "metrics": {"val": res["val"]}},
                          f, indent=1)
    train_source_classifier(vname, pre, split("train", {"covid", "normal"}), manifest, cfg, v, seed, aux, log)
    if v["input"] == "lung_field":  # the same on the full image, for the comparison issue 4 asks for
        full = Split(manifest, "train", {"covid", "normal"}, lim, seed, fields="full")
        train_source_classifier("full", pre, full, manifest, cfg, v, seed, aux, log)


def pretrain(pre, pool_tr, cfg, v, seed, init, log, tag):
    """Stage 1: the backbone on the whole training pool (4 classes; 7x7 grid)."""
    log(f"[{tag}] pool: {len(pool_tr)} train images")
    if init:
        init_backbone(pre, init, log)
    yp = labelled(pool_tr, PRETRAIN_CLASSES)
    w = loop.balanced_weights(pool_tr.rows, yp) if v["balanced"] else None
    loop.train(pre, pool_tr.x, yp, cfg["pretrain"], lr=3e-3, seed=seed, weights=w, aug=v["aug"], log=log, tag=tag)


def save_shipped(name, clf, res, manifest, info, out, log):
    os.makedirs(os.path.join(out, "pytorch"), exist_ok=True)
    torch.save(clf.state_dict(), os.path.join(out, "pytorch", f"{name}.pt"))
    onnx_path = os.path.join(out, f"{name}.onnx")
    st, cam_shape = export.export_onnx(clf, res["temperature"], onnx_path)
    export.write_card(os.path.join(out, f"{name}.json"), name=name, onnx_path=onnx_path, version=export_version(),
                      temperature=res["temperature"], threshold=res["threshold"], band=res["band"],
                      manifest=manifest, composition=composition(manifest), val_metrics=res["val"], clf=clf,
                      cam_shape=cam_shape, self_test=st, train_info=info, prior_log_odds=res["prior"])
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
    clf = Classifier(len(names), v["standardise"])
    clf.backbone.load_state_dict(backbone_state)
    w = loop.balanced_weights(rows, y, key="label") if v["balanced"] else None
    loop.train(clf, x, y, n_samples, lr=1e-3, seed=seed + 2, weights=w, aug=v["aug"], log=log, tag=tag)
    return clf.eval()


def source_names(manifest):
    """The pool's four sources in their fixed order, then any others a manifest has (e.g. `make data`'s)."""
    return SOURCES + tuple(sorted({r["source"] for r in manifest.all} - set(SOURCES)))


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    cfg = SMOKE if args.smoke else FULL
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
