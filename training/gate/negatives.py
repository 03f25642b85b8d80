"""Negatives for the input gate, written as image FILES under build/gate-data/<split>/<category>/ and then run
through the project's C++ core (build/native/cxr-prep), so that they see exactly the page's preprocessing.

Categories (the `lateral` negatives come from the manifest and the pool's cache, not from here):
  natural   photographs, microscopy, astronomy shipped in Debian packages (skimage/data, scikit-learn's
            sample images, matplotlib's sample data, skimage's LFW face subset); split FILE-WISE
  graphics  plots, screenshots, icons and 3-D renders shipped in Debian packages (/usr/share/doc,
            emscripten's test images, Adwaita icons); split file-wise
  text      synthesised text pages (PIL default font and DejaVu TTFs)
  screenshot synthesised UI screenshots (windows, title bars, buttons, text, panels)
  diagram   synthesised box-and-arrow diagrams and charts
  synthetic gradients, checkerboards, stripes, shapes, smooth random fields, noise
  colour    a few colour images (also caught by the core's rules)
Every split has its own seed; natural/graphics source files never cross splits.
"""
import csv
import glob
import math
import os
import random
import subprocess
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ..data import CANON, PREP

ROOT = os.path.join("build", "gate-data")
SPLITS = ("train", "val", "test")
SPLIT_SEED = {"train": 101, "val": 202, "test": 303}
SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data"
NATURAL_NAMES = ["astronaut.png", "camera.png", "coffee.png", "chelsea.png", "rocket.jpg", "horse.png",
                 "moon.png", "coins.png", "brick.png", "grass.png", "gravel.png", "hubble_deep_field.jpg",
                 "retina.jpg", "motorcycle_left.png", "ihc.png", "cell.png",
                 "clock_motion.png", "microaneurysms.png", "phantom.png", "color.png", "page.png",
                 "text.png", "bw_text.png", "logo.png", "block.png"]
NATURAL_EXTRA = ["/usr/lib/python3/dist-packages/sklearn/datasets/images/china.jpg",
                 "/usr/lib/python3/dist-packages/sklearn/datasets/images/flower.jpg",
                 "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg",
                 "/usr/share/matplotlib/mpl-data/sample_data/Minduka_Present_Blue_Pack.png",
                 "/usr/share/matplotlib/mpl-data/sample_data/logo2.png"]
GRAPHICS_GLOBS = ["/usr/share/doc/**/*.png", "/usr/share/doc/**/*.jpg", "/usr/share/emscripten/tests/*.png",
                  "/usr/share/emscripten/tests/*.jpg", "/usr/share/icons/Adwaita/512x512/**/*.png"]
FONTS = sorted(glob.glob("/usr/share/fonts/truetype/dejavu/*.ttf"))
# variants per source file (natural, graphics) and synthesised images per category, per split
PLAN = {"train": dict(nat=30, gfx=8, text=400, screenshot=400, diagram=250, synthetic=500, colour=80, faces=120),
        "val": dict(nat=6, gfx=3, text=80, screenshot=80, diagram=50, synthetic=100, colour=20, faces=30),
        "test": dict(nat=6, gfx=3, text=100, screenshot=100, diagram=60, synthetic=120, colour=20, faces=30)}
WORDS = ("the of and patient image report result normal lung chest figure table data value method page "
         "analysis total section results model clinical study sample number system time group level "
         "COVID-19 pneumonia Abstract Introduction 2020 12.5 mg/dl p<0.05 www http").split()


def source_files():
    """Natural and graphics source files, each split file-wise 60/20/20 with a fixed seed."""
    nat = [os.path.join(SKIMAGE, n) for n in NATURAL_NAMES] + NATURAL_EXTRA
    nat = sorted(p for p in nat if os.path.exists(p))
    gfx = sorted({p for g in GRAPHICS_GLOBS for p in glob.glob(g, recursive=True)
                  if os.path.getsize(p) > 8000})
    out = {}
    for name, files in (("natural", nat), ("graphics", gfx)):
        files = list(files)
        random.Random(7).shuffle(files)
        n = len(files)
        a, b = round(0.6 * n), round(0.8 * n)
        out[name] = {"train": files[:a], "val": files[a:b], "test": files[b:]}
    return out


def rand_size(rng, lo=96, hi=1400):
    w = int(math.exp(rng.uniform(math.log(lo), math.log(hi))))
    ar = math.exp(rng.uniform(-0.7, 0.7))
    return max(16, w), max(16, int(w * ar))


