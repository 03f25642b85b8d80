"""End-to-end test of training.dataprep on small raw layouts built in a temp dir from files of
../shared/cxr-data copied under their original names (the manifest's `origin`), with the real
../shared/raw/ieee8023/metadata.csv. /usr/bin/python3 -m unittest discover -s tests/python -p 'test_dataprep*.py'"""
import collections
import csv
import os
import shutil
import tempfile
import unittest

import numpy as np
from PIL import Image

from training import data
from training.dataprep import __main__ as cli
from training.dataprep import cache

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(ROOT, "..", "shared")
POOL = os.path.join(SHARED, "cxr-data")
META = os.path.join(SHARED, "raw", "ieee8023", "metadata.csv")
HAVE_DATA = os.path.exists(os.path.join(POOL, "manifest.csv")) and os.path.exists(META)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def original_rel(row):
    return row["origin"].split(":", 1)[1]


def put(pool_row, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(os.path.join(POOL, pool_row["path"]), dst)
    return dst


def write_dicom(path, gray, modality="DX", view="AP", patient="P001", age="004Y"):
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.ViewPosition, ds.PatientID, ds.PatientAge = modality, view, patient, age
    ds.Rows, ds.Columns = gray.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PixelData = np.ascontiguousarray(gray, dtype=np.uint8).tobytes()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    ds.save_as(path, write_like_original=False)


@unittest.skipUnless(HAVE_DATA, "needs ../shared/cxr-data and ../shared/raw/ieee8023")
class RawLayoutTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        t = cls.t = cls._tmp.name
        pool = read_csv(os.path.join(POOL, "manifest.csv"))
        by_name = {(r["source"], os.path.basename(original_rel(r))): r for r in pool}
        raw = os.path.join(t, "raw")
        # COVID-19 image data collection: the real metadata.csv, a few images under their original names
        ie = os.path.join(raw, "ieee8023")
        os.makedirs(ie)
        shutil.copyfile(META, os.path.join(ie, "metadata.csv"))
        cls.ie_names = ["covid-19-pneumonia-15-PA.jpg", "covid-19-pneumonia-15-L.jpg",      # patient 20
                        "pneumocystis-pneumonia-2-PA.png", "pneumocystis-pneumonia-2-L.png"]  # patient 28
        # images of this collection re-hosted (resized, re-encoded) by the COVID-19 Radiography Database
        cls.cross = [("covid-19-caso-86-Rx-torace-1.jpg", "COVID-7.png"), ("19abe1f3.jpg", "COVID-1336.png")]
        cls.ie_names += [a for a, _ in cls.cross]
        for name in cls.ie_names:
            put(by_name[("ieee8023", name)], os.path.join(ie, "images", name))
        # COVID-19 Radiography Database, 2021 layout (images/ and masks/ subfolders)
        crd = os.path.join(raw, "crd", "COVID-19_Radiography_Dataset")
        for _, name in cls.cross:
            put(by_name[("crd_partial", name)], os.path.join(crd, "COVID", "images", name))
        normals = sorted((r for r in pool if r["source"] == "crd_partial" and r["label"] == "normal"),
                         key=lambda r: r["path"])[:4]
        for r in normals:
            put(r, os.path.join(crd, "Normal", "images", os.path.basename(original_rel(r))))
        put(normals[0], os.path.join(crd, "Normal", "masks", os.path.basename(original_rel(normals[0]))))
        # Kermany: a patient with several images, across the original train/test
        ker = [r for r in pool if r["source"] == "kermany_224"]
        names = ["IM-0011-0001.jpeg", "IM-0011-0001-0001.jpeg", "IM-0011-0001-0002.jpeg"]
        persons = collections.defaultdict(list)
        for r in ker:
            if r["label"] == "pneumonia":
                persons[os.path.basename(original_rel(r)).split("_")[0]].append(r)
        person = next(p for p in sorted(persons) if len(persons[p]) >= 3)
        cls.person = person
        chosen = [by_name[("kermany_224", n)] for n in names] + sorted(persons[person], key=lambda r: r["path"])[:3]
        chosen += sorted((r for r in ker if r["label"] == "normal"), key=lambda r: r["path"])[-3:]
        for r in chosen:
            put(r, os.path.join(raw, "kermany", original_rel(r)))
        cls.kermany_conflict = chosen[-1]
        os.makedirs(os.path.join(raw, "kermany", "__MACOSX"))
        open(os.path.join(raw, "kermany", "__MACOSX", "._x.jpeg"), "w").close()
        # one's own folder: a copy of a collection image under another name, a copy with another label,
        # an unreadable file
        own = os.path.join(raw, "own")
        cls.copied = by_name[("ieee8023", "covid-19-pneumonia-15-PA.jpg")]
        put(cls.copied, os.path.join(own, "covid", "patient_a", "my_copy.png"))
        put(normals[1], os.path.join(own, "covid", "patient_b", "img1.jpg"))
        put(cls.kermany_conflict, os.path.join(own, "pneumonia", "relabelled.jpg"))
        os.makedirs(os.path.join(own, "normal"))
        with open(os.path.join(own, "normal", "broken.jpg"), "wb") as f:
            f.write(b"\xff\xd8\xff\xe0 not really a jpeg")
        # DICOM: a Kermany image as DX, a CT, and a label row without a file
        dcm = os.path.join(raw, "dicom")
        cls.dicom_src = chosen[3]
        gray = np.asarray(Image.open(os.path.join(POOL, cls.dicom_src["path"])).convert("L"))
        write_dicom(os.path.join(dcm, "study1", "img1.dcm"), gray)
        write_dicom(os.path.join(dcm, "study2", "ct.dcm"), gray[:64, :64], modality="CT")
        with open(os.path.join(raw, "labels.csv"), "w") as f:
            f.write("file,label\nstudy1/img1.dcm,pneumonia\nct.dcm,normal\nlost.dcm,normal\n")
        cls.out = os.path.join(t, "out")
        cls.info = cli.main(["--out", cls.out, "--ieee8023", ie, "--crd", os.path.join(raw, "crd"),
                             "--kermany", os.path.join(raw, "kermany"), "--folder", own, "--dicom", dcm,
                             "--labels", os.path.join(raw, "labels.csv"), "--no-cache"])
        cls.rows = read_csv(os.path.join(cls.out, "manifest.csv"))
        cls.drops = read_csv(os.path.join(cls.out, "dropped.csv"))
        with open(os.path.join(cls.out, "SUMMARY.md")) as f:
            cls.summary = f.read()

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def row(self, suffix):
        hits = [r for r in self.rows if r["path"].endswith(suffix)]
        self.assertEqual(len(hits), 1, suffix)
        return hits[0]

    def dropped(self, suffix):
        return [d for d in self.drops if d["item"].endswith(suffix)]

    def test_manifest_form(self):
        with open(os.path.join(POOL, "manifest.csv")) as f:
            header = f.readline()
        with open(os.path.join(self.out, "manifest.csv")) as f:
            self.assertEqual(f.readline(), header)
        for r in self.rows:
            self.assertTrue(os.path.exists(os.path.join(self.out, r["path"])), r["path"])
            self.assertIn(r["split"], ("train", "val", "test"))
            self.assertTrue(r["group"])

    def test_ieee8023_filters_and_views(self):
        pa, lat = self.row("covid-19-pneumonia-15-PA.jpg"), self.row("covid-19-pneumonia-15-L.jpg")
        self.assertEqual((pa["label"], pa["view"]), ("covid", "PA"))
        self.assertEqual((lat["label"], lat["view"]), ("lateral", "L"))
        self.assertEqual(pa["group"], lat["group"], "one patient, one group")
        self.assertEqual(self.row("pneumocystis-pneumonia-2-PA.png")["label"], "pneumonia")
        ie = [r for r in self.rows if r["source"] == "ieee8023"]
        self.assertEqual(len(ie), len(self.ie_names))
        reasons = collections.Counter(d["reason"] for d in self.drops if d["source"] == "ieee8023")
        self.assertEqual(reasons["modality CT (X-ray only)"], 84)
        self.assertEqual(reasons["finding 'todo' (not yet labelled)"], 78)
        self.assertEqual(reasons["file missing"], 565 - len(self.ie_names))
        self.assertIn("COVID-19 X-rays by view: PA 217, AP 95, AP Supine 122, L 24", self.summary)

    def test_kermany(self):
        ims = [r for r in self.rows if "/IM-0011-" in r["path"]]
        self.assertEqual(len(ims), 3)
        self.assertEqual(len({r["group"] for r in ims}), 1)
        pers = [r for r in self.rows if f"/{self.person}_" in r["path"]]
        self.assertEqual(len({r["group"] for r in pers}), 1, "one child, one group")
        self.assertTrue(all(r["age_group"] == "pediatric" and r["orig_split"] in ("train", "test") for r in ims))
        self.assertTrue(any("__MACOSX" in d["item"] for d in self.drops))

    def test_crd_layout(self):
        crd = [r for r in self.rows if r["source"] == "crd"]
        self.assertTrue(crd and all("/masks/" not in r["path"] for r in crd))
        self.assertTrue(any(d["reason"].startswith("lung mask") for d in self.drops))
        self.assertEqual({r["label"] for r in crd}, {"covid", "normal"})

    def test_copy_under_another_name_in_another_source_shares_the_group(self):
        self.assertEqual(self.row("folder/covid/patient_a/my_copy.png")["group"],
                         self.row("covid-19-pneumonia-15-PA.jpg")["group"])
        # the pool's own cross-collection copies (resized by the Radiography Database) are found too
        for a, b in self.cross:
            self.assertEqual(self.row("/" + a)["group"], self.row("/" + b)["group"], (a, b))
        # a CRD normal copied into one's own covid folder is a label conflict: both left out, reported
        self.assertTrue(self.dropped("patient_b/img1.jpg"))
        self.assertIn("Label conflicts (the same image with two labels): 2", self.summary)

    def test_label_conflict_left_out(self):
        name = os.path.basename(original_rel(self.kermany_conflict))
        self.assertFalse([r for r in self.rows if r["path"].endswith(name)])
        self.assertFalse([r for r in self.rows if r["path"].endswith("relabelled.jpg")])
        self.assertEqual(self.dropped("relabelled.jpg")[0]["reason"], "label conflict (same image, two labels)")

    def test_unreadable_listed(self):
        d = self.dropped("normal/broken.jpg")
        self.assertTrue(d and d[0]["reason"].startswith("unreadable image"))
        self.assertIn("broken.jpg", self.summary)

    def test_dicom(self):
        r = self.row("study1/img1.dcm")
        self.assertEqual((r["label"], r["view"], r["age_group"], r["orig_width"]),
                         ("pneumonia", "AP", "pediatric", "224"))
        src = os.path.basename(original_rel(self.dicom_src))
        self.assertEqual(r["group"], self.row("/" + src)["group"], "DICOM pixels take part in duplicate detection")
        self.assertTrue(self.dropped("study2/ct.dcm")[0]["reason"].startswith("modality CT"))
        self.assertEqual(self.dropped("lost.dcm")[0]["reason"], "labels CSV row without a file")

    def test_no_group_spans_two_splits(self):
        splits = collections.defaultdict(set)
        for r in self.rows:
            splits[r["group"]].add(r["split"])
        self.assertTrue(all(len(s) == 1 for s in splits.values()))

    def test_summary_and_contact_sheets(self):
        for label in {r["label"] for r in self.rows}:
            p = os.path.join(self.out, f"contact_{label}.png")
            self.assertLess(os.path.getsize(p), 300 * 1024)
            with Image.open(p) as im:
                self.assertLessEqual(im.width, 8 * 98)
        for s in ("## Kept: source × label × view × split", "## Left out, and why", "duplicates.csv"):
            self.assertIn(s, self.summary)
        n = sum(int(line.split("|")[-2]) for line in self.summary.split("## Kept")[1].split("###")[0].splitlines()
                if line.startswith("| ") and line.split("|")[-2].strip().isdigit())
        self.assertEqual(n, len(self.rows))

    @unittest.skipUnless(os.path.exists(os.path.join(ROOT, data.PREP)), "needs build/native/cxr-prep")
    def test_cache_from_the_cpp_core(self):
        old, cwd = data.CACHE_ROOT, os.getcwd()
        data.CACHE_ROOT = os.path.join(self.t, "cache")
        try:
            os.chdir(ROOT)
            result = cache.build(self.out, jobs=1)
        finally:
            data.CACHE_ROOT = old
            os.chdir(cwd)
        for split, (path, failed) in result.items():
            n = sum(r["split"] == split for r in self.rows)
            self.assertEqual(os.path.getsize(path), n * 65536)
            self.assertTrue(all(p.endswith(".dcm") for p in failed), failed)


if __name__ == "__main__":
    unittest.main()
