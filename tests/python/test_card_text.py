"""A card's limitations and licence are true of the data its model was trained on (its own counts): v3's
cards (no chexpert) keep their words when `make eval` rewrites them; a model trained with chexpert carries
Stanford's non-commercial terms and its counts."""
import json
import os
import unittest

from training.export import known_limitations, left_out_of_fine_tuning, license_text, splits_used, train_sources

MODELS = os.path.join(os.path.dirname(__file__), "..", "..", "models")
V4_TRAIN = {"pneumonia/nih/adult": 331, "pneumonia/chexpert/adult": 298, "pneumonia/ieee8023/adult": 46,
            "pneumonia/kermany_224/pediatric": 1423, "normal/chexpert/adult": 1645, "normal/jsrt/adult": 66,
            "covid/crd_partial/adult": 2527}


class CardText(unittest.TestCase):
    def test_with_chexpert_the_terms_and_counts_say_so(self):
        counts = {"train": V4_TRAIN}
        self.assertIn("non-commercial research use only", license_text(train_sources(counts)))
        text = " ".join(known_limitations("covid_pneumonia", counts))
        self.assertIn("675 adult training images (331 nih, 298 chexpert, 46 ieee8023) against 1,423 pediatric", text)
        self.assertIn("Stanford Hospital", text)
        self.assertIn("never saw nih, jsrt, chexpert or ieee8023", text)

    def test_the_shipped_cards_are_described_by_their_own_counts(self):
        for name in ("covid_normal", "covid_pneumonia"):
            with open(os.path.join(MODELS, f"{name}.json")) as f:
                card = json.load(f)
            counts = card["training_data"]["counts"]
            stanford = "chexpert" in train_sources(counts)
            left_out = left_out_of_fine_tuning(card["training_data"]["training"], name)
            self.assertEqual("CheXpert" in license_text(train_sources(counts)), stanford)
            text = " ".join(known_limitations(name, counts, left_out))
            self.assertEqual("chexpert" in text, stanford)
            self.assertEqual("Stanford Hospital" in text, stanford and "chexpert" not in left_out)
            adult = sum(n for k, n in counts["train"].items() if k.startswith("pneumonia/") and k.endswith("/adult"))
            if name == "covid_pneumonia":
                self.assertIn(f"{adult:,} adult training images", " ".join(known_limitations(name, counts)))

    def test_stanford_in_pretraining_only_keeps_its_terms_not_its_hospital(self):
        counts = {"train": V4_TRAIN}
        info = {"measures": {"fine_tune_without": {"covid_normal": ["chexpert"]}}}
        self.assertEqual(left_out_of_fine_tuning(info, "covid_normal"), ("chexpert",))
        self.assertEqual(left_out_of_fine_tuning(info, "covid_pneumonia"), ())
        text = " ".join(known_limitations("covid_normal", counts, left_out_of_fine_tuning(info, "covid_normal")))
        self.assertIn("fine-tuned on come from one hospital (NIH Clinical Center", text)
        self.assertNotIn("Stanford Hospital", text)
        self.assertIn("The chexpert images were used in pretraining only", text)
        self.assertIn("non-commercial research use only", license_text(train_sources(counts)))
        self.assertIn("chexpert images of train were used in pretraining only", splits_used(("chexpert",)))
        self.assertNotIn("pretraining only", splits_used(()))
        self.assertIn("Stanford Hospital", " ".join(known_limitations("covid_pneumonia", counts,
                                                                      left_out_of_fine_tuning(info, "covid_pneumonia"))))

    def test_without_chexpert_no_stanford_terms(self):
        counts = {"train": {k: v for k, v in V4_TRAIN.items() if "chexpert" not in k}}
        self.assertNotIn("CheXpert", license_text(train_sources(counts)))
        self.assertIn("377 adult training images (331 nih, 46 ieee8023)", " ".join(known_limitations("covid_pneumonia", counts)))


if __name__ == "__main__":
    unittest.main()
