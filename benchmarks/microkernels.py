"""Microkernel benchmark: our SGEMM / GEMV / NCHW8c conv against numpy (OpenBLAS) and onnxruntime.

Run: ``python benchmarks/microkernels.py [--repeats N]``. All candidates of one problem are timed
interleaved (round-robin, one call each per round) in the same process, so a noisy neighbour slows
all of them alike; thread-pool rows run one candidate after another instead (spinning pools
interleaved oversubscribe the cores). We print the median and the best time, and speed ratios by
both. On a shared
machine the best-time ratio is the steadier one; two-thread rows are only meaningful when the
machine is otherwise idle (check the load average printed at the top).

OpenBLAS settings: the script re-executes itself with OPENBLAS_NUM_THREADS=1 (numpy single-threaded,
two threads are then set through openblas_set_num_threads) and without OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE if they were set, so OpenBLAS runs its own autodetected kernels for this CPU.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

_CHILD_FLAG = "ZIGGURAT_MICROKERNEL_BENCH_CHILD"


def _reexec_with_clean_openblas_env() -> None:
    """Restart this script with OpenBLAS pinned to one thread and its core/L2 overrides removed."""
    env = dict(os.environ)
    removed = [k for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if env.pop(k, None) is not None]
    env["OPENBLAS_NUM_THREADS"] = "1"
    env[_CHILD_FLAG] = ",".join(removed) or "-"
    repo = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = repo + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    os.execve(sys.executable, [sys.executable, *sys.argv], env)


class OpenBlas:
    """The OpenBLAS that numpy loaded, found through /proc/self/maps, for its core name and thread count."""

    def __init__(self) -> None:
        self.lib = None
        try:
            paths = {
                line.split()[-1]
                for line in Path("/proc/self/maps").read_text().splitlines()
                if "openblas" in line
            }
        except OSError:
            paths = set()
        for p in sorted(paths):
            try:
                self.lib = ctypes.CDLL(p)
                break
            except OSError:
                continue

    def _sym(self, *names: str):
        for n in names:
            f = getattr(self.lib, n, None) if self.lib is not None else None
            if f is not None:
                return f
        return None

    def corename(self) -> str:
        f = self._sym("scipy_openblas_get_corename64_", "openblas_get_corename64_", "openblas_get_corename")
        if f is None:
            return "unknown"
        f.restype = ctypes.c_char_p
        return f().decode()

    def config(self) -> str:
        f = self._sym("scipy_openblas_get_config64_", "openblas_get_config64_", "openblas_get_config")
        if f is None:
            return "unknown"
        f.restype = ctypes.c_char_p
        return f().decode()

    def set_threads(self, n: int) -> bool:
        f = self._sym(
            "scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_", "openblas_set_num_threads"
        )
        if f is None:
            return False
        f(ctypes.c_int(n))
        return True


def time_interleaved(
    cands: dict[str, Callable[[], object]], repeats: int, warmup: int = 3
) -> dict[str, list[float]]:
    """Seconds per call of each candidate, measured round-robin."""
    for f in cands.values():
        for _ in range(warmup):
            f()
    times: dict[str, list[float]] = {k: [] for k in cands}
    for _ in range(repeats):
        for k, f in cands.items():
            t0 = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t0)
    return times


def time_blocks(
    cands: dict[str, Callable[[], object]], repeats: int, warmup: int = 3
) -> dict[str, list[float]]:
    """Seconds per call, one candidate after the other (for thread pools that spin after each call:
    interleaving GOMP's and OpenBLAS's or onnxruntime's spinning workers oversubscribes the cores)."""
    times: dict[str, list[float]] = {}
    for k, f in cands.items():
        time.sleep(0.2)  # let the previous pool's workers stop spinning
        for _ in range(warmup):
            f()
        times[k] = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t0)
    return times


