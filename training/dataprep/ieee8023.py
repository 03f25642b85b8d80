"""Reader of the COVID-19 image data collection (Cohen et al.; github.com/ieee8023/covid-chestxray-dataset)
as it ships: metadata.csv + images/ (and volumes/ for CT). One manifest row per X-ray image file.

Filters, in order (the first that applies is the recorded reason):
  1. modality is not X-ray (CT volumes and slices)            -> dropped
  2. finding is 'todo', blank, 'No Finding' or not in FINDING_MAP -> dropped
  3. view is blank or unknown ('?')                            -> dropped (could be a lateral)
  4. the same file already listed by an earlier row            -> dropped as a row; its patient id is
                                                                  merged into the file's group
  5. the file is missing                                       -> dropped, listed
Frontal views keep the mapped class; lateral views (view L) get label `lateral`, as in
../shared/cxr-data, so that no frontal model trains on them by accident; the view column keeps them apart.
"""
import collections
import csv
import os

from .common import drop, new_row, age_group

SOURCE = "ieee8023"

# The finding -> class mapping (also in training/dataprep/README.md). Keys are the finding strings of the
# 2020 releases and the leaves / levels of the later hierarchical ones ("Pneumonia/Viral/COVID-19").
FINDING_MAP = {
    # COVID-19
    "COVID-19": "covid", "COVID-19, ARDS": "covid",
    # other infectious pneumonia: viral, bacterial, fungal
    "SARS": "pneumonia", "MERS": "pneumonia", "MERS-CoV": "pneumonia", "Influenza": "pneumonia",
    "H1N1": "pneumonia", "Varicella": "pneumonia", "Herpes": "pneumonia",
    "Streptococcus": "pneumonia", "Staphylococcus": "pneumonia", "Klebsiella": "pneumonia",
    "Mycoplasma Bacterial Pneumonia": "pneumonia", "Mycoplasma": "pneumonia", "Legionella": "pneumonia",
    "E.Coli": "pneumonia", "Chlamydophila": "pneumonia", "Nocardia": "pneumonia",
    "Pneumocystis": "pneumonia", "Aspergillosis": "pneumonia", "Bacterial": "pneumonia",
    "Viral": "pneumonia", "Fungal": "pneumonia", "Pneumonia": "pneumonia",
    # not an infectious pneumonia of the two models' classes
    "ARDS": "other", "Lipoid": "other", "Aspiration": "other", "Tuberculosis": "other",
}
# Findings left out on purpose (the reason is what the summary prints).
DROPPED_FINDINGS = {
    "todo": "finding 'todo' (not yet labelled)",
    "": "finding blank",
    "No Finding": "finding 'No Finding' (mostly follow-ups of COVID-19 patients, not healthy controls)",
    "Unknown": "finding 'Unknown'",
}
VIEW_MAP = {"PA": "PA", "AP": "AP", "AP Supine": "AP Supine", "APS": "AP Supine", "AP Erect": "AP",
            "L": "L", "Lateral": "L", "LL": "L"}
XRAY = "X-ray"


def map_finding(finding):
    """Return ('covid'|'pneumonia'|'other', None) or (None, reason to drop)."""
    f = (finding or "").strip()
    if f in DROPPED_FINDINGS:
        return None, DROPPED_FINDINGS[f]
    if f in FINDING_MAP:
        return FINDING_MAP[f], None
    levels = [p.strip() for p in f.split("/")]
    if any(p in ("COVID-19", "COVID19") for p in levels):
        return "covid", None
    for p in reversed(levels):  # the most specific known level wins: Pneumonia/Lipoid -> other
        if p in FINDING_MAP:
            return FINDING_MAP[p], None
    return None, f"finding not in the mapping: {f!r}"


def map_view(view):
    v = (view or "").strip()
    return VIEW_MAP.get(v)


def read_metadata(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def metadata_counts(meta):
    """X-ray rows of metadata.csv by class (or drop reason) x view, before any file check:
    {class: Counter(view)}. 'COVID-19 X-rays by view' is metadata_counts(...)['covid']."""
    out = collections.defaultdict(collections.Counter)
    for m in meta:
        if (m.get("modality") or "").strip() != XRAY:
            continue
        cls, reason = map_finding(m.get("finding"))
        view = (m.get("view") or "").strip() or "(blank)"
        out[cls or "dropped: " + reason][map_view(view) or view] += 1
    return out


class _Finder:
    """Finds folder/filename under root, tolerating a different case of the name (one listing per folder)."""

    def __init__(self, root):
        self.root = root
        self.listings = {}

    def __call__(self, folder, name):
        p = os.path.join(self.root, folder, name)
        if os.path.isfile(p):
            return p
        d = os.path.join(self.root, folder)
        if d not in self.listings:
            self.listings[d] = {n.lower(): n for n in os.listdir(d)} if os.path.isdir(d) else {}
        real = self.listings[d].get(name.lower())
        return os.path.join(d, real) if real else None


def read(root, metadata=None):
    """root: the collection's folder (metadata.csv, images/). metadata: another metadata.csv path."""
    mpath = metadata or os.path.join(root, "metadata.csv")
    if not os.path.isfile(mpath):
        return [], [drop(SOURCE, "metadata.csv not found", mpath)], {}
    meta = read_metadata(mpath)
    find = _Finder(root)
    rows, drops, seen = [], [], {}
    for i, m in enumerate(meta, start=2):  # line number in the CSV (header is line 1)
        folder = (m.get("folder") or "images").strip()
        name = (m.get("filename") or "").strip()
        item = f"metadata.csv:{i} {folder}/{name}"
        raw_view = (m.get("view") or "").strip()
        modality = (m.get("modality") or "").strip()
        patient = f"{SOURCE}:{(m.get('patientid') or '').strip()}" if (m.get("patientid") or "").strip() else ""
        if modality != XRAY:
            drops.append(drop(SOURCE, f"modality {modality or 'blank'} (X-ray only)", item, view=raw_view))
            continue
        cls, reason = map_finding(m.get("finding"))
        if cls is None:
            drops.append(drop(SOURCE, reason, item, view=raw_view))
            continue
        view = map_view(raw_view)
        if view is None:
            drops.append(drop(SOURCE, f"view {raw_view or 'blank'!r} unknown", item, cls, raw_view))
            continue
        label = "lateral" if view == "L" else cls
        key = f"{folder}/{name}".lower()
        if key in seen:
            first = seen[key]
            if first is None:
                drops.append(drop(SOURCE, "row repeats a file listed earlier (file missing)", item, label, view))
                continue
            if patient and patient not in first["_patients"]:
                first["_patients"].append(patient)
            why = "row repeats a file listed earlier" + ("" if first["label"] == label else
                                                          f" with another label ({first['label']})")
            drops.append(drop(SOURCE, why, item, label, view))
            if first["label"] != label:
                first["_conflict"] = f"metadata lists it as {first['label']} and {label}"
            continue
        full = find(folder, name) if name else None
        seen[key] = None
        if full is None:
            drops.append(drop(SOURCE, "file missing", item, label, view))
            continue
        rel = os.path.relpath(full, root).replace(os.sep, "/")
        row = new_row(SOURCE, label, full, rel, patient, view=view, age_group=age_group(m.get("age")),
                      license=(m.get("license") or "").strip(), origin=f"{SOURCE}:{rel}")
        seen[key] = row
        rows.append(row)
    return rows, drops, metadata_counts(meta)
