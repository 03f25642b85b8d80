"""A small U-Net for both lungs on the canonical image, and its exported wrapper.

Input: [N,1,256,256] float32 gray 0..255 (the canonical image). Inside the graph: per-image
standardisation, 2x2 average pooling to 128x128, an encoder of three 2x poolings (widths 12/24/48/64),
two dilated convolutions at 16x16 for context (the lungs fill most of the chest, so the net needs to see
it whole), a decoder with skip connections back to 128x128, one logit per pixel, bilinear upsampling
to 256x256 and a sigmoid: `mask` [N,256,256] = P(lung) per canonical pixel.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from ..model import standardised_half
from ..quantize import Slot, emulating, upsample2x

WIDTHS = (12, 24, 48, 64)


def conv_bn(cin, cout, dilation=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, 1, dilation, dilation=dilation, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                         Slot())


def double(cin, cout):
    return nn.Sequential(conv_bn(cin, cout), conv_bn(cout, cout))


class UNet(nn.Module):
    INPUT_SIZE = 256
    def __init__(self, widths=WIDTHS):
        super().__init__()
        w = widths
        self.enc = nn.ModuleList([double(1, w[0])] + [double(w[i - 1], w[i]) for i in range(1, len(w))])
        self.context = nn.Sequential(conv_bn(w[-1], w[-1], 2), conv_bn(w[-1], w[-1], 4))
        self.dec = nn.ModuleList([double(w[i + 1] + w[i], w[i]) for i in reversed(range(len(w) - 1))])
        self.head = nn.Conv2d(w[0], 1, 1)
        self.q_in = Slot()
        self.q_pool = nn.ModuleList([Slot() for _ in self.enc[1:]])
        self.q_cat = nn.ModuleList([Slot() for _ in self.dec])

    def forward(self, x):
        """[N,1,256,256] 0..255 -> logits [N,1,256,256]."""
        h = self.q_in(standardised_half(x))
        skips = []
        for i, block in enumerate(self.enc):
            if i:
                h = self.q_pool[i - 1](F.max_pool2d(h, 2))
            h = block(h)
            skips.append(h)
        h = self.context(h)
        exact = emulating(self.q_in)
        for block, q_cat, skip in zip(self.dec, self.q_cat, reversed(skips[:-1])):
            h = block(q_cat(torch.cat([upsample2x(h, exact), skip], dim=1)))
        return upsample2x(self.head(h), exact)


class ExportedUNet(nn.Module):
    """The ONNX graph: input [N,1,256,256] 0..255 -> mask [N,256,256], P(lung) per pixel."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.sigmoid(self.net(x))[:, 0]
