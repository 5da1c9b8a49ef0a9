#!/usr/bin/env python3
"""Executes the notebooks headlessly with the prunekit-java kernel (see setup-notebooks.sh).

  .venv/bin/python environment/run-notebooks.py --in-place [NOTEBOOK_OR_FOLDER ...]
  .venv/bin/python environment/run-notebooks.py --ci       [NOTEBOOK_OR_FOLDER ...]

--in-place  runs every notebook under notebooks/ (sorted by path) at full size and writes the
            outputs back into the .ipynb, so that GitHub shows real results. A notebook that fails
            is left as it was.
--ci        runs copies in notebooks/.ci-run/ (git-ignored) with small size knobs, so that the
            whole set checks in minutes. Knobs already set in the environment win.

Each notebook runs in its own folder as working directory. The run stops at the first cell that
raises an error (a Java compile error included) or runs past --timeout seconds, names the notebook
and the cell, shows the error, and exits 1. Each notebook's wall time is printed.

--jobs N runs N notebooks at a time, each in its own kernel (a worker process each), longest first by the
times already in --times' CSV; with --threads 1 and N = the number of cores, a machine's cores all work
(one PyTorch thread per kernel scales better than several threads for one kernel). The notebooks share
no state but the disk caches (data/cache), which are written atomically. The suite's wall time is then
one more row of --times (notebook "suite", cell "total"). A failure stops the notebooks not yet started.

--times CSV appends where the time went to CSV (created with a header if absent): one row per cell and
one per notebook (cell "total"), with the mode, the device (as the setup cell printed it: cpu, or gpu and the
GPU's name), the PRUNEKIT_* size knobs set ("defaults" for none), the machine's CPU count and its load average when the
notebook started (a loaded machine makes every cell slower; compare runs with similar load only).
data/results/notebook-runs.csv is the committed record (docs/performance.md reads it).

--status FILE rewrites FILE as each cell starts (notebook, cell N of M, its first line, the time it started), so
that a caller watching a long run sees where it is (environment/gpu/remote.sh's detached notebooks).
"""
import argparse
import csv
import datetime
import os
import re
import sys
import time
from pathlib import Path

try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor
except ImportError as missing:
    sys.exit(f"run-notebooks.py: {missing}: run it with the notebook virtualenv's python,"
             " .venv/bin/python (made by bash environment/setup-notebooks.sh)")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CI_RUN = NOTEBOOKS / ".ci-run"
KERNEL = "prunekit-java"

