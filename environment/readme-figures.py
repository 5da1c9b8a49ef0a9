#!/usr/bin/env python3
"""Copies each notebook's headline figure into docs/figures/, for the README's notebook index.

  python3 environment/readme-figures.py

A notebook names its headline figure by tagging one code cell "readme-figure" (cell metadata
"tags"); the first PNG that cell displayed in the executed notebook is written to
docs/figures/<notebook name>.png. Run it after environment/run-notebooks.py --in-place (main.sh
does). A tagged cell without a PNG output (the notebook was not executed) is reported and skipped.
"""
import base64
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "figures"


def headline_png(notebook):
    """The first PNG output of the cell tagged readme-figure, or None; also whether a tag exists."""
    cells = json.loads(notebook.read_text())["cells"]
    tagged = [c for c in cells if "readme-figure" in c.get("metadata", {}).get("tags", [])]
    for cell in tagged:
        for out in cell.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            if png:
                return base64.b64decode("".join(png) if isinstance(png, list) else png), True
    return None, bool(tagged)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    missing = 0
    for nb in sorted((ROOT / "notebooks").glob("*/*.ipynb")):
        png, tagged = headline_png(nb)
        if not tagged:
            continue
        if png is None:
            print(f"readme-figures: {nb.relative_to(ROOT)}: the readme-figure cell has no PNG output (not executed?)")
            missing += 1
            continue
        target = OUT / f"{nb.stem}.png"
        target.write_bytes(png)
        print(f"readme-figures: {target.relative_to(ROOT)} ({len(png) // 1024} KiB)")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
