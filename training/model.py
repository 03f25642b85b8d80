"""The compact ResNet-like classifier and the exported wrapper (logits, prob, cam).

Input: [N,1,224,224] float32 gray 0..255. Inside the network: per-image standardisation (or, for the
baseline, a fixed x/255 scaling), 2x2 average pooling to 112x112, a 3x3 stride-2 stem, four stages of two
basic blocks (dense 3x3 convs) at 56/28/14/7 px, global average pooling and a linear head. The CAM is
computed over the last feature grid: 7x7, or 14x14 once `dilate_last_stage` has turned the last stage's
stride into dilation (the shipped models: pretrained at 7x7, fine-tuned at 14x14 for a heatmap with 16 px
cells, fine enough to tell the lungs from the mediastinum).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .quantize import Slot

WIDTHS = (16, 32, 64, 128)
INTERNAL = 112


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.skip = None
        if stride != 1 or cin != cout:
            self.skip = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout), Slot())
        self.q1, self.q2, self.qo = Slot(), Slot(), Slot()  # activation quantizers (quantize.py)

    def forward(self, x):
        y = self.q1(F.relu(self.b1(self.c1(x))))
        y = self.q2(self.b2(self.c2(y)))
        return self.qo(F.relu(y + (x if self.skip is None else self.skip(x))))


class Backbone(nn.Module):
    """[N,1,224,224] 0..255 -> features [N,C,7,7]."""

    def __init__(self, widths=WIDTHS, standardise=True, internal=INTERNAL):
        super().__init__()
        self.standardise = standardise
        self.internal = internal
        self.stem = nn.Sequential(nn.Conv2d(1, widths[0], 3, 2, 1, bias=False),
                                  nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True))
        layers, cin = [], widths[0]
        for i, w in enumerate(widths):
            layers += [Block(cin, w, 1 if i == 0 else 2), Block(w, w, 1)]
            cin = w
        self.layers = nn.Sequential(*layers)
        self.out_channels = cin
        self.q_in, self.q_stem = Slot(), Slot()

    def normalise(self, x):
        if self.standardise:  # per-image standardisation: removes global brightness/contrast cues
            m, s = standard_scale(x)
            return (x - m) / s
        return x / 127.5 - 1.0

    def shrink(self, x):
        """224x224 -> the internal resolution: 2x2 average pooling at 112 (the shipped models), none at 224,
        bilinear otherwise."""
        if self.internal == 112:
            return F.avg_pool2d(x, 2)
        if self.internal == x.shape[-1]:
            return x
        return F.interpolate(x, size=(self.internal, self.internal), mode="bilinear", align_corners=False)

    def forward(self, x):
        if self.standardise and self.internal == 112:  # pooled first: the pooling of 0..255 pixels is exact
            h = standardised_half(x)
        else:
            h = self.shrink(self.normalise(x))
        return self.layers(self.q_stem(self.stem(self.q_in(h))))


def standard_scale(x):
    """Per-image mean and sqrt(variance + 1) of [N,1,H,W] (H, W <= 256), float32 [N,1,1,1], by sums that are
    exact in float32 in any order when the pixels are whole numbers (0..255: every partial sum below 2^24):
    the sums, then the squares' row sums split into multiples of 4096 and the rest. So ONNX Runtime and PyTorch
    get the same values; a static int8 model's first quantizer would turn summation differences into other
    levels (docs/ANALYSIS.md)."""
    n = float(x[0].numel())
    s1 = x.sum(dim=3, keepdim=True).sum(dim=2, keepdim=True)
    rows = (x * x).sum(dim=3, keepdim=True)
    high = torch.floor(rows / 4096.0)
    s2 = high.sum(dim=2, keepdim=True) * 4096.0 + (rows - high * 4096.0).sum(dim=2, keepdim=True)
    m = s1 / n
    return m, torch.sqrt(s2 / n - m * m + 1.0)


def standardised_half(x):
    """2x2 average pooling of the per-image standardised image, (pool(x) - mean) / sqrt(var + 1), the statistics
    of the whole image (the classifiers' and the lung model's first step)."""
    m, s = standard_scale(x)
    return (F.avg_pool2d(x, 2) - m) / s


def dilate_last_stage(backbone):
    """Stride 1 instead of 2 in the last stage, and dilation 2 in its later 3x3 convs (the DeepLab
    conversion): on the even positions the features are the strided net's, and the grid doubles to 14x14.
    Idempotent; the weights are unchanged, so a 7x7-pretrained backbone loads into either form."""
    first, second = backbone.layers[-2], backbone.layers[-1]
    first.c1.stride = (1, 1)
    if first.skip is not None:
        first.skip[0].stride = (1, 1)
    for conv in (first.c2, second.c1, second.c2):
        conv.dilation, conv.padding = (2, 2), (2, 2)
    return backbone


class Classifier(nn.Module):
    INPUT_SIZE = 224
    def __init__(self, n_classes=2, standardise=True, widths=WIDTHS, fine_cam=False, internal=INTERNAL):
        super().__init__()
        self.backbone = Backbone(widths, standardise, internal)
        if fine_cam:
            dilate_last_stage(self.backbone)
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(self.backbone.out_channels, n_classes)

    def forward(self, x):
        f = self.backbone(x)
        return self.fc(self.dropout(f.mean(dim=(2, 3))))

    def features_and_logits(self, x):
        f = self.backbone(x)
        return f, self.fc(f.mean(dim=(2, 3)))

    def logits_and_evidence(self, x, pooled=False):
        """Training with lung guidance: the logits (with dropout) and the COVID-19 evidence per cell,
        (w1-w0).f [N,h,w], whose mean over the grid is the logit difference less the bias; with `pooled`,
        also the pooled features [N,C] (for the source adversary)."""
        f = self.backbone(x)
        w = (self.fc.weight[1] - self.fc.weight[0]).view(1, -1, 1, 1)
        g = f.mean(dim=(2, 3))
        out = (self.fc(self.dropout(g)), (f * w).sum(dim=1))
        return out + (g,) if pooled else out


def cam_from_features(f, fc):
    """CAM of COVID-19 (index 1) against the other class: ReLU(sum_c (w1-w0)_c f_c), divided by its max + 1e-6."""
    w = (fc.weight[1] - fc.weight[0]).view(1, -1, 1, 1)
    cam = F.relu((f * w).sum(dim=1))
    peak = cam.flatten(1).max(dim=1)[0].view(-1, 1, 1)
    return cam / (peak + 1e-6)


class Exported(nn.Module):
    """The ONNX graph: input [N,1,224,224] 0..255 -> logits [N,2], prob [N] (softmax(logits/T)[:,1]), cam [N,h,w] (7x7 or 14x14)."""

    def __init__(self, clf, temperature):
        super().__init__()
        self.clf = clf
        self.register_buffer("inv_t", torch.tensor(1.0 / float(temperature)))

    def forward(self, x):
        f, logits = self.clf.features_and_logits(x)
        prob = torch.softmax(logits * self.inv_t, dim=1)[:, 1]
        return logits, prob, cam_from_features(f, self.clf.fc)


def for_card(card):
    """An untrained Classifier shaped as a model card says (standardisation, CAM grid)."""
    arch = card.get("architecture", {})
    grid = arch.get("cam_grid", [7, 7])
    return Classifier(2, standardise=card.get("standardise", True), fine_cam=grid[0] > 7,
                      internal=arch.get("internal_resolution", INTERNAL))


def n_params(m):
    return sum(p.numel() for p in m.parameters())
