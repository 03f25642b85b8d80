"""Reader of the Kermany et al. (2018) pediatric chest X-rays as they ship (Mendeley / Kaggle
"chest_xray"): <root>/.../{train,test,val}/{NORMAL,PNEUMONIA}/<file>.jpeg. There is no metadata file:
the label is the folder, the original split is the folder above it, and the patient comes from the name:
  personNNN_bacteria_MMM.jpeg, personNNN_virus_MMM.jpeg  -> patient personNNN
  IM-NNNN-NNNN.jpeg (and IM-NNNN-NNNN-NNNN.jpeg)         -> patient IM-NNNN
  NORMAL2-IM-NNNN-NNNN.jpeg (and ...-NNNN-NNNN.jpeg)      -> patient NORMAL2-IM-NNNN
A name that fits none of these is its own patient (counted in the summary as "patient not parsed").
Every image is pediatric (Guangzhou, 1-5 years); the view is not recorded. The same patient id found under
two original splits is one patient here (the safe side for leakage).
"""
import os
import re

from .common import new_row, scan_images

SOURCE = "kermany"
LABELS = {"NORMAL": "normal", "PNEUMONIA": "pneumonia"}
SPLITS = ("train", "test", "val")
PATIENT_PATTERNS = (
    re.compile(r"^(person\d+)_(?:bacteria|virus)_\d+$", re.I),
    re.compile(r"^(NORMAL2-IM-\d+)(?:-\d+)+$", re.I),
    re.compile(r"^(IM-\d+)(?:-\d+)+$", re.I),
)


def patient_of(filename):
    """'person1_virus_6.jpeg' -> 'person1'; None when the name fits no known pattern."""
    stem = os.path.splitext(os.path.basename(filename))[0]
    for pat in PATIENT_PATTERNS:
        m = pat.match(stem)
        if m:
            return m.group(1)
    return None


def _classify(parts):
    if len(parts) >= 3 and parts[-2].upper() in LABELS and parts[-3].lower() in SPLITS:
        return LABELS[parts[-2].upper()], parts[-3].lower()
    return None, "not under train|test|val/NORMAL|PNEUMONIA/"


def read(root):
    found, drops = scan_images(SOURCE, root, _classify)
    rows = []
    for rel, full, label, orig_split in found:
        pid = patient_of(rel)
        patient = f"{SOURCE}:{pid}" if pid else ""
        row = new_row(SOURCE, label, full, rel, patient, age_group="pediatric", orig_split=orig_split,
                      origin=f"{SOURCE}:{rel}")
        if not pid:
            row["_note"] = "patient not parsed from the file name"
        rows.append(row)
    return rows, drops
