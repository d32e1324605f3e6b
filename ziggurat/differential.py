"""Differential testing: one graph module through the interpreter, onnxruntime and every compiled target.

The numpy interpreter is the reference. Each other backend must agree with it within `ir.tolerance`'s
per-dtype policy. A backend that refuses the model with `UnsupportedError` (an op the compiler
cannot lower yet, an op with no ONNX form) is *skipped* with that reason, not failed; an exception of any
other kind, or outputs beyond tolerance, is a *failure*. `save_case` writes a failure as a replayable
directory: `model.mlir`, `model.onnx` (when it exports), `inputs.npz`, `report.txt` and `replay.sh`.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ir.errors import UnsupportedError

BACKENDS = {
    "interp": ("ort",),
    "cpu": ("ort", "cpu-O0", "cpu-O2"),
}
"""Backends compared with the interpreter for each `--target` of `ziggurat fuzz`."""


def compare_outputs(got: Sequence, want: Sequence) -> str | None:
    """None when every output agrees with the reference under `ir.tolerance`'s policy for its dtype;
    else a one-line description of the first difference."""
    from ir.tolerance import compare

    if len(got) != len(want):
        return f"{len(got)} outputs, the reference has {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        g, w = np.asarray(g), np.asarray(w)
        if g.shape != w.shape:
            return f"output {i}: shape {g.shape}, the reference has {w.shape}"
        c = compare(f"output {i}", g, w)
        if not c.ok:
            return f"output {i}: {c.detail}; max abs error {c.max_abs:.4g}"
    return None


@dataclass
class BackendResult:
    """One backend on one case: status is "agree", "skip" or "fail"."""

    backend: str
    status: str
    reason: str = ""
    seconds: float = 0.0


@dataclass
class CaseResult:
    """A whole case: "mismatch" if any backend failed, else "skip" if any skipped, else "agree"."""

    backends: list[BackendResult] = field(default_factory=list)
    reference_error: str = ""

    @property
    def status(self) -> str:
        if self.reference_error or any(b.status == "fail" for b in self.backends):
            return "mismatch"
        if any(b.status == "skip" for b in self.backends):
            return "skip"
        return "agree"

    def skip_reasons(self) -> list[str]:
        return [f"{b.backend}: {b.reason}" for b in self.backends if b.status == "skip"]

    def failures(self) -> list[str]:
        out = [f"interp: {self.reference_error}"] if self.reference_error else []
        return out + [f"{b.backend}: {b.reason}" for b in self.backends if b.status == "fail"]


# ----------------------------------------------------------------------------- naming and backends


def name_io(module) -> None:
    """Gives the entry function `zg.input_names` (arg0..) and `zg.output_names` (out0..) when it lacks
    them: the driver's plan and the ONNX export key inputs and outputs by these names."""
    from ir.attributes import ArrayAttr, StringAttr

    f = module.main
    if "zg.input_names" not in f.attributes:
        f.attributes["zg.input_names"] = ArrayAttr(tuple(StringAttr(f"arg{i}") for i in range(len(f.args))))
    if "zg.output_names" not in f.attributes:
        n = len(f.function_type.results)
        f.attributes["zg.output_names"] = ArrayAttr(tuple(StringAttr(f"out{i}") for i in range(n)))


def input_names(module) -> list[str]:
    from ziggurat.inputs import input_names as names

    return names(module.main)


def short_reason(e: BaseException) -> str:
    """A stable one-line reason for tallying: the message's first line, without ONNX node names,
    file positions or numbers that vary between cases."""
    msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    msg = re.sub(r"\(ONNX node[^)]*\)+", "", msg)
    msg = re.sub(r"\bloc\([^)]*\)", "", msg)
    msg = re.sub(r"@\S+", "@_", msg)
    return " ".join(msg.split())[:160]


