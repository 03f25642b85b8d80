"""The training package's shape: no import cycle between its modules (issue 19)."""
import ast
import glob
import os
import unittest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def import_graph():
    files = glob.glob(os.path.join(ROOT, "training", "**", "*.py"), recursive=True)
    mods = {}
    for f in files:
        m = os.path.relpath(f, ROOT)[:-3].replace(os.sep, ".")
        mods[m[:-len(".__init__")] if m.endswith(".__init__") else m] = f

    def resolve(cur, level, name):
        pkg = cur.split(".") if mods[cur].endswith("__init__.py") else cur.split(".")[:-1]
        return ".".join(pkg[:len(pkg) - (level - 1)] + ([name] if name else []))

    graph = {}
    for m, f in mods.items():
        deps = set()
        with open(f) as fh:
            tree = ast.parse(fh.read())
        for n in ast.walk(tree):
            if isinstance(n, ast.ImportFrom):
                target = resolve(m, n.level, n.module) if n.level else (n.module or "")
                deps |= {f"{target}.{a.name}" if f"{target}.{a.name}" in mods else target for a in n.names}
            elif isinstance(n, ast.Import):
                deps |= {a.name for a in n.names}
        graph[m] = {d for d in deps if d in mods and d != m}
    return graph


def cycles(graph):
    found = []

    def walk(node, path):
        for nxt in graph[node]:
            if nxt in path:
                found.append(path[path.index(nxt):] + [nxt])
            elif len(path) < 30:
                walk(nxt, path + [nxt])
    for m in graph:
        walk(m, [m])
    return found


class PackageShape(unittest.TestCase):
    def test_no_import_cycle_in_training(self):
        self.assertEqual(cycles(import_graph()), [])

    def test_a_cycle_would_be_found(self):
        self.assertTrue(cycles({"a": {"b"}, "b": {"a"}}))


if __name__ == "__main__":
    unittest.main()
