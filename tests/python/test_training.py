"""Fast unit tests of the training package (no data, no training): /usr/bin/python3 -m unittest discover tests/python"""
import os
import tempfile
import unittest

import numpy as np
import onnx
import torch

from training import audits, augment, calibrate, export, loop, metrics
from training.group_dro import GroupDRO
from training.model import Classifier, Exported, dilate_last_stage

torch.set_num_threads(1)


class CalibrationTest(unittest.TestCase):
    def setUp(self):
        rng = np.random.default_rng(0)
        self.y = np.r_[np.ones(400, int), np.zeros(600, int)]
        self.p = np.clip(np.r_[rng.normal(0.7, 0.2, 400), rng.normal(0.3, 0.2, 600)], 0, 1)

    def test_threshold_meets_sensitivity(self):
        for target in (0.9, 0.95, 0.97, 0.99):
            t = calibrate.threshold_for_sensitivity(self.p, self.y, target)
            sens, _ = metrics.sens_spec(self.y, self.p, t)
            self.assertGreaterEqual(sens, target)
            # the largest such threshold: a little higher would break it
            self.assertLess(metrics.sens_spec(self.y, self.p, np.nextafter(t, 1))[0], target + 1e-9 + 0.01)

    def test_band_contains_threshold(self):
        thr, low, high = calibrate.operating_point(self.p, self.y)
        self.assertLessEqual(low, thr)
        self.assertLessEqual(thr, high)
        _, spec = metrics.sens_spec(self.y, self.p, high)
        self.assertGreaterEqual(spec, calibrate.BAND_SPEC)
        sens, _ = metrics.sens_spec(self.y, self.p, low)
        self.assertGreaterEqual(sens, calibrate.BAND_SENS)

    def test_temperature_recovers_scale(self):
        rng = np.random.default_rng(1)
        z = rng.normal(0, 2, 5000)
        y = (rng.random(5000) < 1 / (1 + np.exp(-z))).astype(int)
        logits = np.stack([np.zeros_like(z), 3.0 * z], 1)  # over-confident by a factor of 3
        self.assertAlmostEqual(calibrate.fit_temperature(logits, y), 3.0, delta=0.3)


class MetricsTest(unittest.TestCase):
    def test_ece_and_auc(self):
        y = np.array([0, 0, 1, 1])
        self.assertEqual(metrics.auc(y, [0.1, 0.2, 0.8, 0.9]), 1.0)
        self.assertAlmostEqual(metrics.ece([0, 1], [0.0, 1.0]), 0.0)
        s = metrics.summary(y, [0.1, 0.2, 0.8, 0.9], 0.5, n_boot=20)
        self.assertEqual((s["sensitivity"], s["specificity"]), (1.0, 1.0))

    def test_balanced_weights(self):
        rows = [{"source": "a"}] * 90 + [{"source": "b"}] * 10 + [{"source": "c"}] * 50
        w = loop.balanced_weights(rows, [0] * 100 + [1] * 50)
        self.assertAlmostEqual(w[:100].sum(), 0.5)
        self.assertAlmostEqual(w[100:].sum(), 0.5)
        self.assertAlmostEqual(w[:90].sum() / w[90:100].sum(), 3.0)  # sqrt(90) / sqrt(10)

    def test_age_mass_splits_a_class_between_age_groups(self):
        # Model 2's case: 300 pediatric pneumonias of one source must not carry the class against 40 adult ones.
        rows = ([{"source": "kids", "age_group": "pediatric"}] * 300 + [{"source": "nih", "age_group": "adult"}] * 36
                + [{"source": "ieee", "age_group": "adult"}] * 4 + [{"source": "crd", "age_group": "adult"}] * 100)
        y = [0] * 340 + [1] * 100
        w = loop.balanced_weights(rows, y, age_mass={0: {"adult": 0.8, "pediatric": 0.2}})
        self.assertAlmostEqual(w[300:340].sum(), 0.4)  # 80% of the negative class's half
        self.assertAlmostEqual(w[:300].sum(), 0.1)
        self.assertAlmostEqual(w[300:336].sum() / w[336:340].sum(), 3.0)  # sqrt(36) / sqrt(4) inside the adults
        self.assertAlmostEqual(w[340:].sum(), 0.5)  # a class without age_mass keeps its half


