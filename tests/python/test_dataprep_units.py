"""Unit tests of training.dataprep without a raw layout: the finding mapping, the metadata counts of the
real COVID-19 image data collection, duplicate detection, groups and splits.
/usr/bin/python3 -m unittest discover -s tests/python -p 'test_dataprep*.py'"""
import collections
import csv
import io
import os
import random
import unittest

import numpy as np
from PIL import Image

from training.dataprep import dedup, features, groups, ieee8023, kermany
from training.dataprep.common import age_group, new_row

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(ROOT, "..", "shared")
META = os.path.join(SHARED, "raw", "ieee8023", "metadata.csv")
POOL = os.path.join(SHARED, "cxr-data")


def pool_rows():
    with open(os.path.join(POOL, "manifest.csv"), newline="") as f:
        return list(csv.DictReader(f))


@unittest.skipUnless(os.path.exists(META), "needs ../shared/raw/ieee8023/metadata.csv")
class FindingMappingTest(unittest.TestCase):
    def test_known_findings(self):
        cases = {"COVID-19": "covid", "COVID-19, ARDS": "covid", "Streptococcus": "pneumonia",
                 "SARS": "pneumonia", "Pneumocystis": "pneumonia", "Pneumonia": "pneumonia",
                 "Mycoplasma Bacterial Pneumonia": "pneumonia", "Lipoid": "other", "ARDS": "other",
                 # later hierarchical releases
                 "Pneumonia/Viral/COVID-19": "covid", "Pneumonia/Bacterial/Streptococcus": "pneumonia",
                 "Pneumonia/Viral/Influenza/H1N1": "pneumonia", "Pneumonia/Lipoid": "other",
                 "Pneumonia/Fungal/Something new": "pneumonia", "Tuberculosis": "other"}
        for finding, cls in cases.items():
            self.assertEqual(ieee8023.map_finding(finding), (cls, None), finding)

    def test_dropped_findings(self):
        for finding in ("todo", "", "No Finding", "Unknown", "Zebra"):
            cls, reason = ieee8023.map_finding(finding)
            self.assertIsNone(cls, finding)
            self.assertTrue(reason)
        self.assertIn("not in the mapping", ieee8023.map_finding("Zebra")[1])

    def test_every_finding_of_the_real_metadata_is_decided(self):
        meta = ieee8023.read_metadata(META)
        for f in {m["finding"] for m in meta}:
            cls, reason = ieee8023.map_finding(f)
            self.assertTrue(cls in ("covid", "pneumonia", "other") or f in ieee8023.DROPPED_FINDINGS, f)

    def test_collection_counts(self):
        """COVID-19 X-rays by view as in the collection: PA 217, AP 95, AP Supine 122, L 24 rows."""
        c = ieee8023.metadata_counts(ieee8023.read_metadata(META))
        self.assertEqual(dict(c["covid"]), {"PA": 217, "AP": 95, "AP Supine": 122, "L": 24})
        self.assertEqual(sum(c["pneumonia"].values()), 103)
        todo = [k for k in c if "todo" in k]
        self.assertEqual(sum(c[todo[0]].values()), 78)

    def test_views(self):
        self.assertEqual(ieee8023.map_view("AP Supine"), "AP Supine")
        self.assertEqual(ieee8023.map_view("APS"), "AP Supine")
        self.assertEqual(ieee8023.map_view("L"), "L")
        self.assertIsNone(ieee8023.map_view("?"))
        self.assertIsNone(ieee8023.map_view(""))


class SmallHelpersTest(unittest.TestCase):
    def test_kermany_patient(self):
        p = kermany.patient_of
        self.assertEqual(p("person1000_bacteria_2931.jpeg"), "person1000")
        self.assertEqual(p("person1000_virus_1681.jpeg"), "person1000")
        self.assertEqual(p("IM-0115-0001.jpeg"), "IM-0115")
        self.assertEqual(p("IM-0011-0001-0002.jpeg"), "IM-0011")
        self.assertEqual(p("NORMAL2-IM-0927-0001.jpeg"), "NORMAL2-IM-0927")
        self.assertIsNone(p("scan.jpeg"))

    def test_age_group(self):
        self.assertEqual(age_group("65"), "adult")
        self.assertEqual(age_group("12"), "pediatric")
        self.assertEqual(age_group("004Y"), "pediatric")
        self.assertEqual(age_group("018Y"), "adult")
        self.assertEqual(age_group("6M"), "pediatric")
        self.assertEqual(age_group(""), "unknown")


