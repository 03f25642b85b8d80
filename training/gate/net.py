"""The gate's network ([N,1,224,224] 0..255 -> logits), its exported wrapper and the ONNX export."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from ..data import INPUT
from ..export import export_graph, pattern_v1


class GateNet(nn.Module):
    """[N,1,224,224] float 0..255 -> logits [N,2]. 4x average pooling to 56x56, per-image standardisation,
    4 conv stages; the head sees the spatial layout (7x7), global features and the raw mean/std."""

    def __init__(self, w=(8, 16, 32, 48)):
        super().__init__()
        layers, c = [], 1
        for i, o in enumerate(w):
            layers += [nn.Conv2d(c, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True)]
            if i < len(w) - 1:
                layers.append(nn.MaxPool2d(2))
            c = o
        self.features = nn.Sequential(*layers)
        self.squeeze = nn.Conv2d(c, 16, 1)
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(16 * 49 + c + 2, 32), nn.ReLU(inplace=True),
                                  nn.Linear(32, 2))

    def forward(self, x):
        return self.body(F.avg_pool2d(x, 4))                    # 56x56

    def body(self, x):
        m = x.mean(dim=(1, 2, 3), keepdim=True)
        s = ((x - m) ** 2).mean(dim=(1, 2, 3), keepdim=True).sqrt()
        f = self.features((x - m) / (s + 2.0))                  # eps 2 grey levels: blanks stay blank
        stats = torch.cat([m.flatten(1), s.flatten(1)], 1) / 128.0 - 0.5
        z = torch.cat([F.relu(self.squeeze(f)).flatten(1), f.mean(dim=(2, 3)), stats], 1)
        return self.head(z)


class Exported(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        logits = self.net(x)
        return torch.softmax(logits, 1)[:, 1], logits



@torch.no_grad()
def scores(net, x224, bs=256):
    """p_in_scope for [n,224,224] uint8 (numpy) or [n,1,224,224] float."""
    net.eval()
    out = []
    for i in range(0, len(x224), bs):
        xb = x224[i:i + bs]
        xb = torch.from_numpy(np.asarray(xb)).float().unsqueeze(1) if isinstance(xb, np.ndarray) else xb
        out.append(torch.softmax(net(xb), 1)[:, 1])
    return torch.cat(out).numpy() if out else np.zeros(0, np.float32)


def export(net, path):
    net.eval()
    wrapped = Exported(net).eval()
    export_graph(wrapped, torch.zeros(2, 1, INPUT, INPUT), path, ["p_in_scope", "logits"], int8=False)
    with torch.no_grad():
        prob, logits = wrapped(pattern_v1())
    return float(prob[0]), [round(float(v), 5) for v in logits[0]]