def run_ort(module, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Exports the module to ONNX and runs it in onnxruntime."""
    from ir.errors import UserError
    from ir.onnx_export import export_onnx

    model = export_onnx(module)
    try:
        ref = _quiet_ort(model, dict(zip(input_names(module), inputs)))
    except UserError as e:  # onnxruntime cannot load or run it (e.g. its LRN takes only 4-D input)
        if "NOT_IMPLEMENTED" in str(e) or "Could not find an implementation" in str(e):
            raise UnsupportedError(f"onnxruntime: {short_reason(e)}") from e
        raise
    except Exception as e:  # noqa: BLE001 - onnxruntime raises its own exception types
        # It loaded the model (so the export is valid ONNX) but one of its kernels refuses the input,
        # e.g. its LRN implements only 4-D tensors: a limit of onnxruntime, not a bug of ours.
        raise UnsupportedError(f"onnxruntime cannot run it: {_ort_reason(e)}") from e
    outs = [o.name for o in model.graph.output]
    return [ref[n] for n in outs]


def _quiet_ort(model, feeds: dict) -> dict:
    """As ziggurat.ort.run_onnxruntime, with onnxruntime's own error log off (a campaign would flood
    stderr); a model it cannot load raises UserError, a failed run the runtime's exception."""
    import onnxruntime as ort

    from ir.errors import UserError

    opts = ort.SessionOptions()
    opts.log_severity_level = 4
    try:
        sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    except Exception as e:  # noqa: BLE001 - onnxruntime's own errors are not ours
        raise UserError(f"onnxruntime cannot load the model: {' '.join(str(e).split())[:300]}") from None
    wanted = {i.name for i in sess.get_inputs()}
    outs = sess.run(None, {k: v for k, v in feeds.items() if k in wanted})
    return {o.name: v for o, v in zip(sess.get_outputs(), outs)}


def _ort_reason(e: BaseException) -> str:
    msg = " ".join(str(e).split())
    m = re.search(r"running (\w+) node", msg)
    cond = re.search(r"([\w.()]+ (?:==|!=|<=|>=|<|>) [\w.()]+) was false", msg)
    return f"{m.group(1) if m else 'a'} node: {cond.group(1) if cond else msg[:120]}"


def run_compiled(module, inputs: Sequence[np.ndarray], opt: str) -> list[np.ndarray]:
    """Compiles a clone of the module for the CPU at `opt` (object cache on) and runs it."""
    from ziggurat.driver import compile_module

    engine, _ = compile_module(module.clone(), target="cpu", opt=opt)
    return [np.asarray(x) for x in engine.run(list(inputs))]


def _run_backend(backend: str, module, inputs):
    if backend == "ort":
        return run_ort(module, inputs)
    if backend.startswith("cpu-"):
        return run_compiled(module, inputs, "-" + backend.split("-", 1)[1])
    raise ValueError(f"unknown backend {backend!r}")


# ----------------------------------------------------------------------------- ill-conditioned cases

DISCONTINUOUS = {"Floor", "Ceil", "Round", "Sign", "ThresholdedRelu", "Shrink", "Cast"}
"""Elementwise ops with jumps: an input within rounding error of a jump may land on either side."""
COMPARISONS = {"Greater", "Less", "GreaterOrEqual", "LessOrEqual", "Equal"}
NORMALIZATIONS = {"LayerNormalization", "InstanceNormalization"}
ARG_REDUCTIONS = {"ArgMax", "ArgMin"}

# How far a computed f32 operand may legitimately be from the interpreter's value: a few hundred ulp
# relative (the reassociation/approximation error budget of `ir.tolerance.TOLERANCES`) plus an absolute part at the
# tensor's scale. Inputs and constants are exact in every backend, so only computed operands count.
_REL, _ABS = 3e-5, 3e-6


