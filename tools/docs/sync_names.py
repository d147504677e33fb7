#!/usr/bin/env python3
"""Keeps the names in the docs equal to lever's tables.

docs/names.md is the output of `lever names --markdown`. In README.md and docs/*.md, a list written as
    <!-- names:KIND -->`a`, `b`<!-- /names -->
holds the names of table KIND (`lever names KIND --list`). This script rewrites both from a built lever;
with --check it changes nothing and fails, naming each stale file, when a rewrite would change one.

    python3 tools/docs/sync_names.py --lever build/tools/lever/lever [--check]
    cmake --build build --target update-docs        # the same, without --check
"""
import argparse
import pathlib
import re
import subprocess
import sys

MARKED = re.compile(r"(<!-- names:([a-z_]+) -->)(.*?)(<!-- /names -->)")


def names(lever, kind):
    out = subprocess.run([lever, "names", kind, "--list"], check=True, capture_output=True, text=True).stdout
    return ", ".join("`" + n + "`" for n in out.strip().split(", "))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lever", required=True, help="the lever program")
    parser.add_argument("--root", default=str(pathlib.Path(__file__).resolve().parents[2]), help="the repository")
    parser.add_argument("--check", action="store_true", help="change nothing; fail when a file is stale")
    args = parser.parse_args()
    root = pathlib.Path(args.root)

    wanted = {root / "docs" / "names.md": subprocess.run(
        [args.lever, "names", "--markdown"], check=True, capture_output=True, text=True).stdout}
    cache = {}
    for path in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        if path.name == "names.md":
            continue
        text = path.read_text()

        def fill(m):
            kind = m.group(2)
            if kind not in cache:
                cache[kind] = names(args.lever, kind)
            return m.group(1) + cache[kind] + m.group(4)

        new = MARKED.sub(fill, text)
        if new != text:
            wanted[path] = new

    stale = [p for p, text in wanted.items() if not p.exists() or p.read_text() != text]
    if args.check:
        if stale:
            for p in stale:
                print(f"{p.relative_to(root)}: its names differ from lever's tables", file=sys.stderr)
            print("run: cmake --build build --target update-docs   (or tools/docs/sync_names.py --lever ...)",
                  file=sys.stderr)
            return 1
        print(f"the names in {len(cache)} marked lists and docs/names.md match lever's tables")
        return 0
    for p in stale:
        p.write_text(wanted[p])
        print(f"updated {p.relative_to(root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