def variant(img, rng, keep=False):
    """A random crop / scale / rotation / grayscale version of a PIL image."""
    img = img.convert("RGBA").convert("RGB") if img.mode in ("P", "LA", "RGBA", "I;16", "I") else img.convert("RGB")
    if keep:
        return img
    w, h = img.size
    f = rng.uniform(0.35, 1.0)
    cw, ch = max(8, int(w * f * rng.uniform(0.7, 1.0))), max(8, int(h * f * rng.uniform(0.7, 1.0)))
    x0, y0 = rng.randint(0, w - cw), rng.randint(0, h - ch)
    img = img.crop((x0, y0, x0 + cw, y0 + ch))
    if rng.random() < 0.5:
        img = img.rotate(rng.choice([90, 180, 270]) if rng.random() < 0.4 else rng.uniform(-25, 25),
                         expand=True, fillcolor=tuple(rng.randint(0, 255) for _ in range(3)))
    if rng.random() < 0.3:
        img = img.transpose(Image.FLIP_LEFT_RIGHT)
    if rng.random() < 0.6:
        img = img.convert("L")
    s = rng.uniform(0.25, 2.0)
    img = img.resize((max(16, int(img.size[0] * s)), max(16, int(img.size[1] * s))), Image.BILINEAR)
    if rng.random() < 0.2:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 3)))
    return img


def font(rng, size):
    if FONTS and rng.random() < 0.8:
        return ImageFont.truetype(rng.choice(FONTS), size)
    return ImageFont.load_default()


def words(rng, n):
    return " ".join(rng.choice(WORDS) if rng.random() < 0.6 else
                    "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 10)))
                    for _ in range(n))


