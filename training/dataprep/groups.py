"""Leakage groups and splits.

A leakage group is one patient plus every near-identical copy of any of its images in any source:
union-find over the rows, joined by a shared patient key and by every confirmed duplicate pair.
Splits are made per group, stratified by (label, source) of the group's most common row, with a fixed
seed: inside each stratum the groups are put in a seeded hash order and cut by cumulative image count at
70% / 85%. So a group never spans two splits, and each (label, source) is split about 70/15/15.
"""
import collections
import hashlib

FRACTIONS = (("train", 0.70), ("val", 0.15), ("test", 0.15))


class UnionFind:
    def __init__(self, n):
        self.parent = list(range(n))

    def find(self, i):
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, i, j):
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)

    def clusters(self):
        out = collections.defaultdict(list)
        for i in range(len(self.parent)):
            out[self.find(i)].append(i)
        return list(out.values())


def duplicate_clusters(n, pairs):
    """Clusters (lists of row indices, size >= 2) joined by duplicate pairs only."""
    uf = UnionFind(n)
    for i, j, *_ in pairs:
        uf.union(i, j)
    return [c for c in uf.clusters() if len(c) > 1]


def label_conflicts(rows, pairs):
    """Duplicate clusters whose rows carry more than one label: list of (cluster, {label: [paths]})."""
    out = []
    for c in duplicate_clusters(len(rows), pairs):
        labels = collections.defaultdict(list)
        for i in c:
            labels[rows[i]["label"]].append(f"{rows[i]['source']}:{rows[i]['_rel']}")
        if len(labels) > 1:
            out.append((sorted(c), dict(labels)))
    return out


def leakage_groups(rows, pairs):
    """Union-find over patients and duplicates -> list of clusters (row index lists), in a stable order."""
    uf = UnionFind(len(rows))
    first = {}
    for i, r in enumerate(rows):
        for p in r["_patients"]:
            if p in first:
                uf.union(first[p], i)
            else:
                first[p] = i
    for i, j, *_ in pairs:
        uf.union(i, j)
    clusters = uf.clusters()
    clusters.sort(key=lambda c: min(rows[i]["path"] for i in c))
    return clusters


def _order_key(seed, name):
    return hashlib.sha256(f"{seed}:{name}".encode()).hexdigest()


def stratum(rows, cluster):
    c = collections.Counter((rows[i]["label"], rows[i]["source"]) for i in cluster)
    return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def assign(rows, clusters, seed):
    """Write `group` (G000001, ...) and `split` into the rows."""
    strata = collections.defaultdict(list)
    for k, c in enumerate(clusters):
        gid = f"G{k + 1:06d}"
        for i in c:
            rows[i]["group"] = gid
        strata[stratum(rows, c)].append(c)
    for key in sorted(strata):
        members = sorted(strata[key], key=lambda c: _order_key(seed, min(rows[i]["path"] for i in c)))
        total = sum(len(c) for c in members)
        done = 0
        for c in members:
            mid = (done + len(c) / 2) / total
            done += len(c)
            cut, split = 0.0, FRACTIONS[-1][0]
            for name, frac in FRACTIONS:
                cut += frac
                if mid < cut:
                    split = name
                    break
            for i in c:
                rows[i]["split"] = split


def spanning_groups(rows):
    """Groups found in more than one split (must be empty)."""
    seen = collections.defaultdict(set)
    for r in rows:
        seen[r["group"]].add(r["split"])
    return sorted(g for g, s in seen.items() if len(s) > 1)


def infer_ages(rows, pairs):
    """A row of unknown age takes the age group of its duplicates in other rows when they agree.
    Returns the number of rows changed."""
    changed = 0
    for c in duplicate_clusters(len(rows), pairs):
        known = {rows[i]["age_group"] for i in c} - {"unknown"}
        if len(known) == 1:
            age = known.pop()
            for i in c:
                if rows[i]["age_group"] == "unknown":
                    rows[i]["age_group"] = age
                    changed += 1
    return changed
