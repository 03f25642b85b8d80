"""Static int8 models: uint8 activations between the convolutions, int8 per-channel weights, int32 biases.

ONNX Runtime runs such a model's convolutions and residual sums as QLinearConv and QLinearAdd (integer
matrix products, about 2x the fp32 ones in wasm; docs/ANALYSIS.md). The PyTorch module computes what ONNX
Runtime computes, rounding for rounding, so that calibration, the audits and the parity check see the
shipped arithmetic:
1. The networks mark where an activation is quantized with `Slot` (an identity until then).
2. `calibrate_(model, batches)` (after `compress.quantize_weights_`) replaces each slot by an `ActQuant`,
   runs the model on training images, and sets each one's uint8 scale and zero point from the range it saw
   (0 as zero point after a ReLU, so that ONNX Runtime drops the ReLU into the integer operator). Each
   convolution's bias is then rounded to its int32 levels (scale = input scale x weight scale).
3. torch.onnx.export writes each `ActQuant` as QuantizeLinear -> DequantizeLinear, and `compress.store_int8`
   stores the weights and biases as integers behind DequantizeLinear nodes: ONNX Runtime's QDQ optimizer
   turns the groups into integer operators when the model is converted to .ort.
Every convolution between two quantizers is an integer one (its weights on int8 levels, however few);
the others (the lung model's 1x1 head) stay fp32. The float part before the first quantizer (per-image
standardisation, pooling) is the only float arithmetic whose rounding a quantizer sees, so the page and
PyTorch agree to the level except where that rounding decides a level (docs/ANALYSIS.md measures it).
Outside export, a quantizer that follows an integer convolution computes the convolution's exact integer
sum and requantizes it as MLAS does (float32 multiplier, clamp, round half to even); the others quantize a
float value as QuantizeLinear and QLinearAdd do (divide by the scale, round half to even).
The quantizers' scales and zero points are buffers, saved with the weights (models/pytorch/*.pt).
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CALIBRATION_IMAGES = 384  # training images, a seeded sample across the split's sources
# Activation ranges: this quantile of each activation's sampled values (a few extreme values would
# otherwise spend the 256 levels on nothing), at most the largest value seen.
QUANTILE = 0.9999
SAMPLES_PER_BATCH = 65536


def int8_levels(w):
    """Per-output-channel symmetric int8 levels of a weight array: (q int8, scale float32), w ~ q * scale."""
    w = np.asarray(w, np.float32)
    s = np.abs(w.reshape(w.shape[0], -1)).max(axis=1) / 127.0
    s = np.where(s > 0, s, 1.0).astype(np.float32)
    q = np.clip(np.round(w / s.reshape((-1,) + (1,) * (w.ndim - 1))), -127, 127).astype(np.int8)
    return q, s


@torch.no_grad()
def to_int8_levels_(conv):
    """Puts a convolution's weights on their int8 levels (`int8_levels`), in place."""
    q, s = int8_levels(conv.weight.numpy())
    conv.weight.copy_(torch.from_numpy(q.astype(np.float32) * s.reshape((-1,) + (1,) * (q.ndim - 1))))


def int32_levels(b, x_scale, w_scale):
    """A bias's int32 levels for input scale `x_scale` and per-channel weight scales: (q int32, scale float32)."""
    s = (np.float64(x_scale) * np.asarray(w_scale, np.float64)).astype(np.float32)
    return np.round(np.asarray(b, np.float64) / s).astype(np.int64), s


class Slot(nn.Identity):
    """Where a static int8 model quantizes an activation; an identity in the fp32 model."""


