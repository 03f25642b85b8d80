"""The C++ figures of a labelled batch (src/core/site_metrics.cpp, through build/native/cxr-metrics)
against scikit-learn, SciPy and a numpy DeLong on fixed vectors: ties, one class, n < 20, a perfect
ranking, and sets large enough for a site threshold. Agreement within 1e-9."""
import json
import os
import subprocess
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import site_metrics_ref as ref  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
TOOL = os.path.join(ROOT, "build", "native", "cxr-metrics")
TOL = 1e-9


def cpp(p, y, threshold=0.5, band=(0.5, 0.5)):
    pairs = "".join(f"{float(a)!r} {int(b)}\n" for a, b in zip(p, y))
    out = subprocess.run([TOOL, "--threshold", repr(threshold), "--band", repr(band[0]), repr(band[1])],
                         input=pairs, capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def vectors():
    rng = np.random.default_rng(1234)
    n_pos, n_neg = 45, 60
    sets = {
        "continuous": (np.r_[rng.beta(4, 2, n_pos), rng.beta(2, 4, n_neg)], np.r_[np.ones(n_pos), np.zeros(n_neg)]),
        "ties": (np.round(np.r_[rng.beta(3, 2, 30), rng.beta(2, 3, 25)], 1), np.r_[np.ones(30), np.zeros(25)]),
        "small": (np.array([0.9, 0.4, 0.35, 0.8, 0.1, 0.4, 0.6]), np.array([1, 1, 0, 1, 0, 0, 0])),
        "perfect": (np.r_[np.linspace(0.6, 0.99, 25), np.linspace(0.01, 0.5, 22)], np.r_[np.ones(25), np.zeros(22)]),
        "twenty_each": (np.r_[rng.uniform(0.2, 1, 20), rng.uniform(0, 0.8, 20)], np.r_[np.ones(20), np.zeros(20)]),
    }
    return sets


@unittest.skipUnless(os.path.exists(TOOL), "needs build/native/cxr-metrics (make native)")
class SiteMetricsMatchTheReferences(unittest.TestCase):
    def assertClose(self, a, b, what):
        if b is None:
            self.assertIsNone(a, what)
        elif isinstance(b, (list, tuple)):
            self.assertEqual(len(a), len(b), what)
            for i, (x, y) in enumerate(zip(a, b)):
                self.assertClose(x, y, f"{what}[{i}]")
        else:
            self.assertIsNotNone(a, what)
            self.assertAlmostEqual(a, b, delta=TOL, msg=what)

    def test_figures(self):
        for name, (p, y) in vectors().items():
            threshold, band = 0.42, (0.3, 0.55)
            got, want = cpp(p, y, threshold, band), ref.figures(p, y, threshold, band)
            m = got["metrics"]
            with self.subTest(vectors=name):
                self.assertEqual((m["n_pos"], m["n_neg"]), (want["n_pos"], want["n_neg"]))
                self.assertClose(m["auc"], want["auc"], "auc (sklearn)")
                self.assertClose(m["auc"], want["auc_delong"], "auc (numpy DeLong)")
                self.assertClose(m["auc_ci"], want["auc_ci"], "auc_ci")
                for k in ("sensitivity", "sensitivity_ci", "specificity", "specificity_ci", "ece"):
                    self.assertClose(m[k], want[k], k)
                self.assertEqual(m["confusion"], want["confusion"])
                self.assertClose(m["inconclusive"]["value"], want["inconclusive"], "inconclusive")
                for k in ("fpr", "tpr", "threshold"):
                    self.assertClose(m["roc"][k], want["roc"][k], f"roc {k}")
                for t in got["site_thresholds"]:
                    w = want["site_thresholds"][f"{t['target_sensitivity']:.2f}"]
                    self.assertEqual(t["allowed"], w is not None)
                    if w:
                        for k in w:
                            self.assertClose(t[k], w[k], f"site {t['target_sensitivity']} {k}")

    def test_the_site_threshold_is_refused_below_twenty_of_a_class(self):
        p, y = vectors()["twenty_each"]
        got = cpp(p[1:], y[1:])  # 19 COVID-19
        for t in got["site_thresholds"]:
            self.assertFalse(t["allowed"])
            self.assertIn("at least 20", t["refused"])
        self.assertTrue(all(t["allowed"] for t in cpp(p, y)["site_thresholds"]))

    def test_one_class_and_nothing_are_defined(self):
        only = cpp([0.2, 0.7, 0.9], [1, 1, 1])["metrics"]
        self.assertIsNone(only["auc"])
        self.assertIsNone(only["auc_ci"])
        self.assertIsNone(only["specificity"])
        self.assertAlmostEqual(only["sensitivity"], 2 / 3, delta=TOL)
        self.assertEqual(only["roc"]["fpr"], [])
        self.assertTrue(only["notes"])
        empty = cpp([], [])["metrics"]
        self.assertEqual((empty["n_pos"], empty["n_neg"], empty["ece"], empty["sensitivity"]), (0, 0, None, None))
        one_each = cpp([0.3, 0.6], [1, 0])["metrics"]
        self.assertEqual(one_each["auc"], 0.0)
        self.assertIsNone(one_each["auc_ci"])


if __name__ == "__main__":
    unittest.main()
