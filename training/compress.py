"""Weight-only int8 storage for the shipped models, so that the page stays within its weight budget.

The PyTorch module and the ONNX file compute with the same weights:
1. `quantize_weights_(model)` folds every BatchNorm into the convolution before it (exact, eval mode) and
   rounds each convolution weight to per-output-channel symmetric int8 levels, w = s * q with
   q in [-127, 127] and s = max|w| / 127, in place. Calibration, the threshold and the self-test are then
   computed with these weights.
2. `store_int8(onnx_path)` replaces each such fp32 initializer of the exported graph by its int8 levels
   and a DequantizeLinear node (axis 0) that feeds the original consumers: about a quarter of the bytes.
"""
import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import helper, numpy_helper

MIN_ELEMENTS = 1024  # smaller tensors (the head) stay fp32


def _fold(conv, bn):
    scale = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
    bias = conv.bias.detach() if conv.bias is not None else torch.zeros_like(bn.running_mean)
    conv.weight.data = conv.weight.detach() * scale.view(-1, 1, 1, 1)
    conv.bias = nn.Parameter(bn.bias.detach() + (bias - bn.running_mean) * scale)


def fold_batchnorm_(model):
    """Folds each BatchNorm2d that directly follows a Conv2d among its parent's children; returns the count."""
    folded = 0
    for parent in list(model.modules()):
        children = list(parent.named_children())
        for (_, a), (bn_name, b) in zip(children, children[1:]):
            if isinstance(a, nn.Conv2d) and isinstance(b, nn.BatchNorm2d):
                _fold(a, b)
                setattr(parent, bn_name, nn.Identity())
                folded += 1
    return folded


def quantize_weights_(model):
    """Folds BatchNorm, then rounds conv weights to per-output-channel int8 levels. Call in eval mode."""
    model.eval()
    fold_batchnorm_(model)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d) and m.weight.numel() >= MIN_ELEMENTS:
                w = m.weight
                s = w.abs().flatten(1).max(dim=1)[0].clamp_min(1e-12) / 127.0
                m.weight.copy_(torch.round(w / s.view(-1, 1, 1, 1)).clamp(-127, 127) * s.view(-1, 1, 1, 1))
    return model


def store_int8(onnx_path):
    """Rewrites the ONNX file's quantized fp32 weights as int8 + DequantizeLinear; returns how many."""
    model = onnx.load(onnx_path)
    graph = model.graph
    keep, nodes = [], []
    for init in graph.initializer:
        w = numpy_helper.to_array(init)
        if w.dtype != np.float32 or w.ndim != 4 or w.size < MIN_ELEMENTS:
            keep.append(init)
            continue
        s = np.abs(w.reshape(w.shape[0], -1)).max(axis=1) / 127.0
        s = np.where(s > 0, s, 1.0).astype(np.float32)
        q = np.clip(np.round(w / s.reshape(-1, 1, 1, 1)), -127, 127).astype(np.int8)
        if np.abs(q.astype(np.float32) * s.reshape(-1, 1, 1, 1) - w).max() > 1e-5 * max(1e-6, float(np.abs(w).max())):
            keep.append(init)  # not on int8 levels: leave it as it is
            continue
        name = init.name
        keep += [numpy_helper.from_array(q, name + "_q"), numpy_helper.from_array(s, name + "_scale"),
                 numpy_helper.from_array(np.zeros(w.shape[0], np.int8), name + "_zero")]
        nodes.append(helper.make_node("DequantizeLinear", [name + "_q", name + "_scale", name + "_zero"], [name],
                                      axis=0, name=name + "_dequantize"))
    del graph.initializer[:]
    graph.initializer.extend(keep)
    existing = list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes + existing)
    onnx.checker.check_model(model)
    onnx.save(model, onnx_path)
    return len(nodes)


def load_state_(model, state_dict):
    """Loads a state dict saved before or after `quantize_weights_` (folded: no BatchNorm entries)."""
    if not any(k.endswith("running_mean") for k in state_dict):
        fold_batchnorm_(model)
    model.load_state_dict(state_dict)
    return model