def ill_conditioned(module, inputs: Sequence[np.ndarray]) -> str | None:
    """Why the module's outputs are not determined to within tolerance by these inputs (None if they are):
    an operand of a discontinuous op (floor, sign, comparisons, casts to f16, argmax ties) sits within
    rounding error of a jump, or a layer/instance normalization divides rounding error by a tiny
    variance (it amplifies it by max|x| / sqrt(var + eps)). Backends that round differently legitimately
    disagree there, so such differences are not reported as compiler bugs."""
    from ir.interpreter import run as interpret

    values: dict = dict(zip(module.main.args, [np.asarray(x) for x in inputs]))
    computed: set = set()
    found: list[str] = []

    def trace(op, outs) -> None:
        outs = outs if isinstance(outs, (list, tuple)) else [outs]
        for r, x in zip(op.results, outs):
            values[r] = np.asarray(x)
            if type(op).__name__ != "Constant":
                computed.add(r)
        if not found:
            why = _hazard(op, [values.get(v) for v in op.operands], [v in computed for v in op.operands])
            if why:
                found.append(why)

    try:
        interpret(module, list(inputs), trace=trace)
    except Exception:  # noqa: BLE001 - the reference failure is reported elsewhere
        return None
    return found[0] if found else None


def _spread(x: np.ndarray) -> np.ndarray:
    scale = float(np.abs(x[np.isfinite(x)]).max()) if np.isfinite(x).any() else 1.0
    return _REL * np.abs(x) + _ABS * max(1.0, scale)


def _hazard(op, args, computed) -> str | None:
    onnx = getattr(type(op), "onnx", "") or ""
    if not args or args[0] is None or not computed[0] and onnx not in COMPARISONS | NORMALIZATIONS:
        return None
    x = np.asarray(args[0])
    if x.dtype.kind != "f":
        return None
    x64 = x.astype(np.float64)
    if onnx in DISCONTINUOUS:
        d = _spread(x64)
        lo, hi = (x64 - d).astype(x.dtype), (x64 + d).astype(x.dtype)
        try:
            a, b = op.evaluate(lo, *args[1:]), op.evaluate(hi, *args[1:])
        except Exception:  # noqa: BLE001
            return None
        a, b = (
            np.asarray(a[0] if isinstance(a, tuple) else a),
            np.asarray(b[0] if isinstance(b, tuple) else b),
        )
        if onnx == "Cast" and a.dtype.itemsize >= 4:
            return None  # widening (or same-width) casts have no jumps
        if not np.array_equal(a, b, equal_nan=True):
            return f"ill-conditioned: {onnx} input within rounding error of a jump"
    elif onnx in COMPARISONS and len(args) > 1 and args[1] is not None and any(computed[:2]):
        a, b = np.broadcast_arrays(x64, np.asarray(args[1], dtype=np.float64))
        if np.any(np.abs(a - b) <= _spread(a) + _spread(b)):
            return f"ill-conditioned: {onnx} operands within rounding error of each other"
    elif onnx in ARG_REDUCTIONS:
        axis = int(op.axis or 0) % max(x.ndim, 1)
        if x.shape[axis] > 1:
            top = np.sort(x64, axis=axis)
            gap = (
                (top.take([-1], axis) - top.take([-2], axis))
                if onnx == "ArgMax"
                else (top.take([1], axis) - top.take([0], axis))
            )
            if np.any(gap <= 2 * _spread(top.take([-1 if onnx == "ArgMax" else 0], axis))):
                return f"ill-conditioned: {onnx} with a near tie"
    elif onnx in NORMALIZATIONS:
        axes = (
            tuple(range(int(op.axis) % x.ndim, x.ndim))
            if onnx == "LayerNormalization"
            else tuple(range(2, x.ndim))
        )
        var = x64.var(axis=axes) if axes else np.zeros(())
        amp = float(np.abs(x64).max(initial=0.0)) / float(
            np.sqrt(var.min(initial=np.inf) + float(op.epsilon))
        )
        if amp > 30:
            return f"ill-conditioned: {onnx} of a nearly constant input (rounding error amplified {amp:.0f}x)"
    return None