# Size knobs for --ci; the notebooks read them in their setup cell, with full-run defaults.
CI_KNOBS = {
    "PRUNEKIT_CI": "1",
    "PRUNEKIT_CALIB_SAMPLES": "4",
    "PRUNEKIT_EVAL_TOKENS": "2048",
    "PRUNEKIT_SEQLEN": "64",
    "PRUNEKIT_TASK_LIMIT": "40",
}

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def check_kernel():
    """Finds the kernelspec as nbclient will (JUPYTER_PATH first, then this virtualenv; see
    environment/gpu/README.md for a kernelspec made elsewhere) and exits with the fix when it is missing,
    when the library jar it loads (the first entry of its JJAVA_CLASSPATH) is missing, or when that jar
    was built in this checkout (lib/target/) and is older than the sources. Returns a line saying which."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        sys.exit(f"run-notebooks.py: no kernel {KERNEL} in {sys.prefix} (nor on JUPYTER_PATH): run bash"
                 " environment/setup-notebooks.sh and use its python (.venv/bin/python environment/run-notebooks.py ...)")
    first = spec.env.get("JJAVA_CLASSPATH", "").split(os.pathsep)[0]
    jar = Path(first) if first.endswith(".jar") else None
    if jar is None or not jar.is_file():
        sys.exit(f"run-notebooks.py: kernel {KERNEL} ({spec.resource_dir}) loads {first or 'no jar'}, which is missing:"
                 " run mvn -q -B -DskipTests package (and bash environment/setup-notebooks.sh after moving the checkout)")
    if ROOT / "lib" / "target" in jar.parents:
        sources = max((ROOT / "lib" / "src" / "main").rglob("*"), key=lambda p: p.stat().st_mtime)
        if sources.stat().st_mtime > jar.stat().st_mtime:
            sys.exit(f"run-notebooks.py: {shown(jar)} is older than {shown(sources)}, so the notebooks would"
                     " run an old build of the library: run mvn -q -B -DskipTests package")
    return f"kernel {KERNEL} from {spec.resource_dir}, library {shown(jar)}"


def find_notebooks(selection):
    """The notebooks named (files or folders), or all under notebooks/, sorted by path."""
    roots = [Path(s).resolve() for s in selection] or [NOTEBOOKS]
    found = []
    for root in roots:
        if root.is_file():
            found.append(root)
        elif root.is_dir():
            found.extend(p for p in root.rglob("*.ipynb")
                         if CI_RUN not in p.parents and ".ipynb_checkpoints" not in p.parts)
        else:
            sys.exit(f"run-notebooks.py: {root}: no such notebook or folder")
    return sorted(set(found))


def shown(path):
    """The path relative to the project root where it lies inside it."""
    return path.relative_to(ROOT) if ROOT in path.parents else path


def ci_copy(path):
    """Where --ci writes the executed copy of the notebook at path."""
    out_path = CI_RUN / (path.relative_to(NOTEBOOKS) if NOTEBOOKS in path.parents else path.name)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    return out_path


class Failure(Exception):
    """A cell that failed: which one, and what it printed."""


class Stopped(Exception):
    """The run was stopped from outside (SIGTERM or SIGINT) while a cell ran."""


def execute(path, out_path, timeout, times, status=None):
    """Runs every cell of the notebook at path and writes the executed notebook to out_path; each code
    cell's (index, first line, seconds) is appended to times, and status (a path, or None) rewritten as each
    cell starts. Returns the executed notebook."""
    nb = nbformat.read(path, as_version=4)
    current = {"times": times}

    def cell_started(cell, cell_index):
        current.update(cell=cell, index=cell_index, t0=time.monotonic())
        if status:
            stamp = time.strftime("%H:%M:%S", time.gmtime())
            Path(status).write_text(f"{shown(path)}: cell {cell_index + 1} of {len(nb.cells)} since {stamp} UTC ({first_line(cell)})\n")
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=timeout,
        startup_timeout=120,
        record_timing=False,
        shutdown_kernel="immediate",  # JJava takes ~4 s to stop on request; its state is not needed after
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_start=cell_started,
        on_cell_executed=lambda cell, cell_index, **_: slow_cell(path, cell, cell_index, current),
    )
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError, AssertionError) as error:
        if isinstance(error, AssertionError):
            if client.km is not None:
                raise
            # nbclient's SIGTERM/SIGINT handler shut the kernel down, the running cell saw it die, and nbclient's own
            # cleanup then asserted on the kernel it no longer had: a stop from outside, such as a caller's time limit
            error = Stopped(f"{time.monotonic() - current.get('t0', time.monotonic()):.0f} s into this cell")
        if out_path != path:
            nbformat.write(nb, out_path)
        raise Failure(describe(path, len(nb.cells), current, error)) from None
    # JJava sends a print as several stream messages: join them into one output per cell and stream.
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Java (prunekit)", "language": "java"}
    nbformat.write(nb, out_path)
    return nb


SLOW_CELL_S = 20


def first_line(cell):
    """A cell's first non-blank line, at most 70 characters: how the logs name a cell."""
    return next((line for line in cell.source.splitlines() if line.strip()), "")[:70]


def slow_cell(path, cell, index, current):
    """Names each cell that ran longer than SLOW_CELL_S seconds: where a notebook's time goes."""
    seconds = time.monotonic() - current.get("t0", time.monotonic())
    first = first_line(cell)
    if cell.cell_type == "code":
        current["times"].append((index + 1, first, seconds))
    if seconds > SLOW_CELL_S:
        print(f"       {shown(path)}: cell {index + 1} took {seconds:.0f} s  ({first})", flush=True)


def describe(path, cells, current, error):
    """Notebook, cell position (1-based, markdown cells counted), the cell's first lines, the error."""
    cell = current.get("cell")
    source = "\n".join("    " + line for line in (cell.source if cell else "").splitlines()[:12])
    where = f"{shown(path)}: cell {current.get('index', -1) + 1} of {cells}"
    if isinstance(error, CellExecutionError):
        outputs = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"] if cell else []
        traceback = "\n".join(outputs[-1].get("traceback", [])) if outputs else str(error)
        what = f"{error.ename}: {error.evalue}\n{traceback}"
    elif isinstance(error, CellTimeoutError):
        what = f"timed out: {error}"
    elif isinstance(error, Stopped):
        what = f"stopped from outside (SIGTERM or SIGINT, such as a caller's time limit), {error}"
    else:
        what = f"kernel died: {error}"
    return f"{where} failed\n--- cell source ---\n{source}\n--- error ---\n{ANSI.sub('', what).strip()}"


