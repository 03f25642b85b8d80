"""What every reader shares: the manifest columns, a row, the log of dropped items, walking folders.

A reader returns (rows, drops). A row is a dict with every manifest column (empty when unknown) plus
private keys that never reach manifest.csv:
  _file     absolute path of the image file (None when it is missing)
  _rel      the file's path inside the reader's root folder (used for the link under the output folder)
  _patients patient keys ("ieee8023:123"); rows sharing a key end in one leakage group; [] = unknown
  _conflict a label conflict found by the reader (e.g. one file listed with two labels), or absent
A drop is a dict: source, reason, item (a file or a metadata row), label, view.
"""
import os

COLUMNS = ["path", "label", "source", "view", "age_group", "group", "split", "orig_split", "orig_width",
           "orig_height", "width", "height", "colour_marks", "license", "origin", "lung_mask"]

IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".gif", ".webp"}
DICOM_EXTS = {".dcm", ".dicom"}
FRONTAL = ("PA", "AP", "AP Supine")
VIEWS = FRONTAL + ("L", "unrecorded")
ADULT_AGE = 18  # years; below is `pediatric`


def new_row(source, label, file, rel, patient="", **cols):
    row = {c: "" for c in COLUMNS}
    row.update(source=source, label=label, view="unrecorded", age_group="unknown")
    row.update({k: ("" if v is None else str(v)) for k, v in cols.items()})
    row.update(_file=file, _rel=rel, _patients=[patient] if patient else [])
    return row


def drop(source, reason, item, label="", view=""):
    return {"source": source, "reason": reason, "item": item, "label": label, "view": view}


def age_group(age):
    """'45', '45.0', '045Y' (DICOM), '6M' -> adult/pediatric/unknown."""
    s = str(age or "").strip().upper()
    if not s:
        return "unknown"
    unit = "Y"
    if s[-1] in "YMWD":
        s, unit = s[:-1], s[-1]
    try:
        years = float(s)
    except ValueError:
        return "unknown"
    if unit != "Y":
        years = 0.0
    return "adult" if years >= ADULT_AGE else "pediatric"


def is_junk(name):
    """macOS resource forks and hidden files that zip downloads carry."""
    return name.startswith(".") or name == "__MACOSX" or name == "Thumbs.db"


def walk_files(root):
    """Yield (relative path with '/', absolute path) of every file under root, sorted, junk skipped;
    junk files are yielded with rel=None so that callers can count them."""
    root = os.path.abspath(root)
    for dirpath, dirnames, filenames in os.walk(root):
        junk_dirs = [d for d in dirnames if is_junk(d)]
        dirnames[:] = sorted(d for d in dirnames if not is_junk(d))
        for d in junk_dirs:
            yield None, os.path.join(dirpath, d)
        for f in sorted(filenames):
            full = os.path.join(dirpath, f)
            if is_junk(f):
                yield None, full
                continue
            yield os.path.relpath(full, root).replace(os.sep, "/"), full


def ext(path):
    return os.path.splitext(path)[1].lower()


def scan_images(source, root, classify):
    """Shared loop of the folder readers: `classify(parts)` maps the relative path's parts to
    (label, extra) or (None, reason). Returns (list of (rel, full, label, extra), drops)."""
    found, drops = [], []
    if not os.path.isdir(root):
        return found, [drop(source, "input folder not found", root)]
    for rel, full in walk_files(root):
        if rel is None:
            drops.append(drop(source, "ignored: hidden or macOS metadata file", full))
            continue
        if ext(rel) not in IMAGE_EXTS:
            drops.append(drop(source, "ignored: not an image file", rel))
            continue
        label, extra = classify(rel.split("/"))
        if label is None:
            drops.append(drop(source, extra, rel))
            continue
        found.append((rel, full, label, extra))
    return found, drops
