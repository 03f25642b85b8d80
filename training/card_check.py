"""Re-derive each card's `architecture` from its module and check every card against its ONNX file:

/usr/bin/python3 -m training.card_check models
"""
import json
import os
import sys

from .cards import GATE_TEXT, architecture, problems


def module_for(name, card):
    """An untrained module shaped as the card's model (for re-deriving its architecture)."""
    if name == "gate":
        from .gate.net import GateNet
        return GateNet(), "input gate CNN: " + GATE_TEXT
    if name == "lungs":
        from .lungs.unet import UNet
        return UNet(), card["architecture"]["type"]
    from .model import for_card
    return for_card(card), card["architecture"]["type"]


def refresh(models_dir, name):
    """Re-derive the card's architecture from its module (keeping the fields a module cannot tell)."""
    path = os.path.join(models_dir, f"{name}.json")
    with open(path) as f:
        card = json.load(f)
    module, text = module_for(name, card)
    old = card.get("architecture") if isinstance(card.get("architecture"), dict) else {}
    keep = {k: v for k, v in old.items() if k not in ("type", "conv_widths", "parameters")}
    arch = architecture(module, text, **keep)
    arch["parameters"] = old.get("parameters", arch["parameters"])  # as trained (BatchNorm folded), if stated
    card["architecture"] = arch
    card["input"]["range"] = [0, 255]
    with open(path, "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")


def main(argv=None):
    models_dir = (argv or sys.argv[1:] or ["models"])[0]
    bad = 0
    for name in ("covid_normal", "covid_pneumonia", "lungs", "gate"):
        refresh(models_dir, name)
        for p in problems(models_dir, name):
            print(f"{name}: {p}")
            bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
