"""Reader of the COVID-19 Radiography Database (Chowdhury et al. 2020; Rahman et al. 2021; Kaggle
"COVID-19_Radiography_Dataset") as it ships: class folders COVID/, Normal/, Viral Pneumonia/,
Lung_Opacity/, each holding the images directly or in an images/ subfolder (the 2021 release also has
masks/, which are lung masks, not X-rays, and are skipped). Older releases name the folders COVID-19/
and NORMAL/. Names are COVID-1.png, Normal-1.png, ...: no patient id, so every image is its own patient
until the duplicate detection joins copies (the database re-hosts images of the COVID-19 image data
collection, of Kermany's pediatric set and of RSNA). Age is not recorded per image: `unknown` (the
summary counts ages taken over from duplicates in other sources).
"""
from .common import new_row, scan_images

SOURCE = "crd"
# folder name (lower case, '_' and '-' as spaces) -> label
CLASS_DIRS = {"covid": "covid", "covid 19": "covid", "covid19": "covid", "normal": "normal",
              "viral pneumonia": "pneumonia", "lung opacity": "other"}


def class_of(dirname):
    return CLASS_DIRS.get(dirname.lower().replace("_", " ").replace("-", " ").strip())


def _classify(parts):
    dirs = parts[:-1]
    for k, d in enumerate(dirs):
        label = class_of(d)
        if label is None:
            continue
        below = [x.lower() for x in dirs[k + 1:]]
        if below and below[0] == "masks":
            return None, "lung mask (masks/ folder), not an X-ray"
        if below in ([], ["images"]):
            return label, None
    return None, "not in a class folder (COVID/, Normal/, Viral Pneumonia/, Lung_Opacity/)"


def read(root):
    found, drops = scan_images(SOURCE, root, _classify)
    rows = [new_row(SOURCE, label, full, rel, "", origin=f"{SOURCE}:{rel}") for rel, full, label, _ in found]
    return rows, drops
