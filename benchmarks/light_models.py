"""Benchmark the 9 light models: ours (-O2) vs onnxruntime (same thread count) vs our -O0, one table.

    python benchmarks/light_models.py [--threads 1 2] [--models resnet50 squeezenet] [--iterations 10] [--json OUT]

Every number in a row is measured in the same run, on the same inputs; ratios are ours/ort and O0/O2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from ziggurat.benchmarking import bench_model, host_banner
from ziggurat.models import LIGHT_MODELS, light_model_path


def geomean(xs: list[float]) -> float:
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--models", nargs="+", default=list(LIGHT_MODELS), choices=LIGHT_MODELS)
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--no-o0", action="store_true")
    ap.add_argument("--json", metavar="OUT", help="also write the rows as JSON")
    args = ap.parse_args(argv)
    print(host_banner(" ".join(map(str, args.threads))))
    rows = []
    header = f"{'model':<14}{'thr':>4}{'ours ms':>10}{'ort ms':>10}{'O0 ms':>11}{'ours/ort':>10}{'O0/O2':>8}{'build s':>9}"
    print(header)
    print("-" * len(header))
    for threads in args.threads:
        for name in args.models:
            r = bench_model(
                light_model_path(name), threads=threads, iterations=args.iterations, against_o0=not args.no_o0
            )
            rows.append(r.as_json() | {"model": name})
            o0 = f"{r.o0_ms:11.1f}" if r.o0_ms else f"{'-':>11}"
            sp = f"{r.o0_ms / r.ours_ms:8.1f}" if r.o0_ms else f"{'-':>8}"
            print(
                f"{name:<14}{threads:>4}{r.ours_ms:10.1f}{r.ort_ms:10.1f}{o0}{r.ours_ms / r.ort_ms:10.2f}{sp}{r.compile_s:9.1f}",
                flush=True,
            )
        sel = [r for r in rows if r["threads"] == threads]
        vs_ort = geomean([r["ours_vs_ort"] for r in sel])
        vs_o0 = geomean([r["speedup_vs_o0"] for r in sel if "speedup_vs_o0" in r])
        print(f"{'geomean':<14}{threads:>4}{'':>10}{'':>10}{'':>11}{vs_ort:10.2f}{vs_o0:8.1f}")
        print("-" * len(header))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
