"""docs/EVALUATION.md: tables from the evaluation results, and the plots it links."""
import json
import os

import numpy as np

from . import plots
from .audits import C0, C1, DILATE, NO_PIXELS, R0, R1
from .train import V3
from .transfer import GROUPS, RESOLUTION_MIN_SIDE, RESOLUTION_TARGET

TITLE_SHORT = {"covid_normal": "Model 1", "covid_pneumonia": "Model 2"}


def f3(v):
    return "–" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.3f}"


def ci(s, k):
    if s.get(k) is None:
        return "–"
    c = s.get(k + "_ci95")
    return f"{s[k]:.3f}" + (f" ({c[0]:.3f}–{c[1]:.3f})" if c else "")


def summary_table(groups):
    lines = ["| group | n | COVID-19 | AUC (95% CI) | sensitivity (95% CI) | specificity (95% CI) | ECE |",
             "|---|---|---|---|---|---|---|"]
    for g, s in groups:
        lines.append(f"| {g} | {s['n']} | {s['n_covid']} | {ci(s, 'auc')} | {ci(s, 'sensitivity')} | "
                     f"{ci(s, 'specificity')} | {f3(s.get('ece'))} |")
    return "\n".join(lines)


def breakdown_rows(b):
    rows = [("all", b["all"])]
    for col in ("source", "age_group", "view"):
        rows += [(f"{col} = {g}", s) for g, s in b["by_" + col].items()]
    return rows


def make_plots(results, plot_dir):
    curves, rel, figs = {}, {}, []
    for name, r in results.items():
        c = r["curves"]
        lines = [("shipped (lung field), predictor", c["y"], c["p"], "-")]
        for k, style in zip([k[2:] for k in c if k.startswith("p_") and k != "p_torch_full"], ("-.", ":", "--")):
            lines.append((f"{k}, PyTorch", c["y"], c[f"p_{k}"], style))
        curves[r["title"]] = lines
        rel[r["title"].split(":")[0]] = (c["y"], c["p"])
    figs.append(plots.roc(curves, os.path.join(plot_dir, "roc.png")))
    figs.append(plots.reliability(rel, os.path.join(plot_dir, "reliability.png")))
    for name, r in results.items():
        figs.append(plots.cam_grid(cam_items(r), os.path.join(plot_dir, f"cam_{name}.png")))
    return figs


def cam_items(r, n_tp=8, n_fp=4):
    """True positives (one per source first) and false positives of the shipped model, fixed order."""
    x, y, p, cam, rows = r["cam"]
    thr = r["threshold"]
    tp = [i for i in np.argsort(-p) if y[i] == 1 and p[i] >= thr]
    fp = [i for i in np.argsort(-p) if y[i] == 0 and p[i] >= thr]
    chosen, seen = [], set()
    for i in tp:  # one per source, then the most confident
        if rows[i]["source"] not in seen:
            chosen.append(i)
            seen.add(rows[i]["source"])
    rng = np.random.default_rng(0)
    rest = [i for i in tp if i not in chosen]
    chosen += [int(i) for i in rng.permutation(rest)[:max(0, n_tp - len(chosen))]]
    chosen += fp[:n_fp]
    return [(x[i], cam[i], f"{'TP' if y[i] else 'FP'} {rows[i]['source']}/{rows[i]['age_group'][:5]} "
             f"p={p[i]:.2f}") for i in chosen]


AUDIT_TARGETS = "Targets for both models: lungs hidden AUC ≤ 0.70; CAM mass in the lungs ≥ 0.70 (true positives)."


