"""One contact sheet per label (contact_<label>.png): up to COLS x ROWS thumbnails of THUMB px, drawn in
turn from each source (seeded), with a one-line caption, for a quick look at what a class holds."""
import collections
import os
import random

from PIL import Image, ImageDraw

from .features import thumbnail

COLS, ROWS, THUMB, GAP, CAPTION = 8, 6, 96, 2, 14


def pick(rows, n, seed):
    """Up to n rows, round-robin over sources (sorted), each source's rows in a seeded order."""
    by_src = collections.defaultdict(list)
    for r in sorted(rows, key=lambda r: r["path"]):
        by_src[r["source"]].append(r)
    rng = random.Random(seed)
    queues = []
    for s in sorted(by_src):
        q = by_src[s][:]
        rng.shuffle(q)
        queues.append(q)
    out = []
    while len(out) < n and any(queues):
        for q in queues:
            if q and len(out) < n:
                out.append(q.pop())
    return out


def sheet(label, rows, out_path, seed=0):
    chosen = pick(rows, COLS * ROWS, seed)
    n_rows = max(1, (len(chosen) + COLS - 1) // COLS)
    w = COLS * (THUMB + GAP) - GAP
    img = Image.new("L", (w, CAPTION + n_rows * (THUMB + GAP)), 0)
    counts = collections.Counter(r["source"] for r in rows)
    by_source = ", ".join(f"{s} {n}" for s, n in sorted(counts.items()))
    caption = f"{label}: {len(chosen)} of {len(rows)} images ({by_source})"
    ImageDraw.Draw(img).text((2, 1), caption, fill=255)
    unreadable = 0
    for k, r in enumerate(chosen):
        try:
            t = thumbnail(r["_file"], THUMB)
        except Exception:  # noqa: BLE001 — DICOM without a decoder, or a file that changed meanwhile
            unreadable += 1
            continue
        img.paste(t, ((k % COLS) * (THUMB + GAP), CAPTION + (k // COLS) * (THUMB + GAP)))
    img.save(out_path, optimize=True)
    return os.path.getsize(out_path), unreadable


def sheets(out, rows, seed=0):
    """Write contact_<label>.png for each label; -> {label: (file name, bytes)}."""
    by_label = collections.defaultdict(list)
    for r in rows:
        by_label[r["label"]].append(r)
    done = {}
    for label in sorted(by_label):
        name = f"contact_{label}.png"
        size, _ = sheet(label, by_label[label], os.path.join(out, name), seed)
        done[label] = (name, size)
    return done
