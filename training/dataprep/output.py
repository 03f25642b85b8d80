"""Writing the output folder: image links, manifest.csv, dropped.csv, duplicates.csv.

Images are not re-encoded: each manifest path (images/<source>/<path inside the source folder>) is a
symbolic link to the downloaded file (or a copy with --copy), so the C++ core reads the original bytes.
"""
import csv
import os
import shutil

from .common import COLUMNS

MARKER = ".dataprep"  # a folder holding this file was written by us and may be rebuilt


def prepare_out(out):
    """Create `out`, or clear its images/ when we made it before; refuse a foreign non-empty folder."""
    if os.path.isdir(out) and os.listdir(out) and not os.path.exists(os.path.join(out, MARKER)):
        raise SystemExit(f"{out} is not empty and was not written by training.dataprep: choose another --out")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, MARKER), "w") as f:
        f.write("written by python -m training.dataprep; images/ is rebuilt on every run\n")
    shutil.rmtree(os.path.join(out, "images"), ignore_errors=True)


def place_images(out, rows, copy=False):
    for r in rows:
        dst = os.path.join(out, r["path"])
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if copy:
            shutil.copy2(r["_file"], dst)
        else:
            os.symlink(os.path.abspath(r["_file"]), dst)


def write_csv(path, fieldnames, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fieldnames, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def write_manifest(out, rows):
    path = os.path.join(out, "manifest.csv")
    write_csv(path, COLUMNS, sorted(rows, key=lambda r: r["path"]))
    return path


def write_drops(out, drops):
    write_csv(os.path.join(out, "dropped.csv"), ["source", "reason", "item", "label", "view"], drops)


def write_duplicates(out, rows, pairs):
    recs = []
    for i, j, corr, *_ in pairs:
        a, b = rows[i], rows[j]
        recs.append({"path_a": a["path"], "path_b": b["path"], "source_a": a["source"], "source_b": b["source"],
                     "label_a": a["label"], "label_b": b["label"], "corr": f"{corr:.4f}",
                     "kind": "across sources" if a["source"] != b["source"] else "within source"})
    write_csv(os.path.join(out, "duplicates.csv"),
              ["path_a", "path_b", "source_a", "source_b", "label_a", "label_b", "corr", "kind"], recs)
