"""Weight-only int8 storage for the shipped models, so that the page stays within its weight budget.

The PyTorch module and the ONNX file compute with the same weights:
1. `quantize_weights_(model)` folds every BatchNorm into the convolution before it (exact, eval mode) and
   rounds each convolution weight to per-output-channel symmetric int8 levels, w = s * q with
   q in [-127, 127] and s = max|w| / 127, in place. Calibration, the threshold and the self-test are then
   computed with these weights.
2. `store_int8(onnx_path)` replaces each such fp32 initializer of the exported graph by its int8 levels
   and a DequantizeLinear node (axis 0) that feeds the original consumers: about a quarter of the bytes.
   In a static int8 model (training/quantize.py: the activations between convolutions are quantized too)
   each quantized convolution's bias becomes int32 levels behind a DequantizeLinear as well, and every
   activation's DequantizeLinear feeds one node, the form ONNX Runtime's QDQ optimizer fuses.
"""
import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import helper, numpy_helper

from . import quantize

MIN_ELEMENTS = 1024  # smaller tensors (the first layer, the heads) stay fp32


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
    for m in model.modules():
        if isinstance(m, nn.Conv2d) and m.weight.numel() >= MIN_ELEMENTS:
            quantize.to_int8_levels_(m)
    return model


def store_int8(onnx_path):
    """Rewrites the ONNX file's quantized fp32 weights as int8 + DequantizeLinear; returns how many."""
    model = onnx.load(onnx_path)
    graph = model.graph
    keep, nodes = [], []
    static = any(n.op_type == "QuantizeLinear" for n in graph.node)  # every conv weight on levels is stored
    for init in graph.initializer:
        w = numpy_helper.to_array(init)
        if w.dtype != np.float32 or w.ndim != 4 or (w.size < MIN_ELEMENTS and not static):
            keep.append(init)
            continue
        q, s = quantize.int8_levels(w)
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
    if static:
        bypass_identities(graph)
        store_int32_biases(graph)
        one_consumer_each(graph)
        shorten_names(graph)
    onnx.checker.check_model(model)
    onnx.save(model, onnx_path)
    return len(nodes)


def store_int32_biases(graph):
    """Each Conv whose input and weight come from DequantizeLinear gets its fp32 bias as int32 levels of
    scale input scale x weight scale (training/quantize.py put it on them) behind a DequantizeLinear."""
    inits = {i.name: i for i in graph.initializer}
    made_by = {o: n for n in graph.node for o in n.output}
    before = []
    for node in graph.node:
        if node.op_type != "Conv" or len(node.input) < 3 or node.input[2] not in inits:
            continue
        dq_x, dq_w = made_by.get(node.input[0]), made_by.get(node.input[1])
        if not (dq_x and dq_w and dq_x.op_type == dq_w.op_type == "DequantizeLinear"
                and dq_x.input[1] in inits and dq_w.input[1] in inits):
            continue
        b = numpy_helper.to_array(inits[node.input[2]])
        q, s = quantize.int32_levels(b, numpy_helper.to_array(inits[dq_x.input[1]]),
                                     numpy_helper.to_array(inits[dq_w.input[1]]))
        if np.abs(q * s.astype(np.float64) - b).max() > 1e-4 * max(1e-6, float(np.abs(b).max())) or np.abs(q).max() >= 2 ** 31:
            raise ValueError(f"{node.name}: bias not on its int32 levels (training/quantize.py calibrate_ puts it there)")
        name = node.input[2]
        graph.initializer.remove(inits[name])
        graph.initializer.extend([numpy_helper.from_array(q.astype(np.int32), name + "_q"),
                                  numpy_helper.from_array(s, name + "_scale"),
                                  numpy_helper.from_array(np.zeros(len(q), np.int32), name + "_zero")])
        before.append(helper.make_node("DequantizeLinear", [name + "_q", name + "_scale", name + "_zero"], [name],
                                       axis=0, name=name + "_dequantize"))
    nodes = before + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)


def bypass_identities(graph):
    """Removes the Identity nodes of initializers (torch.onnx.export shares equal zero points through them)."""
    inits = {i.name for i in graph.initializer}
    alias = {n.output[0]: n.input[0] for n in graph.node if n.op_type == "Identity" and n.input[0] in inits}
    nodes = [n for n in graph.node if not (n.op_type == "Identity" and n.output[0] in alias)]
    for n in nodes:
        for k, i in enumerate(n.input):
            n.input[k] = alias.get(i, i)
    del graph.node[:]
    graph.node.extend(nodes)


def one_consumer_each(graph):
    """A DequantizeLinear of an activation that feeds several nodes is copied, one per consumer."""
    nodes = []
    for node in graph.node:
        nodes.append(node)
        if node.op_type != "DequantizeLinear":
            continue
        users = [(n, k) for n in graph.node for k, i in enumerate(n.input) if i == node.output[0]]
        for j, (user, k) in enumerate(users[1:], 1):
            out = f"{node.output[0]}_{j}"
            nodes.append(helper.make_node("DequantizeLinear", list(node.input), [out], name=f"{node.name}_{j}"))
            user.input[k] = out
    del graph.node[:]
    graph.node.extend(nodes)


def shorten_names(graph):
    """Short names for the tensors and no names for the nodes, the graph's inputs and outputs kept: a static
    int8 graph has about 3x the nodes, and their exporter-made names ("/backbone/layers/layers.0/q1/...") cost
    the page about 5 KB gzipped in the .ort files."""
    keep = {v.name for v in graph.input} | {v.name for v in graph.output}
    names = {}

    def short(x):
        if not x or x in keep:
            return x
        return names.setdefault(x, f"t{len(names)}")

    for init in graph.initializer:
        init.name = short(init.name)
    for node in graph.node:
        node.name = ""
        for k, x in enumerate(node.input):
            node.input[k] = short(x)
        for k, x in enumerate(node.output):
            node.output[k] = short(x)
    for v in graph.value_info:
        v.name = short(v.name)


def load_state_(model, state_dict):
    """Loads a state dict saved before or after `quantize_weights_` (folded: no BatchNorm entries), or of a
    static int8 model (training/quantize.py: activation quantizers too)."""
    if not any(k.endswith("running_mean") for k in state_dict):
        fold_batchnorm_(model)
    if quantize.is_static(state_dict):
        quantize.attach_(model)
    model.load_state_dict(state_dict)
    return model
