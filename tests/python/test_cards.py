"""Every shipped card states what its ONNX file is: sha256, bytes, contract version (the core's), input
shape and range, and the convolution widths of the network (training/cards.py)."""
import json
import os
import shutil
import tempfile
import unittest

from training import cards

MODELS = os.path.join(os.path.dirname(__file__), "..", "..", "models")
NAMES = ("covid_normal", "covid_pneumonia", "lungs", "gate")


class CardsMatchTheirModels(unittest.TestCase):
    def test_every_card_matches_its_onnx_file(self):
        for name in NAMES:
            with self.subTest(model=name):
                self.assertEqual(cards.problems(MODELS, name), [])

    def test_a_wrong_width_is_caught(self):
        with tempfile.TemporaryDirectory() as tmp:
            for f in ("gate.json", "gate.onnx"):
                shutil.copy(os.path.join(MODELS, f), tmp)
            path = os.path.join(tmp, "gate.json")
            with open(path) as f:
                card = json.load(f)
            card["architecture"]["conv_widths"] = [16, 32, 64, 64]  # what gate.json once said by hand
            card["input"]["range"] = "0..255"
            with open(path, "w") as f:
                json.dump(card, f)
            found = " ".join(cards.problems(tmp, "gate"))
            self.assertIn("conv_widths", found)
            self.assertIn("range", found)

    def test_the_gate_card_states_gatenets_real_widths(self):
        with open(os.path.join(MODELS, "gate.json")) as f:
            self.assertEqual(json.load(f)["architecture"]["conv_widths"], [8, 16, 32, 48])


if __name__ == "__main__":
    unittest.main()
