"""`ziggurat demo`: the README's main job on a model that ships with onnx (light ResNet-50)."""

from __future__ import annotations

import statistics
import time

import numpy as np


def register(sub) -> None:
    p = sub.add_parser("demo", help="import, run and check light ResNet-50 (ships with onnx; no download)")
    p.add_argument("--model", default="resnet50", help="which light model (default resnet50)")
    p.add_argument("--repeats", type=int, default=3)
    p.set_defaults(func=run)


def run(args) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from ir.errors import UserError
    from ir.interpreter import Interpreter
    from ir.onnx_import import import_onnx_file
    from ir.verifier import verify
    from ziggurat.models import LIGHT_MODELS, light_model_path

    if args.model not in LIGHT_MODELS:
        raise UserError(f"unknown light model '{args.model}' (choose from {', '.join(LIGHT_MODELS)})")
    console = Console()
    path = light_model_path(args.model)
    console.print(f"[bold]Ziggurat demo[/bold]: {path.name} (from the onnx package)")
    t0 = time.perf_counter()
    module = import_onnx_file(path)
    verify(module)
    func = module.main
    n_ops = sum(1 for _ in func.walk()) - 1
    console.print(f"imported to the graph dialect: {n_ops} ops in {time.perf_counter() - t0:.2f} s")

    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal(a.type.shape).astype(a.type.dtype) for a in func.args]
    body = [op for op in func.body.ops]
    with Progress(
        TextColumn("interpreting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("ops", total=len(body))
        interp = Interpreter(trace=lambda op, outs: progress.advance(task) if op.parent is func.body else None)
        ours = interp.run_function(func, inputs)
    times = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        Interpreter().run_function(func, inputs)
        times.append(time.perf_counter() - t)

    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = {i.name: x for i, x in zip(sess.get_inputs(), inputs)}
    ref = sess.run(None, feeds)
    ort_times = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        sess.run(None, feeds)
        ort_times.append(time.perf_counter() - t)

    ok = True
    for o, r in zip(ours, ref):
        err = float(np.max(np.abs(o - r))) if o.size else 0.0
        good = np.allclose(o, r, rtol=1e-3, atol=1e-4)
        ok &= bool(good)
        console.print(f"output {o.shape}: max abs error vs onnxruntime {err:.3g} -> {'OK' if good else 'MISMATCH'}")
    table = Table(title="latency (median)")
    for col in ("engine", "ms", "vs onnxruntime"):
        table.add_column(col)
    ort_ms = statistics.median(ort_times) * 1e3
    ours_ms = statistics.median(times) * 1e3
    table.add_row("ziggurat interpreter", f"{ours_ms:.1f}", f"{ours_ms / ort_ms:.1f}x")
    table.add_row("onnxruntime", f"{ort_ms:.1f}", "1.0x")
    console.print(table)
    return 0 if ok else 1
