"""Turns a loop-level module's host function into the runtime's Plan (buffers, memory plan, launch list).

The host function follows the lowering contract: memref arguments (inputs, then outputs), then only
`loop.weight`, `loop.alloc`, `loop.view`, `loop.call` and `func.return`. The memory plan is the one
the `plan-memory` pass recorded on the IR (`zg.offset` on each alloc, `zg.arena_bytes` and
`zg.unplanned_bytes` on the host function); this module only reads it.
"""

from __future__ import annotations

import numpy as np

from ir.core import Operation, Value
from ir.dialects.loop_layouts import ARENA_ATTR, OFFSET_ATTR, UNPLANNED_ATTR
from ir.errors import UserError
from ir.types import MemRefType, to_numpy_dtype
from runtime.plan import BufferSpec, Launch, Plan


def kernel_signature(kernel: Operation) -> dict:
    """What a loop.kernel was compiled for, as the plan and the object code record it: its argument
    count, the bytes each argument points at, and its parallel range."""
    arg_bytes = []
    for a in kernel.body.args:
        t = a.type
        if isinstance(t, MemRefType):
            n = int(np.dtype(to_numpy_dtype(t.element_type)).itemsize)
            for d in t.shape:
                n *= int(d)
        else:
            n = int(np.dtype(to_numpy_dtype(t)).itemsize)
        arg_bytes.append(n)
    rng = kernel.attributes.get("zg.parallel_range")
    return {
        "arity": len(arg_bytes),
        "arg_bytes": arg_bytes,
        "range": int(rng.value) if rng is not None else 1,
    }


def _names(func: Operation, key: str, default_prefix: str, n: int) -> list[str]:
    a = func.attributes.get(key)
    names = [x.value for x in a.value] if a is not None else []
    return names if len(names) == n else [f"{default_prefix}{i}" for i in range(n)]


def build_plan(module: Operation, threads: int = 1) -> tuple[Plan, dict[str, bytes], dict]:
    """(plan, weight bytes by section name, memory statistics) for the module's `main` host function."""
    func = module.main
    kernels = {op.properties["sym_name"].value: op for op in module.body.ops if op.name == "loop.kernel"}
    args = list(func.body.args)
    n_in = len(func.attributes["zg.input_names"].value) if "zg.input_names" in func.attributes else None
    if n_in is None:
        raise UserError("host function lacks zg.input_names; was it lowered by the driver's pipeline?")
    in_names = _names(func, "zg.input_names", "input", n_in)
    out_names = _names(func, "zg.output_names", "output", len(args) - n_in)
    names: dict[Value, str] = {}
    buffers: dict[str, BufferSpec] = {}

    def spec(v: Value, name: str, kind: str, **kw) -> None:
        t = v.type
        if not isinstance(t, MemRefType):
            raise UserError(f"host value {name} has type {t}, expected a memref")
        names[v] = name
        buffers[name] = BufferSpec(name, to_numpy_dtype(t.element_type).name, list(t.shape), kind, **kw)

    for i, a in enumerate(args):
        spec(a, in_names[i] if i < n_in else out_names[i - n_in], "input" if i < n_in else "output")
    if ARENA_ATTR not in func.attributes:
        raise UserError("host function has no memory plan (zg.arena_bytes); run the plan-memory pass first")
    weights: dict[str, bytes] = {}
    launches: list[Launch] = []
    for op in func.body.ops:
        if op.name == "loop.weight":
            name = f"w{len(weights)}"
            spec(op.result, name, "weight", section=name)
            weights[name] = np.ascontiguousarray(op.properties["value"].array).tobytes()
        elif op.name == "loop.alloc":
            off = op.attributes.get(OFFSET_ATTR)
            if off is None:
                raise UserError(
                    f"{op.name} has no {OFFSET_ATTR}; run the plan-memory pass after the last alloc"
                )
            spec(op.result, f"t{len(buffers)}", "activation", offset=int(off.value))
        elif op.name == "loop.view":
            src = names[op.operands[0]]
            root = buffers[src].alias_of or src
            spec(op.result, f"v{len(buffers)}", buffers[root].kind, alias_of=root)
        elif op.name == "loop.call":
            callee = op.properties["callee"].value
            k = kernels.get(callee)
            if k is None:
                raise UserError(f"host function calls unknown kernel @{callee}")
            rng = k.attributes.get("zg.parallel_range")
            arg_names = [names[v] for v in op.operands]
            launches.append(
                Launch(
                    callee, arg_names, int(rng.value) if rng is not None else 1, callee, list(k.provenance)
                )
            )
        elif op.name == "func.return":
            continue
        else:
            raise UserError(f"host function holds '{op.name}'; only weight/alloc/view/call are allowed there")
    arena = int(func.attributes[ARENA_ATTR].value)
    unplanned = func.attributes.get(UNPLANNED_ATTR)
    for b in buffers.values():  # a view of an activation points at its root's offset
        if b.alias_of and buffers[b.alias_of].kind == "activation":
            b.offset = buffers[b.alias_of].offset
    signatures = {
        name: kernel_signature(kernels[name]) for name in dict.fromkeys(la.kernel for la in launches)
    }
    plan = Plan(in_names, out_names, buffers, launches, arena, [], {}, threads, signatures)
    try:
        plan.validate()
    except ValueError as e:
        raise UserError(f"the compiled plan is inconsistent: {e}") from None
    stats = {
        "arena_bytes": arena,
        "unplanned_bytes": int(unplanned.value) if unplanned is not None else arena,
        "weights_bytes": sum(map(len, weights.values())),
    }
    return plan, weights, stats