def report(title: str, flops: float, times: dict[str, list[float]], ratios: list[tuple[str, str]]) -> dict:
    """Print GFLOP/s (median and best) per candidate and ratios of medians."""
    import numpy as np

    print(f"\n{title}")
    med = {k: float(np.median(v)) for k, v in times.items()}
    for k, v in times.items():
        print(
            f"  {k:34s} {flops / med[k] / 1e9:7.1f} GFLOP/s median  {flops / min(v) / 1e9:7.1f} best  ({med[k] * 1e3:.3f} ms)"
        )
    best = {k: min(v) for k, v in times.items()}
    out = {}
    for a, b in ratios:
        r, rb = med[b] / med[a], best[b] / best[a]
        out[f"{a} / {b}"] = (r, rb)
        print(f"  speed {a} / {b}: {r:.2f}x by medians, {rb:.2f}x by best times  (>1: {a} is faster)")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    if os.environ.get(_CHILD_FLAG) is None:
        _reexec_with_clean_openblas_env()

    import llvmlite
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    from codegen.host_target import host_target
    from codegen.microkernels.conv import (
        ConvSpec,
        build_conv2d,
        nchw_to_nchw8c,
        pad_bias,
        repack_conv_weights,
    )
    from codegen.microkernels.gemm import GemmSpec, GemvSpec, build_gemv, build_sgemm

    blas = OpenBlas()
    t = host_target()
    removed = os.environ.get(_CHILD_FLAG, "-")
    from ziggurat.benchmarking import host_banner

    print(host_banner("1 and all cores (per row)"))
    print(f"target {t.cpu_name} ({t.triple}); llvmlite {llvmlite.__version__} / LLVM {t.llvm_version}")
    print(f"numpy {np.__version__}: OpenBLAS core {blas.corename()!r}, config {blas.config()!r}")
    print(
        f"OPENBLAS_NUM_THREADS=1 for single-thread rows; unset for this run: {removed if removed != '-' else 'none was set'}"
    )
    print(f"onnxruntime {ort.__version__}; {args.repeats} interleaved repeats")
    print(f"load average at start: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    rng = np.random.default_rng(0)
    results: dict[str, dict] = {}

    # ---- SGEMM 512^3 ------------------------------------------------------------------------------
    m = n = k = 512
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    c = np.empty((m, n), np.float32)
    t0 = time.perf_counter()
    g = build_sgemm(GemmSpec(m, n, k), parallel=True)
    print(f"\ncompile SGEMM {m}x{n}x{k}: {time.perf_counter() - t0:.2f} s")
    pb = g.pack_b(b)
    np.testing.assert_allclose(g(a, packed_b=pb), a @ b, rtol=1e-3, atol=1e-3 * np.sqrt(k))
    ws_call = lambda: g(a, b, out=c)  # noqa: E731
    times = time_interleaved(
        {
            "ours (B prepacked)": lambda: g(a, packed_b=pb, out=c),
            "ours (packs B each call)": ws_call,
            "numpy matmul": lambda: np.matmul(a, b, out=c),
        },
        args.repeats,
    )
    results["sgemm"] = report(
        f"SGEMM {m}x{n}x{k}, 1 thread",
        2.0 * m * n * k,
        times,
        [("ours (B prepacked)", "numpy matmul"), ("ours (packs B each call)", "numpy matmul")],
    )
    have_blas_threads = blas.set_threads(2)
    cands = {
        "ours GOMP 1 thread": lambda: g(a, packed_b=pb, out=c, threads=1),
        "ours GOMP 2 threads": lambda: g(a, packed_b=pb, out=c, threads=2),
    }
    if have_blas_threads:
        cands["numpy matmul 2 threads"] = lambda: np.matmul(a, b, out=c)
    times = time_blocks(cands, args.repeats)
    pairs = [("ours GOMP 2 threads", "ours GOMP 1 thread")]
    if have_blas_threads:
        pairs.append(("ours GOMP 2 threads", "numpy matmul 2 threads"))
    results["sgemm_threads"] = report(f"SGEMM {m}x{n}x{k}, threads", 2.0 * m * n * k, times, pairs)
    blas.set_threads(1)

    # ---- GEMV 1 x 2048 x 1000 -----------------------------------------------------------------------
    n, k = 1000, 2048
    x = rng.standard_normal(k, dtype=np.float32)
    w = rng.standard_normal((k, n), dtype=np.float32)
    bias = rng.standard_normal(n, dtype=np.float32)
    gv = build_gemv(GemvSpec(n, k, bias=True), parallel=True)
    wp = gv.pack_w(w)
    y = np.empty(n, np.float32)
    np.testing.assert_allclose(gv(x, wp, bias=bias), x @ w + bias, rtol=1e-3, atol=1e-3 * np.sqrt(k))
    x2 = x.reshape(1, k)
    y2 = np.empty((1, n), np.float32)
    times = time_interleaved(
        {
            "ours (W prepacked [N/32][K][32])": lambda: gv(x, wp, bias=bias, out=y),
            "numpy matmul (+bias)": lambda: np.add(np.matmul(x2, w, out=y2), bias, out=y2),
        },
        args.repeats * 4,
    )
    times.update(
        time_blocks({"ours GOMP 2 threads": lambda: gv(x, wp, bias=bias, out=y, threads=2)}, args.repeats * 4)
    )
    results["gemv"] = report(
        f"GEMV 1x{k}x{n} (+bias)",
        2.0 * n * k,
        times,
        [
            ("ours (W prepacked [N/32][K][32])", "numpy matmul (+bias)"),
            ("ours GOMP 2 threads", "numpy matmul (+bias)"),
        ],
    )

    # ---- Conv 3x3 64->64 56x56 ---------------------------------------------------------------------
    spec = ConvSpec(1, 64, 56, 56, 64, 3, 3, (1, 1), (1, 1, 1, 1), bias=True)
    xc = rng.standard_normal((1, 64, 56, 56), dtype=np.float32)
    wc = (rng.standard_normal((64, 64, 3, 3)) * 0.05).astype(np.float32)
    bc = rng.standard_normal(64, dtype=np.float32)
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], pads=[1, 1, 1, 1], kernel_shape=[3, 3])
    graph = helper.make_graph(
        [node],
        "conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(xc.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 64, 56, 56])],
        [numpy_helper.from_array(wc, "w"), numpy_helper.from_array(bc, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    sessions = {}
    for threads in (1, 2):
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        sessions[threads] = ort.InferenceSession(
            model.SerializeToString(), so, providers=["CPUExecutionProvider"]
        )
    t0 = time.perf_counter()
    conv = build_conv2d(spec, parallel=True)
    print(f"\ncompile conv 3x3 64->64 56x56: {time.perf_counter() - t0:.2f} s")
    xb, wpk, bp = nchw_to_nchw8c(xc), repack_conv_weights(wc), pad_bias(bc)
    out = np.empty(spec.output_shape, np.float32)
    ref = sessions[1].run(None, {"x": xc})[0]
    got = conv(xb, wpk, bp, out=out).transpose(0, 1, 4, 2, 3).reshape(1, 64, 56, 56)
    np.testing.assert_allclose(got, ref, rtol=1e-3, atol=1e-3)
    times = time_interleaved(
        {
            "ours NCHW8c direct, 1 thread": lambda: conv(xb, wpk, bp, out=out),
            "onnxruntime, 1 thread": lambda: sessions[1].run(None, {"x": xc}),
        },
        args.repeats,
    )
    results["conv"] = report(
        "Conv 3x3 64->64 56x56 pad 1 (+bias); ours excludes NCHW<->NCHW8c conversion, ORT includes its own",
        spec.flops,
        times,
        [("ours NCHW8c direct, 1 thread", "onnxruntime, 1 thread")],
    )
    times = time_blocks(
        {
            "ours GOMP 1 thread": lambda: conv(xb, wpk, bp, out=out, threads=1),
            "ours GOMP 2 threads": lambda: conv(xb, wpk, bp, out=out, threads=2),
            "onnxruntime, 2 threads": lambda: sessions[2].run(None, {"x": xc}),
        },
        args.repeats,
    )
    results["conv_threads"] = report(
        "Conv 3x3 64->64 56x56, threads",
        spec.flops,
        times,
        [("ours GOMP 2 threads", "ours GOMP 1 thread"), ("ours GOMP 2 threads", "onnxruntime, 2 threads")],
    )
    print(f"\nload average at end: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
