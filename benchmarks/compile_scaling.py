"""Compile-time scaling: chains and fans of 1,000 / 3,000 / 10,000 elementwise ops and a chain of 500
convs, each compiled through the -O2 build pipeline (graph IR -> loop IR; `--codegen` adds LLVM codegen).
Prints the host, the time and the time per op of each model, the passes that took longest, and the ratio
per-op(largest) / per-op(smallest) of each family (the goal: within 2x, i.e. compile time linear in the
number of ops).

    python benchmarks/compile_scaling.py                 # the full set
    python benchmarks/compile_scaling.py --sizes 1000 3000 --convs 100 --json out.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from ir.onnx_import import import_onnx_model
from passes import PassManager
from passes.instrumentation import Instrumentation, VerifyAfterPass
from ziggurat.benchmarking import host_banner
from ziggurat.driver import build_pipeline

F = TensorProto.FLOAT


def _model(nodes, inputs, outputs, inits=()):
    g = helper.make_graph(nodes, "main_graph", inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m


def chain(n: int, shape=(1, 8)):
    """x -> Relu -> Relu -> ... (n Relus)."""
    nodes, prev = [], "x"
    for i in range(n):
        nodes.append(helper.make_node("Relu", [prev], [f"r{i}"], name=f"/Relu_{i}"))
        prev = f"r{i}"
    vi = helper.make_tensor_value_info
    return _model(nodes, [vi("x", F, list(shape))], [vi(prev, F, list(shape))])


def fan(n: int, shape=(1, 8)):
    """n ops on a wide graph: n/2 Relus of the one input x, summed by a chain of n/2 Adds."""
    k = n // 2
    nodes = [helper.make_node("Relu", ["x"], [f"r{i}"], name=f"/Relu_{i}") for i in range(k)]
    prev = "r0"
    for i in range(1, k):
        nodes.append(helper.make_node("Add", [prev, f"r{i}"], [f"a{i}"], name=f"/Add_{i}"))
        prev = f"a{i}"
    nodes.append(helper.make_node("Sigmoid", [prev], ["y"], name="/Sigmoid"))
    vi = helper.make_tensor_value_info
    return _model(nodes, [vi("x", F, list(shape))], [vi("y", F, list(shape))])


def convs(n: int, channels: int = 8, hw: int = 8):
    """n 3x3 convs (pad 1, bias) of `channels` channels on hw x hw, each followed by a Relu."""
    rng = np.random.default_rng(0)
    nodes, inits, prev = [], [], "x"
    for i in range(n):
        w = (rng.standard_normal((channels, channels, 3, 3)) * 0.1).astype(np.float32)
        b = (rng.standard_normal(channels) * 0.1).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(b, f"b{i}")]
        nodes.append(
            helper.make_node(
                "Conv", [prev, f"w{i}", f"b{i}"], [f"c{i}"], name=f"/Conv_{i}", pads=[1, 1, 1, 1]
            )
        )
        nodes.append(helper.make_node("Relu", [f"c{i}"], [f"r{i}"], name=f"/Relu_{i}"))
        prev = f"r{i}"
    vi = helper.make_tensor_value_info
    shape = [1, channels, hw, hw]
    return _model(nodes, [vi("x", F, shape)], [vi(prev, F, shape)], inits)


class _PassTimes(Instrumentation):
    """Seconds per pass name, and the verifier's seconds after all passes as "verify"."""

    def __init__(self):
        self.times: dict[str, float] = {}
        self.verifier = VerifyAfterPass()

    def before_pass(self, p, index, op, root, ctx) -> None:
        self.t = time.perf_counter()

    def after_pass(self, p, index, op, root, ctx, changed) -> None:
        t = time.perf_counter()
        self.times[p.name] = self.times.get(p.name, 0.0) + t - self.t
        self.verifier.after_pass(p, index, op, root, ctx, changed)
        self.times["verify"] = self.times.get("verify", 0.0) + time.perf_counter() - t


def compile_once(model, codegen: bool) -> tuple[float, dict[str, float]]:
    """Seconds to import and compile `model` through -O2 (to loop IR, or through codegen)."""
    t0 = time.perf_counter()
    module = import_onnx_model(model)
    times = _PassTimes()
    PassManager(build_pipeline("-O2", "cpu"), [times], verify=False).run(module)
    if codegen:
        from codegen.compile import compile_kernels
        from codegen.host_target import host_target

        t = time.perf_counter()
        compile_kernels(module, cache=None, target=host_target())
        times.times["codegen"] = time.perf_counter() - t
    return time.perf_counter() - t0, times.times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 10000])
    ap.add_argument("--convs", type=int, default=500, help="number of convs (0: skip)")
    ap.add_argument("--codegen", action="store_true", help="also run LLVM codegen")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)
    print(host_banner(1))
    print(f"pipeline: -O2 to {'object code' if args.codegen else 'loop IR'}")
    cases = [(f"chain-{n}", "chain", n, chain(n)) for n in args.sizes]
    cases += [(f"fan-{n}", "fan", n, fan(n)) for n in args.sizes]
    if args.convs:
        cases.append((f"conv-{args.convs}", "conv", 2 * args.convs, convs(args.convs)))
    compile_once(chain(10), args.codegen)  # warm-up: first-use imports and caches are not per-op costs
    compile_once(convs(2), args.codegen)
    results = []
    print(f"{'model':>12} {'ops':>7} {'seconds':>9} {'ms/op':>8}   slowest passes")
    for name, family, n_ops, model in cases:
        secs, times = compile_once(model, args.codegen)
        top = sorted(times.items(), key=lambda kv: -kv[1])[:3]
        top_s = ", ".join(f"{k} {v:.2f}s" for k, v in top)
        print(f"{name:>12} {n_ops:>7} {secs:>9.2f} {1e3 * secs / n_ops:>8.3f}   {top_s}", flush=True)
        results.append({"model": name, "family": family, "ops": n_ops, "seconds": secs, "passes": times})
    for family in ("chain", "fan"):
        rs = [r for r in results if r["family"] == family]
        if len(rs) >= 2:
            lo, hi = rs[0], rs[-1]
            ratio = (hi["seconds"] / hi["ops"]) / (lo["seconds"] / lo["ops"])
            verdict = "ok" if ratio <= 2.0 else "over the 2x goal"
            print(f"{family}: per-op({hi['ops']}) / per-op({lo['ops']}) = {ratio:.2f} ({verdict})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
