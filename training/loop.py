"""Sampling, the training loop and batched inference (CPU, fixed seeds)."""
import math
import time

import numpy as np
import torch
import torch.nn.functional as F

from .augment import augment, augment_with_masks, plain

BATCH = 64


def balanced_weights(rows, classes, key="source", age_mass=None):
    """Sampling probabilities: every class gets the same mass; inside a class each `key` group gets mass
    proportional to sqrt(its size), shared equally by its images (rare sources are up-weighted, not to
    the point of repeating a handful of images endlessly). `age_mass` ({class: {age_group: share}})
    first splits a class's mass between age groups (e.g. Model 2's pneumonias: led by adults, so that
    the children of one hospital cannot carry the class), then by `key` inside each age group."""
    def part(r, c):
        return (c, r["age_group"]) if age_mass and c in age_mass else (c, None)
    counts = {}
    for r, c in zip(rows, classes):
        counts.setdefault(part(r, c), {}).setdefault(r[key], 0)
        counts[part(r, c)][r[key]] += 1
    present = {}
    for c, age in counts:
        present.setdefault(c, []).append(age)
    w = np.zeros(len(rows))
    for i, (r, c) in enumerate(zip(rows, classes)):
        c_age = part(r, c)
        groups = counts[c_age]
        total = sum(math.sqrt(n) for n in groups.values())
        share = 1.0
        if c_age[1] is not None:
            shares = {a: age_mass[c].get(a, 0.0) for a in present[c]}
            share = shares[c_age[1]] / sum(shares.values()) if sum(shares.values()) > 0 else 1 / len(shares)
        w[i] = share * (math.sqrt(groups[r[key]]) / total) / groups[r[key]] / len(present)
    return w / w.sum()


def sample_order(n, n_samples, rng, weights=None):
    if weights is not None:
        return rng.choice(n, n_samples, replace=True, p=weights)
    reps = -(-n_samples // n)
    return np.concatenate([rng.permutation(n) for _ in range(reps)])[:n_samples]


def outside_share(evidence, masks):
    """Share of the positive COVID-19 evidence [B,h,w] that lies outside the lungs (masks [B,1,224,224]
    0..1, pooled to the evidence grid as each cell's lung fraction), per image."""
    lung = F.adaptive_avg_pool2d(masks, evidence.shape[-2:]).squeeze(1)
    pos = F.relu(evidence)
    return (pos * (1 - lung)).sum(dim=(1, 2)) / (pos.sum(dim=(1, 2)) + 1e-2)


def batch_inputs(x, masks, ix, rng, aug, refs=None):
    if masks is None:
        return (augment(x[ix], rng, refs) if aug else plain(x[ix])), None
    if aug:
        return augment_with_masks(x[ix], masks[ix], rng, refs)
    return plain(x[ix]), plain(masks[ix]) / 255.0


def donors(x, rows, share):
    """For the appearance variant: a function (batch indices, rng) -> per image, with probability `share`, a
    random image of another source (the source drawn uniformly, so that small sources lend their look too),
    else None."""
    src = np.array([r["source"] for r in rows])
    by = {s: np.flatnonzero(src == s) for s in sorted(set(src))}

    def pick(ix, rng):
        out = []
        for i in ix:
            others = [s for s in by if s != src[i]]
            if not others or rng.random() >= share:
                out.append(None)
                continue
            members = by[others[int(rng.integers(len(others)))]]
            out.append(x[members[int(rng.integers(len(members)))]])
        return out
    return pick


def warm_cosine(opt, steps):
    """5% linear warm-up, then cosine decay to 0."""
    warm = max(1, steps // 20)
    return torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, steps - warm))))


def run_steps(model, steps, step_loss, opt, sched, *, log=print, tag="", every=50, batch=BATCH):
    """The one training loop of the package: `step_loss(s)` gives step s's loss and a dict of figures to log
    (running means); AdamW step and scheduler step after each. Every model of training/ trains through it."""
    model.train()
    t0, run = time.time(), {}
    for s in range(steps):
        loss, stats = step_loss(s)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        now = dict(loss=loss.item(), **stats)
        run = now if s == 0 else {k: 0.98 * run[k] + 0.02 * v for k, v in now.items()}
        if s % every == 0 or s == steps - 1:
            el = time.time() - t0
            log(f"[{tag}] step {s + 1}/{steps} " + " ".join(f"{k} {v:.3f}" for k, v in run.items())
                + f" {(s + 1) * batch / max(el, 1e-6):.0f} img/s {el:.0f}s")
    model.eval()
    return model


