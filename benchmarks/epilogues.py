"""Conv and MatMul+bias followed by each activation exporters emit: ours vs onnxruntime, and each
activation vs the same layer + Relu (how much the fused epilogue costs), measured side by side.

    python benchmarks/epilogues.py [--threads 1] [--iterations 20] [--layers conv matmul] [--json OUT]

Conv: 64 -> 64 channels, 3x3, pad 1, on 56x56 (a ResNet stage-1 layer); MatMul: 256x512 @ 512x512 + bias.
Every row is measured in the same run on the same inputs; the model is checked against onnxruntime
(ir.tolerance's f32 policy) before it is timed.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial

import numpy as np

from ir.onnx_import import import_onnx_model
from ir.tolerance import compare
from ziggurat.benchmarking import host_banner, median_ms, ort_session
from ziggurat.driver import compile_module
from ziggurat.layer_models import ACTIVATIONS, conv_layer, matmul_layer

LAYERS = {"conv": conv_layer, "matmul": matmul_layer}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iterations", type=int, default=20)
    ap.add_argument("--layers", nargs="+", default=list(LAYERS), choices=list(LAYERS))
    ap.add_argument("--json", metavar="OUT", help="also write the rows as JSON")
    args = ap.parse_args(argv)
    print(host_banner(args.threads))
    header = f"{'layer':<8}{'activation':<12}{'kernels':>8}{'ours ms':>10}{'ort ms':>10}{'ours/ort':>10}{'vs relu':>9}  check"
    print(header)
    print("-" * len(header))
    rows = []
    for layer in args.layers:
        relu_ms = None
        for act in ACTIVATIONS:
            model = LAYERS[layer](act)
            engine, report = compile_module(import_onnx_model(model), threads=args.threads)
            name = engine.input_names[0]
            x = np.random.default_rng(0).standard_normal(engine.plan.buffers[name].shape).astype(np.float32)
            ctx = engine.create_context(args.threads)
            sess = ort_session(model.SerializeToString(), args.threads)
            feeds = {name: x}
            (ours,) = ctx.run(feeds)
            c = compare(act, ours, sess.run(None, feeds)[0])
            ours_ms = median_ms(partial(ctx.run, feeds), args.iterations)
            ort_ms = median_ms(partial(sess.run, None, feeds), args.iterations)
            relu_ms = ours_ms if act == "relu" else relu_ms
            row = dict(layer=layer, activation=act, kernels=report.kernels, ours_ms=round(ours_ms, 3),
                       ort_ms=round(ort_ms, 3), vs_relu=round(ours_ms / relu_ms, 3), ok=c.ok)  # fmt: skip
            rows.append(row)
            print(
                f"{layer:<8}{act:<12}{report.kernels:>8}{ours_ms:10.2f}{ort_ms:10.2f}{ours_ms / ort_ms:10.2f}"
                f"{ours_ms / relu_ms:9.2f}  {'ok' if c.ok else 'MISMATCH ' + c.detail}",
                flush=True,
            )
        print("-" * len(header))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
