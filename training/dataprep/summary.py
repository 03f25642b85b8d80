"""SUMMARY.md: what was kept and what was left out, and why."""
import collections

from .common import VIEWS

SPLITS = ("train", "val", "test")
LIST_MAX = 20


def _table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(x) for x in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def _split_counts(rows, key):
    c = collections.defaultdict(collections.Counter)
    for r in rows:
        c[key(r)][r["split"]] += 1
    return [list(k) + [c[k][s] for s in SPLITS] + [sum(c[k].values())] for k in sorted(c)]


def _view_order(v):
    return (VIEWS.index(v) if v in VIEWS else len(VIEWS), v)


def meta_section(meta):
    views = sorted({v for c in meta.values() for v in c}, key=_view_order)
    lines = ["## COVID-19 image data collection: metadata.csv rows (X-ray), before any file check\n",
             "Class from FINDING_MAP (training/dataprep/ieee8023.py) by the view as recorded; lateral rows "
             "are counted here under their class (in the manifest they are labelled `lateral`).\n"]
    body = [[cls] + [meta[cls].get(v, 0) for v in views] + [sum(meta[cls].values())] for cls in sorted(meta)]
    lines.append(_table(["class"] + views + ["total"], body))
    cov = meta.get("covid", {})
    lines.append("COVID-19 X-rays by view: " + ", ".join(f"{v} {cov.get(v, 0)}" for v in ("PA", "AP", "AP Supine", "L"))
                 + f" ({sum(cov.values())} rows).\n")
    return "\n".join(lines)


def _listing(title, items):
    if not items:
        return ""
    out = [f"### {title} ({len(items)})\n"]
    out += [f"- {x}" for x in items[:LIST_MAX]]
    if len(items) > LIST_MAX:
        out.append(f"- … {len(items) - LIST_MAX} more in dropped.csv")
    return "\n".join(out) + "\n"


def dup_section(info):
    pairs = info["all_pairs"]
    within = collections.Counter(a_s for _, _, a_s, b_s, _, _ in pairs if a_s == b_s)
    across = collections.Counter(tuple(sorted((a_s, b_s))) for _, _, a_s, b_s, _, _ in pairs if a_s != b_s)
    lines = ["## Duplicates and leakage groups\n",
             f"Near-duplicates: 64-bit DCT perceptual hash within {info['max_hamming']} bits, confirmed by a "
             f"32×32 gray rank correlation ≥ {info['min_corr']} and a correlation of their Laplacians ≥ "
             f"{info['min_hp']}. {len(pairs)} pairs confirmed "
             f"({sum(within.values())} within a source, {sum(across.values())} across sources); all pairs in "
             "duplicates.csv.\n"]
    body = [[s, "—", n] for s, n in sorted(within.items())] + [[a, b, n] for (a, b), n in sorted(across.items())]
    if body:
        lines.append(_table(["source", "other source", "pairs"], body))
    conflicts = info["conflicts"]
    verb = "kept (--keep-conflicts)" if info["kept_conflicts"] else "left out"
    lines.append(f"Label conflicts (the same image with two labels): {len(conflicts)}, {verb}.\n")
    for _, labels in conflicts[:LIST_MAX]:
        lines.append("- " + "; ".join(f"{lab}: {', '.join(v[:3])}" for lab, v in sorted(labels.items())))
    if conflicts:
        lines.append("")
    sizes = info["cluster_sizes"]
    lines.append(f"{info['groups']} leakage groups (patients joined with their duplicates); sizes: "
                 + ", ".join(f"{n}×{s}" for s, n in sorted(sizes.items())[:12]) + (" …" if len(sizes) > 12 else "")
                 + f". Age group taken over from a duplicate for {info['ages_inferred']} images.\n")
    lines.append("No group spans two splits (checked).\n")
    return "\n".join(lines)


def render(info):
    rows, drops = info["rows"], info["drops"]
    n_split = collections.Counter(r["split"] for r in rows)
    out = ["# Data preparation summary\n",
           "Written by `python -m training.dataprep`. Inputs: "
           + "; ".join(f"{k} = `{v}`" for k, v in info["inputs"].items())
           + f". Split seed {info['seed']}: 70/15/15 by leakage group, stratified by label × source. "
           f"Built in {info['seconds']:.0f} s.\n",
           f"**Kept {len(rows)} images** (" + ", ".join(f"{s} {n_split[s]}" for s in SPLITS)
           + f"); **left out {len(drops)} items** (files or metadata rows; all in dropped.csv).\n",
           "## Kept: source × label × view × split\n",
           _table(["source", "label", "view"] + list(SPLITS) + ["total"],
                  _split_counts(rows, lambda r: (r["source"], r["label"], r["view"]))),
           "### Label × age group × split\n",
           _table(["label", "age group"] + list(SPLITS) + ["total"],
                  _split_counts(rows, lambda r: (r["label"], r["age_group"]))),
           "".join(f"Note: {s}: {n} kept images with {what}.\n" for (s, what), n in sorted(info["notes"].items())),
           "## Left out, and why\n"]
    c = collections.Counter((d["source"], d["reason"]) for d in drops)
    out.append(_table(["source", "reason", "count"], [[s, r, n] for (s, r), n in sorted(c.items())])
               if c else "Nothing.\n")
    missing = [f"{d['source']}: {d['item']}" for d in drops
               if "without a file" in d["reason"] or d["reason"] == "file missing"]
    unreadable = [f"{d['source']}: {d['item']} ({d['reason']})" for d in drops if d["reason"].startswith("unreadable")]
    out += [_listing("Metadata or label rows whose file is missing", missing),
            _listing("Unreadable images", unreadable),
            _listing("Not hashed (kept, but not checked for duplicates)",
                     [f"{p}: {why}" for p, why in info["not_hashed"]])]
    if info["meta_counts"]:
        out.append(meta_section(info["meta_counts"]))
    out.append(dup_section(info))
    out.append("## Contact sheets\n")
    out.append("\n".join(f"- `{name}` ({size // 1024} KB)" for _, (name, size) in sorted(info["sheets"].items()))
               + "\n" if info["sheets"] else "None written.\n")
    out.append("## Canonical-image cache (build/native/cxr-prep)\n")
    cache = info["cache"]
    if isinstance(cache, str):
        out.append(cache + ".\n")
    else:
        for split, (path, failed) in sorted(cache.items()):
            out.append(f"- {split}: `{path}`, {len(failed)} files the C++ core could not read"
                       + (": " + ", ".join(failed[:5]) + (" …" if len(failed) > 5 else "") if failed else ""))
        out.append("")
    return "\n".join(x for x in out if x) + "\n"
