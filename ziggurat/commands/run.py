"""`ziggurat run MODEL`: run a model on given or deterministic random inputs, optionally checked against onnxruntime."""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import numpy as np

from ir.errors import UserError
from ziggurat.loading import load_module, parse_input_shapes

TARGETS = ["interp", "cpu"]


def register(sub) -> None:
    p = sub.add_parser(
        "run", help="run a model (interpreter or a compiled target), optionally check it against ort"
    )
    p.add_argument("file", help="a .onnx model, a .mlir file or an .engine file")
    p.add_argument("--target", choices=TARGETS, default="interp")
    for level in ("-O0", "-O1", "-O2"):
        p.add_argument(level, dest="opt", action="store_const", const=level)
    p.add_argument("--inputs", metavar="IN.npz", help="inputs by name (default: deterministic random data)")
    p.add_argument("--output", metavar="OUT.npz", help="write the outputs, by name, to this .npz file")
    p.add_argument("--check", choices=["ort"], help="compare with onnxruntime on the same inputs")
    p.add_argument(
        "--rtol",
        type=float,
        default=None,
        help="relative tolerance of --check (default: ir.tolerance's, per dtype; f32 1e-4)",
    )
    p.add_argument(
        "--atol",
        type=float,
        default=None,
        help="absolute tolerance of --check, times the output's largest magnitude (default: per dtype; f32 1e-5)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the random inputs")
    p.add_argument("--threads", type=int, default=1, help="CPU threads for compiled targets")
    p.add_argument(
        "--reference", metavar="MODEL.onnx", help="the ONNX model to --check an .engine file against"
    )
    p.add_argument(
        "--input-shape", action="append", metavar="NAME=1x3x224x224", help="fix a symbolic input shape"
    )
    p.set_defaults(func=run)


def run(args) -> int:
    from ziggurat.inputs import input_names, load_npz, output_names, random_feeds

    path = Path(args.file)
    if path.suffix == ".engine":
        return run_engine_file(args, path)
    module = load_module(path, parse_input_shapes(args.input_shape))
    if args.opt and args.target == "interp":
        from ziggurat.pipelines import optimize

        optimize(module, args.opt)  # the graph-level -O pipeline, so the optimized module is what runs
    func = module.main
    feeds = load_npz(args.inputs, func) if args.inputs else random_feeds(func, seed=args.seed)
    outs, seconds = run_target(module, feeds, args.target, args.opt or "-O2", args.threads)
    names = output_names(func)
    sys.stdout.write(f"ran {path.name} on {args.target} in {seconds * 1000:.1f} ms\n")
    for name, x in zip(names, outs):
        sys.stdout.write(f"  {name}: {summary(x)}\n")
    if args.output:
        from ziggurat.output import write_bytes_atomically

        buf = io.BytesIO()
        np.savez(buf, **dict(zip(names, outs)))
        write_bytes_atomically(args.output, buf.getvalue())
    if args.check == "ort":
        return check_against_ort(
            path, module, {n: feeds[n] for n in input_names(func)}, names, outs, args.rtol, args.atol
        )
    return 0


def run_target(
    module, feeds: dict, target: str, opt: str = "-O2", threads: int = 1
) -> tuple[list[np.ndarray], float]:
    """Runs the module on `target` (the interpreter, or compiled for the CPU); returns outputs and run seconds."""
    from ir.interpreter import run as interpret

    if target == "interp":
        t0 = time.perf_counter()
        outs = interpret(module, feeds)
        return [np.asarray(x) for x in outs], time.perf_counter() - t0
    if target == "cpu":
        from ziggurat.driver import compile_module

        engine, report = compile_module(module.clone(), target="cpu", opt=opt, threads=threads)
        sys.stdout.write(f"compiled for the CPU ({opt}): {report.summary()}\n")
        ctx = engine.create_context(threads)
        t0 = time.perf_counter()
        outs = ctx.run(feeds)
        return outs, time.perf_counter() - t0
    raise UserError(f"target {target} is not available yet (available: interp, cpu)")