TIMES_HEADER = ["timestamp", "notebook", "mode", "device", "knobs", "cpus", "load_avg_1min", "cell", "first_line", "seconds"]


DEVICE_LINE = re.compile(r"^device=([a-z]+)\(\d*\)(?: (.*))?$", re.M)


def device_name(nb):
    """What computed the notebook, as its setup cell printed it: device=gpu(0) NVIDIA H100 80GB HBM3 gives
    'gpu NVIDIA H100 80GB HBM3', device=cpu() 2 processors gives 'cpu' (the processors are in the cpus
    column). A notebook that printed no such line: PRUNEKIT_DEVICE (default cpu), with the GPU's name when
    nvidia-smi can give it."""
    for cell in nb.cells[:4]:
        for output in cell.get("outputs", []):
            found = DEVICE_LINE.search(output.get("text", "")) if output.get("output_type") == "stream" else None
            if found:
                return found.group(1) + (" " + found.group(2).strip() if found.group(1) == "gpu" and found.group(2) else "")
    device = os.environ.get("PRUNEKIT_DEVICE", "cpu")
    if device.startswith("gpu"):
        try:
            import subprocess
            names = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                                   capture_output=True, text=True, timeout=20).stdout.split("\n")
            if names and names[0].strip():
                device += " " + names[0].strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return device


def upgrade_times(csv_path):
    """Rewrites a record written before the device and knobs columns existed: its rows were CPU runs,
    and which knobs they ran with was not kept ('unrecorded')."""
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
        if rows and set(TIMES_HEADER) <= set(rows[0]):
            return
    with open(csv_path, "w", newline="") as f:
        w = csv.DictWriter(f, TIMES_HEADER)
        w.writeheader()
        for row in rows:
            row.setdefault("device", "cpu")
            row.setdefault("knobs", "unrecorded")
            w.writerow({k: row[k] for k in TIMES_HEADER})


def row_start(now, notebook, mode, device, knobs, load):
    """The columns of a times row before cell, first_line and seconds."""
    return [now, notebook, mode, device, ";".join(knobs) or "defaults", os.cpu_count(), f"{load:.2f}"]


def write_times(csv_path, path, mode, device, knobs, load, times, total):
    """Appends one row per code cell and a 'total' row for the notebook to csv_path."""
    new = not csv_path.exists() or csv_path.stat().st_size == 0
    if not new:
        upgrade_times(csv_path)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with open(csv_path, "a", newline="") as f:
        w = csv.writer(f)
        if new:
            w.writerow(TIMES_HEADER)
        common = row_start(now, shown(path), mode, device, knobs, load)
        for index, first, seconds in times:
            w.writerow(common + [index, first, f"{seconds:.1f}"])
        w.writerow(common + ["total", "", f"{total:.1f}"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--in-place", action="store_true", help="full run, outputs saved into the notebooks")
    mode.add_argument("--ci", action="store_true", help="small run on copies in notebooks/.ci-run/")
    parser.add_argument("--timeout", type=int, default=None,
                        help="seconds one cell may run (default 900 in-place, 300 with --ci)")
    parser.add_argument("--times", metavar="CSV", help="append per-cell and per-notebook wall times to CSV")
    parser.add_argument("--status", metavar="FILE", help="rewrite FILE with the cell running as each one starts")
    parser.add_argument("--threads", type=int, metavar="N",
                        help="PyTorch CPU threads of each kernel (PRUNEKIT_THREADS; default: PyTorch's, one per core),"
                             " and OpenMP's (OMP_NUM_THREADS, for ND4J's BLAS, unless set); 1 is often much faster on a"
                             " machine busy with other work")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="notebooks run at a time, each in its own kernel (default 1); with --threads 1, use the"
                             " number of cores")
    parser.add_argument("notebooks", nargs="*", help="notebooks or folders (default: all under notebooks/)")
    args = parser.parse_args()
    if args.threads is not None:
        if args.threads < 1:
            sys.exit(f"run-notebooks.py: --threads {args.threads}: give a whole number >= 1")
        os.environ["PRUNEKIT_THREADS"] = str(args.threads)
        # ND4J's OpenBLAS (the float64 solves of the projection compensation, SparseGPT) starts one OpenMP thread per
        # core unless told: with other kernels or jobs on the cores its spinning threads slowed a cell 9x here
        os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    timeout = args.timeout or (300 if args.ci else 900)

    print("run-notebooks.py: " + check_kernel())
    if args.ci:
        for name, value in CI_KNOBS.items():
            os.environ.setdefault(name, value)
    knobs = sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("PRUNEKIT_") and k != "PRUNEKIT_DEVICE")
    print("run-notebooks.py: " + ("knobs " + " ".join(knobs) if knobs else "full-run defaults (no PRUNEKIT_* set)"))

    notebooks = find_notebooks(args.notebooks)
    if not notebooks:
        sys.exit("run-notebooks.py: no notebooks found")
    if args.jobs < 1:
        sys.exit(f"run-notebooks.py: --jobs {args.jobs}: give a whole number >= 1")
    mode_name = "ci" if args.ci else "full"
    total = time.monotonic()
    if args.jobs > 1:
        notebooks = longest_first(notebooks, Path(args.times) if args.times else None, mode_name)
        print(f"run-notebooks.py: {len(notebooks)} notebooks, {args.jobs} at a time: " + ", ".join(p.stem for p in notebooks))
    failed = run_all(notebooks, args, timeout, knobs, mode_name)
    wall = time.monotonic() - total
    if args.times and args.jobs > 1 and not failed:
        write_suite(Path(args.times), mode_name, knobs, len(notebooks), args.jobs, wall)
    if failed:
        sys.exit(1)
    print(f"run-notebooks.py: {len(notebooks)} notebook(s) in {wall:.1f} s" + (f" ({args.jobs} at a time)" if args.jobs > 1 else ""))


