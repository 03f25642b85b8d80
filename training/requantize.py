"""Static int8 from shipped weight-only models, without retraining (what `make train` now does at its end).

/usr/bin/python3 -m training.requantize --data ../shared/cxr-data --models models

The lung model first (its activation ranges from training images of every source), then, on the lung fields
that it makes, each classifier (ranges from its task's training images). Weights, temperature, threshold and
inconclusive band stay as they were: the operating point was chosen on leave-one-source-out predictions of the
fold models, which this does not touch. The lung model's Dice/IoU are measured again; the classifiers' test
figures and audits are `make eval`'s (through the page's code path). Writes models/pytorch/*.pt, the .onnx
files and their cards.
"""
import argparse
import datetime
import json
import os

import torch

from . import audits, export, quantize
from .data import Manifest, Split, load_canonical, sha256_file
from .evaluate import TASKS
from .lungs import export as lungs_export
from .lungs.data import MaskSet
from .lungs.field import LungFields, load_net
from .lungs.train import measure
from .train import VERSION

NOTE = ("static int8: int8 per-channel weights, int32 biases, uint8 activations between the convolutions "
        "(ranges: the {q} quantile of {n} training images, training/quantize.py); ONNX Runtime runs QLinearConv "
        "and QLinearAdd. PyTorch computes the same integer arithmetic (the parity check in docs/EVALUATION.md).")


def note():
    return NOTE.format(q=quantize.QUANTILE, n=quantize.CALIBRATION_IMAGES)


def requantize_lungs(manifest, models, log):
    with open(os.path.join(models, "lungs.json")) as f:
        old = json.load(f)
    net = load_net(models)
    if any(isinstance(m, quantize.ActQuant) for m in net.modules()):
        raise SystemExit("the lung model is static int8 already")
    quantize.calibrate_(net, quantize.calibration_batches(load_canonical(manifest, "train")))
    metrics = {s: measure(net, MaskSet(manifest, s)) for s in ("train", "val", "test")}
    log(f"[lungs] Dice/IoU static int8: {json.dumps(metrics)} (before: {json.dumps(old['metrics'])})")
    torch.save(net.state_dict(), os.path.join(models, "pytorch", "lungs.pt"))
    info = dict(old["training_data"]["training"], quantization=note(), weights_of=old["version"],
                quantization_manifest_sha256=manifest.sha256)
    lungs_export.export(net, manifest, metrics, info, models, log)
    carry_over(os.path.join(models, "lungs.json"), old)


def carry_over(path, old):
    """Keeps what the old card says of the training (its manifest, its architecture's words) and the fields the
    exporter does not write (e.g. notes added by make eval)."""
    with open(path) as f:
        card = json.load(f)
    card.update({k: v for k, v in old.items() if k not in card})
    card["training_data"]["manifest_sha256"] = old["training_data"]["manifest_sha256"]  # what it was trained on
    card["architecture"]["type"] = old["architecture"]["type"]
    export.write_json(path, card)


def requantize_classifier(manifest, models, name, log):
    net, card = audits.load_shipped(models, name)
    if any(isinstance(m, quantize.ActQuant) for m in net.modules()):
        raise SystemExit(f"{name} is static int8 already")
    tr = Split(manifest, "train", labels=TASKS[name], limit=quantize.CALIBRATION_IMAGES, seed=0,
               fields=LungFields(manifest, models, log))
    quantize.calibrate_(net.clf, quantize.calibration_batches(tr.x))
    torch.save(net.clf.state_dict(), os.path.join(models, "pytorch", f"{name}.pt"))
    path = os.path.join(models, f"{name}.onnx")
    st, _ = export.export_onnx(net.clf, card["temperature"], path)
    card["self_test"].update(st)
    old_version = card["version"]
    card.update({"version": VERSION, "sha256": sha256_file(path), "bytes": os.path.getsize(path),
                 "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")})
    card["architecture"]["quantization"] = note()
    if card.get("audits"):
        card["audits"]["measured_on_version"] = f"{card['audits'].get('measured_on_version', old_version)} (weight-only)"
    card["training_data"]["training"]["weights_of"] = "4.1.0 (weight-only int8), made static int8 by training/requantize.py"
    card["metrics"]["note"] = ("val: the weight-only model before static int8 (the same weights; the operating point "
                               "is kept); test: filled by make eval from the headless predictor (the page's code path)")
    export.write_json(os.path.join(models, f"{name}.json"), card)
    log(f"[{name}] wrote {path} ({card['bytes']} bytes), self-test {st}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join("..", "shared", "cxr-data"))
    ap.add_argument("--models", default="models")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    manifest = Manifest(args.data)
    requantize_lungs(manifest, args.models, print)
    for name in TASKS:
        requantize_classifier(manifest, args.models, name, print)


if __name__ == "__main__":
    main()
