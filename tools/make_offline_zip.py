#!/usr/bin/env python3
"""Makes the offline bundle: dist/, serve.py and README-OFFLINE.txt in one ZIP (standard library only).

    python3 tools/make_offline_zip.py [DIST] [OUT.zip]     (defaults: dist build/xraylens-offline.zip)

Everything sits under xraylens-offline/ in the ZIP; dist/'s .gz siblings are left out (a local server
gains nothing from them and they would double the download).
"""
import os
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOP = "xraylens-offline"


def make_zip(dist, out):
    if not os.path.isfile(os.path.join(dist, "index.html")):
        sys.exit(f"make_offline_zip: {dist}/index.html not found (run 'make dist')")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for base, dirs, files in os.walk(dist):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(".gz"):
                    continue
                full = os.path.join(base, name)
                z.write(full, f"{TOP}/dist/{os.path.relpath(full, dist).replace(os.sep, '/')}")
        z.write(os.path.join(ROOT, "serve.py"), f"{TOP}/serve.py")
        z.write(os.path.join(ROOT, "tools", "README-OFFLINE.txt"), f"{TOP}/README-OFFLINE.txt")
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    out = make_zip(args[0] if args else "dist", args[1] if len(args) > 1 else "build/xraylens-offline.zip")
    print(f"offline bundle: {out} ({os.path.getsize(out) / 1e6:.2f} MB)")
