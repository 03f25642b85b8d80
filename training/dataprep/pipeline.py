"""The whole build: read every source, hash the images, find duplicates, group, split, write.

Everything that is left out is recorded with a reason (dropped.csv and SUMMARY.md): no silent drops.
"""
import collections
import os
import sys
import time

from . import contact, crd, dedup, dicom, features, folder, groups, ieee8023, kermany, output, summary


def read_sources(args):
    """-> (rows, drops, ieee8023 metadata counts or None, inputs as given)."""
    rows, drops, meta_counts, inputs = [], [], None, {}
    if args.ieee8023 or args.ieee8023_metadata:
        root = args.ieee8023 or os.path.dirname(args.ieee8023_metadata)
        r, d, meta_counts = ieee8023.read(root, args.ieee8023_metadata)
        rows += r; drops += d; inputs["ieee8023"] = args.ieee8023_metadata or root
    for name, mod, path in (("kermany", kermany, args.kermany), ("crd", crd, args.crd),
                            ("folder", folder, args.folder)):
        if path:
            r, d = mod.read(path)
            rows += r; drops += d; inputs[name] = path
    if args.dicom:
        if not args.labels:
            raise SystemExit("--dicom needs --labels CSV (columns: file, label[, patient])")
        r, d = dicom.read(args.dicom, args.labels)
        rows += r; drops += d; inputs["dicom"] = f"{args.dicom} (labels {args.labels})"
    for r in rows:
        r["path"] = f"images/{r['source']}/{r['_rel']}"
    return rows, drops, meta_counts, inputs


def hash_rows(rows, drops, log):
    """Features of every row; unreadable files are dropped (listed). -> (kept rows, features, not hashed)."""
    kept, feats, not_hashed = [], [], []
    t0 = time.time()
    for k, r in enumerate(rows):
        if k and k % 2000 == 0:
            log(f"  hashed {k}/{len(rows)} images ({time.time() - t0:.0f} s)")
        try:
            if r["source"] == dicom.SOURCE:
                try:
                    f = features.from_array(dicom.pixels(r["_file"]))
                except Exception as e:  # noqa: BLE001 — compressed pixel data without a decoder
                    not_hashed.append((r["path"], f"{type(e).__name__}: {e}"[:160]))
                    kept.append(r); feats.append(None)
                    continue
            else:
                f = features.features(r["_file"])
        except Exception as e:  # noqa: BLE001 — any decoder error means the image is unreadable
            drops.append({"source": r["source"], "reason": f"unreadable image ({type(e).__name__})",
                          "item": r["_rel"], "label": r["label"], "view": r["view"]})
            continue
        if not r["orig_width"]:
            r["orig_width"], r["orig_height"] = str(f["w"]), str(f["h"])
            r["width"], r["height"] = str(f["w"]), str(f["h"])
        r["colour_marks"] = str(f["colour"])
        kept.append(r); feats.append(f)
    return kept, feats, not_hashed


def find_pairs(feats, max_hamming, min_corr, min_hp):
    idx = [i for i, f in enumerate(feats) if f is not None]
    if len(idx) < 2:
        return []
    pairs = dedup.find_duplicates([feats[i]["phash"] for i in idx], [feats[i]["vec"] for i in idx],
                                  [feats[i]["hp"] for i in idx], max_hamming, min_corr, min_hp)
    return [(idx[a], idx[b], c) for a, b, c in pairs]


def drop_conflicts(rows, pairs, drops):
    """Remove every row of a duplicate cluster that carries two labels (and rows the reader flagged)."""
    conflicts = groups.label_conflicts(rows, pairs)
    bad = {i for c, _ in conflicts for i in c}
    for i, r in enumerate(rows):
        if r.get("_conflict"):
            conflicts.append(([i], {"reader": [r["_conflict"]]}))
            bad.add(i)
    if not bad:
        return rows, pairs, conflicts
    for i in sorted(bad):
        r = rows[i]
        drops.append({"source": r["source"], "reason": "label conflict (same image, two labels)",
                      "item": r["_rel"], "label": r["label"], "view": r["view"]})
    keep = [i for i in range(len(rows)) if i not in bad]
    new = {old: k for k, old in enumerate(keep)}
    pairs = [(new[i], new[j], c) for i, j, c in pairs if i in new and j in new]
    return [rows[i] for i in keep], pairs, conflicts


def build(args, log=lambda m: print(m, file=sys.stderr)):
    t0 = time.time()
    rows, drops, meta_counts, inputs = read_sources(args)
    log(f"read {len(rows)} images, {len(drops)} items left out so far")
    rows, feats, not_hashed = hash_rows(rows, drops, log)
    pairs = find_pairs(feats, args.max_hamming, args.min_corr, args.min_hp_corr)
    log(f"{len(pairs)} duplicate pairs confirmed")
    all_pairs = [(rows[i]["path"], rows[j]["path"], rows[i]["source"], rows[j]["source"],
                  rows[i]["label"], rows[j]["label"]) for i, j, _ in pairs]
    if not args.keep_conflicts:
        rows, pairs, conflicts = drop_conflicts(rows, pairs, drops)
    else:
        conflicts = groups.label_conflicts(rows, pairs)
    ages = groups.infer_ages(rows, pairs)
    clusters = groups.leakage_groups(rows, pairs)
    groups.assign(rows, clusters, args.seed)
    spanning = groups.spanning_groups(rows)
    if spanning:
        raise SystemExit(f"internal error: groups across splits: {spanning[:5]}")

    out = args.out
    output.prepare_out(out)
    output.place_images(out, rows, copy=args.copy)
    output.write_manifest(out, rows)
    output.write_drops(out, drops)
    output.write_duplicates(out, rows, pairs)
    sheets = {} if args.no_contact else contact.sheets(out, rows, args.seed)
    if args.no_cache:
        cache_result = "not built (--no-cache)"
    else:
        from . import cache
        log("building the canonical-image cache with build/native/cxr-prep ...")
        cache_result = cache.build(out, jobs=args.jobs)

    notes = collections.Counter((r["source"], r["_note"]) for r in rows if r.get("_note"))
    info = {"inputs": inputs, "seed": args.seed, "max_hamming": args.max_hamming, "min_corr": args.min_corr,
            "min_hp": args.min_hp_corr, "notes": notes,
            "rows": rows, "drops": drops, "meta_counts": meta_counts, "all_pairs": all_pairs,
            "pairs": pairs, "conflicts": conflicts, "ages_inferred": ages, "groups": len(clusters),
            "cluster_sizes": collections.Counter(len(c) for c in clusters), "not_hashed": not_hashed,
            "sheets": sheets, "cache": cache_result, "seconds": time.time() - t0, "kept_conflicts": args.keep_conflicts}
    with open(os.path.join(out, "SUMMARY.md"), "w") as f:
        f.write(summary.render(info))
    log(f"wrote {out}/manifest.csv ({len(rows)} rows), SUMMARY.md, dropped.csv ({len(drops)}), "
        f"duplicates.csv ({len(pairs)}), {len(sheets)} contact sheets in {time.time() - t0:.0f} s")
    return info
