"""`lower-tensor-to-loops`: kernel bodies made by `bufferize` (tensor ops between loop.to_tensor and
loop.materialize) -> loop nests over the kernel's memref arguments.

What lowers: tensor.generic (any projected-permutation outputs, affine input maps, reductions in
loop-carried values), tensor.matmul / reduce / transpose / broadcast (through their generic form),
tensor.conv (N-D, strides, dilations, pads by guarded loads, groups), tensor.pool (max, avg with or
without count_include_pad; avg needs dilation 1), tensor.pad_constant, tensor.slice,
tensor.concatenate, and copies (an output that is a kernel input). A chain of elementwise generics
after the first op of a kernel (its fused epilogue) runs on the accumulator before the store.

With `ukernels=true` (-O2), tensor.matmul (B without batch, f32) and 2-D tensor.conv (f32; groups
with enough channels per group) become one loop-level kernel op (`loop.gemm`, `loop.gemv` for M = 1,
`loop.conv2d`; ir/dialects/loop_kernels.py) whose epilogue region is the kernel's whole elementwise
tail (bias, residual, any activation) when every tail operand is read per channel, per element or as
a splat; otherwise they lower to loops like at -O0. The kernel op's schedule comes from the `target`'s
vector width and register count (ir/target.py; "cpu" is this host).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ir.affine import AffineConst, AffineDim, AffineMap
from ir.attributes import DenseElementsAttr, IntegerAttr
from ir.core import Block, Operation, Value
from ir.dialects import arith, loop, loop_kernels, tensor
from ir.dialects.builtin import ModuleOp
from ir.types import FloatType, TensorType, f32, i64, index
from passes.lowering.loop_nest import (
    Access,
    Epilogue,
    KernelBuilder,
    Nest,
    clone_body,
    emit_nest,
    outer_dim,
)
from passes.pass_base import Pass, PassContext, PassError
from passes.registry import register_pass

P, R = tensor.PARALLEL, tensor.REDUCTION


@dataclass
class _Env:
    """What the tensor values of a kernel body stand for."""

    mem: dict[Value, Value]  # tensor -> memref holding it
    splat: dict[Value, Value]  # tensor -> scalar constant (a splat)
    empty: set[Value]

    def src(self, kb: KernelBuilder, v: Value, exprs) -> Access | Value:
        if v in self.mem:
            return Access(self.mem[v], tuple(exprs))
        if v in self.splat:
            return self.splat[v]
        raise PassError(f"kernel operand of type {v.type} has no buffer (unsupported producer)")

    def init(self, v: Value, exprs) -> Access | Value | None:
        if v in self.empty:
            return None
        if v in self.splat:
            return self.splat[v]
        return Access(self.mem[v], tuple(exprs))


def _scalar_splat(kb: KernelBuilder, op: arith.ConstantOp) -> Value:
    a = op.properties["value"]
    et = op.result.type.element_type
    v = a.array.flat[0] if isinstance(a, DenseElementsAttr) else a.value
    return kb.const(v.item() if hasattr(v, "item") else v, et)


# ----------------------------------------------------------------------------- nests per op


def generic_nest(kb: KernelBuilder, g: tensor.GenericOp, env: _Env, outs: list[Value]) -> Nest:
    maps = g.indexing_maps
    n_in = len(g.inputs)
    shapes = [v.type.shape for v in [*g.inputs, *g.outputs]]
    extents = tensor.loop_bounds(maps, shapes, len(g.iterator_types))
    block = g.regions[0].block
    ins = [
        env.src(kb, v, m.results) if block.args[i].has_uses else None
        for i, (v, m) in enumerate(zip(g.inputs, maps))
    ]
    out_acc = [Access(o, tuple(m.results)) for o, m in zip(outs, maps[n_in:])]
    inits = [env.init(v, m.results) for v, m in zip(g.outputs, maps[n_in:])]
    needed = [block.args[n_in + j].has_uses for j in range(len(outs))]
    for j, init in enumerate(inits):
        if init is None:
            inits[j] = None if not needed[j] else out_acc[j]

    def body(kb, in_vals, accs, ivs):
        return clone_body(kb, block, [*in_vals, *accs], lambda d: ivs[d])

    return Nest(list(extents), list(g.iterator_types), ins, out_acc, inits, body, init_needed=needed)


def generic_epilogue(kb: KernelBuilder, g: tensor.GenericOp, prev: Value, env: _Env) -> Epilogue:
    block = g.regions[0].block
    p = list(g.inputs).index(prev)
    ins = [
        None if i == p or not block.args[i].has_uses else env.src(kb, v, m.results)
        for i, (v, m) in enumerate(zip(g.inputs, g.indexing_maps))
    ]

    def body(kb, accs, extra, ivs):
        args = list(extra)
        args[p] = accs[0]
        return clone_body(kb, block, [*args, None], lambda d: ivs[d])

    return Epilogue(ins, body)


def _mul_add(kb, et, acc, a, b):
    fl = isinstance(et, FloatType)
    m = kb.emit((arith.MulFOp if fl else arith.MulIOp).build(a, b))
    return kb.emit((arith.AddFOp if fl else arith.AddIOp).build(acc, m))


def conv_nest(kb: KernelBuilder, op: tensor.ConvOp, env: _Env, out: Value) -> Nest:
    x, w = op.X, op.W
    r = x.type.rank - 2
    strides, dilations, pads = tensor._window_attrs(op, r)
    g = op.group
    n, c = x.type.shape[:2]
    f = w.type.shape[0]
    cg, fg = c // g, f // g
    kshape = list(w.type.shape[2:])
    rt = op.result.type
    et = rt.element_type
    # dims: n, f, o_0.., c (per group), k_0..
    nd = 3 + 2 * r
    od, cd, kd = list(range(2, 2 + r)), 2 + r, list(range(3 + r, 3 + 2 * r))
    chan = AffineDim(cd) if g == 1 else (AffineDim(1).floordiv(fg) * cg + AffineDim(cd))
    sp = tuple(
        AffineDim(o) * s + AffineDim(k) * d + (-p)
        for o, k, s, d, p in zip(od, kd, strides, dilations, pads[:r])
    )
    xa = env.src(kb, x, (AffineDim(0), chan, *sp))
    if isinstance(xa, Access) and any(pads):
        xa.pad = 0.0 if isinstance(et, FloatType) else 0
    wa = env.src(kb, w, (AffineDim(1), AffineDim(cd), *(AffineDim(k) for k in kd)))
    extents = [n, f, *rt.shape[2:], cg, *kshape]
    oexprs = tuple(AffineDim(i) for i in range(2 + r))

    def body(kb, ins, accs, ivs):
        return [_mul_add(kb, et, accs[0], ins[0], ins[1])]

    iters = [P] * (2 + r) + [R] * (1 + r)
    zero = kb.const(0, et)
    del nd
    return Nest(extents, iters, [xa, wa], [Access(out, oexprs)], [zero], body)


def pool_nest(kb: KernelBuilder, op: tensor.PoolOp, env: _Env, out: Value) -> Nest:
    x = op.X
    r = len(op.kernel)
    strides, dilations, pads = tensor._window_attrs(op, r)
    rt = op.result.type
    et = rt.element_type
    lead = rt.rank - r
    od = list(range(lead, lead + r))
    kd = list(range(lead + r, lead + 2 * r))
    sp = tuple(
        AffineDim(o) * s + AffineDim(k) * d + (-p)
        for o, k, s, d, p in zip(od, kd, strides, dilations, pads[:r])
    )
    init_v = tensor._identity_value(op.kind, et)
    xa = env.src(kb, x, (*(AffineDim(i) for i in range(lead)), *sp))
    if isinstance(xa, Access):
        xa.pad = init_v
    extents = [*rt.shape, *op.kernel]
    kind = op.kind

    def body(kb, ins, accs, ivs):
        return [tensor._combine(kb.emit, kind, et, accs[0], ins[0])]

    nest = Nest(
        extents,
        [P] * (lead + r) + [R] * r,
        [xa],
        [Access(out, tuple(AffineDim(i) for i in range(lead + r)))],
        [kb.const(init_v, et)],
        body,
    )
    if kind == "avg":
        if any(d != 1 for d in dilations):
            raise PassError("average pooling with dilation is not supported by lower-tensor-to-loops")
        sizes = x.type.shape[-r:]
        kern = op.kernel

        def divide(kb, accs, extra, ivs):
            cnt = None
            for i in range(r):
                start = kb.expr(AffineDim(od[i]) * strides[i] + (-pads[i]), ivs)
                lo_b = -pads[i] if op.count_include_pad else 0
                hi_b = sizes[i] + pads[r + i] if op.count_include_pad else sizes[i]
                hi = kb.emit(
                    arith.MinSIOp.build(kb.emit(arith.AddIOp.build(start, kb.const(kern[i]))), kb.const(hi_b))
                )
                lo = kb.emit(arith.MaxSIOp.build(start, kb.const(lo_b)))
                span = kb.emit(arith.SubIOp.build(hi, lo))
                cnt = span if cnt is None else kb.emit(arith.MulIOp.build(cnt, span))
            ci = kb.emit(arith.IndexCastOp.build(cnt, result_types=[i64]))
            if isinstance(et, FloatType):
                cf = kb.emit(arith.SIToFPOp.build(ci, result_types=[et]))
                return [kb.emit(arith.DivFOp.build(accs[0], cf))]
            ce = kb.emit(arith.TruncIOp.build(ci, result_types=[et])) if et != i64 else ci
            return [kb.emit(arith.DivSIOp.build(accs[0], ce))]

        nest.epilogues.append(Epilogue([], divide))
    return nest


def pad_nest(kb: KernelBuilder, op: tensor.PadConstantOp, env: _Env, out: Value) -> Nest:
    rt = op.result.type
    xa = env.src(kb, op.input, tuple(AffineDim(i) + (-lo) for i, lo in enumerate(op.low)))
    if isinstance(xa, Access):
        xa.pad = op.value if isinstance(rt.element_type, FloatType) else int(op.value)
    ident = tuple(AffineDim(i) for i in range(rt.rank))
    return Nest(list(rt.shape), [P] * rt.rank, [xa], [Access(out, ident)], [None], lambda kb, i, a, v: [i[0]])


def slice_nest(kb: KernelBuilder, op: tensor.SliceOp, env: _Env, out: Value) -> Nest:
    rt = op.result.type
    exprs = tuple(AffineDim(i) * st + o for i, (o, st) in enumerate(zip(op.offsets, op.strides)))
    xa = env.src(kb, op.input, exprs)
    ident = tuple(AffineDim(i) for i in range(rt.rank))
    return Nest(list(rt.shape), [P] * rt.rank, [xa], [Access(out, ident)], [None], lambda kb, i, a, v: [i[0]])


def copy_nest(kb: KernelBuilder, src: Value, out: Value) -> Nest:
    t = out.type
    ident = tuple(AffineDim(i) for i in range(t.rank))
    return Nest(
        list(t.shape),
        [P] * t.rank,
        [Access(src, ident)],
        [Access(out, ident)],
        [None],
        lambda kb, i, a, v: [i[0]],
    )


def emit_concat(kb: KernelBuilder, op: tensor.ConcatenateOp, env: _Env, out: Value) -> None:
    rt = op.result.type
    axis = op.dim
    iters = [P] * rt.rank
    ext = list(rt.shape)
    ext[axis] = 0
    p = outer_dim(ext, iters, [axis])
    bound = {}
    f = None
    if p is not None:
        f = kb.for_loop(0, rt.shape[p], 1, parallel=True)
        bound[p] = f.induction_var
    off = 0
    for v in op.inputs:
        shape = v.type.shape
        ident = tuple(AffineDim(i) for i in range(rt.rank))
        oexprs = tuple(AffineDim(i) + off if i == axis else AffineDim(i) for i in range(rt.rank))
        nest = Nest(list(shape), iters, [env.src(kb, v, ident)], [Access(out, oexprs)], [None],
                    lambda kb, i, a, vv: [i[0]])  # fmt: skip
        emit_nest(kb, nest, bound)
        off += shape[axis]
    if f is not None:
        kb.close(f)


# ----------------------------------------------------------------------------- micro-kernels


def _channel_map(m: AffineMap, v: Value, chan: int) -> bool:
    """`v` is read once per output channel `chan` (its other indexed dims have size 1)."""
    nonconst = [e for e in m.results if not isinstance(e, AffineConst)]
    return nonconst == [AffineDim(chan)] and all(
        s == 1 for e, s in zip(m.results, v.type.shape) if isinstance(e, AffineConst)
    )


def _epilogue(chain: list[Operation], chan: int, out: Value, env: _Env):
    """(extras [(memref, kind)], body) when the elementwise chain after chain[0] can run as a kernel op's
    epilogue: each generic reads the previous result through the identity map, its other inputs per
    output channel, per element (laid out like the output) or as splat constants, and its body is
    arith/math scalar code. `body(emit, acc, *extras)` rebuilds the whole chain as one scalar formula."""
    rt = chain[0].result.type
    ident = AffineMap.identity(rt.rank)
    extras: list[tuple[Value, str]] = []
    steps = []  # (generic, [source of each input: "acc" | extra index | splat constant op])
    prev = chain[0].result
    for g in chain[1:]:
        block = g.regions[0].block
        if len(g.outputs) != 1 or block.args[-1].uses or g.results[0].type != rt:
            return None
        if any(t != P for t in g.iterator_types) or g.indexing_maps[-1] != ident:
            return None
        if any(o.regions or not o.name.startswith(("arith.", "math.")) for o in block.ops[:-1]):
            return None
        srcs: list = []
        for v, m in zip(g.inputs, g.indexing_maps):
            if v is prev and m == ident:
                srcs.append("acc")
            elif v in env.splat and isinstance(env.splat[v].defining_op, arith.ConstantOp):
                srcs.append(env.splat[v].defining_op)
            elif v in env.mem and env.mem[v] is not out:
                mem = env.mem[v]
                if m == ident and v.type.shape == rt.shape:
                    kind = "full"
                elif _channel_map(m, v, chan):
                    kind = "channel"
                else:
                    return None
                if (mem, kind) not in extras:
                    extras.append((mem, kind))
                srcs.append(extras.index((mem, kind)))
            else:
                return None
        if "acc" not in srcs:
            return None
        steps.append((g, srcs))
        prev = g.result

    def body(emit, acc, *xs):
        cur = acc
        for g, srcs in steps:
            block = g.regions[0].block
            mapping: dict[Value, Value] = {}
            for a, src in zip(block.args, srcs):
                if src == "acc":
                    mapping[a] = cur
                elif isinstance(src, int):
                    mapping[a] = xs[src]
                else:
                    mapping[a] = emit(src.clone())
            for o in block.ops[:-1]:
                for v in o.operands:  # scalar constants defined outside the body: copy them in
                    if v not in mapping and v.defining_op is not None and v.defining_op.parent is not block:
                        mapping[v] = emit(v.defining_op.clone())
                emit(o.clone(mapping))
            (y,) = block.ops[-1].operands
            cur = mapping.get(y, y)
        return cur

    return extras, body


def _grouped_ok(op: tensor.ConvOp) -> bool:
    """A grouped conv the conv2d micro-kernel runs group by group: batch 1, at least 4 input and 8
    output channels per group (depthwise convolutions would pad 1 channel to 8 and stay loops)."""
    n, c = op.X.type.shape[:2]
    f, g = op.W.type.shape[0], op.group
    return n == 1 and c // g >= 4 and f // g >= 8 and g <= 16


def try_kernel_op(
    kb: KernelBuilder, chain: list[Operation], env: _Env, out: Value, kernel, target: tuple[int, int]
) -> bool:
    """Lowers a matmul/conv chain to one loop.gemm / loop.gemv / loop.conv2d with the chain's elementwise
    tail as its epilogue; False (nothing emitted) when the chain does not fit a micro-kernel."""
    op = chain[0]
    if not isinstance(op, (tensor.MatmulOp, tensor.ConvOp)):
        return False
    rt = op.result.type
    if rt.element_type != f32 or op.operands[0] not in env.mem or op.operands[1] not in env.mem:
        return False
    if isinstance(op, tensor.MatmulOp):
        a, b = op.A.type, op.B.type
        if any(s != 1 for s in b.shape[:-2]) or a.element_type != f32:
            return False
        chan = rt.rank - 1
    elif isinstance(op, tensor.ConvOp):
        if op.X.type.rank != 4 or (op.group != 1 and not _grouped_ok(op)):
            return False
        chan = 1
    else:
        return False
    ep = _epilogue(chain, chan, out, env)
    if ep is None:
        return False
    extras, body = ep
    x, w = env.mem[op.operands[0]], env.mem[op.operands[1]]
    mems, kinds = [e for e, _ in extras], [k for _, k in extras]
    vf, vr = target
    prov = chain[-1].provenance if len(chain) > 1 else op.provenance
    prov = tuple(dict.fromkeys((*op.provenance, *prov)))
    if isinstance(op, tensor.MatmulOp) and int(np.prod(a.shape[:-1])) == 1:
        kop = loop_kernels.GemvOp.create(x, w, mems, out, kinds, body, prov, n=b.shape[-1], k=a.shape[-1],
                                         **loop_kernels.default_gemv_schedule(vf, vr, b.shape[-1]))  # fmt: skip
    elif isinstance(op, tensor.MatmulOp):
        kop = loop_kernels.GemmOp.create(x, w, mems, out, kinds, body, prov, m=int(np.prod(a.shape[:-1])),
                                         n=b.shape[-1], k=a.shape[-1],
                                         **loop_kernels.default_gemm_schedule(vf, vr, b.shape[-1]))  # fmt: skip
    else:
        strides, dilations, pads = tensor._window_attrs(op, 2)
        kop = loop_kernels.Conv2dOp.create(
            x, w, mems, out, kinds, body, prov, strides=strides, dilations=dilations,
            pads=[pads[0], pads[1], pads[2], pads[3]], kernel=list(op.W.type.shape[2:]), group=op.group,
            **loop_kernels.default_conv_schedule(vf, vr, (op.X.type.shape[1] // op.group, rt.shape[1] // op.group)),
        )  # fmt: skip
    kb.emit(kop)
    kernel.attributes[loop.PARALLEL_RANGE_ATTR] = IntegerAttr(kop.parallel_range(), i64)
    return True


# ----------------------------------------------------------------------------- kernels


def _nest_for(kb: KernelBuilder, op: Operation, env: _Env, outs: list[Value]) -> list[Nest] | None:
    """Nests computing `op` into `outs`; None when `op` was emitted directly (concat)."""
    if isinstance(op, tensor.GenericOp):
        return [generic_nest(kb, op, env, outs)]
    if isinstance(op, tensor.ConvOp):
        return [conv_nest(kb, op, env, outs[0])]
    if isinstance(op, tensor.PoolOp):
        return [pool_nest(kb, op, env, outs[0])]
    if isinstance(op, tensor.PadConstantOp):
        return [pad_nest(kb, op, env, outs[0])]
    if isinstance(op, tensor.SliceOp):
        return [slice_nest(kb, op, env, outs[0])]
    if isinstance(op, tensor.ConcatenateOp):
        emit_concat(kb, op, env, outs[0])
        return None
    if isinstance(op, tensor.StructuredOp):
        # generic form: [inits..., generic, (inits..., elementwise generic)]: a main nest + epilogues
        ops = op.generic_form()
        generics = []
        for o in ops:
            if isinstance(o, tensor.EmptyOp):
                env.empty.add(o.result)
            elif isinstance(o, arith.ConstantOp) and isinstance(o.result.type, TensorType):
                a = o.properties["value"].array
                if a.size and (a == a.flat[0]).all():
                    env.splat[o.result] = _scalar_splat(kb, o)
                else:
                    raise PassError(f"{op.name}: generic form needs a constant buffer")
            elif isinstance(o, tensor.GenericOp):
                generics.append(o)
            else:
                raise PassError(f"{op.name}: cannot lower its generic form ({o.name})")
        if len(generics) == 1:
            return [generic_nest(kb, generics[0], env, outs)]
        main = generic_nest(kb, generics[0], env, outs)
        for prev, g in zip(generics, generics[1:]):
            main.epilogues.append(generic_epilogue(kb, g, prev.results[0], env))
        return [main]
    raise PassError(f"lower-tensor-to-loops: cannot lower '{op.name}'{op.location_str()}")


def lower_kernel(kernel: loop.KernelOp, ukernels: bool, ctx: PassContext, target=(8, 16)) -> bool:
    old = list(kernel.body.ops)
    if not any(isinstance(o, (loop.ToTensorOp, loop.MaterializeOp)) for o in old):
        return False
    entry = Block([a.type for a in kernel.body.args])
    mapping = dict(zip(kernel.body.args, entry.args))
    kb = KernelBuilder(entry, kernel.provenance)
    env = _Env({}, {}, set())
    compute: list[Operation] = []
    mats: list[loop.MaterializeOp] = []
    for o in old:
        if isinstance(o, loop.ToTensorOp):
            env.mem[o.result] = mapping[o.memref]
        elif isinstance(o, tensor.EmptyOp):
            env.empty.add(o.result)
        elif isinstance(o, arith.ConstantOp) and isinstance(o.result.type, TensorType):
            a = o.properties["value"].array
            if not (a.size and (a == a.flat[0]).all()):
                raise PassError("lower-tensor-to-loops: a non-splat constant inside a kernel")
            env.splat[o.result] = _scalar_splat(kb, o)
        elif isinstance(o, arith.ConstantOp):
            c = o.clone()
            kb._const_ops.append(c)
            mapping[o.result] = c.result
        elif isinstance(o, loop.MaterializeOp):
            mats.append(o)
        elif isinstance(o, loop.ReturnOp):
            pass
        else:
            compute.append(o)
    # generic bodies may use kernel-level scalar constants: rewire them
    for o in compute:
        for inner in o.walk():
            for i, v in enumerate(inner.operands):
                if v in mapping and v not in env.mem:
                    inner.set_operand(i, mapping[v])
    outs = [mapping[m.target] for m in mats]
    if not compute:
        for m in mats:
            emit_nest(kb, copy_nest(kb, env.mem[m.source], mapping[m.target]))
    elif not (ukernels and try_kernel_op(kb, compute, env, outs[0], kernel, target)):
        nests = _nest_for(kb, compute[0], env, outs)
        if len(compute) > 1:
            if nests is None or len(nests) != 1 or len(outs) != 1:
                raise PassError("lower-tensor-to-loops: a fused chain must start with a single-result op")
            prev = compute[0].results[0]
            for g in compute[1:]:
                nests[0].epilogues.append(generic_epilogue(kb, g, prev, env))
                prev = g.results[0]
        for n in nests or []:
            emit_nest(kb, n)
        ctx.stat("loop-kernels")
    else:
        ctx.stat("kernel-ops")
    kb.block = entry
    entry.append(loop.ReturnOp.build([]))
    kb.finish()
    region = kernel.regions[0]
    oldb = region.blocks[0]
    for o in reversed(list(oldb.ops)):
        o.drop_all_references()
    region.blocks.clear()
    region.add_block(entry)
    return True


@register_pass
@dataclass(frozen=True)
class LowerTensorToLoops(Pass):
    """Kernel bodies -> loop nests (or loop-level kernel ops for matmul/conv with `ukernels`)."""

    name = "lower-tensor-to-loops"
    summary = "kernel bodies: tensor ops -> loop.for nests with loads/stores; matmul/conv -> kernel ops"
    anchor = "builtin.module"
    ukernels: bool = False
    target: str = "cpu"

    def run(self, op: Operation, ctx: PassContext) -> bool:
        target = _target_shape(self.target)
        changed = False
        for k in [o for o in op.walk() if isinstance(o, loop.KernelOp)]:
            changed |= lower_kernel(k, self.ukernels, ctx, target)
        return changed


def _target_shape(name: str) -> tuple[int, int]:
    """(f32 lanes per vector, vector registers) of the CPU target `name` ("cpu": this host, or a preset
    of ir.target such as "zen3" or "emerald-rapids")."""
    from ir.target import cpu_target

    t = cpu_target(name)
    return t.vector_floats, t.vector_registers


_ = (AffineMap, ModuleOp, index)
