"""Calls the headless predictor (node tools/predict.mjs: the page's wasm core + ONNX Runtime Web) and reads
its CSV. The headline test figures of make eval come from here."""
import csv
import io
import os
import subprocess
import tempfile

PREDICT = os.path.join("tools", "predict.mjs")
CORE = os.path.join("build", "site", "xraylens_core.wasm")
KEYS = {"covid_normal": "covid-normal", "covid_pneumonia": "covid-pneumonia"}


def available():
    return os.path.exists(PREDICT) and os.path.exists(CORE)


def predict(files, models_dir, timeout=3600):
    """Run both models on `files`; return {(file, model_name): row dict} (p_covid as float or None)."""
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
    names = {v: k for k, v in KEYS.items()}
    out = {}
    for row in csv.DictReader(io.StringIO(res.stdout)):
        row["p_covid"] = float(row["p_covid"]) if row["p_covid"] not in ("", None) else None
        out[(row["file"], names.get(row["model"], row["model"]))] = row
    return out