class ActQuant(nn.Module):
    """uint8 quantization of an activation with a fixed scale and zero point (output: the dequantized values)."""

    def __init__(self):
        super().__init__()
        self.register_buffer("scale", torch.tensor(1.0))
        self.register_buffer("zero_point", torch.tensor(0, dtype=torch.int32))
        self.seen = None  # while calibrating: [min, max, samples, random generator]
        self.after = None  # (conv, its input's ActQuant) when this one requantizes an integer convolution

    def forward(self, x):
        if self.seen is not None:
            flat = x.detach().flatten()
            pick = flat[torch.randint(len(flat), (min(len(flat), SAMPLES_PER_BATCH),), generator=self.seen[3])]
            self.seen[0] = min(self.seen[0], float(flat.min()))
            self.seen[1] = max(self.seen[1], float(flat.max()))
            self.seen[2].append(pick)
            return x
        if exporting():  # written as QuantizeLinear -> DequantizeLinear
            return torch.fake_quantize_per_tensor_affine(x, self.scale, self.zero_point, 0, 255)
        zp = float(self.zero_point)
        if self.after is None:  # QuantizeLinear, QLinearAdd: x / scale, round half to even
            v = torch.clamp(x.float() / self.scale, -zp, 255.0 - zp)
        else:
            v = self.requantized()
        return torch.round(v) * self.scale  # (level - zero point) x scale, as DequantizeLinear

    def requantized(self):
        """The integer convolution's sum (from its input's levels, its weights' and bias's int levels) times
        the float32 multiplier x_scale * w_scale / y_scale, clamped to the output's range (before rounding)."""
        conv, q_in = self.after
        wq, ws = int8_levels(conv.weight.detach().numpy())
        acc = integer_conv(conv, wq, torch.round(conv.last_input / q_in.scale))  # input levels - zero point
        if conv.bias is not None:
            bq, _ = int32_levels(conv.bias.detach().numpy(), float(q_in.scale), ws)
            acc = acc + torch.from_numpy(bq.astype(np.float64)).view(1, -1, 1, 1)
        m = (q_in.scale.float() * torch.from_numpy(ws)) / self.scale.float()  # float32, in MLAS's order
        zp = float(self.zero_point)
        return torch.clamp(acc.float() * m.view(1, -1, 1, 1), -zp, 255.0 - zp)

    def set_range(self):
        lo_seen, hi_seen, samples, _ = self.seen
        v = torch.cat(samples)
        lo = 0.0 if lo_seen >= 0 else max(lo_seen, float(torch.quantile(v, 1 - QUANTILE)))
        hi = max(0.0, min(hi_seen, float(torch.quantile(v, QUANTILE))))
        scale = max(hi - lo, 1e-6) / 255.0
        self.scale.fill_(scale)
        self.zero_point.fill_(int(np.clip(round(-lo / scale), 0, 255)))
        self.seen = None


def integer_conv(conv, wq, xq):
    """The exact integer sums of `conv` (its geometry) with int8 weight levels `wq` over whole numbers
    |xq| <= 255, as float64: two float32 convolutions with the levels split in 16 x high + low (|high|, |low|
    <= 8), each of whose partial sums stays below 2^24 and is therefore exact in any order."""
    wq = wq.astype(np.float32)
    if 255 * 8 * wq[0].size >= 2 ** 24:
        raise ValueError("integer_conv: too many terms for exact float32 partial sums")
    high = np.round(wq / 16)

    def run(w):
        return F.conv2d(xq.float(), torch.from_numpy(w), None, conv.stride, conv.padding, conv.dilation,
                        conv.groups).double()

    return run(high) * 16 + run(wq - 16 * high)


def slots(model):
    """(parent, child name) of every Slot or ActQuant of the model, in module order."""
    return [(parent, name) for parent in model.modules() for name, child in parent.named_children()
            if isinstance(child, (Slot, ActQuant))]


def is_static(state_dict):
    return any(k.endswith("zero_point") for k in state_dict)


def attach_(model):
    """Puts an ActQuant in every slot (scale 1, zero point 0 until calibrated or loaded) and links each
    convolution between two of them to both; returns the model."""
    for parent, name in slots(model):
        if isinstance(getattr(parent, name), Slot):
            setattr(parent, name, ActQuant())
    link_(model)
    return model