def text_page(rng):
    w, h = rng.choice([(850, 1100), (1240, 1754), (600, 800), (1000, 700), (1600, 900)])
    dark = rng.random() < 0.15
    bg, fg = (rng.randint(0, 50), rng.randint(180, 255)) if dark else (rng.randint(200, 255), rng.randint(0, 90))
    im = Image.new("L", (w, h), bg)
    d = ImageDraw.Draw(im)
    size = rng.randint(9, 40)
    f = font(rng, size)
    cols = rng.choice([1, 1, 2])
    margin = rng.randint(10, w // 8)
    colw = (w - 2 * margin) // cols
    for c in range(cols):
        y = rng.randint(5, h // 6)
        while y < h - size:
            if rng.random() < 0.08:
                y += size
                continue
            d.text((margin + c * colw, y), words(rng, max(1, colw // (size * 3))), fill=fg, font=f)
            y += int(size * rng.uniform(1.1, 1.8))
    if rng.random() < 0.3:
        im = im.rotate(rng.uniform(-4, 4), fillcolor=bg)
    if rng.random() < 0.3:
        im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.5)))
    return im


def screenshot(rng):
    w, h = rng.choice([(1280, 800), (1920, 1080), (1366, 768), (750, 1334), (1024, 768), (800, 600)])
    dark = rng.random() < 0.4
    base = rng.randint(20, 60) if dark else rng.randint(200, 250)
    im = Image.new("RGB", (w, h), (base,) * 3)
    d = ImageDraw.Draw(im)
    f = font(rng, rng.randint(10, 18))

    def col(lo, hi):
        return tuple(rng.randint(lo, hi) for _ in range(3))
    d.rectangle((0, 0, w, rng.randint(20, 40)), fill=col(0, 255))
    for _ in range(rng.randint(2, 7)):       # windows / panels
        x0, y0 = rng.randint(0, w - 100), rng.randint(30, h - 80)
        x1, y1 = min(w, x0 + rng.randint(100, w)), min(h, y0 + rng.randint(60, h))
        d.rectangle((x0, y0, x1, y1), fill=col(30, 255) if rng.random() < 0.5 else (255 - base,) * 3,
                    outline=col(0, 255))
        d.rectangle((x0, y0, x1, y0 + 22), fill=col(0, 255))
        d.text((x0 + 6, y0 + 4), words(rng, 3), fill=col(0, 255), font=f)
        for _ in range(rng.randint(0, 6)):   # buttons, fields, text lines
            bx, by = rng.randint(x0, max(x0, x1 - 60)), rng.randint(y0 + 25, max(y0 + 25, y1 - 20))
            if rng.random() < 0.5:
                d.rounded_rectangle((bx, by, bx + rng.randint(40, 160), by + rng.randint(16, 32)), radius=4,
                                    fill=col(40, 255), outline=col(0, 120))
            d.text((bx + 4, by + 2), words(rng, rng.randint(1, 6)), fill=col(0, 255), font=f)
    if rng.random() < 0.5:                   # an embedded picture: gradient or smooth field
        x0, y0 = rng.randint(0, w // 2), rng.randint(40, h // 2)
        pw, ph = rng.randint(80, w // 2), rng.randint(80, h // 2)
        im.paste(Image.fromarray(smooth_field(rng, ph, pw)).convert("RGB"), (x0, y0))
    return im if rng.random() < 0.5 else im.convert("L")


def diagram(rng):
    w, h = rand_size(rng, 300, 1400)
    im = Image.new("L", (w, h), rng.randint(200, 255))
    d = ImageDraw.Draw(im)
    f = font(rng, rng.randint(10, 24))
    if rng.random() < 0.5:                   # boxes and arrows
        boxes = []
        for _ in range(rng.randint(3, 10)):
            x, y = rng.randint(0, w - 80), rng.randint(0, h - 40)
            boxes.append((x, y, x + rng.randint(60, 200), y + rng.randint(30, 80)))
            d.rectangle(boxes[-1], outline=0, width=rng.randint(1, 3), fill=rng.randint(180, 255))
            d.text((x + 5, y + 5), words(rng, 2), fill=0, font=f)
        for a, b in zip(boxes, boxes[1:]):
            d.line(((a[2], a[3]), (b[0], b[1])), fill=0, width=2)
    else:                                    # a chart with axes
        m = 50
        d.line(((m, h - m), (w - 10, h - m)), fill=0, width=2)
        d.line(((m, 10), (m, h - m)), fill=0, width=2)
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.5:
                ys = np.cumsum(np.random.default_rng(rng.randint(0, 1 << 30)).normal(size=40))
                ys = (ys - ys.min()) / (np.ptp(ys) + 1e-6) * (h - 2 * m - 10) + 10
                pts = [(m + i * (w - m - 10) / 39, h - m - y) for i, y in enumerate(ys)]
                d.line(pts, fill=rng.randint(0, 120), width=rng.randint(1, 4))
            else:
                n = rng.randint(3, 15)
                bw = (w - m - 20) / n
                for i in range(n):
                    d.rectangle((m + i * bw + 3, h - m - rng.randint(10, h - 2 * m), m + (i + 1) * bw - 3, h - m),
                                fill=rng.randint(0, 200))
        d.text((m, h - m + 10), words(rng, 4), fill=0, font=f)
    return im


def smooth_field(rng, h, w):
    g = np.random.default_rng(rng.randint(0, 1 << 30))
    k = rng.choice([4, 8, 16, 32, 64])
    small = g.normal(size=(max(2, h // k), max(2, w // k)))
    im = Image.fromarray(((small - small.min()) / (np.ptp(small) + 1e-6) * 255).astype(np.uint8))
    return np.asarray(im.resize((w, h), Image.BICUBIC))


def synthetic(rng):
    w, h = rand_size(rng, 64, 1400)
    kind = rng.choice(["gradient", "radial", "checker", "stripes", "shapes", "field", "field", "noise", "flat"])
    g = np.random.default_rng(rng.randint(0, 1 << 30))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if kind == "gradient":
        a = rng.uniform(0, 2 * math.pi)
        v = xx * math.cos(a) + yy * math.sin(a)
    elif kind == "radial":
        v = -np.hypot(xx - rng.uniform(0, w), yy - rng.uniform(0, h))
    elif kind == "checker":
        s = rng.randint(2, 120)
        v = ((xx // s + yy // s) % 2).astype(np.float32)
    elif kind == "stripes":
        a, s = rng.uniform(0, math.pi), rng.uniform(2, 80)
        v = np.sin((xx * math.cos(a) + yy * math.sin(a)) / s)
    elif kind == "field":
        v = smooth_field(rng, h, w).astype(np.float32)
    elif kind == "noise":
        v = g.normal(size=(h, w)) if rng.random() < 0.5 else g.uniform(size=(h, w))
    elif kind == "flat":
        v = np.full((h, w), rng.uniform(0, 1)) + g.normal(scale=0.02, size=(h, w))
    else:
        im = Image.new("L", (w, h), rng.randint(0, 255))
        d = ImageDraw.Draw(im)
        for _ in range(rng.randint(1, 30)):
            box = sorted((rng.randint(0, w), rng.randint(0, w)))
            boy = sorted((rng.randint(0, h), rng.randint(0, h)))
            (d.ellipse if rng.random() < 0.5 else d.rectangle)((box[0], boy[0], box[1], boy[1]), fill=rng.randint(0, 255))
        return im
    v = (v - v.min()) / (np.ptp(v) + 1e-6)
    lo, hi = sorted((rng.uniform(0, 255), rng.uniform(0, 255)))
    return Image.fromarray((lo + v * (hi - lo)).astype(np.uint8))


def colour(rng):
    im = synthetic(rng).convert("RGB")
    a = np.asarray(im).astype(np.float32)
    tint = np.array([rng.uniform(0.2, 1.5) for _ in range(3)], np.float32)
    return Image.fromarray(np.clip(a * tint, 0, 255).astype(np.uint8))


def save(img, path, rng):
    if rng.random() < 0.5:
        img.save(path + ".jpg", quality=rng.randint(60, 95))
        return path + ".jpg"
    img.save(path + ".png")
    return path + ".png"


def write_split(split, plan=None, root=ROOT):
    """Write the negatives of one split; return [(file, category, origin)]."""
    plan = plan or PLAN[split]
    rng = random.Random(SPLIT_SEED[split])
    srcs = source_files()
    out = []
    for cat, key in (("natural", "nat"), ("graphics", "gfx")):
        d = os.path.join(root, split, cat)
        os.makedirs(d, exist_ok=True)
        for src in srcs[cat][split][:plan.get("files")]:
            try:
                base = Image.open(src)
                base.load()
            except OSError:
                continue
            stem = os.path.splitext(os.path.basename(src))[0]
            for k in range(plan[key] + 1):
                out.append((save(variant(base, rng, keep=(k == 0)), os.path.join(d, f"{stem}_{k:03d}"), rng), cat, src))
    faces = np.load(os.path.join(SKIMAGE, "lfw_subset.npy"))
    lo, hi = {"train": (0, 120), "val": (120, 160), "test": (160, 200)}[split]
    d = os.path.join(root, split, "natural")
    for k in range(plan["faces"]):
        i = rng.randrange(lo, hi)
        im = Image.fromarray((faces[i] * 255).astype(np.uint8)).resize(rand_size(rng, 64, 600), Image.BICUBIC)
        out.append((save(im, os.path.join(d, f"lfw{i:03d}_{k:03d}"), rng), "natural", f"lfw_subset.npy[{i}]"))
    for cat, fn in (("text", text_page), ("screenshot", screenshot), ("diagram", diagram),
                    ("synthetic", synthetic), ("colour", colour)):
        d = os.path.join(root, split, cat)
        os.makedirs(d, exist_ok=True)
        for k in range(plan[cat]):
            out.append((save(fn(rng), os.path.join(d, f"{cat}_{k:04d}"), rng), cat, "synthesised"))
    return out


def prep(files, out_u8, jobs=1):
    """Canonical 256x256 images of `files` through cxr-prep; returns [n,256,256] uint8 (failures dropped later)."""
    if not os.path.exists(PREP):
        sys.exit(f"{PREP} is missing: run `make native` first")
    lst = out_u8 + ".list"
    with open(lst, "w") as f:
        f.write("".join(os.path.abspath(p) + "\n" for p in files))
    res = subprocess.run([PREP, "--list", lst, "--out", out_u8, "--jobs", str(jobs)], capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"cxr-prep failed ({res.returncode}): {res.stderr[-2000:]}")
    failed = {line.split("\t")[0] for line in res.stderr.splitlines() if line.count("\t") >= 2}
    x = np.fromfile(out_u8, dtype=np.uint8).reshape(-1, CANON, CANON)
    return x, failed


def build(split, plan=None, root=ROOT):
    """Write + preprocess one split's negatives (cached by a marker file). Returns (canon, rows)."""
    d = os.path.join(root, split)
    idx = os.path.join(root, f"{split}.csv")
    u8 = os.path.join(root, f"{split}.u8")
    if not (os.path.exists(idx) and os.path.exists(u8)):
        if os.path.isdir(d):
            for p in glob.glob(os.path.join(d, "*", "*")):
                os.remove(p)
        rows = write_split(split, plan, root)
        x, failed = prep([r[0] for r in rows], u8)
        with open(idx, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["file", "category", "origin", "failed"])
            for (p, c, o) in rows:
                w.writerow([p, c, o, int(os.path.abspath(p) in failed or p in failed)])
    with open(idx, newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.fromfile(u8, dtype=np.uint8).reshape(-1, CANON, CANON)
    return x, rows