def train(model, n, n_samples, batch_loss, *, lr, weight_decay, seed, weights=None, batch=BATCH, log=print, tag="",
          extra=None):
    """Draw `n_samples` of `n` items (with `weights`, else in shuffled passes), in sorted batches of `batch`;
    `batch_loss(ix, rng)` gives a batch's loss and figures. AdamW with warm_cosine, over the model's
    parameters and those of `extra` (a training-only module, e.g. a source adversary)."""
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    order = sample_order(n, n_samples, rng, weights)
    steps = max(1, len(order) // batch)
    params = list(model.parameters()) + (list(extra.parameters()) if extra is not None else [])
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    return run_steps(model, steps, lambda s: batch_loss(np.sort(order[s * batch:(s + 1) * batch]), rng), opt,
                     warm_cosine(opt, steps), log=log, tag=tag, batch=batch)


def train_classifier(model, x, y, n_samples, *, lr, seed, weights=None, aug=False, log=print, tag="", masks=None,
                     guide=0.0, rows=None, adversary=0.0, appearance=0.0, group_dro=0.0):
    """Train a classifier on uint8 images x [n,224,224] with int labels y for n_samples draws. With lung
    `masks` (uint8 [n,224,224], 255 = lung) and `guide` > 0, a binary model is also taught to keep its
    COVID-19 evidence inside the lungs: the loss adds `guide` times the share of positive evidence outside
    them (`outside_share`; Ross et al. 2017's "right for the right reasons", on the CAM). The recipe
    search's options, which need the images' `rows`: `adversary` > 0, a source head within each label
    behind gradient reversal of that peak weight (adversary.py); `appearance` > 0, that share of images
    takes another source's look first (augment.match_appearance); `group_dro` > 0, the classification loss
    is group DRO's over (label, source) with that step size (group_dro.py)."""
    from .adversary import SourceAdversary, ramp
    from .group_dro import GroupDRO
    y_np = np.asarray(y)
    y = torch.as_tensor(y_np, dtype=torch.long)
    guided = masks is not None and guide > 0
    adv = SourceAdversary(model.fc.in_features, y_np, rows) if adversary > 0 else None
    pick = donors(x, rows, appearance) if appearance > 0 and aug else None
    dro = GroupDRO(y_np, rows, group_dro) if group_dro > 0 else None
    steps, step = max(1, n_samples // BATCH), [0]

    def batch_loss(ix, rng):
        xb, mb = batch_inputs(x, masks if guided else None, ix, rng, aug, pick(ix, rng) if pick else None)
        pooled = None
        if guided or adv is not None:
            out, evidence, pooled = model.logits_and_evidence(xb, pooled=True)
        else:
            out = model(xb)
        loss = dro.loss(out, y[ix], ix) if dro is not None else F.cross_entropy(out, y[ix])
        stats = {"acc": (out.argmax(1) == y[ix]).float().mean().item()}
        if guided:
            share = outside_share(evidence, mb).mean()
            loss = loss + guide * share
            stats["outside"] = share.item()
        if adv is not None:
            src_loss = adv.loss(pooled, y[ix], torch.as_tensor(ix), ramp(step[0], steps, adversary))
            loss = loss + src_loss
            stats["source_ce"] = src_loss.item()
        step[0] += 1
        return loss, stats

    return train(model, len(x), n_samples, batch_loss, lr=lr, weight_decay=5e-4, seed=seed, weights=weights,
                 log=log, tag=tag, extra=adv)


@torch.no_grad()
def run_batches(fn, x, batch=128, transform=None):
    """Apply fn (tensor [b,1,224,224] 0..255 -> tensor or tuple of tensors) to uint8 images in batches;
    `transform` (float32 numpy [b,224,224] -> same) edits the input first (audits)."""
    outs = []
    for i in range(0, len(x), batch):
        xb = np.asarray(x[i:i + batch], dtype=np.float32)
        if transform is not None:
            xb = transform(xb)
        r = fn(torch.from_numpy(np.ascontiguousarray(xb)).unsqueeze(1))
        outs.append([t.numpy() for t in (r if isinstance(r, tuple) else (r,))])
    if not outs:
        return None
    res = [np.concatenate([o[k] for o in outs]) for k in range(len(outs[0]))]
    return res if len(res) > 1 else res[0]


def prior_log_odds(y_train):
    """log(pi_1/pi_0) of the natural training class frequencies."""
    pi1 = float((np.asarray(y_train) == 1).mean())
    return math.log(pi1 / (1 - pi1))


def prior_correction(model, y_train):
    """Bayes prior correction after class-balanced sampling: add prior_log_odds to the COVID logit's bias,
    so that probabilities refer to the data's prevalence."""
    shift = prior_log_odds(y_train)
    with torch.no_grad():
        model.fc.bias[1] += shift
    return shift