@torch.no_grad()
def link_(model):
    """Runs the model once to see, for each convolution, the quantizer that made its input (its input's
    scale) and the quantizer that runs next with no other convolution in between (its output's: with only
    BatchNorm folded away and a ReLU between them, the three are one QLinearConv in ONNX Runtime). Keeps a
    hook that holds each such integer convolution's last input for `ActQuant.requantized`."""
    made, order, hooks = {}, [], []
    quantizers = [getattr(p, n) for p, n in slots(model)]
    def ran(q, _, out):
        made[id(out)] = (q, out)
        order.append(q)

    for q in quantizers:
        q.after = None
        hooks.append(q.register_forward_hook(ran))
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_pre_hook(lambda m, i: order.append((m, made.get(id(i[0]), (None,))[0]))))
    saved = [(q, q.seen) for q in quantizers]
    for q in quantizers:
        q.seen = [float("inf"), float("-inf"), [], None]  # pass values through unchanged while linking
    model(torch.rand(1, 1, model.INPUT_SIZE, model.INPUT_SIZE) * 255)
    for q, seen in saved:
        q.seen = seen
    for h in hooks:
        h.remove()
    for prev, nxt in zip(order, order[1:]):
        if isinstance(prev, tuple) and isinstance(nxt, ActQuant) and prev[1] is not None:
            nxt.after = prev
            if not hasattr(prev[0], "last_input"):
                prev[0].register_forward_pre_hook(lambda m, i: setattr(m, "last_input", i[0]))
    return model


def integer_convs(model):
    return [q.after[0] for p, n in slots(model) for q in [getattr(p, n)] if isinstance(q, ActQuant) and q.after]


def calibration_batches(images, n=CALIBRATION_IMAGES, seed=0, batch=32):
    """Float batches [b,1,H,W] of a seeded sample of `n` uint8 training images [N,H,W]."""
    pick = np.sort(np.random.default_rng(seed).choice(len(images), min(n, len(images)), replace=False))
    for i in range(0, len(pick), batch):
        yield torch.from_numpy(np.asarray(images[pick[i:i + batch]], np.float32)).unsqueeze(1)


@torch.no_grad()
def calibrate_(model, batches):
    """Sets every activation quantizer's range from `batches` (float tensors the model takes) and rounds the
    biases to their levels. The model's weights must already be on int8 levels (compress.quantize_weights_)."""
    model.eval()
    attach_(model)
    for conv in integer_convs(model):  # the few weights that weight-only int8 left fp32 (first layers, 1x1)
        to_int8_levels_(conv)
    quantizers = [getattr(p, n) for p, n in slots(model)]
    for q in quantizers:
        q.seen = [float("inf"), float("-inf"), [], torch.Generator().manual_seed(0)]
    for xb in batches:
        model(xb)
    for q in quantizers:
        q.set_range()
    for q in quantizers:
        if q.after is not None and q.after[0].bias is not None:
            conv, q_in = q.after
            b, s = int32_levels(conv.bias.numpy(), float(q_in.scale), int8_levels(conv.weight.numpy())[1])
            conv.bias.copy_(torch.from_numpy((b * s.astype(np.float64)).astype(np.float32)))
    return model


def exporting():
    return torch.jit.is_tracing() or torch.onnx.is_in_onnx_export()


def emulating(quantizer):
    """Whether a module computes as the static int8 model in ONNX Runtime (not while exporting)."""
    return isinstance(quantizer, ActQuant) and not exporting()


def upsample2x(x, exact=False):
    """Bilinear 2x upsampling (half-pixel centres); with `exact`, in ONNX Runtime's Resize order of float32
    operations (four weighted neighbours summed left to right), so that a quantizer after it sees the page's
    values."""
    if not exact:
        return F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)

    def taps(n):
        src = np.clip((np.arange(2 * n) + 0.5) / 2 - 0.5, 0, n - 1).astype(np.float32)
        i1 = np.minimum(src.astype(np.int64), n - 1)
        i2 = np.minimum(i1 + 1, n - 1)
        d1, d2 = np.abs(src - i1).astype(np.float32), np.abs(src - i2).astype(np.float32)
        same = i1 == i2
        d1[same], d2[same] = 0.5, 0.5
        return torch.from_numpy(i1), torch.from_numpy(i2), torch.from_numpy(d1), torch.from_numpy(d2)

    y1, y2, dy1, dy2 = taps(x.shape[2])
    x1, x2, dx1, dx2 = taps(x.shape[3])
    rows1, rows2 = x.index_select(2, y1), x.index_select(2, y2)
    x11, x21 = rows1.index_select(3, x1), rows1.index_select(3, x2)
    x12, x22 = rows2.index_select(3, x1), rows2.index_select(3, x2)
    dy1, dy2 = dy1.view(-1, 1), dy2.view(-1, 1)
    return (dx2 * dy2) * x11 + (dx1 * dy2) * x21 + (dx2 * dy1) * x12 + (dx1 * dy1) * x22
