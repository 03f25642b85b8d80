"""ONNX export of the lung model and its card (models/lungs.json)."""
import os

import torch

from ..export import card_base, export_graph, license_text, pattern, write_json
from .unet import ExportedUNet

VERSION = "1.2.0"  # 1.2.0: static int8 (training/quantize.py); 1.1.0: the first made by make train with every initial weight seeded
MAX_BYTES = 3 * 1024 * 1024


def export(net, manifest, metrics, train_info, out, log):
    path = os.path.join(out, "lungs.onnx")
    wrapper = ExportedUNet(net).eval()
    size = export_graph(wrapper, torch.rand(2, 1, 256, 256) * 255, path, ["mask"], max_bytes=MAX_BYTES)
    with torch.no_grad():
        m = wrapper(pattern(256))[0]
    card = card_base(
        name="lungs", title="Lung fields", version=VERSION, onnx_path=path, module=net,
        description="U-Net, two dilated 3x3 convolutions at 16x16", size=256,
        input_layout="the canonical 256x256 image (contract step 2), gray, row-major",
        outputs={"mask": "[N,256,256], P(lung) per canonical pixel; lung where >= 0.5"},
        architecture={"internal_resolution": 128,
                      "in_graph": "per-image standardisation, 2x2 average pooling, network, bilinear "
                                  "upsampling to 256x256, sigmoid"},
        self_test={"input": "pattern-256", "description": "x[y][x] = (3*x + 5*y) mod 256 as float, 256x256",
                   "expected_mean": round(float(m.mean()), 6), "tolerance": 0.01})
    card.update({
        "training_data": {"manifest_sha256": manifest.sha256,
                          "masks": "lung_mask column of the train split: JSRT SCR manual outlines (weight 1) "
                                   "and ieee8023 lung-VAE outlines (weight 0.5)",
                          "training": train_info},
        "metrics": metrics,
        "metrics_note": "Dice and IoU per image (threshold 0.5) on the canonical 256x256 grid, mean over "
                        "images; 'manual' = JSRT SCR outlines, 'model_made' = ieee8023 VAE outlines. "
                        "The model as shipped (static int8: int8 weights, uint8 activations).",
        "known_limitations": [
            "Manual outlines exist only for JSRT (Japan, digitised film, adults); the COVID-19 outlines are "
            "another model's. On children, portable AP films and 224-px images its outlines are checked by "
            "eye only (docs/EVALUATION.md).",
            "The SCR outlines exclude the heart and the parts of the lungs behind it and below the "
            "diaphragm; so does this model.",
            "Dense consolidation can be left out of the outline; the lung-field input dilates the mask for "
            "that reason.",
        ],
        "intended_use": "Preparing the classifiers' lung-field input and the page's lung outline. Not a "
                        "measurement tool.",
        "license": license_text(),
    })
    write_json(os.path.join(out, "lungs.json"), card)
    log(f"[lungs] wrote {path} ({size} bytes), self-test mean {m.mean():.6f}")
