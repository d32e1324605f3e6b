"""Pass instrumentation: verification, IR printing/dumping, timing, statistics, crash reproducers,
semantic checks with the interpreter. Each is an object the PassManager calls around every pass."""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import TextIO

import numpy as np

from ir.core import Operation
from ir.errors import UserError
from ir.rewriter import RewriteListener
from passes.pass_base import Pass, PassContext

REPRO_HEADER = "// ziggurat-repro: pipeline="


class Instrumentation:
    """Hooks around a pipeline run; subclasses override what they need."""

    def run_started(self, module: Operation, pipeline, ctx: PassContext) -> None: ...

    def before_pass(self, p: Pass, index: int, op: Operation, root: Operation, ctx: PassContext) -> None: ...

    def after_pass(
        self, p: Pass, index: int, op: Operation, root: Operation, ctx: PassContext, changed: bool
    ) -> None: ...

    def pass_failed(
        self, p: Pass, index: int, op: Operation, root: Operation, ctx: PassContext, exc: BaseException
    ) -> None: ...

    def run_finished(self, module: Operation, ctx: PassContext) -> None: ...


# ----------------------------------------------------------------------------- verification


class PassVerifyError(UserError):
    """A pass left IR that does not verify."""


class VerifyAfterPass(Instrumentation):
    """Runs the verifier after every pass (the PassManager's default)."""

    def after_pass(self, p, index, op, root, ctx, changed) -> None:
        from ir.verifier import verify

        try:
            verify(root)
        except UserError as e:
            raise PassVerifyError(f"IR does not verify after pass '{p.name}' (#{index + 1}): {e}") from e


# ----------------------------------------------------------------------------- printing


def _ir_text(op: Operation, elide: bool) -> str:
    from ir.printer import PrintOptions, print_op

    return print_op(op, PrintOptions(elide_constants=elide))