@unittest.skipUnless(os.path.exists(os.path.join(POOL, "manifest.csv")), "needs ../shared/cxr-data")
class DuplicateDetectionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        rows = pool_rows()
        ker = sorted(r["path"] for r in rows if r["source"] == "kermany_224")[:40:4]
        big = sorted(r["path"] for r in rows if r["source"] == "ieee8023")[:3]
        cls.files = [os.path.join(POOL, p) for p in ker + big]

    def _feat_of(self, im):
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=70)
        buf.seek(0)
        path = os.path.join(self.tmp, f"x{random.random()}.jpg")
        with open(path, "wb") as f:
            f.write(buf.getvalue())
        return features.features(path)

    def setUp(self):
        import tempfile
        self._t = tempfile.TemporaryDirectory()
        self.tmp = self._t.name

    def tearDown(self):
        self._t.cleanup()

    def test_copies_match_and_different_images_do_not(self):
        feats = [features.features(f) for f in self.files]
        # re-encoded, resized and squashed copies of each of the big originals
        n = len(feats)
        for f in self.files[-3:]:
            im = Image.open(f).convert("L")
            feats.append(self._feat_of(im.resize((224, 224), Image.BILINEAR)))
        pairs = dedup.find_duplicates([x["phash"] for x in feats], [x["vec"] for x in feats], [x["hp"] for x in feats])
        found = {(i, j) for i, j, _ in pairs}
        for k in range(3):
            self.assertIn((n - 3 + k, n + k), found, "a resized, re-encoded copy must be found")
        self.assertEqual(len(found), 3, f"only the copies: {sorted(found)}")

    def test_popcount(self):
        x = np.array([0, 1, 0xFF, 2**64 - 1], dtype=np.uint64)
        self.assertEqual(dedup.popcount64(x).tolist(), [0, 1, 8, 64])


def fake_rows(n_groups=400, seed=0):
    rng = random.Random(seed)
    rows = []
    for g in range(n_groups):
        label = rng.choice(["covid", "normal", "pneumonia"])
        source = rng.choice(["a", "b"])
        for k in range(rng.choice([1, 1, 2, 3])):
            r = new_row(source, label, None, f"{g}/{k}.png", f"{source}:p{g}")
            r["path"] = f"images/{source}/{g}/{k}.png"
            rows.append(r)
    return rows


class GroupsAndSplitsTest(unittest.TestCase):
    def test_patients_and_duplicates_merge(self):
        rows = fake_rows(5)
        rows[0]["_patients"] = ["x:1"]
        rows[-1]["_patients"] = ["x:1", "y:9"]
        clusters = groups.leakage_groups(rows, [(1, 2, 0.99)])
        where = {i: k for k, c in enumerate(clusters) for i in c}
        self.assertEqual(where[0], where[len(rows) - 1])
        self.assertEqual(where[1], where[2])

    def test_splits_by_group_stratified_and_fixed(self):
        rows = fake_rows()
        clusters = groups.leakage_groups(rows, [(0, 5, 1.0), (7, 30, 1.0)])
        groups.assign(rows, clusters, seed=1)
        self.assertEqual(groups.spanning_groups(rows), [])
        first = [r["split"] for r in rows]
        for key, members in collections.Counter((r["label"], r["source"]) for r in rows).items():
            c = collections.Counter(r["split"] for r in rows if (r["label"], r["source"]) == key)
            self.assertAlmostEqual(c["train"] / members, 0.70, delta=0.07, msg=str(key))
            self.assertAlmostEqual(c["test"] / members, 0.15, delta=0.06, msg=str(key))
        groups.assign(rows, clusters, seed=1)
        self.assertEqual(first, [r["split"] for r in rows])
        groups.assign(rows, clusters, seed=2)
        self.assertNotEqual(first, [r["split"] for r in rows])

    def test_label_conflicts(self):
        rows = fake_rows(3)
        rows[0]["label"], rows[1]["label"] = "covid", "normal"
        conflicts = groups.label_conflicts(rows, [(0, 1, 0.99)])
        self.assertEqual(len(conflicts), 1)
        self.assertEqual(sorted(conflicts[0][1]), ["covid", "normal"])


if __name__ == "__main__":
    unittest.main()