class AuditTest(unittest.TestCase):
    def test_replace_keeps_inside_and_fills_outside_with_the_mean(self):
        canon = np.random.default_rng(0).integers(0, 256, (2, 256, 256)).astype(np.uint8)
        box = audits.box_mask(2)
        hidden, only = audits.replace(canon, ~box), audits.replace(canon, box)
        np.testing.assert_array_equal(np.where(box, only, hidden), canon)
        mean = np.round(canon[0].mean())
        self.assertTrue((hidden[0][box[0]] == mean).all() and (only[0][~box[0]] == mean).all())
        # issue 3's box: the middle 60% x 15-85% of the central 224x224, in canonical pixels
        self.assertEqual((audits.C0, audits.C1, audits.R0, audits.R1), (16 + 45, 16 + 179, 16 + 34, 16 + 190))

    def test_dilation_grows_the_outline_by_its_radius(self):
        m = np.zeros((1, 256, 256), bool)
        m[0, 100:150, 100:120] = True
        d = audits.dilated(m)[0]
        self.assertTrue(d[100, 100 - audits.DILATE] and not d[100, 100 - audits.DILATE - 1])

    def test_cam_share_uniform_and_in_box(self):
        inside = np.zeros((1, 224, 224), bool)
        inside[0, :, :112] = True
        self.assertAlmostEqual(float(audits.cam_share(np.ones((1, 7, 7), np.float32), inside)[0]), 0.5, places=3)
        m = np.zeros((1, 256, 256), bool)
        m[0, :, :128] = True
        self.assertAlmostEqual(float(audits.in_box(m, [(64, 64, 128)])[0].mean()), 0.5, places=2)
        self.assertTrue(audits.in_box(m, [(0, 0, 256)])[0][:, :112].all())

    def test_recompressed_is_a_lossy_copy(self):
        yy, xx = np.mgrid[0:256, 0:256]
        canon = np.stack([((xx + yy) // 2).astype(np.uint8), (np.random.default_rng(0).integers(0, 256, (256, 256))).astype(np.uint8)])
        out = audits.recompressed(canon)
        self.assertEqual((out.shape, out.dtype), (canon.shape, np.uint8))
        diff = np.abs(out.astype(int) - canon)
        self.assertLess(diff[0].mean(), 2)  # a smooth ramp survives quality 75
        self.assertGreater(diff[1].mean(), 5)  # noise does not

    def test_inputs_central_is_the_v1_crop(self):
        canon = np.arange(256 * 256, dtype=np.int64).reshape(1, 256, 256).astype(np.uint8)
        np.testing.assert_array_equal(audits.Inputs("central")(canon)[0], canon[0, 16:240, 16:240])


class CacheKeyTest(unittest.TestCase):
    def test_an_edit_to_the_core_sources_moves_the_cache(self):
        from training import data

        class M:
            sha256 = "ab" * 32
        old = data.CORE_DIR
        with tempfile.TemporaryDirectory() as t:
            try:
                data.CORE_DIR = t
                with open(os.path.join(t, "preprocess.cpp"), "w") as f:
                    f.write("int a;\n")
                first = data.cache_path(M, "test")
                self.assertEqual(first, data.cache_path(M, "test"))
                with open(os.path.join(t, "preprocess.cpp"), "w") as f:
                    f.write("int b;\n")
                self.assertNotEqual(first, data.cache_path(M, "test"))
                self.assertTrue(os.path.basename(os.path.dirname(first)).startswith("abababababab-core"))
            finally:
                data.CORE_DIR = old


class SourceAuditTest(unittest.TestCase):
    ROWS = ([{"label": "covid", "age_group": "adult", "source": "a"}] * 6
            + [{"label": "covid", "age_group": "adult", "source": "b"}] * 6
            + [{"label": "normal", "age_group": "pediatric", "source": "c"}] * 4)

    def test_within_group_auc_reads_only_the_pair_inside_one_label_and_age(self):
        names = ["a", "b", "c"]
        y = np.array([names.index(r["source"]) for r in self.ROWS])
        logits = np.zeros((len(y), 3))
        logits[y == 1, 1] = 1.0               # b told from a perfectly
        logits[y == 2, 2] = 5.0               # the one-source cell has no pair to report
        out = audits.within_group_auc(logits, y, names, self.ROWS)
        self.assertEqual(list(out), ["adult covid: a vs b"])
        self.assertAlmostEqual(out["adult covid: a vs b"]["auc"], 1.0)
        self.assertEqual(out["adult covid: a vs b"]["n"], [6, 6])
        blind = audits.within_group_auc(np.zeros_like(logits), y, names, self.ROWS)
        self.assertAlmostEqual(blind["adult covid: a vs b"]["auc"], 0.5)

    def test_label_age_rule_names_each_cells_commonest_source_without_pixels(self):
        train = self.ROWS + [{"label": "covid", "age_group": "adult", "source": "a"}]  # a is commoner
        r = audits.label_age_rule(train, self.ROWS)
        self.assertAlmostEqual(r["accuracy"], 10 / 16)
        self.assertEqual(r["per_source_recall"], {"a": 1.0, "b": 0.0, "c": 1.0})
        self.assertAlmostEqual(r["balanced_accuracy"], 2 / 3)


class GuidanceTest(unittest.TestCase):
    def test_dilated_last_stage_keeps_the_strided_features_on_even_cells(self):
        torch.manual_seed(0)
        clf = Classifier(2).eval()
        x = torch.rand(2, 1, 224, 224) * 255
        with torch.no_grad():
            coarse = clf.backbone(x)
            fine = dilate_last_stage(clf.backbone)(x)
        self.assertEqual((tuple(coarse.shape[2:]), tuple(fine.shape[2:])), ((7, 7), (14, 14)))
        # away from the border (zero padding differs there), the even cells are the strided net's cells
        torch.testing.assert_close(fine[:, :, 2:-2:2, 2:-2:2], coarse[:, :, 1:-1, 1:-1], rtol=1e-4, atol=1e-4)

    def test_outside_share_counts_evidence_beyond_the_lungs(self):
        masks = torch.zeros(1, 1, 224, 224)
        masks[..., :112] = 1  # left half is lung
        ev = torch.zeros(1, 14, 14)
        ev[0, :, :7] = 2.0
        self.assertAlmostEqual(float(loop.outside_share(ev, masks)[0]), 0.0, places=4)
        ev[0, :, 7:] = 2.0
        self.assertAlmostEqual(float(loop.outside_share(ev, masks)[0]), 0.5, places=3)
        ev[0, :, :7] = -5.0  # evidence against COVID-19 does not count
        self.assertAlmostEqual(float(loop.outside_share(ev, masks)[0]), 1.0, places=3)

    def test_masks_move_with_their_images(self):
        x = np.zeros((4, 224, 224), np.uint8)
        x[:, 60:160, 40:100] = 255  # a bright block, and its mask
        xs, ms = augment.augment_with_masks(x, x.copy(), np.random.default_rng(3))
        for img, m in zip(xs[:, 0].numpy(), ms[:, 0].numpy()):
            bright = img > img.mean()
            self.assertGreater((bright == (m > 0.5)).mean(), 0.9)

    def test_guided_training_runs_and_lowers_the_outside_share(self):
        torch.manual_seed(0)
        rng = np.random.default_rng(0)
        x = rng.integers(0, 256, (16, 224, 224)).astype(np.uint8)
        y = np.r_[np.ones(8, int), np.zeros(8, int)]
        masks = np.zeros_like(x)
        masks[:, :, :112] = 255
        clf = Classifier(2, fine_cam=True)
        loop.train_classifier(clf, x, y, 128, lr=3e-3, seed=0, masks=masks, guide=5.0, log=lambda m: None)
        with torch.no_grad():
            _, ev = clf.logits_and_evidence(loop.plain(x))
        self.assertEqual(tuple(ev.shape[1:]), (14, 14))
        self.assertLess(float(loop.outside_share(ev, loop.plain(masks) / 255).mean()), 0.5)


class GroupDROTest(unittest.TestCase):
    def setUp(self):
        # label 1 from sources a and b, label 0 from a; batch: two of each group
        self.rows = [{"source": s} for s in ("a", "a", "b", "b", "a", "a")]
        self.y = np.array([1, 1, 1, 1, 0, 0])

    def test_the_worst_group_gains_weight_and_leads_the_loss(self):
        dro = GroupDRO(self.y, self.rows, eta=1.0)
        logits = torch.tensor([[0.0, 3.0], [0.0, 3.0], [2.0, 0.0], [2.0, 0.0], [3.0, 0.0], [3.0, 0.0]])
        plain = float(torch.nn.functional.cross_entropy(logits, torch.as_tensor(self.y)))
        for _ in range(5):
            loss = float(dro.loss(logits, torch.as_tensor(self.y), np.arange(6)))
        q = dro.weights()
        self.assertGreater(q[(1, "b")], 0.9)  # the misread group (label 1 of source b) leads
        self.assertGreater(loss, plain)

    def test_a_single_group_is_plain_cross_entropy(self):
        dro = GroupDRO(np.ones(4, int), [{"source": "a"}] * 4, eta=0.5)
        logits = torch.randn(4, 2)
        y = torch.ones(4, dtype=torch.long)
        self.assertAlmostEqual(float(dro.loss(logits, y, np.arange(4))),
                               float(torch.nn.functional.cross_entropy(logits, y)), places=6)


class ExportTest(unittest.TestCase):
    def test_pattern(self):
        p = export.pattern_v1()
        self.assertEqual(tuple(p.shape), (1, 1, 224, 224))
        self.assertEqual(float(p[0, 0, 1, 2]), (3 * 2 + 5 * 1) % 256)  # row 1, column 2
        self.assertEqual(float(p[0, 0, 100, 3]), (3 * 3 + 5 * 100) % 256)

    def test_contract_outputs(self):
        torch.manual_seed(0)
        clf = Classifier(2).eval()
        logits, prob, cam = Exported(clf, 1.7)(torch.rand(3, 1, 224, 224) * 255)
        self.assertEqual((tuple(logits.shape), tuple(prob.shape), tuple(cam.shape)), ((3, 2), (3,), (3, 7, 7)))
        np.testing.assert_allclose(prob.detach().numpy(), torch.softmax(logits / 1.7, 1)[:, 1].detach().numpy(),
                                   rtol=1e-5)
        self.assertGreaterEqual(float(cam.min()), 0.0)
        self.assertLessEqual(float(cam.max()), 1.0)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.onnx")
            st, shape = export.export_onnx(clf, 1.7, path)
            m = onnx.load(path)
            self.assertEqual([i.name for i in m.graph.input], ["input"])
            self.assertEqual([o.name for o in m.graph.output], ["logits", "prob", "cam"])
            self.assertEqual(shape, [7, 7])
            self.assertTrue(0.0 <= st["expected_prob"] <= 1.0)
            self.assertEqual(len(st["expected_logits"]), 2)


class FineTuneRowsTest(unittest.TestCase):
    """train.fine_tune_rows: a recipe's `fine_tune_without` drops those sources from one task's train rows only."""

    class Rows:
        def __init__(self, rows):
            self.rows = rows

        def subset(self, keep):
            return FineTuneRowsTest.Rows([r for r, k in zip(self.rows, keep) if k])

    def test_drops_the_named_sources_of_the_named_task(self):
        from training import train
        tr = self.Rows([{"source": s} for s in ("nih", "chexpert", "crd_partial", "chexpert")])
        v = dict(train.V3, **train.RECIPES["appearance_without_stanford"])
        self.assertEqual([r["source"] for r in train.fine_tune_rows(tr, "covid_normal", v).rows], ["nih", "crd_partial"])
        self.assertIs(train.fine_tune_rows(tr, "covid_pneumonia", v), tr)
        self.assertIs(train.fine_tune_rows(tr, "covid_normal", dict(train.V3, **train.RECIPES["appearance"])), tr)


if __name__ == "__main__":
    unittest.main()
