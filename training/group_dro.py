"""Group DRO over sources (the recipe search's variant c, second form; Sagawa et al. 2020, "Distributionally
robust neural networks"): the groups are (label, source); the loss is the groups' mean losses weighted by q,
and q moves towards the groups that are learnt worst (exponentiated gradient ascent with step `eta`), so the
model cannot buy a low average loss with one collection's look while another collection of the same label
is still misread."""
import numpy as np
import torch
import torch.nn.functional as F


class GroupDRO:
    def __init__(self, labels, rows, eta):
        keys = sorted({(int(c), r["source"]) for c, r in zip(labels, rows)})
        index = {k: i for i, k in enumerate(keys)}
        self.keys = keys
        self.group = torch.as_tensor([index[(int(c), r["source"])] for c, r in zip(labels, rows)], dtype=torch.long)
        self.q = torch.full((len(keys),), 1.0 / len(keys))
        self.eta = eta

    def loss(self, logits, y, ix):
        """The q-weighted mean of the batch's per-group losses; q is updated first with those losses
        (detached), renormalised over every group (groups absent from the batch keep their weight)."""
        per = F.cross_entropy(logits, y, reduction="none")
        g = self.group[torch.as_tensor(np.asarray(ix), dtype=torch.long)]
        n = torch.zeros(len(self.keys)).index_add_(0, g, torch.ones_like(per))
        sums = torch.zeros(len(self.keys)).index_add_(0, g, per)
        present = n > 0
        means = torch.where(present, sums / n.clamp(min=1), torch.zeros_like(sums))
        with torch.no_grad():
            self.q = self.q * torch.exp(self.eta * means.detach() * present)
            self.q = self.q / self.q.sum()
        w = self.q * present
        return (w * means).sum() / w.sum()

    def weights(self):
        """{(label, source): q} for the log and tests."""
        return {k: float(v) for k, v in zip(self.keys, self.q)}