def check_dump_dir(path: str | Path) -> None:
    """Raises UserError unless `path` can hold IR dumps: a folder, or a place where one can be made."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise UserError(f"--ir-dump-dir {p}: exists and is not a directory")
    for parent in p.parents:  # the nearest existing ancestor must be a folder
        if parent.exists():
            if not parent.is_dir():
                raise UserError(f"--ir-dump-dir {p}: {parent} is not a directory")
            break


class PrintIR(Instrumentation):
    """Prints IR before/after named passes, after all, or only after passes that changed something;
    to a stream or to numbered files in `dump_dir`."""

    def __init__(
        self,
        before: tuple[str, ...] = (),
        after: tuple[str, ...] = (),
        after_all: bool = False,
        after_change: bool = False,
        before_all: bool = False,
        stream: TextIO | None = None,
        dump_dir: str | Path | None = None,
        elide_constants: bool = True,
    ):
        self.before, self.after = set(before), set(after)
        self.after_all, self.after_change, self.before_all = after_all, after_change, before_all
        self.stream = stream
        self.dump_dir = Path(dump_dir) if dump_dir else None
        self.elide = elide_constants
        self.count = 0
        if self.dump_dir:
            check_dump_dir(self.dump_dir)
            try:
                self.dump_dir.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise UserError(f"--ir-dump-dir {self.dump_dir}: cannot create it ({e.strerror})") from None

    def _emit(self, when: str, p: Pass, index: int, root: Operation) -> None:
        self.count += 1
        text = _ir_text(root, self.elide)
        header = f"// -----// IR Dump {when} {p.name} (#{index + 1}) //----- //\n"
        if self.dump_dir:
            path = self.dump_dir / f"{self.count:03d}_{when.lower()}_{p.name}.mlir"
            path.write_text(header + text)
        else:
            (self.stream or sys.stdout).write(header + text + "\n")

    def run_started(self, module, pipeline, ctx) -> None:
        if self.dump_dir and (self.after_all or self.after_change or self.before_all):
            (self.dump_dir / "000_input.mlir").write_text(
                f"// pipeline: {pipeline}\n" + _ir_text(module, self.elide)
            )

    def before_pass(self, p, index, op, root, ctx) -> None:
        if self.before_all or p.name in self.before:
            self._emit("Before", p, index, root)

    def after_pass(self, p, index, op, root, ctx, changed) -> None:
        if self.after_all or p.name in self.after or (self.after_change and changed):
            self._emit("After", p, index, root)


# ----------------------------------------------------------------------------- timing and statistics


class Timing(Instrumentation):
    """Wall time per pass; `report()` is a table."""

    def __init__(self):
        self.rows: list[tuple[str, float]] = []
        self._t0 = 0.0
        self._start = 0.0
        self.total = 0.0

    def run_started(self, module, pipeline, ctx) -> None:
        self._start = time.perf_counter()

    def before_pass(self, p, index, op, root, ctx) -> None:
        self._t0 = time.perf_counter()

    def after_pass(self, p, index, op, root, ctx, changed) -> None:
        self.rows.append((p.name, time.perf_counter() - self._t0))

    def run_finished(self, module, ctx) -> None:
        self.total = time.perf_counter() - self._start

    def report(self) -> str:
        total = self.total or sum(t for _, t in self.rows) or 1e-12
        lines = [
            "===" + "-" * 60 + "===",
            "  Pass execution timing report",
            "===" + "-" * 60 + "===",
            f"  Total: {total * 1e3:.2f} ms",
            "   Wall (ms)    %   Pass",
        ]
        for name, t in self.rows:
            lines.append(f"  {t * 1e3:10.2f} {100 * t / total:5.1f}%  {name}")
        return "\n".join(lines) + "\n"


class _ChangeCounter(RewriteListener):
    def __init__(self, ctx: PassContext):
        self.ctx = ctx

    def notify_created(self, op) -> None:
        self.ctx.stat("ops-inserted")

    def notify_erased(self, op) -> None:
        self.ctx.stat("ops-erased")

    def notify_replaced(self, op, new_values) -> None:
        self.ctx.stat("ops-replaced")

    def notify_modified(self, op) -> None:
        self.ctx.stat("ops-modified")


class Statistics(Instrumentation):
    """Per-pass counters (runs, changes, ops inserted/erased/replaced/modified, pass-specific counters)
    and per-pattern application counts; `report()` prints them."""

    def __init__(self):
        self.runs: Counter = Counter()
        self.changes: Counter = Counter()
        self.ctx: PassContext | None = None

    def run_started(self, module, pipeline, ctx) -> None:
        self.ctx = ctx
        ctx.listeners.append(_ChangeCounter(ctx))

    def after_pass(self, p, index, op, root, ctx, changed) -> None:
        self.runs[p.name] += 1
        self.changes[p.name] += int(changed)

    def report(self) -> str:
        ctx = self.ctx
        lines = ["===" + "-" * 60 + "===", "  Pass statistics report", "===" + "-" * 60 + "==="]
        for name in self.runs:
            lines.append(f"'{name}': ran {self.runs[name]}x, changed IR {self.changes[name]}x")
            for k, v in sorted((ctx.pass_stats.get(name) or {}).items()):
                lines.append(f"  ({v:6d}) {k}")
            pats = {k.split("/", 1)[1]: v for k, v in ctx.pattern_stats.items() if k.split("/", 1)[0] == name}
            for k, v in sorted(pats.items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"  ({v:6d}) pattern {k}")
        if ctx and ctx.budget.limit is not None:
            lines.append(
                f"rewrite-limit {ctx.budget.limit}: {ctx.budget.used} applied, "
                f"{ctx.budget.refused} refused; last {ctx.budget.last}"
            )
        return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- crash reproducer


class CrashReproducer(Instrumentation):
    """When a pass raises, writes the pipeline's input IR and the pipeline to a .mlir file whose header
    comment (`// ziggurat-repro: pipeline="..."`) lets `ziggurat opt FILE` replay it."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else None
        self.input_text = ""
        self.pipeline_text = ""
        self.written: Path | None = None

    def run_started(self, module, pipeline, ctx) -> None:
        self.input_text = _ir_text(module, elide=False)
        self.pipeline_text = str(pipeline)
        self.limit = ctx.budget.limit

    def pass_failed(self, p, index, op, root, ctx, exc) -> None:
        if isinstance(exc, UserError) and not isinstance(exc, PassVerifyError):
            return  # a user-facing error, not a crash
        path = self.path
        if path is None:
            fd, name = tempfile.mkstemp(prefix="ziggurat-repro-", suffix=".mlir")
            import os

            os.close(fd)
            path = Path(name)
        msg = " ".join(f"{type(exc).__name__}: {exc}".split())
        header = REPRO_HEADER + '"' + self.pipeline_text.replace('"', '\\"') + '"'
        if self.limit is not None:
            header += f" rewrite-limit={self.limit}"
        text = f"{header}\n// crashed in pass '{p.name}' (#{index + 1}): {msg}\n" + self.input_text
        path.write_text(text)
        self.written = path
        try:
            exc.add_note(f"crash reproducer written to {path}")
        except AttributeError:  # pragma: no cover
            pass


