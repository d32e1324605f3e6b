"""mixed-precision: assigns f16 (or bf16) per op from a measured sensitivity and a tolerance.

Measurement (local): on `calibration` seeded random inputs, every top-level op with f32 results is run
once in f32 and once lowered (f32 operands cast down, the op rebuilt on low types and evaluated, its
results cast up); its error is max|low - f32| / max|f32| over its results and the calibration inputs.
An op whose error is within `tolerance` goes low. Sensitive ops (softmax, log_softmax, reductions,
normalizations, LRN, exp/log/pow) stay f32 unless forced; data-movement ops follow their input.
Then the whole mixed graph is checked end to end (same metric on the function's outputs); while it
exceeds the tolerance, the ops with the largest measured errors are reverted to f32.

The rewrite rebuilds each lowered op on low operands with inferred result types (a graph.fused with its
region), converts f32 constants feeding it at compile time, inserts graph.cast at precision boundaries,
cancels redundant cast pairs (canonicalize's cast patterns), and records `zg.precision` and
`zg.precision_reason` on every decided op. `precision_report(module)` renders the decisions as a table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ir.attributes import StringAttr
from ir.builder import InsertionPoint
from ir.core import Block, Operation, Value
from ir.errors import UserError
from ir.interpreter import Interpreter, coerce
from ir.opdef import ConstantLike, constant_value
from ir.rewriter import Rewriter
from ir.types import FloatType, f32, to_numpy_dtype
from passes.graph.precision_rewrite import (
    LOW_TYPES,
    cast_op,
    is_f32,
    lowered_constant,
    lowered_standalone,
    rebuild,
)
from passes.pass_base import Pass, PassContext, func_ops, ranged
from passes.registry import register_pass

PRECISION_ATTR = "zg.precision"
REASON_ATTR = "zg.precision_reason"
SUMMARY_ATTR = "zg.precision_summary"

_REDUCTIONS = (
    "reduce_l1 reduce_l2 reduce_log_sum reduce_log_sum_exp reduce_max reduce_mean reduce_min reduce_prod "
    "reduce_sum reduce_sum_square"
)
SENSITIVE: dict[str, str] = {
    **{f"graph.{n}": "reduction" for n in _REDUCTIONS.split()},
    "graph.softmax": "softmax",
    "graph.log_softmax": "softmax",
    "graph.hardmax": "softmax",
    "graph.layer_normalization": "normalization",
    "graph.instance_normalization": "normalization",
    "graph.batch_normalization": "normalization",
    "graph.lrn": "normalization",
    "graph.lp_pool": "reduction",
    "graph.global_lp_pool": "reduction",
    "graph.exp": "exp/log/pow",
    "graph.log": "exp/log/pow",
    "graph.pow": "exp/log/pow",
}
FOLLOW = {
    f"graph.{n}"
    for n in (
        "reshape flatten transpose squeeze unsqueeze concat slice split gather gather_elements gather_nd "
        "expand tile pad identity max_pool global_max_pool depth_to_space space_to_depth dropout"
    ).split()
}
NEVER = {"graph.cast", "graph.cast_like", "graph.constant", "graph.constant_of_shape", "graph.range"}


@dataclass
class Decision:
    """The precision chosen for one top-level op and why (`error`: measured local error, if any)."""

    precision: str
    reason: str
    error: float | None = None
    measured: bool = False  # chosen by measurement (so it may be reverted by the end-to-end check)


def rel_error(got: np.ndarray, ref: np.ndarray) -> float:
    """max|got - ref| / max|ref| (inf when `got` is not finite where `ref` is)."""
    a = np.asarray(got, np.float64)
    b = np.asarray(ref, np.float64)
    fin = np.isfinite(b)
    if not fin.any():
        return 0.0
    if not np.isfinite(a[fin]).all():
        return math.inf
    mag = float(np.max(np.abs(b[fin]))) or 1.0
    return float(np.max(np.abs(a[fin] - b[fin]))) / mag


def classify(op: Operation) -> str:
    """'sensitive:<kind>', 'follow', 'never' or 'candidate' (a fused op by what it contains)."""
    if op.name == "graph.fused":
        inner = [o for o in op.regions[0].block.ops if o.name != "graph.yield"]
        for o in inner:
            if o.name in SENSITIVE:
                return f"sensitive:{SENSITIVE[o.name]} ({o.name.split('.', 1)[1]} inside)"
        return "candidate"
    if op.name in SENSITIVE:
        return f"sensitive:{SENSITIVE[op.name]}"
    if op.name in FOLLOW:
        return "follow"
    if op.name in NEVER or op.has_trait(ConstantLike) or (op.regions and op.name != "graph.fused"):
        return "never"
    return "candidate"


def _matches(op: Operation, names: tuple[str, ...]) -> str | None:
    """The entry of `names` naming `op` (op name with or without `graph.`, fused kind, inner op, ONNX node)."""
    inner = [o.name for o in op.walk()] if op.regions else [op.name]
    for n in names:
        full = n if "." in n else f"graph.{n}"
        if (
            full in inner
            or n in op.provenance
            or (op.name == "graph.fused" and n == op.properties["kind"].value)
        ):
            return n
    return None


def _top_ops(func: Operation) -> list[Operation]:
    return list(func.regions[0].block.ops)


def calibration_inputs(func: Operation, n: int, seed: int) -> list[list[np.ndarray]]:
    from ir.inputs import random_inputs

    return [random_inputs(func, seed + i) for i in range(max(1, n))]


def measure(func: Operation, low: FloatType, inputs: list[list]) -> tuple[dict[int, float], list[list]]:
    """Local error of every top-level op with f32 results (by index), and the f32 outputs per input set."""
    interp = Interpreter()
    block: Block = func.regions[0].block
    ops = _top_ops(func)
    lowdt = to_numpy_dtype(low)
    lowered: dict[int, Operation | None] = {}
    for i, op in enumerate(ops):
        if any(is_f32(r) for r in op.results) and classify(op) != "never":
            try:
                lowered[i] = lowered_standalone(op, low)
            except UserError:
                lowered[i] = None
    errs: dict[int, float] = {i: 0.0 for i in lowered}
    refs = []
    for xs in inputs:
        env: dict[Value, object] = {a: coerce(x, a.type) for a, x in zip(block.args, xs)}
        for i, op in enumerate(ops):
            vals = [env[v] for v in op.operands]
            outs = interp.execute(op, vals, env)
            for r, x in zip(op.results, outs):
                env[r] = x
            if i in lowered:
                e = _local_error(interp, op, lowered[i], vals, outs, lowdt)
                errs[i] = e if math.isnan(e) or math.isnan(errs[i]) else max(errs[i], e)
            if op is ops[-1] and not op.results:
                refs.append(vals)
    return errs, refs


def _local_error(interp, op, low_op, vals, outs, lowdt) -> float:
    if low_op is None:
        return math.nan
    try:
        with np.errstate(all="ignore"):
            low_vals = [np.asarray(x).astype(lowdt) if is_f32(v) else x for v, x in zip(op.operands, vals)]
            low_outs = interp.execute(low_op, low_vals, {})
    except UserError:
        return math.nan
    return max(
        (rel_error(lo, o) for r, lo, o in zip(op.results, low_outs, outs) if is_f32(r)),
        default=0.0,
    )


def decide(
    func: Operation, errs: dict[int, float], p: MixedPrecision, reverted: dict[int, str]
) -> list[Decision | None]:
    """One decision per top-level op (None: not a float op, or never lowered), in block order."""
    ops = _top_ops(func)
    lowname = p.policy
    low_values: set[Value] = set()
    out: list[Decision | None] = []
    for i, op in enumerate(ops):
        kind = classify(op)
        if kind == "never" or not any(is_f32(r) for r in op.results):
            out.append(None)
            continue
        err = errs.get(i)
        etxt = "error n/a" if err is None else f"error {err:.2e}"
        if err == math.inf:
            etxt = f"error inf (values overflow {lowname})"
        elif err is not None and math.isnan(err):
            etxt = f"no {lowname} evaluation (the interpreter cannot run it in {lowname})"
        if (n := _matches(op, p.force_f32)) is not None:
            d = Decision("f32", f"forced f32 (force-f32={n})", err)
        elif (n := _matches(op, p.force_low)) is not None:
            d = Decision(lowname, f"forced {lowname} (force-low={n}); {etxt}", err)
        elif kind.startswith("sensitive:"):
            d = Decision("f32", f"sensitive op ({kind.split(':', 1)[1]}) kept in f32; {etxt}", err)
        elif kind == "follow":
            data = [v for v in op.operands if is_f32(v) and constant_value(v) is None]
            if err is not None and math.isnan(err):
                d = Decision("f32", f"data movement: {etxt}", err)
            elif data and all(v in low_values for v in data):
                d = Decision(lowname, "data movement: follows its low-precision input", err)
            else:
                d = Decision("f32", "data movement: follows its f32 input", err)
        elif i in reverted:
            d = Decision("f32", reverted[i], err)
        elif err is not None and err <= p.tolerance:
            d = Decision(lowname, f"measured {etxt} <= tolerance {p.tolerance:g}", err, measured=True)
        else:
            d = Decision("f32", f"measured {etxt} > tolerance {p.tolerance:g}", err)
        if d.precision != "f32":
            low_values.update(r for r in op.results if is_f32(r))
        out.append(d)
    return out


class _Lowering:
    """Applies decisions to one function: rebuilds low ops, converts constants, inserts boundary casts."""

    def __init__(self, func: Operation, low: FloatType, rw: Rewriter, ctx: PassContext | None):
        self.func, self.low, self.rw, self.ctx = func, low, rw, ctx
        self.block: Block = func.regions[0].block
        self.to_low: dict[Value, Value] = {}
        self.to_high: dict[Value, Value] = {}
        self.produced_low: set[Value] = set()

    def _stat(self, key: str) -> None:
        if self.ctx is not None:
            self.ctx.stat(key)

    def _insert_after_def(self, v: Value, op: Operation) -> Value:
        d = v.defining_op
        if d is not None:
            self.rw.set_insertion_point_after(d)
        else:
            first = self.block.ops[0]
            self.rw.ip = InsertionPoint.before_op(first)
        return self.rw.insert(op).result

    def low_value(self, v: Value) -> Value:
        if v not in self.to_low:
            if constant_value(v) is not None:
                self.to_low[v] = self._insert_after_def(v, lowered_constant(v, self.low))
                self._stat("constants-converted")
            else:
                prov = v.defining_op.provenance if v.defining_op is not None else ()
                self.to_low[v] = self._insert_after_def(v, cast_op(v, self.low, prov))
                self._stat("casts-inserted")
        return self.to_low[v]

    def high_value(self, v: Value) -> Value:
        if v not in self.to_high:
            self.to_high[v] = self._insert_after_def(v, cast_op(v, f32, v.defining_op.provenance))
            self._stat("casts-inserted")
        return self.to_high[v]

    def apply(self, decisions: list[Decision | None], budget=None) -> int:
        lowered = 0
        for op, d in zip(list(self.block.ops), decisions):
            if (
                d is not None
                and d.precision != "f32"
                and budget is not None
                and not budget.allow("mixed-precision", op)
            ):
                d = Decision("f32", "rewrite limit reached", d.error)
            if d is not None and d.precision != "f32":
                operands = [self.low_value(v) if is_f32(v) else v for v in op.operands]
                new = rebuild(op, operands, self.low)
                self.rw.set_insertion_point_before(op)
                self.rw.insert(new)
                self.produced_low.update(r for r in new.results if r.type != op.results[r.index].type)
                self.rw.replace_op(op, new)
                op = new
                lowered += 1
                self._stat(f"ops-{d.precision}")
            else:
                for idx, v in enumerate(list(op.operands)):
                    if v in self.produced_low:
                        self.rw.set_operand(op, idx, self.high_value(v))
                if d is not None:
                    self._stat("ops-f32")
            if d is not None:
                op.attributes[PRECISION_ATTR] = StringAttr(d.precision)
                op.attributes[REASON_ATTR] = StringAttr(d.reason)
        return lowered


def _run_outputs(func: Operation, inputs: list[list]) -> list[list]:
    interp = Interpreter()
    return [interp.run_function(func, xs) for xs in inputs]


def end_to_end_error(outs: list[list], refs: list[list]) -> float:
    """max over calibration inputs and f32 outputs of max|got - ref| / max|ref|."""
    err = 0.0
    for got, ref in zip(outs, refs):
        for g, r in zip(got, ref):
            if np.asarray(r).dtype.kind == "f":
                err = max(err, rel_error(g, r))
    return err


@register_pass
@dataclass(frozen=True)
class MixedPrecision(Pass):
    name = "mixed-precision"
    summary = "per-op f16/bf16 from measured sensitivity and a tolerance; casts at boundaries; a report"
    policy: str = "f16"
    tolerance: float = 1e-2
    calibration: int = ranged(4, minimum=1)
    force_f32: tuple[str, ...] = ()
    force_low: tuple[str, ...] = ()
    seed: int = ranged(0, minimum=0)
    max_rounds: int = ranged(8, minimum=0)

    def __post_init__(self):
        if self.policy not in LOW_TYPES:
            raise ValueError(f"policy must be f16 or bf16, not '{self.policy}'")
        if not self.tolerance > 0:
            raise ValueError("tolerance must be positive")

    def plan(self, func: Operation) -> tuple[list[Decision | None], float]:
        """The decisions for `func` (unchanged) and the end-to-end error they give on calibration inputs."""
        low = LOW_TYPES[self.policy]
        inputs = calibration_inputs(func, self.calibration, self.seed)
        errs, refs = measure(func, low, inputs)
        reverted: dict[int, str] = {}
        err = math.inf
        for rnd in range(self.max_rounds + 1):
            decisions = decide(func, errs, self, reverted)
            trial = func.clone()
            _Lowering(trial, low, Rewriter(), None).apply(decisions)
            err = end_to_end_error(_run_outputs(trial, inputs), refs)
            if err <= self.tolerance:
                break
            measured = sorted(
                (i for i, d in enumerate(decisions) if d is not None and d.measured),
                key=lambda i: -(errs.get(i) or 0.0),
            )
            if not measured:
                break
            n = len(measured) if rnd == self.max_rounds - 1 else max(1, math.ceil(len(measured) / 4))
            for i in measured[:n]:
                reverted[i] = (
                    f"reverted to f32: end-to-end error {err:.2e} > tolerance {self.tolerance:g} "
                    f"(local error {errs.get(i, 0.0):.2e}, among the largest)"
                )
        return decisions, err

    def run(self, op: Operation, ctx: PassContext) -> bool:
        from passes.generic.dce import DeadCodeElimination
        from passes.graph.canonicalize import PATTERNS
        from passes.rewrite import apply_patterns_greedily

        changed = False
        low = LOW_TYPES[self.policy]
        for func in func_ops(op):
            if not any(is_f32(r) for o in _top_ops(func) for r in o.results):
                continue
            decisions, err = self.plan(func)
            lowering = _Lowering(func, low, Rewriter(ctx.listeners), ctx)
            n = lowering.apply(decisions, ctx.budget)
            res = apply_patterns_greedily(func, PATTERNS, ctx, enable=["cast-pair", "cast-to-same-type"])
            DeadCodeElimination().run(func, ctx)
            counts = {}
            for d in decisions:
                if d is not None:
                    counts[d.precision] = counts.get(d.precision, 0) + 1
            summary = ", ".join(f"{k}: {v} ops" for k, v in sorted(counts.items()))
            func.attributes[SUMMARY_ATTR] = StringAttr(
                f"policy {self.policy}, tolerance {self.tolerance:g}; {summary}; end-to-end error {err:.2e} "
                f"on {max(1, self.calibration)} calibration inputs"
            )
            ctx.log(f"mixed-precision: {summary}; end-to-end error {err:.2e}")
            changed |= n > 0 or res.changed
        return changed


def _label(op: Operation) -> str:
    if op.name == "graph.fused":
        return f"fused[{op.properties['kind'].value}]"
    return op.name.split(".", 1)[-1]


def precision_report(op: Operation) -> str:
    """A text table of every op's precision and reason (from the attributes mixed-precision recorded)."""
    lines = []
    for func in func_ops(op):
        rows = [
            (
                _label(o),
                ",".join(o.provenance),
                o.attributes[PRECISION_ATTR].value,
                o.attributes[REASON_ATTR].value,
            )
            for o in _top_ops(func)
            if PRECISION_ATTR in o.attributes
        ]
        if not rows:
            continue
        name = func.properties.get("sym_name")
        lines.append(f"mixed-precision report for @{getattr(name, 'value', name)}")
        w0 = max(len("op"), *(len(r[0]) for r in rows))
        nodes = [r[1] if len(r[1]) <= 32 else r[1][:29] + "..." for r in rows]
        w1 = max(len("onnx nodes"), *(len(n) for n in nodes))
        lines.append(f"  {'op':<{w0}}  {'onnx nodes':<{w1}}  {'precision':<9}  reason")
        lines.append("  " + "-" * (w0 + w1 + 9 + 6 + 40))
        for (label, _, prec, reason), n in zip(rows, nodes):
            lines.append(f"  {label:<{w0}}  {n:<{w1}}  {prec:<9}  {reason}")
        convs = [o for o in _top_ops(func) if PRECISION_ATTR in o.attributes]
        nconv = sum(sum(1 for x in o.walk() if x.name == "graph.conv") for o in convs)
        nconv_low = sum(
            sum(1 for x in o.walk() if x.name == "graph.conv")
            for o in convs
            if o.attributes[PRECISION_ATTR].value != "f32"
        )
        counts: dict[str, int] = {}
        for r in rows:
            counts[r[2]] = counts.get(r[2], 0) + 1
        lines.append(
            "  total: "
            + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
            + (f"; convolutions in low precision: {nconv_low} of {nconv}" if nconv else "")
        )
        if SUMMARY_ATTR in func.attributes:
            lines.append(f"  {func.attributes[SUMMARY_ATTR].value}")
    return "\n".join(lines) + ("\n" if lines else "")
