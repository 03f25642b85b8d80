"""make eval refuses fold models of another training run: the leave-one-source-out audit reads aux/loso/, and a
run with another recipe (or an older one) leaves folds whose operating point is not the shipped card's."""
import json
import os
import tempfile
import unittest

from training.evaluate import check_folds


def write(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f)


class CheckFolds(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.models, self.aux = os.path.join(self.dir.name, "models"), os.path.join(self.dir.name, "aux")
        write(os.path.join(self.models, "covid_normal.json"), {"threshold": 0.375449, "temperature": 2.94312})
        write(os.path.join(self.models, "covid_pneumonia.json"), {"threshold": 0.357642, "temperature": 2.86512})

    def tearDown(self):
        self.dir.cleanup()

    def test_the_runs_own_folds_pass(self):
        write(os.path.join(self.aux, "loso", "covid_normal.json"), {"threshold": 0.3754492402, "temperature": 2.9431214})
        check_folds(self.models, self.aux)

    def test_no_folds_is_not_an_error(self):
        check_folds(self.models, self.aux)

    def test_folds_of_another_run_stop_the_evaluation(self):
        write(os.path.join(self.aux, "loso", "covid_normal.json"), {"threshold": 0.3215620, "temperature": 3.344})
        with self.assertRaises(SystemExit) as e:
            check_folds(self.models, self.aux)
        self.assertIn("another training run", str(e.exception))


if __name__ == "__main__":
    unittest.main()
