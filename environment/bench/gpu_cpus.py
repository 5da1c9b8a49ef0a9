"""The CPUs local to a GPU, for pinning a benchmark's processes to them (bench-vs-pytorch-gpu.sh, BENCH_CPUS=auto).

  gpu_cpus.py [--gpu 0] [--last N]

Prints a taskset list (such as 12,13,14,15) of the CPUs that the kernel lists as local to the GPU's PCI device
(/sys/bus/pci/devices/<bus id>/local_cpulist; the bus id from nvidia-smi) and that this process may run on; with
--last N, the last N of them (the first CPUs are where a machine's interrupts and daemons mostly run). A short
pass of a model is bound by the host's calls: its speed is the speed of the core and the memory node its process
got, so sides that are compared should get the same ones, and those next to the GPU. What it found goes to
standard error. Exits 1 when there is no GPU or no such CPU. Standard library only.
"""
import argparse
import os
import subprocess
import sys


def parse_list(text):
    """The CPUs of a kernel CPU list such as '0-3,8,10-11', in order."""
    cpus = []
    for part in text.strip().split(","):
        if not part:
            continue
        lo, _, hi = part.partition("-")
        if not lo.isdigit() or (hi and not hi.isdigit()):
            raise ValueError(f"not a CPU list: {text.strip()!r}")
        cpus.extend(range(int(lo), int(hi or lo) + 1))
    return cpus


def bus_id(gpu):
    """The GPU's PCI address as sysfs spells it (0000:18:00.0), from nvidia-smi's 00000000:18:00.0."""
    out = subprocess.run(["nvidia-smi", "--query-gpu=pci.bus_id", "--format=csv,noheader", "-i", str(gpu)],
                         capture_output=True, text=True, check=True).stdout.strip().lower()
    domain, _, rest = out.partition(":")
    return domain[-4:] + ":" + rest


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--gpu", type=int, default=0, help="the GPU's index for nvidia-smi (default 0)")
    p.add_argument("--last", type=int, default=0, help="only the last N local CPUs (default: all)")
    a = p.parse_args()
    if a.last < 0:
        p.error(f"--last {a.last}: a count of CPUs, 0 for all")
    try:
        bus = bus_id(a.gpu)
        with open(f"/sys/bus/pci/devices/{bus}/local_cpulist", encoding="ascii") as f:
            text = f.read().strip()
        local = parse_list(text)
    except (OSError, subprocess.CalledProcessError, ValueError) as e:
        print(f"gpu_cpus: GPU {a.gpu}: no local CPU list ({e})", file=sys.stderr)
        return 1
    allowed = os.sched_getaffinity(0)
    usable = [c for c in local if c in allowed]
    print(f"gpu_cpus: GPU {a.gpu} at {bus}: local CPUs {text} ({len(local)}), "
          f"{len(usable)} of them allowed here (of {len(allowed)})", file=sys.stderr)
    if not usable:
        return 1
    print(",".join(str(c) for c in (usable[-a.last:] if a.last else usable)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
