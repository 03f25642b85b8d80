"""The learned input gate: is this a frontal chest X-ray?

    /usr/bin/python3 -m training.gate --data ../shared/cxr-data --out models [--smoke]

Positives: frontal images (every label except `lateral`) of the pool, canonical bytes from the cxr-prep cache
(training/data.py), source-balanced. Negatives: the manifest's `lateral` rows (manifest split) and the files
of negatives.py (written as PNG/JPEG, preprocessed by cxr-prep). Threshold chosen on `val` only; `test` is read
for the report. Writes <out>/gate.onnx, <out>/gate.json, docs/eval/gate.md (not in smoke runs) and
<out>/gate_scores_<split>.csv.

Modules: net.py (the network and its ONNX export), data.py (positives and negatives as arrays), fit.py
(augmentation, training, threshold, figures), card.py (the card, the predictor's figures and the Markdown
section), negatives.py (the synthesised and packaged negatives), __main__.py (the command).
"""
VERSION = "1.2.0"  # 1.2.0: retrained on contract v3 canonical images
NEG_CATS = ["lateral", "natural", "graphics", "text", "screenshot", "diagram", "synthetic", "colour"]
REASON = "not_a_frontal_chest_xray"
