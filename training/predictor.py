"""Calls the headless predictor (node tools/predict.mjs: the page's one wasm module, ONNX Runtime built from C++) and reads
its CSV. The headline test figures of make eval come from here."""
import csv
import glob
import hashlib
import io
import json
import os
import subprocess
import tempfile

from .data import sha256_file

PREDICT = os.path.join("tools", "predict.mjs")
CORE = os.path.join("build", "site", "xraylens.wasm")
CACHE = os.path.join("build", "eval-cache")
EVAL_KEYS = ("metrics", "audits", "known_limitations", "license")
KEYS = {"covid_normal": "covid-normal", "covid_pneumonia": "covid-pneumonia"}


def available():
    return os.path.exists(PREDICT) and os.path.exists(CORE)


def cache_key(files, models_dir):
    """Hash of the file list, the models' bytes and cards, and the predictor's code: equal key, equal output."""
    h = hashlib.sha256("\n".join(files).encode())
    for p in sorted(glob.glob(os.path.join(models_dir, "*.json"))):  # what make eval writes into a card is left out
        with open(p) as f:
            card = {k: v for k, v in json.load(f).items() if k not in EVAL_KEYS}
        h.update(json.dumps(card, sort_keys=True).encode())
    for p in sorted(glob.glob(os.path.join(models_dir, "*.onnx"))) + [PREDICT, CORE]:
        h.update(sha256_file(p).encode())
    for p in sorted(glob.glob(os.path.join("web", "*.js")) + glob.glob(os.path.join("tools", "lib", "*.mjs"))):
        h.update(sha256_file(p).encode())
    return h.hexdigest()[:16]


def predict(files, models_dir, timeout=7200):
    """Run both models on `files`; return {(file, model_name): row dict} (p_covid as float or None).
    The CSV is kept in build/eval-cache/ under a key of everything that determines it."""
    cached = os.path.join(CACHE, f"predict-{cache_key(files, models_dir)}.csv")
    if os.path.exists(cached):
        with open(cached) as f:
            return parse(f.read())
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("".join(p + "\n" for p in files))
        lst = f.name
    try:
        env = dict(os.environ, NODE_PATH=os.environ.get("NODE_PATH", "/usr/share/nodejs"))
        res = subprocess.run(["node", PREDICT, "--model", "both", "--models-dir", models_dir, "--list", lst],
                             capture_output=True, text=True, timeout=timeout, env=env)
    finally:
        os.unlink(lst)
    if res.returncode != 0:
        raise RuntimeError(f"predictor failed ({res.returncode}): {res.stderr[-2000:]}")
    os.makedirs(CACHE, exist_ok=True)
    with open(cached + ".tmp", "w") as f:
        f.write(res.stdout)
    os.replace(cached + ".tmp", cached)
    return parse(res.stdout)


def parse(text):
    names = {v: k for k, v in KEYS.items()}
    out = {}
    for row in csv.DictReader(io.StringIO(text)):
        row["p_covid"] = float(row["p_covid"]) if row["p_covid"] not in ("", None) else None
        out[(row["file"], names.get(row["model"], row["model"]))] = row
    return out