def read_repro_header(text: str) -> tuple[str | None, int | None]:
    """The (pipeline, rewrite limit) a reproducer file's first line records, or (None, None)."""
    first = text.split("\n", 1)[0]
    if not first.startswith(REPRO_HEADER):
        return None, None
    rest = first[len(REPRO_HEADER) :]
    if not rest.startswith('"'):
        return None, None
    i, buf = 1, []
    while i < len(rest) and rest[i] != '"':
        if rest[i] == "\\" and i + 1 < len(rest):
            i += 1
        buf.append(rest[i])
        i += 1
    limit = None
    tail = rest[i + 1 :].strip()
    if tail.startswith("rewrite-limit="):
        limit = int(tail.split("=", 1)[1])
    return "".join(buf), limit


# ----------------------------------------------------------------------------- semantic checks


class SemanticsDrift(UserError):
    """A pass changed the results of the program beyond tolerance."""

    def __init__(self, message: str, pass_name: str, index: int):
        super().__init__(message)
        self.pass_name, self.index = pass_name, index


def lowest_float_precision(op: Operation) -> str:
    """'bf16', 'f16', 'f32' or 'f64': the least precise float type any op in `op` computes in."""
    from ir.types import ShapedType

    order = ["bf16", "f16", "f32", "f64"]
    best = "f64"
    for o in op.walk():
        for r in o.results:
            t = r.type.element_type if isinstance(r.type, ShapedType) else r.type
            s = str(t)
            if s in order and order.index(s) < order.index(best):
                best = s
    return best


def compare_outputs(ref: list, got: list, precision: str) -> tuple[bool, str]:
    """Compares outputs under `ir.tolerance`'s policy for `precision` (the least precise float type the
    program computes in: f32, f16, bf16 or f64); integer outputs are exact. Returns (ok, detail)."""
    from ir.tolerance import compare

    if len(ref) != len(got):
        return False, f"{len(got)} outputs instead of {len(ref)}"
    for i, (a, b) in enumerate(zip(ref, got)):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False, f"output {i} has shape {b.shape} instead of {a.shape}"
        c = compare(f"output {i}", b, a, dtype=precision if a.dtype.kind in "fcV" else a.dtype)
        if not c.ok:
            return False, f"output {i}: {c.detail}"
    return True, ""


class CheckSemantics(Instrumentation):
    """Interprets the entry function on seeded random inputs before the pipeline and after every pass;
    raises SemanticsDrift naming the first pass whose results drift beyond tolerance."""

    def __init__(self, seed: int = 0, inputs: list | None = None, raise_on_drift: bool = True):
        self.seed = seed
        self.inputs = inputs
        self.reference: list | None = None
        self.raise_on_drift = raise_on_drift
        self.drift: SemanticsDrift | None = None
        self.skipped = ""
        self.checked: list[str] = []

    def _run(self, module):
        from ir import interpreter
        from ir.dialects.builtin import ModuleOp

        func = module.main if isinstance(module, ModuleOp) else module
        args = list(func.body.args)
        if len(args) > len(self.inputs) and not func.function_type.results:
            # a loop-level host function: inputs, then output buffers it writes (destination passing)
            from ir.types import FloatType, to_numpy_dtype

            outs = []
            for a in args[len(self.inputs) :]:
                fill = np.nan if isinstance(a.type.element_type, FloatType) else 0
                outs.append(np.full(a.type.shape, fill, dtype=to_numpy_dtype(a.type.element_type)))
            interpreter.Interpreter().run_function(func, [np.array(x, copy=True) for x in self.inputs] + outs)
            return outs
        return interpreter.run(func, self.inputs)

    def run_started(self, module, pipeline, ctx) -> None:
        from ir.dialects.builtin import ModuleOp

        func = module.main if isinstance(module, ModuleOp) else module
        if self.inputs is None:
            from ir.inputs import random_inputs

            self.inputs = random_inputs(func, self.seed)
        try:
            self.reference = self._run(module)
        except UserError as e:
            self.skipped = f"check-semantics skipped: the input does not interpret ({e})"
            self.reference = None

    def after_pass(self, p, index, op, root, ctx, changed) -> None:
        if self.reference is None or self.drift is not None:
            return
        try:
            got = self._run(root)
        except UserError as e:
            self.skipped = f"check-semantics stopped after pass '{p.name}': IR no longer interprets ({e})"
            self.reference = None
            return
        ok, detail = compare_outputs(self.reference, got, lowest_float_precision(root))
        self.checked.append(p.name)
        if not ok:
            self.drift = SemanticsDrift(
                f"check-semantics: pass '{p.name}' (#{index + 1}) changed the results: {detail}",
                p.name,
                index,
            )
            if self.raise_on_drift:
                raise self.drift
