"""Reader of a folder of DICOM files (one's own hospital export) with labels from a CSV the user gives.

The labels CSV needs a `label` column and a column naming the file: `file`, `path`, `filename` or
`image` (a path relative to the DICOM folder, or a bare file name, with or without extension);
`SOPInstanceUID` also works. An optional `patient` / `patient_id` column overrides the DICOM PatientID.
Headers are read with pydicom (no pixels); modality must be CR, DX or DR; ViewPosition gives the view
(PA, AP, LL/RL/LAT -> L). Rows are recorded now; the pixels for training go through the project's C++
core (build/native/cxr-prep) once it reads DICOM — until then the cache step lists these files as
failed, and the summary says so. Hashing for duplicate detection uses pydicom's own decoding when it
can (uncompressed transfer syntaxes); a file it cannot decode is listed as "not hashed".
"""
import csv
import os

import numpy as np

from .common import DICOM_EXTS, age_group, drop, ext, new_row, walk_files

SOURCE = "dicom"
XRAY_MODALITIES = {"CR", "DX", "DR"}
VIEW_MAP = {"PA": "PA", "AP": "AP", "LL": "L", "RL": "L", "LAT": "L", "LATERAL": "L", "L": "L"}
FILE_COLUMNS = ("file", "path", "filename", "image", "sopinstanceuid")


def is_dicom(path):
    if ext(path) in DICOM_EXTS:
        return True
    if ext(path):
        return False
    try:
        with open(path, "rb") as f:
            return f.read(132)[128:132] == b"DICM"
    except OSError:
        return False


def read_labels(path):
    """{key: (label, patient, csv line)} where key is each of: relative path, name, stem (lower case)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        cols = {c.lower().strip(): c for c in reader.fieldnames or []}
        fcol = next((cols[c] for c in FILE_COLUMNS if c in cols), None)
        if "label" not in cols or fcol is None:
            raise ValueError(f"{path}: needs a 'label' column and one of {FILE_COLUMNS}")
        pcol = cols.get("patient") or cols.get("patient_id")
        out = {}
        for i, r in enumerate(reader, start=2):
            key = (r[fcol] or "").strip().replace("\\", "/").lower()
            if key:
                out[key] = ((r[cols["label"]] or "").strip().lower(), (r[pcol] or "").strip() if pcol else "", i)
        return out


def _lookup(labels, rel, uid):
    name = rel.rsplit("/", 1)[-1]
    for k in (rel.lower(), name.lower(), os.path.splitext(name)[0].lower(), (uid or "").lower()):
        if k in labels:
            return k
    return None


def read(root, labels_csv):
    if not os.path.isdir(root):
        return [], [drop(SOURCE, "input folder not found", root)]
    import pydicom  # python3-pydicom (Debian) for /usr/bin/python3
    labels = read_labels(labels_csv)
    used, rows, drops = set(), [], []
    for rel, full in walk_files(root):
        if rel is None:
            drops.append(drop(SOURCE, "ignored: hidden or macOS metadata file", full))
            continue
        if not is_dicom(full):
            if os.path.basename(rel).upper() != "DICOMDIR":
                drops.append(drop(SOURCE, "ignored: not a DICOM file", rel))
            continue
        try:
            ds = pydicom.dcmread(full, stop_before_pixels=True)
        except Exception as e:  # noqa: BLE001 — any parse error means the file is unreadable
            drops.append(drop(SOURCE, f"unreadable DICOM ({type(e).__name__})", rel))
            continue
        key = _lookup(labels, rel, str(getattr(ds, "SOPInstanceUID", "")))
        if key is None:
            drops.append(drop(SOURCE, "no label in the labels CSV", rel))
            continue
        used.add(key)
        label, patient, _ = labels[key]
        modality = str(getattr(ds, "Modality", "")).upper()
        view = VIEW_MAP.get(str(getattr(ds, "ViewPosition", "")).upper().strip(), "unrecorded")
        if modality not in XRAY_MODALITIES:
            drops.append(drop(SOURCE, f"modality {modality or 'blank'} (CR/DX/DR only)", rel, label, view))
            continue
        if not label:
            drops.append(drop(SOURCE, "label blank in the labels CSV", rel, "", view))
            continue
        patient = patient or str(getattr(ds, "PatientID", "")).strip()
        if view == "L" and label in ("covid", "normal", "pneumonia"):
            label = "lateral"
        w, h = getattr(ds, "Columns", ""), getattr(ds, "Rows", "")
        rows.append(new_row(SOURCE, label, full, rel, f"{SOURCE}:{patient}" if patient else "", view=view,
                            age_group=age_group(getattr(ds, "PatientAge", "")), orig_width=w, orig_height=h,
                            width=w, height=h, origin=f"{SOURCE}:{rel}"))
    for key, (label, _, line) in sorted(labels.items(), key=lambda kv: kv[1][2]):
        if key not in used:
            drops.append(drop(SOURCE, "labels CSV row without a file", f"{os.path.basename(labels_csv)}:{line} {key}",
                              label))
    return rows, drops


def pixels(path):
    """8-bit gray array of a DICOM's first frame for hashing, or raise (compressed data without a decoder)."""
    import pydicom
    ds = pydicom.dcmread(path)
    a = ds.pixel_array.astype(np.float32)
    if a.ndim == 3 and a.shape[-1] not in (3, 4):
        a = a[0]
    if a.ndim == 3:
        a = a.mean(axis=-1)
    lo, hi = float(a.min()), float(a.max())
    a = (a - lo) * (255.0 / (hi - lo)) if hi > lo else a * 0
    if str(getattr(ds, "PhotometricInterpretation", "")).upper() == "MONOCHROME1":
        a = 255 - a
    return a.astype(np.uint8)
