"""What every model card says about its network, taken from the trained module itself (never typed by
hand), and the check that a card matches its ONNX file (tests/python/test_cards.py; the command is
training/card_check.py). Imports no model module, so that every exporter can use it.
"""
import json
import os

import onnx
import torch.nn as nn

from .data import sha256_file


def conv_widths(module):
    """Sorted distinct output widths of the module's convolutions."""
    return sorted({m.out_channels for m in module.modules() if isinstance(m, nn.Conv2d)})


def architecture(module, description, **extra):
    """The card's `architecture`: a description, plus what is read off the module."""
    from .model import n_params
    return {"type": description, "conv_widths": conv_widths(module), "parameters": n_params(module), **extra}


def onnx_facts(path):
    """(input shape with 'N' for the batch, sorted distinct Conv output widths, parameter count) of an ONNX
    file, int8-stored weights included (a Conv's weight may come through DequantizeLinear)."""
    m = onnx.load(path)
    inits = {t.name: list(t.dims) for t in m.graph.initializer}
    made_by = {o: n for n in m.graph.node for o in n.output}

    def weight_shape(name):
        while name not in inits and name in made_by:
            name = made_by[name].input[0]
        return inits.get(name)

    widths = set()
    for n in m.graph.node:
        if n.op_type in ("Conv", "FusedConv"):
            s = weight_shape(n.input[1])
            if s:
                widths.add(s[0])
    dims = m.graph.input[0].type.tensor_type.shape.dim
    shape = [d.dim_value if d.HasField("dim_value") else "N" for d in dims]
    return shape, sorted(widths)


def contract_version():
    """kContractVersion of src/core/contract.h (the page's side of the contract)."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src", "core", "contract.h")
    with open(path) as f:
        for line in f:
            if line.startswith("constexpr int kContractVersion"):
                return int(line.split("=")[1].strip().rstrip(";"))
    raise ValueError("kContractVersion not found")


def problems(models_dir, name):
    """Every way a card disagrees with its ONNX file or the core's contract (empty when it matches)."""
    with open(os.path.join(models_dir, f"{name}.json")) as f:
        card = json.load(f)
    onnx_path = os.path.join(models_dir, card.get("file", f"{name}.onnx"))
    shape, widths = onnx_facts(onnx_path)
    out = []
    if card["sha256"] != sha256_file(onnx_path):
        out.append("sha256 differs from the ONNX file")
    if card.get("bytes") is not None and card["bytes"] != os.path.getsize(onnx_path):
        out.append("bytes differ from the ONNX file")
    if card["contract_version"] != contract_version():
        out.append(f"contract_version {card['contract_version']} != core's {contract_version()}")
    if card["input"]["shape"] != shape:
        out.append(f"input shape {card['input']['shape']} != ONNX {shape}")
    if card["input"].get("range") != [0, 255]:
        out.append(f"input range {card['input'].get('range')!r} is not [0, 255]")
    arch = card.get("architecture")
    if not isinstance(arch, dict) or arch.get("conv_widths") != widths:
        out.append(f"architecture conv_widths {arch.get('conv_widths') if isinstance(arch, dict) else arch!r} "
                   f"!= ONNX {widths}")
    return out


GATE_TEXT = ("4x average pooling to 56x56, per-image standardisation (eps 2 grey levels), 4 conv3x3-BN-ReLU stages "
             "with max pooling to 7x7, head on the 7x7 layout (1x1 conv to 16), global average and the raw "
             "mean/std of the image")