def audit_table(results):
    lines = ["| model | models | AUC full | AUC lungs hidden | spec. lungs hidden | AUC lungs only | "
             "AUC box hidden | AUC box only | AUC within crd_partial | CAM mass in lungs, TPs (uniform) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        for v, a in r["audit"].items():
            cam = a["cam_lung_share_tp"]
            lines.append(
                f"| {r['title'].split(':')[0]} | {v} | {f3(a['full']['auc'])} | {f3(a['lungs_hidden']['auc'])} | "
                f"{f3(a['lungs_hidden']['specificity'])} | {f3(a['lungs_only']['auc'])} | "
                f"{f3(a['box_hidden']['auc'])} | {f3(a['box_only']['auc'])} | {f3(a['within_crd_auc'])} | "
                f"{f3(cam['mean'])} ({f3(cam['uniform'])}, n={cam['n']}) |")
    return "\n".join(lines)


def jpeg_table(results):
    lines = ["| model | models | AUC | AUC after JPEG | mean abs. change of p | verdicts changed |",
             "|---|---|---|---|---|---|"]
    for name, r in results.items():
        for v, a in r["audit"].items():
            j = a.get("jpeg")
            if j:
                lines.append(f"| {r['title'].split(':')[0]} | {v} | {f3(a['full']['auc'])} | {f3(j['auc'])} | "
                             f"{f3(j['mean_abs_dp'])} | {j['verdicts_changed']:.1%} |")
    return "\n".join(lines)


def source_table(src):
    lines = ["| variant | accuracy | balanced accuracy | majority-class accuracy | chance (balanced) | "
             "recall per source | AUC between two sources with the same label and age | n |",
             "|---|---|---|---|---|---|---|---|"]
    for v, s in src.items():
        if s is None:
            lines.append(f"| {v} | not trained (run make train) | | | | | | |")
            continue
        per = ", ".join(f"{k} {val:.2f}" for k, val in s["per_source_recall"].items())
        within = "; ".join(f"{k} {f3(w['auc'])}" for k, w in s["within_group_auc"].items()) or "–"
        lines.append(f"| {v} | {s['accuracy']:.3f} | {s['balanced_accuracy']:.3f} | {s['majority_accuracy']:.3f} | "
                     f"{s['chance_balanced']:.3f} | {per} | {within} | {s['n']} |")
    return "\n".join(lines)


def called_table(results):
    """Per named group of test: the share each model calls COVID-19 and the share the page would call
    inconclusive, beside the previous models' shares (PyTorch, their own thresholds)."""
    names = list(results)
    groups = [g for g in GROUPS if any(g in r["called_covid"] for r in results.values())]
    prev = [k[:-len("_called_covid")] for k in results[names[0]] if k.endswith("_called_covid")]
    head = []
    for n in names:
        t = results[n]["title"].split(":")[0]
        head += [f"{t} called COVID-19", f"{t} inconclusive"] + [f"{t} called COVID-19 by {k}" for k in prev]
    lines = ["| group (test) | n | " + " | ".join(head) + " |", "|---|---|" + "---|" * len(head)]
    for g in groups:
        n = next(r["called_covid"][g]["n"] for r in results.values() if g in r["called_covid"])
        cells = []
        for k in names:
            r = results[k]
            c = r["called_covid"].get(g, {})
            cells += [f3(c.get("called_covid")), f3(c.get("inconclusive"))]
            cells += [f3(r.get(f"{pk}_called_covid", {}).get(g, {}).get("called_covid")) for pk in prev]
        lines.append(f"| {g} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def group_spec(res, group):
    c = res["called_covid"].get(group)
    return None if c is None else 1 - c["called_covid"]


def target_rows(name, res):
    """(target, measured, met) of one model on test; met is None for figures only reported."""
    a = res["test"]["all"]
    audit = res["audit"]["shipped"]
    if name == "covid_normal":
        rows = [("Model 1 AUC ≥ 0.97 (COVID-19 vs all normals)", a.get("auc"), (a.get("auc") or 0) >= 0.97),
                ("Model 1 sensitivity ≥ 0.95 at the threshold", a.get("sensitivity"), (a.get("sensitivity") or 0) >= 0.95)]
        for g, label, t in (("adult normal (nih)", "nih adult normals", 0.85),
                            ("adult normal (crd/RSNA)", "crd_partial normals", 0.85),
                            ("adult normal (chexpert, Stanford)", "chexpert adult normals", 0.85),
                            ("pediatric normal (kermany)", "pediatric normals", 0.95)):
            v = group_spec(res, g)
            rows.append((f"Model 1 specificity ≥ {t} on {label}", v, v is not None and v >= t))
    else:
        ao = res.get("adult_only", {})
        rows = [("Model 2 adults only: AUC ≥ 0.85", ao.get("auc"), (ao.get("auc") or 0) >= 0.85),
                ("Model 2 adults only: sensitivity ≥ 0.90", ao.get("sensitivity"), (ao.get("sensitivity") or 0) >= 0.90),
                ("Model 2 adults only: specificity ≥ 0.60", ao.get("specificity"), (ao.get("specificity") or 0) >= 0.60),
                ("Model 2 pooled AUC (reported)", a.get("auc"), None)]
    t = res["title"].split(":")[0]
    hidden, cam = audit["lungs_hidden"]["auc"], audit["cam_lung_share_tp"]["mean"]
    rows += [(f"{t} ECE ≤ 0.05", a.get("ece"), (a.get("ece") if a.get("ece") is not None else 1) <= 0.05),
             (f"{t} AUC with the lungs hidden ≤ 0.70", hidden, hidden is not None and hidden <= 0.70),
             (f"{t} CAM mass in the lungs ≥ 0.70 (true positives)", cam, cam is not None and cam >= 0.70)]
    return rows


# The pool's estimate of a new hospital (issue 28): per held-out source, the fold model at the cross-fitted
# threshold. Model 1: adult normal sources; Model 2: adult pneumonia sources.
LOSO_TARGETS = {"covid_normal": ("nih", "jsrt", "chexpert"), "covid_pneumonia": ("nih", "chexpert", "ieee8023")}


def loso_rows(loso):
    """(target, measured, met) of the leave-one-source-out audit (transfer.loso_audit)."""
    rows = []
    for src in LOSO_TARGETS["covid_normal"]:
        r = ((loso or {}).get("covid_normal") or {}).get("held_out", {}).get(src)
        if r:
            rows += [(f"Model 1 without {src}: specificity ≥ 0.70 on its normals", r["specificity"], r["specificity"] >= 0.70),
                     (f"Model 1 without {src}: sensitivity ≥ 0.90", r["sensitivity"], r["sensitivity"] >= 0.90)]
    for src in LOSO_TARGETS["covid_pneumonia"]:
        r = ((loso or {}).get("covid_pneumonia") or {}).get("held_out", {}).get(src)
        if r:
            rows.append((f"Model 2 without {src}: AUC ≥ 0.75 on its pneumonias", r["auc"], (r["auc"] or 0) >= 0.75))
    return rows


def targets(results, transfer_audits, parity):
    rows = []
    for name, r in results.items():
        rows += target_rows(name, r)
    rows += loso_rows((transfer_audits or {}).get("loso"))
    res = (transfer_audits or {}).get("resolution")
    if res and "covid_normal" in res:
        r1 = res["covid_normal"]
        rows += [("Resolution audit, Model 1: mean abs. Δp ≤ 0.05", r1["mean_abs_dp"], r1["mean_abs_dp"] <= 0.05),
                 ("Resolution audit, Model 1: verdicts changed ≤ 3%", r1["verdicts_changed"], r1["verdicts_changed"] <= 0.03)]
    if parity:
        rows.append(("Parity predictor vs PyTorch: max abs. Δp ≤ 0.005", parity["max_abs_diff"], parity["ok"]))
    lines = ["| target | measured | met |", "|---|---|---|"]
    for t, v, ok in rows:
        lines.append(f"| {t} | {f3(v)} | {'–' if ok is None else ('yes' if ok else '**no**')} |")
    return "\n".join(lines)


def resolution_table(res):
    if not res:
        return "Not run (the predictor is not built)."
    lines = ["| model | images | mean abs. Δp | max abs. Δp | verdicts changed | per source: n, mean abs. Δp, changed |",
             "|---|---|---|---|---|---|"]
    for name in ("covid_normal", "covid_pneumonia"):
        r = res.get(name)
        if r:
            per = "; ".join(f"{s} {v['n']}, {f3(v['mean_abs_dp'])}, {v['verdicts_changed']:.1%}"
                            for s, v in r["by_source"].items())
            lines.append(f"| {TITLE_SHORT[name]} | {r['n']} | {f3(r['mean_abs_dp'])} | {f3(r['max_abs_dp'])} | "
                         f"{r['verdicts_changed']:.1%} | {per} |")
    return "\n".join(lines)


def loso_table(loso):
    if not loso:
        return "Not run (no fold models in the aux folder: run make train)."
    lines = ["| model | held-out source | COVID-19 from | negatives from | n COVID-19 / negative | AUC | "
             "sensitivity | specificity | inconclusive |", "|---|---|---|---|---|---|---|---|---|"]
    for name, r in loso.items():
        for src, v in r["held_out"].items():
            lines.append(f"| {TITLE_SHORT[name]} | {src} | {v['covid_from']} | {v['negatives_from']} | "
                         f"{v['n_covid']} / {v['n_negative']} | {f3(v['auc'])} | {f3(v['sensitivity'])} | "
                         f"{f3(v['specificity'])} | {f3(v['inconclusive'])} |")
    return "\n".join(lines)


def write(path, results, src, parity, source, manifest, cards, figs, lungs, transfer_audits, smoke=False):
    rel = {os.path.basename(p): os.path.relpath(p, os.path.dirname(path)) for p in figs}
    out = ["# Evaluation of the shipped models", ""]
    if smoke:
        out += ["**SMOKE RUN** — tiny models on a small test subset; the figures mean nothing.", ""]
    out += [
        "Generated by `make eval` (`/usr/bin/python3 -m training.evaluate`); do not edit by hand. "
        f"Data: `manifest.csv` sha256 `{manifest.sha256}`, split `test` (never used in training, calibration "
        "or model selection).", "",
        f"**Headline figures** (targets, per-group tables, ROC, reliability) come from: **{source}**. "
        "The shortcut audits, the previous models and the baseline run in PyTorch on the cached canonical "
        "images made by the project's C++ core (`cxr-prep`), i.e. the same pixels.", "",
    ]
    if parity:
        verdict = "OK" if parity["ok"] else "**FAILED**"
        out += [f"**Parity** predictor vs PyTorch on the same test images: max |Δprob| = "
                f"{parity['max_abs_diff']:.6f}, mean {parity['mean_abs_diff']:.6f} over {parity['n']} "
                f"predictions (tolerance {parity['tolerance']}): {verdict}. Files the predictor could not "
                f"read: {parity['failed_in_predictor']}.", ""]
    out += ["## Targets, test split", "", targets(results, transfer_audits, parity), "",
            "The pool's test split is a proxy: the sources of `test` are the sources of `train`. What a hospital "
            "outside the pool would see is estimated by the leave-one-source-out audit below.", ""]
    out += setup_section(cards)
    for name, r in results.items():
        c = cards[name]
        out += [f"## {r['title']}", "",
                f"`models/{name}.onnx` v{c['version']}, sha256 `{c['sha256'][:16]}…`; threshold "
                f"{r['threshold']:.4f}, inconclusive band [{r['band']['low']:.4f}, {r['band']['high']:.4f}), "
                f"temperature {r['temperature']:.3f} (all from the cross-fitted pool, see the card).", ""]
        if "adult_only" in r:
            out += ["**Headline: adults only** (COVID-19 vs adult non-COVID pneumonia, nih and ieee8023):", "",
                    summary_table([("adults only", r["adult_only"])]), "", "Pooled, with the children:", ""]
        out += [summary_table(breakdown_rows(r["test"])), ""]
        before = [(f"{k} (PyTorch, its own threshold)", r[f"{k}_test"]) for k in r["audit"] if f"{k}_test" in r]
        if before:
            out += ["The previous models (`models/previous/`) and the plain baseline on the same images:", "",
                    summary_table(before), ""]
    out += ["## Named groups: called COVID-19 and inconclusive at each model's threshold", "",
            "Every test image through both models (predictor). *Inconclusive*: the share whose probability falls "
            "in the card's inconclusive band, which the page reports as inconclusive instead of a verdict. The "
            "previous models' columns are PyTorch on the same cache, at their own thresholds.", "",
            called_table(results), "",
            "## Resolution audit", "",
            f"Each test image whose shorter side is ≥ {RESOLUTION_MIN_SIDE} px, area-resampled (PIL box filter) so "
            f"that its shorter side is {RESOLUTION_TARGET} px, saved as PNG and run through the predictor beside "
            "the original: a model that reads the lungs, not the resolution, keeps its probability. Contract v3 "
            "brings every image to 224 px effective resolution before the canonical image, so what remains is "
            "the difference between resampling the whole image and its central square.", "",
            resolution_table((transfer_audits or {}).get("resolution")), "",
            "## Leave-one-source-out", "",
            "`make train` fits, for each source a model can be trained without, a fold model that never saw it "
            "(its backbone was pretrained without any held-out source, and it was fine-tuned without that source). "
            "The shipped operating point (temperature, threshold, band) was chosen on the fold models' "
            "predictions for the held-out sources' train+val images together with the shipped model's val "
            "predictions for the other sources. Here each fold model meets the held-out source's **test** "
            "images, at the cross-fitted temperature and threshold: the closest estimate the pool gives of a "
            "hospital the model has never seen. Where the held-out source has no COVID-19 (or no negatives), "
            "the other class comes from every source.", "",
            loso_table((transfer_audits or {}).get("loso")), "",
            *what_we_tried(path),
            *lungs["markdown"],
            "## Shortcut audits", "",
            "PyTorch on the cache. Every edit is made on the canonical 256×256 image and each model then "
            "makes its own input from it (contract v1: the central 224×224; v2 and v3: the lung field, from "
            "the lung model's mask of the unedited image, as the page would). *Lungs hidden*: the lung outline "
            f"dilated by {DILATE} px replaced by the image's mean — a model that reads disease should fall towards "
            "AUC 0.5; *lungs only*: everything else replaced — should keep its AUC. The outline is the manifest's "
            "(JSRT manual, ieee8023 model-made) where the image has one, else the lung model's: "
            + ", ".join(f"{r['title'].split(':')[0]} {r['outlines']['manifest']} / {r['outlines']['lung_model']}"
                        for r in results.values()) + ". "
            f"*Box*: the central region (columns {C0}–{C1}, rows {R0}–{R1} of the canonical image: the middle "
            "60% of the width and 15–85% of the height of the central 224×224). *CAM mass in lungs*: share of "
            "the true positives' CAM (upsampled over the input's box) inside the lung outline (not dilated); in "
            "brackets the share a uniform map would give. Specificity at each model's own threshold. *AUC within "
            "crd_partial*: COVID-19 vs normal inside one collection.", "",
            AUDIT_TARGETS, "",
            audit_table(results), "",
            "### JPEG re-compression", "",
            "Each test image's canonical 256×256 image saved as JPEG at quality 75 and decoded again (PIL), "
            "then each model's input made as before (the lung field from the masks of the unedited image). "
            "Verdicts at each model's own threshold.", "",
            jpeg_table(results), "",
            "### Source classifier", "",
            "A classifier of the collection, fine-tuned from each variant's pretrained backbone with that "
            "variant's schedule, augmentations and sampling, on Model 1's training images, on that variant's "
            "own input (shipped: the lung field; full image: the whole canonical 256×256 image area-resized to "
            "224×224, with the shipped measures and backbone; baseline: the central 224×224); evaluated on "
            "Model 1's test images. The 4-way accuracy follows who is in each source (the row *" + NO_PIXELS +
            "* names the most common source of each image's label and age group on train without looking at "
            "it), so it is no measure of a shortcut on this pool; the last column is: inside one label and age "
            "group, how well the classifier's logit difference tells two sources apart (0.5: it cannot).", "",
            source_table(src), "",
            "## Plots", "",
            f"![ROC curves]({rel['roc.png']})", "",
            f"![Reliability diagram]({rel['reliability.png']})", "",
            "CAM overlays on the shipped models' inputs (the lung field) for test images (TP = true positive, "
            "FP = false positive at the shipped threshold):", "",
            f"![CAM Model 1]({rel['cam_covid_normal.png']})", "",
            f"![CAM Model 2]({rel['cam_covid_pneumonia.png']})", "",
            *gate_link(path), "## What holds the models back", "",
            *[f"- {TITLE_SHORT[n]}: {held_back(n, r, transfer_audits, cards[n])}" for n, r in results.items()],
            *limitations(results, src, cards), ""]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(out))


def setup_section(cards):
    c = next(iter(cards.values()))
    tr = c["training_data"]["training"]
    sch = tr["schedule"]
    guide = tr["measures"].get("guide")
    return ["## How the models were made", "",
            f"`make train` (seed {tr['seed']}): a ResNet-like net ({c['architecture']['parameters']:,} parameters, "
            f"{c['architecture']['internal_resolution']}² internal, CAM grid {c['architecture']['cam_grid'][0]}×"
            f"{c['architecture']['cam_grid'][1]}) is pretrained for {sch['pretrain']:,} samples on all training "
            f"labels ({', '.join(tr['pretrain_classes'])}; adult and pediatric; every source), then "
            f"each model is fine-tuned from it for {sch['finetune']:,} samples"
            + (f" with its last stage dilated and lung guidance (the loss adds {guide:g} × the share of the "
               "COVID-19 evidence that lies outside the lung model's mask)" if guide else "")
            + ". Sampling gives every class the same mass, splits a class's mass between age groups "
            f"({json.dumps(tr.get('sampling_age_mass', {}))}) and inside those gives each source mass ∝ √n. "
            f"Leave-one-source-out folds ({json.dumps(tr.get('held_out', {}))}): a second backbone pretrained "
            f"for {sch.get('fold_pretrain', 0):,} samples without any held-out source, and per fold a model "
            f"fine-tuned from it for {sch.get('fold_finetune', 0):,} samples; temperature, threshold and band "
            "are fitted on their cross-fitted predictions (`training/calibrate.py`). Input (contract v3): the "
            "**lung field** of the canonical image, which every source reaches at 224 px effective resolution "
            "(`docs/PREPROCESSING.md`). " + recipe_sentence(tr) + "The schedule is fixed; no checkpoint is chosen. Other measures against "
            "shortcuts: per-image standardisation inside the graph; augmentations (rotation, scale, shifts, "
            "flip, resolution jitter, gamma/contrast/brightness, border blanking, JPEG, noise); a prior "
            "correction of the COVID-19 logit. The **baseline** (when `make train-baseline` made it) has the "
            "same net with none of these (central 224×224, fixed scaling, no augmentation, uniform sampling).", ""]


def recipe_sentence(tr):
    """What the card's recipe (train.RECIPES, chosen on the folds: "What we tried") adds to the v3 recipe."""
    m, recipe = tr.get("measures", {}), tr.get("recipe")
    if not recipe or recipe == "v3":
        return ""
    parts = []
    if m.get("appearance"):
        parts.append(f"with probability {m['appearance']:g} an image first takes the look of a random image of "
                     "another source (its gray-level histogram, and its noise where that is stronger; "
                     "`training/augment.py` `match_appearance`)")
    if m.get("adversary"):
        parts.append(f"a source head within each label behind gradient reversal (peak weight {m['adversary']:g})")
    if m.get("group_dro"):
        parts.append(f"group DRO over (label, source) with step {m['group_dro']:g}")
    if m.get("internal", V3["internal"]) != V3["internal"]:
        parts.append(f"{m['internal']}² internal resolution")
    if list(m.get("widths", V3["widths"])) != list(V3["widths"]):
        parts.append(f"stage widths {'/'.join(map(str, m['widths']))}")
    for task, sources in sorted(m.get("fine_tune_without", {}).items()):
        parts.append(f"{task} fine-tuned (and its folds) without {', '.join(sources)} (kept in pretraining)")
    return (f"Recipe `{recipe}` (chosen on leave-one-source-out folds, see What we tried): "
            + "; ".join(parts) + ". ") if parts else f"Recipe `{recipe}`. "


def what_we_tried(path):
    """The recipe search's section (docs/eval/what_we_tried.md, written from training.experiments.recipe_search's
    results on train+val folds, never test), kept across make eval runs."""
    src = os.path.join(os.path.dirname(path), "eval", "what_we_tried.md")
    if not os.path.exists(src):
        return []
    with open(src) as f:
        return [f.read().rstrip("\n"), ""]


def gate_link(path, models_dir="models"):
    """The input gate's two headline figures (from its card, measured through the predictor by
    training/gate.py) and a link to its own evaluation, when both are present."""
    gate = os.path.join(os.path.dirname(path), "eval", "gate.md")
    card_path = os.path.join(models_dir, "gate.json")
    if not (os.path.exists(gate) and os.path.exists(card_path)):
        return []
    with open(card_path) as f:
        m = json.load(f)["metrics"]
    t = m.get("test_predictor") or m["test"]
    neg, fr = t["negatives"]["all"], t["frontal"]["all"]
    via = ("the headless predictor (the page's whole gate: the core's rules, the gate model, the lung-field "
           "checks)" if m.get("test_predictor") else "PyTorch (the gate model alone)")
    return ["## Input gate", "",
            f"On `test`, through {via}: non-CXR inputs rejected **{100 * neg['rate']:.1f}% "
            f"({neg['rejected']}/{neg['n']})**, frontal chest X-rays rejected **{100 * fr['rate']:.1f}% "
            f"({fr['rejected']}/{fr['n']})** (targets: ≥ 95% and ≤ 2%). Per category, source and age group, "
            "and how the threshold was chosen: [eval/gate.md](eval/gate.md).", ""]


def held_back(name, res, transfer_audits, card=None):
    """What the figures say limits one model, for its card and EVALUATION.md (no hand-written numbers)."""
    thr = res["threshold"]
    y, p, rows = res["curves"]["y"], res["curves"]["p"], res["cam"][4]
    fp = np.flatnonzero((y == 0) & (p >= thr))
    fn = np.flatnonzero((y == 1) & (p < thr))
    by = {}
    for i in fp:
        by[rows[i]["source"]] = by.get(rows[i]["source"], 0) + 1
    fn_by = {}
    for i in fn:
        fn_by[rows[i]["source"]] = fn_by.get(rows[i]["source"], 0) + 1
    out = (f"at threshold {thr:.4f}, {len(fp)} false positives on test (by source: "
           + (", ".join(f"{k} {v}" for k, v in sorted(by.items(), key=lambda kv: -kv[1])) or "none")
           + f") and {len(fn)} false negatives ("
           + (", ".join(f"{k} {v}" for k, v in sorted(fn_by.items(), key=lambda kv: -kv[1])) or "none") + ").")
    loso = ((transfer_audits or {}).get("loso") or {}).get(name)
    if loso:
        out += " Leave-one-source-out on test: " + "; ".join(
            f"without {s}: AUC {f3(v['auc'])}, sensitivity {f3(v['sensitivity'])}, specificity {f3(v['specificity'])}"
            for s, v in loso["held_out"].items()) + "."
    pool = ((card or {}).get("cross_fitted") or {}).get("all")
    if pool:
        out += (f" The threshold keeps the cross-fitted pool's sensitivity >= its target; there the pool's "
                f"specificity is {f3(pool.get('specificity'))} (AUC {f3(pool.get('auc'))}, n={pool.get('n')}): "
                "models that never saw a source score its negatives higher, and the operating point makes room "
                "for that, at a cost in specificity on the sources the shipped model did see.")
    ece = res["test"]["all"].get("ece")
    if ece is not None and ece > 0.05:
        out += (f" ECE on test is {f3(ece)}: the temperature ({res['temperature']:.3f}) was fitted on the same "
                "pool, whose out-of-source predictions are less sure than the shipped model is on the sources "
                "it trained on, so on test its probabilities are too soft.")
    a = res["audit"]["shipped"]
    out += (f" Lungs hidden AUC {f3(a['lungs_hidden']['auc'])}, lungs only {f3(a['lungs_only']['auc'])}, "
            f"full {f3(a['full']['auc'])}.")
    return out


def limitations(results, src, cards):
    """Bullets computed from the figures (no hand-written numbers)."""
    out = []
    s, sf, rule = src.get("shipped"), src.get("full image"), src.get(NO_PIXELS)
    if s:
        pairs = [(k, w["auc"], sf["within_group_auc"].get(k, {}).get("auc") if sf else None)
                 for k, w in s["within_group_auc"].items()]
        if pairs:
            out.append("- Within one label and age group, the source classifier on the lung field tells the "
                       "collections apart with "
                       + "; ".join(f"{k} AUC {f3(a)}" + (f" (full image {f3(b)})" if b is not None else "")
                                   for k, a, b in pairs)
                       + ". What tells collections apart (film digitisation, detector, processing, compression) "
                       "lies in the lung pixels too: cropping to the lungs cannot remove it"
                       + (f"; a rule that sees no pixels, only label and age group, names the source "
                          f"{rule['accuracy']:.1%} of the time" if rule else "") + ".")
    out.append("- The lung model learnt from JSRT's manual outlines (one Japanese archive of digitised film) and "
               "another model's COVID-19 outlines; dense consolidation at the lung edge can fall outside its "
               "mask (the 10 px margin of the lung field covers part of that).")
    out.append("- No external validation set: the leave-one-source-out audit is the pool's estimate for "
               "hospitals it does not contain, and every held-out source still shares its label's other "
               "sources' hospitals with training.")
    return out
