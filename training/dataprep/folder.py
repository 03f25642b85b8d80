"""Reader of a plain folder tree of one's own images: <root>/<label>/<image> or
<root>/<label>/<patient>/<image> (deeper folders are allowed; the first folder under the label is the
patient). The label is the folder name in lower case with spaces as '_' (COVID-19 and COVID map to
`covid`, NORMAL to `normal`). Without a patient folder, every image is its own patient: put a
patient's images in one folder so that they stay in one split.
"""
import re

from .common import new_row, scan_images

SOURCE = "folder"
SYNONYMS = {"covid_19": "covid", "covid19": "covid", "covid": "covid", "normal": "normal",
            "pneumonia": "pneumonia", "viral_pneumonia": "pneumonia", "bacterial_pneumonia": "pneumonia"}
_LABEL = re.compile(r"^[a-z0-9_]+$")


def label_of(dirname):
    s = re.sub(r"[\s\-]+", "_", dirname.strip().lower())
    s = SYNONYMS.get(s, s)
    return s if _LABEL.match(s) else None


def _classify(parts):
    if len(parts) < 2:
        return None, "image at the top level (no label folder)"
    label = label_of(parts[0])
    if label is None:
        return None, f"label folder name {parts[0]!r} is not [a-z0-9_]"
    return label, (parts[1] if len(parts) >= 3 else "")


def read(root):
    found, drops = scan_images(SOURCE, root, _classify)
    rows = []
    for rel, full, label, patient in found:
        rows.append(new_row(SOURCE, label, full, rel, f"{SOURCE}:{patient}" if patient else "",
                            origin=f"{SOURCE}:{rel}"))
    return rows, drops
