"""Re-make the shipped models' int8 files from their saved PyTorch weights, without training again.

    /usr/bin/python3 -m training.requantize --data ../shared/cxr-data --models models

For models trained before int8 storage (training/compress.py) or the current card (e.g. its self-test's
logits) were part of `make train`: folds and rounds the weights exactly as train.fit_head(quantize=True)
does (a no-op on weights already on int8 levels), then repeats its calibration on val (on the lung field
for contract-v2 cards) and the export, so the result equals what `make train` makes now from the same seed.
"""
import argparse
import json
import os

import torch

from . import compress
from .model import for_card
from .data import Manifest, Split
from .lungs.field import LungFields
from .train import TASKS, calibrate_head, save_shipped


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/cxr-data")
    ap.add_argument("--models", default="models")
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    manifest = Manifest(args.data)
    for name, classes in TASKS.items():
        with open(os.path.join(args.models, f"{name}.json")) as f:
            card = json.load(f)
        clf = for_card(card)
        compress.load_state_(clf, torch.load(os.path.join(args.models, "pytorch", f"{name}.pt"), map_location="cpu"))
        compress.quantize_weights_(clf)
        fields = LungFields(manifest, args.models) if card.get("contract_version", 1) >= 2 else None
        va = Split(manifest, "val", set(classes), None, card["training_data"]["training"]["seed"], fields=fields)
        res = dict(calibrate_head(name, clf, va, print), prior=card["prior_log_odds_added"])
        save_shipped(name, clf, res, manifest, card["training_data"]["training"], args.models, print)


if __name__ == "__main__":
    main()
