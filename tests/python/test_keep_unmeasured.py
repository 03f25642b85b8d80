"""training.evaluate.keep_unmeasured: audits a make eval could not measure stay as measured before, marked."""
import unittest

from training.evaluate import keep_unmeasured


class KeepUnmeasuredTest(unittest.TestCase):
    def test_missing_audits_are_kept_and_marked(self):
        earlier = {"measured_on_version": "4.1.0", "leave_one_source_out": {"threshold": 0.4, "held_out": {"nih": 1}},
                   "source_classifier": {"shipped": {"acc": 0.9}, "no pixels": {"acc": 0.5}}}
        new = {"leave_one_source_out": None, "source_classifier": {"shipped": None, "no pixels": {"acc": 0.6}}}
        keep_unmeasured(new, earlier)
        self.assertEqual(new["leave_one_source_out"], earlier["leave_one_source_out"])
        self.assertEqual(new["source_classifier"], {"shipped": {"acc": 0.9}, "no pixels": {"acc": 0.6}})
        self.assertEqual(new["kept_from_earlier"]["audits"], ["source_classifier.shipped", "leave_one_source_out"])
        self.assertEqual(new["kept_from_earlier"]["measured_on_version"], "4.1.0")

    def test_nothing_kept_when_everything_was_measured(self):
        new = {"leave_one_source_out": {"threshold": 0.5}, "source_classifier": {"shipped": {"acc": 0.8}}}
        keep_unmeasured(new, {"leave_one_source_out": {"threshold": 0.4}, "source_classifier": {"shipped": {"acc": 0.9}}})
        self.assertNotIn("kept_from_earlier", new)
        self.assertEqual(new["leave_one_source_out"], {"threshold": 0.5})


if __name__ == "__main__":
    unittest.main()
