"""The one exporter: ONNX export, self-test patterns and the card fields every model shares (classifiers
here; the lung model and the gate add their own fields through `card_base` and `write_json`)."""
import datetime
import json
import os

import numpy as np
import onnx
import torch

from . import cards, compress
from .calibrate import BAND_RULE, THRESHOLD_RULE
from .data import sha256_file
from .model import Exported

OPSET = 17
CONTRACT_VERSION = 3  # src/core/contract.h kContractVersion
MAX_BYTES = 8 * 1024 * 1024
TITLES = {"covid_normal": "Model 1: COVID-19 vs Normal", "covid_pneumonia": "Model 2: COVID-19 vs Pneumonia"}
NEGATIVE = {"covid_normal": "normal", "covid_pneumonia": "pneumonia"}


def pattern(size=224):
    """x[y][x] = (3*x + 5*y) mod 256 as float, size x size (y = row, x = column, 0-based), [1,1,size,size]:
    pattern-v1 at 224 (classifiers, gate), pattern-256 at 256 (lung model)."""
    yy, xx = np.mgrid[0:size, 0:size]
    return torch.from_numpy(((3 * xx + 5 * yy) % 256).astype(np.float32)).view(1, 1, size, size)


def pattern_v1():
    return pattern(224)


def export_graph(wrapper, sample, path, outputs, *, int8=True, max_bytes=MAX_BYTES):
    """torch.onnx.export at OPSET with a dynamic batch; weights on int8 levels stored as int8 (`int8`);
    checked, and refused over `max_bytes`. Returns the file's size."""
    torch.onnx.export(wrapper, sample, path, opset_version=OPSET, input_names=["input"], output_names=outputs,
                      dynamic_axes={k: {0: "N"} for k in ["input", *outputs]}, do_constant_folding=True)
    if int8:
        compress.store_int8(path)
    onnx.checker.check_model(onnx.load(path))
    size = os.path.getsize(path)
    if size > max_bytes:
        raise SystemExit(f"{path} is {size} bytes, over the {max_bytes // (1024 * 1024)} MB limit")
    return size


def export_onnx(clf, temperature, path):
    """Write the ONNX graph; return the self-test prob of the same graph in PyTorch."""
    wrapper = Exported(clf, temperature).eval()
    export_graph(wrapper, torch.rand(2, 1, 224, 224) * 255, path, ["logits", "prob", "cam"])
    return self_test(wrapper), list(wrapper(pattern_v1())[2].shape[1:])


def card_base(*, name, title, version, onnx_path, module, description, input_layout, outputs, self_test,
              architecture=None, size=224):
    """The fields every card has, in one order; architecture read off the trained module."""
    return {
        "name": name,
        "title": title,
        "version": version,
        "contract_version": CONTRACT_VERSION,
        "sha256": sha256_file(onnx_path),
        "file": os.path.basename(onnx_path),
        "bytes": os.path.getsize(onnx_path),
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "input": {"name": "input", "shape": ["N", 1, size, size], "dtype": "float32", "range": [0, 255],
                  "layout": input_layout},
        "outputs": outputs,
        "architecture": {**cards.architecture(module, description), **(architecture or {})},
        "self_test": self_test,
    }


def write_json(path, card):
    with open(path, "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")


@torch.no_grad()
def self_test(wrapper):
    """The card's self-test: prob and logits of the exported graph's PyTorch twin on pattern-v1 (the
    logits are the sharper check when prob sits at 0 or 1)."""
    logits, prob, _ = wrapper(pattern_v1())
    return {"expected_prob": round(float(prob[0]), 6), "expected_logits": [round(float(v), 4) for v in logits[0]]}


