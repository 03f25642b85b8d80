"""training.experiments.compare_recipes: the paired comparison of two recipes' saved folds (no data, no training)."""
import os
import tempfile
import unittest

import numpy as np

from training.experiments import compare_recipes


def save(path, folds):
    np.savez(path, **{f"{s}_{k}": v for s, f in folds.items() for k, v in f.items()})


class CompareRecipesTest(unittest.TestCase):
    def setUp(self):
        rng = np.random.default_rng(1)
        n = 400
        self.label = np.array(["covid"] * 150 + ["normal"] * 250)
        # nih's COVID-19 rows come from other sources (not held out), its normals are held out
        self.held = np.array([False] * 150 + [True] * 250)
        self.source = np.array(["crd_partial"] * 150 + ["nih"] * 250)
        y = (self.label == "covid").astype(float)
        self.good = np.c_[np.zeros(n), 2.0 * y + rng.normal(0, 1, n)]  # column 1 is COVID-19
        self.poor = np.c_[np.zeros(n), 0.5 * y + rng.normal(0, 1, n)]
        self.dir = tempfile.mkdtemp()

    def fold(self, logits):
        return {"nih": {"logits": logits, "source": self.source, "label": self.label, "held": self.held}}

    def test_better_recipe_wins_with_an_interval_above_zero(self):
        a, b = os.path.join(self.dir, "a.npz"), os.path.join(self.dir, "b.npz")
        save(a, self.fold(self.good))
        save(b, self.fold(self.poor))
        r = compare_recipes.paired(compare_recipes.folds(a), compare_recipes.folds(b), 200)["nih"]
        self.assertEqual((r["n_covid"], r["n_negative"]), (150, 250))
        self.assertGreater(r["auc_a"], 0.85)
        self.assertAlmostEqual(r["diff"], r["auc_a"] - r["auc_b"])
        self.assertGreater(r["ci"][0], 0)
        self.assertLess(r["ci"][0], r["diff"])
        self.assertGreater(r["ci"][1], r["diff"])

    def test_refuses_files_without_rows_or_with_other_rows(self):
        bare = os.path.join(self.dir, "bare.npz")
        np.savez(bare, nih_logits=self.good)
        with self.assertRaises(SystemExit):
            compare_recipes.folds(bare)
        a, b = os.path.join(self.dir, "a.npz"), os.path.join(self.dir, "b.npz")
        save(a, self.fold(self.good))
        other = self.fold(self.poor)
        other["nih"]["held"] = ~self.held
        save(b, other)
        with self.assertRaises(SystemExit):
            compare_recipes.paired(compare_recipes.folds(a), compare_recipes.folds(b), 10)


if __name__ == "__main__":
    unittest.main()