def run_engine_file(args, path: Path) -> int:
    """`ziggurat run FILE.engine`: runs a saved engine without recompiling."""
    from ir.inputs import random_arrays
    from runtime.engine import Engine
    from runtime.engine_file import EngineFileError

    try:
        engine = Engine.load(path)
    except EngineFileError as e:
        raise UserError(str(e)) from None
    specs = [engine.plan.buffers[n] for n in engine.input_names]
    if args.inputs:
        from ziggurat.inputs import read_npz, select_feeds

        feeds = select_feeds(
            read_npz(args.inputs), [(s.name, tuple(s.shape), np.dtype(s.dtype)) for s in specs], args.inputs
        )
    else:
        feeds = random_arrays([(s.name, tuple(s.shape), np.dtype(s.dtype)) for s in specs], seed=args.seed)
    ctx = engine.create_context(args.threads)
    t0 = time.perf_counter()
    outs = ctx.run(feeds)
    seconds = time.perf_counter() - t0
    names = engine.output_names
    sys.stdout.write(f"ran {path.name} on cpu in {seconds * 1000:.1f} ms\n")
    for name, x in zip(names, outs):
        sys.stdout.write(f"  {name}: {summary(x)}\n")
    if args.output:
        from ziggurat.output import write_bytes_atomically

        buf = io.BytesIO()
        np.savez(buf, **dict(zip(names, outs)))
        write_bytes_atomically(args.output, buf.getvalue())
    if args.check == "ort":
        if not args.reference:
            raise UserError("--check ort on an .engine file needs the model: add --reference MODEL.onnx")
        return check_against_ort(Path(args.reference), None, feeds, names, outs, args.rtol, args.atol)
    return 0


def check_against_ort(
    path: Path, module, feeds, names, outs, rtol: float | None = None, atol: float | None = None
) -> int:
    """Compares `outs` with onnxruntime's under `ir.tolerance`'s policy for each output's dtype
    (`rtol` / `atol` replace the policy's numbers when given); 1 when any output differs. When onnxruntime
    itself refuses the model, our outputs are already printed and the refusal is one UserError line
    (exit 2): there is nothing to compare against, which is not a numerical mismatch."""
    from ir.tolerance import compare
    from ziggurat.ort import run_onnxruntime

    if path.suffix == ".onnx":
        from ir.onnx_import import _load_external_data, parse_model_bytes

        if not path.is_file():
            raise UserError(f"{path}: no such file")
        model = parse_model_bytes(path.read_bytes(), str(path))
        _load_external_data(model, path.parent, str(path))
    else:
        from ir.onnx_export import export_onnx

        model = export_onnx(module)
    ref = run_onnxruntime(model, feeds)
    ref_list = [ref[n] for n in names] if all(n in ref for n in names) else list(ref.values())
    failed = 0
    sys.stdout.write("check against onnxruntime:\n")
    for name, ours, theirs in zip(names, outs, ref_list):
        c = compare(name, ours, theirs, rtol=rtol, atol=atol)
        failed += not c.ok
        sys.stdout.write(f"  {c.line()} [rtol {c.rtol:g}, atol {c.atol:g} x max|ref|]\n")
    if failed:
        sys.stdout.write(f"{failed} output(s) differ from onnxruntime beyond tolerance\n")
        return 1
    return 0


def summary(x: np.ndarray) -> str:
    """`1x1000 f32  min .. max  mean  [first values]`."""
    shape = "x".join(map(str, x.shape)) or "scalar"
    head = f"{shape} {x.dtype}"
    if x.size == 0:
        return head + " (empty)"
    flat = x.reshape(-1)
    first = ", ".join(f"{v:.4g}" if x.dtype.kind == "f" else str(v) for v in flat[:4])
    more = ", ..." if x.size > 4 else ""
    if x.dtype.kind in "fiu":
        xf = flat.astype(np.float64)
        return f"{head}  min {xf.min():.4g}  max {xf.max():.4g}  mean {xf.mean():.4g}  [{first}{more}]"
    return f"{head}  [{first}{more}]"