def write_card(path, *, name, onnx_path, version, temperature, threshold, band, manifest, composition,
               val_metrics, clf, cam_shape, self_test, train_info, prior_log_odds, extra=None):
    neg = NEGATIVE[name]
    card = card_base(
        name=name, title=TITLES[name], version=version, onnx_path=onnx_path, module=clf,
        description="ResNet-like, 4 stages x 2 basic blocks",
        input_layout=f"gray, row-major; the lung field of the canonical 256x256 image (contract v{CONTRACT_VERSION})",
        outputs={
            "logits": f"[N,2], index 1 = COVID-19, index 0 = {neg}",
            "prob": "[N], calibrated P(COVID-19) = softmax(logits / temperature)[:, 1]",
            "cam": f"[N,{cam_shape[0]},{cam_shape[1]}], class activation map of COVID-19 against {neg}: "
                   f"ReLU(sum_c (w_covid - w_{neg})_c * feature_c) over the last {cam_shape[0]}x{cam_shape[1]} "
                   "feature grid (covering the 224x224 input, i.e. the lung field's box), divided by its "
                   "per-image maximum + 1e-6, so values lie in [0,1]; all zero when no region speaks for COVID-19",
        },
        architecture={"internal_resolution": clf.backbone.internal, "cam_grid": list(cam_shape),
                      "last_stage": "dilated (stride 1, dilation 2) for the 14x14 CAM grid" if cam_shape[0] > 7
                                    else "stride 2",
                      "in_graph": "per-image standardisation (x - mean) / sqrt(var + 1), "
                                  + ("2x2 average pooling to 112x112" if clf.backbone.internal == 112 else
                                     f"bilinear resize to {clf.backbone.internal}x{clf.backbone.internal}")
                                  + ", network, temperature, softmax, CAM"},
        self_test={"input": "pattern-v1", "description": "x[y][x] = (3*x + 5*y) mod 256 as float, 224x224",
                   **self_test, "tolerance": 0.01, "logits_tolerance": 0.05})
    card.update({
        "preprocessing": f"contract v{CONTRACT_VERSION} (docs/PREPROCESSING.md): decode, RGB->gray (Rec. 601), "
                         "central square crop, area resize to 224x224 (one effective resolution for every source) "
                         "and by the same rule to 256x256 8-bit; the lung model (lungs.onnx) outlines the lungs; "
                         "the lung field: the square box around both lungs (+8% margin per side) resampled "
                         "to 224x224, everything beyond 10 px of the lung mask faded to the lungs' mean gray "
                         "over 8 px (the project's C++ core: cxr-prep, cxr-lung-field, wasm)",
        "temperature": round(float(temperature), 5),
        "prior_log_odds_added": round(float(prior_log_odds), 5),
        "threshold": round(float(threshold), 6),
        "threshold_rule": THRESHOLD_RULE,
        "inconclusive": {"low": round(float(band[0]), 6), "high": round(float(band[1]), 6), "rule": BAND_RULE},
        "training_data": {"manifest_sha256": manifest.sha256, "manifest": "manifest.csv of ../shared/cxr-data",
                          "splits_used": None, "counts": composition, "training": train_info},
        "metrics": {"val": val_metrics, "test": None,
                    "note": "val: PyTorch on the cached canonical images; test: filled by make eval from the "
                            "headless predictor (the page's code path)"},
        "audits": None,
        "known_limitations": None,  # these three: set_data_prose
        "intended_use": "Research, teaching and demonstration only. Not a medical device; not for diagnosis, "
                        "triage or any clinical decision.",
        "license": None,
    })
    set_data_prose(card, name)
    if extra:
        card.update(extra)
    write_json(path, card)
    return card


def train_sources(counts):
    """The sources of a card's training split (its `training_data.counts`: "label/source/age" -> n)."""
    return {k.split("/")[1] for k in counts.get("train", {})}


def either(names):
    return " or ".join(filter(None, [", ".join(names[:-1]), names[-1] if names else ""]))


def set_data_prose(card, name):
    """What a card says of its data (splits used, limitations, licence), from its own counts and training record:
    written by write_card, rewritten by make eval so that corrected prose needs no retraining."""
    data = card["training_data"]
    counts, left_out = data["counts"], left_out_of_fine_tuning(data.get("training"), name)
    data["splits_used"] = splits_used(left_out)
    card["known_limitations"] = known_limitations(name, counts, left_out)
    card["license"] = license_text(train_sources(counts))


def splits_used(left_out=()):
    """How the card's model used the manifest's splits (`left_out`: sources in its pretraining only)."""
    return ("train for fitting (and the leave-one-source-out folds); train+val predictions of the folds and val "
            "for temperature, threshold and band; test only for evaluation (make eval)"
            + (f". The {either(list(left_out))} images of train were used in pretraining only, not in this model's "
               "fine-tuning or its folds; the counts below are the whole manifest's" if left_out else ""))


def left_out_of_fine_tuning(train_info, name):
    """The sources the recipe kept out of task `name`'s fine-tuning and folds (a card's `training` record)."""
    return tuple((train_info or {}).get("measures", {}).get("fine_tune_without", {}).get(name, ()))


