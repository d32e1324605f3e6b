"""`ziggurat demo`: the README's main job — compile light ResNet-50 (ships with onnx) for the CPU, run it,
check it against onnxruntime and print a latency table."""

from __future__ import annotations

import time

import numpy as np


def register(sub) -> None:
    p = sub.add_parser("demo", help="compile, run and check light ResNet-50 for the CPU (ships with onnx)")
    p.add_argument("--model", default="resnet50", help="which light model (default resnet50)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--iterations", type=int, default=10)
    p.set_defaults(func=run)


def run(args) -> int:
    from rich.console import Console
    from rich.table import Table

    from ir.errors import UserError
    from ir.inputs import random_arrays
    from ir.tolerance import compare
    from ziggurat.benchmarking import median_ms, ort_session
    from ziggurat.driver import compile_file
    from ziggurat.models import LIGHT_MODELS, light_model_path
    from ziggurat.progress import stage_progress

    if args.model not in LIGHT_MODELS:
        raise UserError(f"unknown light model '{args.model}' (choose from {', '.join(LIGHT_MODELS)})")
    console = Console()
    path = light_model_path(args.model)
    console.print(f"[bold]Ziggurat demo[/bold]: {path.name} (shipped inside the onnx package)")
    t0 = time.perf_counter()
    with stage_progress(f"compiling {path.name} for the CPU") as progress:
        engine, report = compile_file(path, opt="-O2", threads=args.threads, progress=progress)
    console.print(f"compiled in {time.perf_counter() - t0:.1f} s: {report.summary()}")
    specs = [engine.plan.buffers[n] for n in engine.input_names]
    feeds = random_arrays([(s.name, tuple(s.shape), np.dtype(s.dtype)) for s in specs], seed=0)
    ctx = engine.create_context(args.threads)
    ours = ctx.run(feeds)
    sess = ort_session(path, args.threads)
    ref = sess.run(None, feeds)
    ok = True
    for name, o, r in zip(engine.output_names, ours, ref):
        c = compare(name, o, r)
        ok &= c.ok
        console.print("check against onnxruntime: " + c.line())
    ours_ms = median_ms(lambda: ctx.run(feeds), args.iterations)
    ort_ms = median_ms(lambda: sess.run(None, feeds), args.iterations)
    table = Table(title=f"{path.stem}, {args.threads} thread(s), median of {args.iterations} runs")
    for col in ("engine", "latency ms", "vs onnxruntime"):
        table.add_column(col, justify="right")
    table.add_row("ziggurat -O2 (cpu)", f"{ours_ms:.1f}", f"{ours_ms / ort_ms:.2f}x")
    table.add_row("onnxruntime", f"{ort_ms:.1f}", "1.00x")
    console.print(table)
    return 0 if ok else 1
