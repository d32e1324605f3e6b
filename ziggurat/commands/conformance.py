"""`ziggurat conformance onnx-node`: onnx's node test cases for every op type we import, per-op pass/fail/unsupported.

Each case's model is imported, compiled for the CPU (`--target cpu`) or run by the interpreter
(`--target interp`, the default) on its inputs, and compared with its expected outputs under
`ir.tolerance`'s policy (or the case's own rtol when that is looser: onnx's runner judges by it). Cases that
use an op outside our set, or that the compiler refuses with UnsupportedError, are counted as unsupported,
not failed.
"""

from __future__ import annotations

import re
import sys
import warnings
from dataclasses import dataclass, field

import numpy as np

from ir.errors import UnsupportedError, UserError

TARGETS = ["interp", "cpu"]


def register(sub) -> None:
    p = sub.add_parser("conformance", help="run onnx's node conformance cases for the ops we import")
    p.add_argument("suite", choices=["onnx-node"], help="which conformance suite")
    p.add_argument("--ops", help="comma-separated ONNX op types (default: every op type we import)")
    p.add_argument("--target", choices=TARGETS, default="interp", help="interpreter or compiled for the CPU")
    p.add_argument("-v", "--verbose", action="store_true", help="list every case, not only failures")
    p.set_defaults(func=run)


@dataclass
class OpReport:
    """Results of one op type's cases."""

    passed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    unsupported: list[tuple[str, str]] = field(default_factory=list)


def case_op(case, ours: set[str]) -> str:
    """The op type a case tests: the model's op type best matching the case name (test_<op>_...)."""
    types = {n.op_type for n in case.model.graph.node}
    flat = case.name.removeprefix("test_").replace("_", "").lower()
    best = [t for t in types if flat.startswith(t.lower())]
    if best:
        return max(best, key=len)
    guess = [t for t in ours if flat.startswith(t.lower())]
    if guess:
        return max(guess, key=len)
    return case.model.graph.node[0].op_type if case.model.graph.node else "?"


_CASES: list | None = None


def collect_cases():
    """All of onnx's node cases (generated once per process by onnx.backend.test.case.node; onnx keeps
    them in a module-global list, so asking for one op type first would hide the others for good)."""
    global _CASES
    if _CASES is None:
        from onnx.backend.test.case.node import collect_testcases

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                _CASES = list(collect_testcases())
    return _CASES


def run_case(case, target: str = "interp") -> tuple[str, str]:
    """('pass' | 'fail' | 'unsupported', reason) for one case."""
    from ir.onnx_import import import_onnx_model
    from ir.tolerance import compare, tolerance
    from ir.verifier import verify
    from ziggurat.backend import ZigguratBackendRep

    if target not in TARGETS:
        raise UserError(f"unknown target '{target}' (available: {', '.join(TARGETS)})")
    try:
        module = import_onnx_model(case.model, name=case.name)
        verify(module)
    except UnsupportedError as e:
        return "unsupported", _one_line(e)
    except UserError as e:
        return "fail", "import: " + _one_line(e)
    except Exception as e:  # noqa: BLE001 - a crash is a failure to report, not to propagate
        return "fail", f"import crashed: {type(e).__name__}: {_one_line(e)}"
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            rep = ZigguratBackendRep(module, target)
    except UnsupportedError as e:
        return "unsupported", "compile: " + _one_line(e)
    except UserError as e:
        return "fail", "compile: " + _one_line(e)
    except Exception as e:  # noqa: BLE001
        return "fail", f"compile crashed: {type(e).__name__}: {_one_line(e)}"
    for inputs, expected in case.data_sets:
        feeds = [_as_array(x) for x in inputs]
        if any(f is None for f in feeds) or any(_as_array(x) is None for x in expected):
            return "unsupported", "sequence/optional values"
        try:
            with np.errstate(all="ignore"):
                outs = list(rep.run(feeds))
        except UserError as e:
            return "fail", "run: " + _one_line(e)
        except Exception as e:  # noqa: BLE001
            return "fail", f"run crashed: {type(e).__name__}: {_one_line(e)}"
        for i, (got, want) in enumerate(zip(outs, expected)):
            want = _as_array(want)
            got = np.asarray(got)
            if got.dtype != want.dtype and not (got.dtype.kind == want.dtype.kind == "f"):
                return "fail", f"output {i}: dtype {got.dtype}, expected {want.dtype}"
            rtol = max(tolerance(want.dtype)[0], case.rtol or 0.0) if want.dtype.kind == "f" else None
            c = compare(f"output {i}", got, want, rtol=rtol)
            if not c.ok:
                return "fail", c.line()
    return "pass", ""


def _as_array(x):
    from onnx import TensorProto, numpy_helper

    if isinstance(x, TensorProto):
        return numpy_helper.to_array(x)
    if isinstance(x, (list, dict)) or x is None:
        return None
    return np.asarray(x)


def _one_line(e) -> str:
    return " ".join(str(e).split())[:300]


def run_conformance(ops: list[str] | None, target: str = "interp", out=None, verbose: bool = False):
    """Runs the suite and prints the report (to `out`, default stdout); returns (passed, failed, unsupported)."""
    out = sys.stdout if out is None else out
    import ir.dialects  # noqa: F401
    from ir.dialects.graph import onnx_op_types
    from ir.onnx_import import is_supported_node

    ours = set(onnx_op_types())
    if ops is not None:
        unknown = [o for o in ops if o not in ours]
        if unknown:
            raise UserError(f"--ops: no graph op for {', '.join(unknown)} (we import {len(ours)} op types)")
    cases = collect_cases()
    reports: dict[str, OpReport] = {}
    for case in cases:
        if case.model is None or not case.model.graph.node:
            continue
        op = case_op(case, ours)
        if op not in ours or (ops is not None and op not in ops):
            continue
        rep = reports.setdefault(op, OpReport())
        foreign = sorted(
            {n.op_type for n in case.model.graph.node if not is_supported_node(n.op_type, n.domain)}
        )
        if foreign:
            rep.unsupported.append((case.name, "uses " + ", ".join(foreign)))
            continue
        status, reason = run_case(case, target)
        if status == "pass":
            rep.passed.append(case.name)
        elif status == "fail":
            rep.failed.append((case.name, reason))
        else:
            rep.unsupported.append((case.name, reason))
    n_pass = n_fail = n_unsup = 0
    for op in sorted(reports):
        r = reports[op]
        n_pass, n_fail, n_unsup = n_pass + len(r.passed), n_fail + len(r.failed), n_unsup + len(r.unsupported)
        out.write(f"{op}: {len(r.passed)} passed, {len(r.failed)} failed, {len(r.unsupported)} unsupported\n")
        for name, reason in r.failed:
            out.write(f"  FAIL {name}: {reason}\n")
        if verbose:
            for name, reason in r.unsupported:
                out.write(f"  unsupported {name}: {reason}\n")
            for name in r.passed:
                out.write(f"  pass {name}\n")
    out.write(f"{n_unsup} unsupported\n")
    out.write(f"{n_pass} passed, {n_fail} failed\n")
    return n_pass, n_fail, n_unsup


def run(args) -> int:
    ops = [o.strip() for o in re.split(r"[,\s]+", args.ops) if o.strip()] if args.ops else None
    _, failed, _ = run_conformance(ops, args.target, verbose=args.verbose)
    return 1 if failed else 0