# ----------------------------------------------------------------------------- one case


def check_case(module, inputs: Sequence[np.ndarray], backends: Sequence[str] = BACKENDS["cpu"]) -> CaseResult:
    """Runs `module` on `inputs` in the interpreter (the reference) and each backend; never raises for a
    backend's error (it becomes a skip or a failure in the result)."""
    from ir.interpreter import run as interpret

    name_io(module)
    inputs = [np.asarray(x) for x in inputs]
    result = CaseResult()
    try:
        want = [np.asarray(x) for x in interpret(module, inputs)]
    except Exception as e:  # noqa: BLE001 - the generator promised a runnable module
        result.reference_error = f"the interpreter failed: {type(e).__name__}: {short_reason(e)}"
        return result
    for b in backends:
        t = time.perf_counter()
        try:
            got = _run_backend(b, module, inputs)
        except UnsupportedError as e:
            result.backends.append(BackendResult(b, "skip", short_reason(e), time.perf_counter() - t))
            continue
        except Exception as e:  # noqa: BLE001 - a crash is a failure to report, not to propagate
            why = f"{type(e).__name__}: {short_reason(e)}"
            result.backends.append(BackendResult(b, "fail", why, time.perf_counter() - t))
            continue
        diff = compare_outputs(got, want)
        if diff and (why := ill_conditioned(module, inputs)):
            result.backends.append(BackendResult(b, "skip", why, time.perf_counter() - t))
            continue
        status = "fail" if diff else "agree"
        result.backends.append(BackendResult(b, status, diff or "", time.perf_counter() - t))
    return result


# ----------------------------------------------------------------------------- saving a failure


def replay_command(case_dir: Path) -> str:
    """The one-line shell command that re-checks a saved case."""
    return f"ziggurat fuzz --replay {case_dir}"


def save_case(
    out_dir: Path | str, name: str, module, inputs: Sequence[np.ndarray], result: CaseResult
) -> Path:
    """Writes `module` (.mlir, and .onnx when it exports), its inputs (.npz, by input name), a report
    and a replay script into `out_dir/name`; returns that directory."""
    from ir.printer import PrintOptions, print_op
    from ziggurat.output import write_bytes_atomically, write_text_atomically

    case_dir = Path(out_dir) / name
    case_dir.mkdir(parents=True, exist_ok=True)
    name_io(module)
    write_text_atomically(case_dir / "model.mlir", print_op(module, PrintOptions(elide_constants=False)))
    try:
        from ir.onnx_export import export_onnx

        write_bytes_atomically(case_dir / "model.onnx", export_onnx(module).SerializeToString())
    except Exception:  # noqa: BLE001, S110 - the .mlir alone still replays
        pass
    buf = io.BytesIO()
    np.savez(buf, **dict(zip(input_names(module), [np.asarray(x) for x in inputs])))
    write_bytes_atomically(case_dir / "inputs.npz", buf.getvalue())
    lines = [f"status: {result.status}", *result.failures(), *(f"skipped {r}" for r in result.skip_reasons())]
    lines.append(f"replay: {replay_command(case_dir)}")
    write_text_atomically(case_dir / "report.txt", "\n".join(lines) + "\n")
    write_text_atomically(case_dir / "replay.sh", f"#!/bin/sh\n{replay_command(case_dir)}\n")
    return case_dir


def load_case(case_dir: Path | str):
    """`(module, inputs)` of a case saved by `save_case`."""
    from ir.parser import parse_file

    case_dir = Path(case_dir)
    module = parse_file(str(case_dir / "model.mlir"))
    name_io(module)
    with np.load(case_dir / "inputs.npz") as z:
        inputs = [z[n] for n in input_names(module)]
    return module, inputs


__all__ = [
    "BACKENDS",
    "BackendResult",
    "CaseResult",
    "check_case",
    "compare_outputs",
    "load_case",
    "name_io",
    "replay_command",
    "save_case",
]
