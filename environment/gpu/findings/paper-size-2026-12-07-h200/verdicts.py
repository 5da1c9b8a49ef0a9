"""Prints the verdict tables of notebooks executed at the papers' sizes, as remote.sh's step `notebooks` returned
them (notebooks.tar.gz, PRUNEKIT_PAPER_SIZE=1): every text output of a code cell that builds a `Verdicts`.
The notebooks themselves are not committed (their prose follows the standard run); their records are
(data/results/gradmap-paper-size.csv, gblm-paper-size.csv). Usage:

    python3 verdicts.py NOTEBOOKS_TAR_GZ [NOTEBOOK_PATH ...] > verdicts-NN.txt
"""
import json
import sys
import tarfile


def verdict_outputs(nb):
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code" or "Verdicts" not in "".join(cell["source"]):
            continue
        for out in cell.get("outputs", []):
            text = out.get("text") or out.get("data", {}).get("text/plain")
            if text:
                yield i, "".join(text)


def main(tarball, wanted):
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("./")
            if not name.endswith(".ipynb") or (wanted and name not in wanted):
                continue
            nb = json.load(tar.extractfile(member))
            print(f"===== {name} (from {tarball.split('/')[-1]})")
            for i, text in verdict_outputs(nb):
                print(f"--- cell {i}")
                print(text.rstrip())


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: verdicts.py NOTEBOOKS_TAR_GZ [NOTEBOOK_PATH ...]")
    main(sys.argv[1], set(sys.argv[2:]))
