"""`ziggurat bench MODEL`: median latency of ours, onnxruntime (same threads) and our -O0, side by side."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ir.errors import UserError
from ziggurat.loading import parse_input_shapes


def register(sub) -> None:
    p = sub.add_parser("bench", help="time a model: ours vs onnxruntime vs our -O0, in one run")
    p.add_argument("file", help="a .onnx model")
    p.add_argument("--target", choices=["cpu"], default="cpu", help="what to compile for (the CPU)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--against", choices=["ort", "none"], default="ort")
    p.add_argument("--no-o0", action="store_true", help="skip timing our -O0 build")
    p.add_argument("--iterations", type=int, default=20)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--input-shape", action="append", metavar="NAME=1x3x224x224")
    p.set_defaults(func=run)


def run(args) -> int:
    from ziggurat.benchmarking import bench_model
    from ziggurat.progress import stage_progress

    path = Path(args.file)
    if path.suffix != ".onnx":
        raise UserError(f"{path}: bench takes an .onnx model (it compiles it at -O2 and -O0)")
    if not path.exists():
        raise UserError(f"{path}: no such file")
    if args.iterations < 1 or args.threads < 1:
        raise UserError("--iterations and --threads must be at least 1")
    with stage_progress(f"benchmarking {path.name}", enabled=False if args.json else None) as progress:
        r = bench_model(
            path,
            threads=args.threads,
            iterations=args.iterations,
            against_ort=args.against == "ort",
            against_o0=not args.no_o0,
            input_shapes=parse_input_shapes(args.input_shape),
            progress=progress,
        )
    if args.json:
        sys.stdout.write(json.dumps(r.as_json()) + "\n")
        return 0
    sys.stdout.write(f"{path.name}, {args.threads} thread(s), median of up to {args.iterations} runs:\n")
    sys.stdout.write(f"  ziggurat -O2   {r.ours_ms:9.2f} ms\n")
    if r.ort_ms is not None:
        sys.stdout.write(f"  onnxruntime   {r.ort_ms:9.2f} ms   ours/ort = {r.ours_ms / r.ort_ms:.2f}x\n")
    if r.o0_ms is not None:
        sys.stdout.write(f"  ziggurat -O0   {r.o0_ms:9.2f} ms   -O2 speedup = {r.o0_ms / r.ours_ms:.1f}x\n")
    return 0
