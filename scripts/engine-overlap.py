#!/usr/bin/env python3
"""Counts the non-trivial source lines that stand, identical after trimming, in both storage engines."""
import pathlib, re, sys
root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
def lines(module):
    out = set()
    for f in (root / "Sources" / module).rglob("*.swift"):
        for line in f.read_text().splitlines():
            s = line.strip()
            if s.startswith("//") or len(re.sub(r"[^A-Za-z0-9]", "", s)) < 12:
                continue
            out.add(s)
    return out
a, b = lines("TyndauSQLite"), lines("TyndauPostgres")
common = sorted(a & b)
if "-v" in sys.argv: print("\n".join(common))
print(f"identical_nontrivial_lines={len(common)}")
