"""Source adversary (the recipe search's variant c): a head that names an image's source among the sources
of its own label, behind gradient reversal (Ganin & Lempitsky 2015), so that the backbone is pushed to drop
what tells sources apart within a label, not what tells the labels apart."""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class GradReverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, lam):
        ctx.lam = lam
        return x.view_as(x)

    @staticmethod
    def backward(ctx, g):
        return -ctx.lam * g, None


class SourceAdversary(nn.Module):
    """One linear source head per label over the pooled features; sources absent from a label are masked."""

    def __init__(self, channels, labels, rows):
        super().__init__()
        self.names = sorted({r["source"] for r in rows})
        self.n_labels = int(np.max(labels)) + 1
        present = torch.zeros(self.n_labels, len(self.names), dtype=torch.bool)
        src = [self.names.index(r["source"]) for r in rows]
        for c, s in zip(labels, src):
            present[int(c), s] = True
        self.register_buffer("present", present)
        self.source = torch.as_tensor(src, dtype=torch.long)
        self.fc = nn.Linear(channels, self.n_labels * len(self.names))

    def loss(self, pooled, y, ix, lam):
        """Cross-entropy of the source within the label; the backbone gets -lam times its gradient."""
        z = self.fc(GradReverse.apply(pooled, lam)).view(len(y), self.n_labels, -1)
        z = z[torch.arange(len(y)), y].masked_fill(~self.present[y], -1e4)
        return F.cross_entropy(z, self.source[ix])


def ramp(step, steps, peak):
    """DANN's schedule: the reversal weight grows from 0 to `peak` over training."""
    return peak * (2.0 / (1.0 + math.exp(-10.0 * step / max(1, steps))) - 1.0)
