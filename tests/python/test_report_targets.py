"""The targets table of docs/EVALUATION.md holds issue 28's: chexpert's adult normals at Model 1's threshold,
and per held-out source the fold models' specificity/sensitivity (Model 1) or AUC (Model 2)."""
import unittest

from training import report


def loso(**held_out):
    return {"held_out": {src: dict(n_covid=10, n_negative=10, auc=v[0], sensitivity=v[1], specificity=v[2])
                         for src, v in held_out.items()}}


class LeaveOneSourceOutTargets(unittest.TestCase):
    def test_each_held_out_source_is_a_row_met_or_not(self):
        rows = report.loso_rows({"covid_normal": loso(nih=(0.9, 0.95, 0.75), jsrt=(0.8, 0.92, 0.40),
                                                      chexpert=(0.7, 0.85, 0.72), ieee8023=(0.9, 0.9, 0.9)),
                                 "covid_pneumonia": loso(nih=(0.80, 1, 0), chexpert=(0.60, 1, 0))})
        met = {t: ok for t, _, ok in rows}
        self.assertTrue(met["Model 1 without nih: specificity ≥ 0.70 on its normals"])
        self.assertTrue(met["Model 1 without nih: sensitivity ≥ 0.90"])
        self.assertFalse(met["Model 1 without jsrt: specificity ≥ 0.70 on its normals"])
        self.assertFalse(met["Model 1 without chexpert: sensitivity ≥ 0.90"])
        self.assertTrue(met["Model 2 without nih: AUC ≥ 0.75 on its pneumonias"])
        self.assertFalse(met["Model 2 without chexpert: AUC ≥ 0.75 on its pneumonias"])
        # ieee8023 holds no adult normals of Model 1's, and Model 2's fold without it did not run here
        self.assertFalse(any("ieee8023" in t for t in met))
        self.assertEqual(len(rows), 3 * 2 + 2)

    def test_no_audit_no_rows(self):
        self.assertEqual(report.loso_rows(None), [])


class ChexpertNormalsTarget(unittest.TestCase):
    def test_model_1_reports_chexpert_specificity(self):
        groups = {g: {"called_covid": c} for g, c in (("adult normal (nih)", 0.1), ("adult normal (crd/RSNA)", 0.1),
                                                       ("adult normal (chexpert, Stanford)", 0.4),
                                                       ("pediatric normal (kermany)", 0.01))}
        audit = {"shipped": {"lungs_hidden": {"auc": 0.6}, "cam_lung_share_tp": {"mean": 0.8}}}
        res = {"test": {"all": {"auc": 0.98, "sensitivity": 0.96, "ece": 0.03}}, "audit": audit,
               "called_covid": groups, "title": "Model 1: COVID-19 vs Normal"}
        rows = {t: (v, ok) for t, v, ok in report.target_rows("covid_normal", res)}
        v, ok = rows["Model 1 specificity ≥ 0.85 on chexpert adult normals"]
        self.assertAlmostEqual(v, 0.6)
        self.assertFalse(ok)


if __name__ == "__main__":
    unittest.main()