def run_one(path, ci, timeout, status=None):
    """Executes one notebook (in a worker process with --jobs): (path, where the executed copy went, seconds,
    load at start, cell times, device, failure text or None)."""
    out_path = ci_copy(path) if ci else path
    start = time.monotonic()
    load = os.getloadavg()[0]
    times = []
    try:
        executed = execute(path, out_path, timeout, times, status)
    except Failure as failure:
        return path, out_path, time.monotonic() - start, load, times, None, str(failure)
    return path, out_path, time.monotonic() - start, load, times, device_name(executed), None


def run_all(notebooks, args, timeout, knobs, mode_name):
    """Runs the notebooks, args.jobs at a time; writes each one's times as it ends. Whether one failed."""
    def report(result):
        path, out_path, seconds, load, times, device, failure = result
        if failure is not None:
            print(f"FAILED {shown(path)} after {seconds:.1f} s", flush=True)
            print(failure, file=sys.stderr, flush=True)
            return True
        if args.times:
            write_times(Path(args.times), path, mode_name, device, knobs, load, times, seconds)
        print(f"ok     {shown(path)}  {seconds:.1f} s" + ("" if out_path == path else f"  -> {shown(out_path)}"), flush=True)
        return False

    if args.jobs == 1:
        return any(report(run_one(path, args.ci, timeout, args.status)) for path in notebooks)   # stops at the first failure
    import concurrent.futures
    import multiprocessing
    failed = False
    with concurrent.futures.ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(run_one, path, args.ci, timeout, args.status) for path in notebooks]
        for future in concurrent.futures.as_completed(futures):
            if report(future.result()) and not failed:
                failed = True
                for f in futures:
                    f.cancel()                                   # the ones not started; running ones finish
    return failed


def longest_first(notebooks, times_csv, mode):
    """The notebooks ordered by their latest recorded total of this mode, longest first (unknown ones first):
    with several at a time, the long ones start early and the short ones fill in."""
    last = {}
    if times_csv is not None and times_csv.is_file():
        with open(times_csv, newline="") as f:
            for row in csv.DictReader(f):
                if row.get("mode") == mode and row.get("cell") == "total":
                    last[row["notebook"]] = float(row["seconds"])      # rows are in time order: the latest wins
    return sorted(notebooks, key=lambda p: -last.get(str(shown(p)), float("inf")))


def write_suite(csv_path, mode, knobs, count, jobs, seconds):
    """One row for the whole run's wall time: notebook 'suite', cell 'total'."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with open(csv_path, "a", newline="") as f:
        csv.writer(f).writerow(row_start(now, "suite", mode, os.environ.get("PRUNEKIT_DEVICE", "cpu"), knobs, os.getloadavg()[0])
                               + ["total", f"{count} notebooks, --jobs {jobs}", f"{seconds:.1f}"])


if __name__ == "__main__":
    main()