def known_limitations(name, counts, left_out=()):
    """The card's limitations, true of the data it was trained on (`counts`, the card's own; `left_out`: sources
    seen in pretraining only, left out of this model's fine-tuning)."""
    train = counts.get("train", {})
    sources = train_sources(counts)
    stanford = "chexpert" in sources
    fine_tuned_on_stanford = stanford and "chexpert" not in left_out
    hospitals = ("two hospitals (NIH Clinical Center, USA: nih, and crd_partial via RSNA; Stanford Hospital, USA: "
                 "chexpert)" if fine_tuned_on_stanford else
                 "one hospital (NIH Clinical Center, USA: nih, and crd_partial via RSNA)")
    pretrain_only = (f" The {either(list(left_out))} images were used in pretraining only (the backbone's four "
                     "classes), left out of this model's fine-tuning and of its leave-one-source-out folds: on the "
                     "pool's held-out folds they cost other hospitals' normals more than they gave (docs/EVALUATION.md, "
                     "What we tried)." if left_out else "")
    held = [s for s in ("nih", "jsrt", "chexpert", "ieee8023") if s in sources]
    lim = [
        f"Source confounding: almost all adult normals and adult non-COVID pneumonias {'it was fine-tuned on ' if left_out else ''}"
        f"come from {hospitals} and the "
        "COVID-19 images from other hospitals and papers; a model can score well by recognising the source "
        "(processing, burnt-in markers such as the Spanish 'D' or a PORTABLE stamp) instead of disease. Contract "
        "v3 brings every image to one effective resolution (224 px), which removes the clearest cue; the others "
        "are fought by augmentation. See the shortcut audits in docs/EVALUATION.md." + pretrain_only,
        "Hospitals outside the pool: the operating point (threshold, temperature, inconclusive band) is chosen on "
        f"leave-one-source-out predictions (models that never saw {either(held)} predicting "
        "them), the closest proxy the pool allows; docs/EVALUATION.md reports each held-out source. No external "
        "validation set backs these figures.",
        "Labels mined from reports: " + ("chexpert's 'No Finding' normals and its pneumonias/consolidations, and "
                                         "nih's labels, were" if stanford else "nih's labels were")
        + " extracted from report text by NLP, not read by a radiologist for this project.",
        "Pediatric images are all from one hospital (Guangzhou) and never COVID-19.",
        "Trained on 2020-era COVID-19 images; variants, vaccination and treatment have changed the disease's "
        "appearance since.",
        "Frontal views only; lateral views, DICOM-specific processing and non-chest images are out of scope "
        "(the page's input gate must catch them).",
        "Not for diagnosis: research and teaching use only.",
    ]
    if name == "covid_pneumonia":
        adult = {k.split("/")[1]: n for k, n in train.items() if k.startswith("pneumonia/") and k.endswith("/adult")}
        children = sum(n for k, n in train.items() if k.startswith("pneumonia/") and k.endswith("/pediatric"))
        by_source = ", ".join(f"{n:,} {src}" for src, n in sorted(adult.items(), key=lambda x: -x[1]))
        mined = " and ".join(s for s in ("nih", "chexpert") if s in adult)
        lim.insert(1, f"Model 2's non-COVID pneumonias: {sum(adult.values()):,} adult training images ({by_source}) "
                      f"against {children:,} pediatric ones; sampling gives adults 80% of the class's mass so that "
                      f"'adult vs child' cannot carry it. The {mined} pneumonia labels were mined from report text "
                      "(noisy). Its headline figures are adults only.")
    return lim


def license_text(sources=()):
    """The terms a model inherits from its training sources (`sources`: CheXpert's are added when present)."""
    stanford = ("; CheXpert (Irvin et al. 2019; Stanford Hospital): Stanford University School of Medicine CheXpert "
                "Dataset Research Use Agreement, non-commercial research use only, and models trained on it "
                "inherit that restriction. This model may not be used commercially."
                if "chexpert" in sources else ". The NC licences of some images make commercial use inadvisable.")
    return ("Trained on public research collections; the model inherits their terms: research and teaching "
            "use only, not clinical use. ieee8023 covid-chestxray-dataset images carry per-image licences "
            "(CC BY, CC BY-NC-SA, CC BY-NC-ND, Apache 2.0 or none stated; the collection's terms: research use); "
            "COVID-19 Radiography Database (Kaggle; includes RSNA pneumonia challenge images): research/"
            "non-commercial; Kermany et al. 2018 pediatric chest X-rays: CC BY 4.0; JSRT database: free for "
            "research and education; NIH ChestX-ray14: public, no restriction on use stated by the NIH Clinical "
            "Center (cite Wang et al. 2017)" + stanford)
