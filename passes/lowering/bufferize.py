"""`bufferize`: a tensor-level module -> the loop-level module of the lowering contract.

Each tensor op (or each chain of one fusion group, see `kernel_groups`) becomes a `loop.kernel @kN`
whose arguments are its input buffers then its output buffer. At this stage the kernel body still
holds the tensor ops, bridged by `loop.to_tensor` (argument -> tensor) and `loop.materialize` (tensor ->
output argument); `lower-tensor-to-loops` turns the bodies into loop nests. The host `func.func @main`
takes memref arguments (inputs, then outputs) and holds only loop.weight (graph.constant and non-splat
arith.constant operands), loop.alloc (intermediates), loop.view (tensor.reshape_static: an alias, no
kernel), loop.call per kernel and `func.return`.

Outputs are written in place: the last kernel producing an output writes the output argument; an
output that is a view, an input, a weight or returned twice gets a copy kernel.

In-place elementwise: when a kernel is one all-parallel elementwise generic whose input and output
maps are identities of one type, and an input lives in an alloc'd buffer no later op reads (through
any alias), the kernel writes into that buffer instead of a new alloc (the call passes the same buffer
twice; the statistic `in-place` counts them). Nothing is recorded on the alloc: the buffer simply is
reused, so the driver's planner needs no alias for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ir.attributes import ArrayAttr, DenseElementsAttr, IntegerAttr, StringAttr
from ir.core import Block, Operation, Value
from ir.dialects import arith, loop, tensor
from ir.dialects.builtin import FuncOp, ModuleOp, ReturnOp
from ir.types import MemRefType, TensorType, i64
from passes.pass_base import Pass, PassContext, PassError
from passes.registry import register_pass

FUSION_GROUP = "zg.fusion_group"


def memref_of(t: TensorType) -> MemRefType:
    return MemRefType(tuple(t.shape), t.element_type)


def is_identity_map(m) -> bool:
    """d0, d1, ... -> (d0, d1, ...)."""
    from ir.affine import AffineDim

    return m.num_dims == len(m.results) and all(
        isinstance(e, AffineDim) and e.position == i for i, e in enumerate(m.results)
    )


def _is_virtual(op: Operation) -> bool:
    """Ops cloned into each kernel that uses them rather than given a buffer (splat inits, empties)."""
    if isinstance(op, tensor.EmptyOp):
        return True
    if isinstance(op, arith.ConstantOp):
        v = op.properties["value"]
        return not isinstance(v, DenseElementsAttr) or bool(
            v.array.size == 0 or (v.array == v.array.flat[0]).all()
        )
    return False


def _is_constant(op: Operation) -> bool:
    return op.name == "graph.constant" or isinstance(op, arith.ConstantOp)


def is_inplace_elementwise(op: Operation) -> bool:
    """An all-parallel generic with identity maps and one output of the inputs' type."""
    if not isinstance(op, tensor.GenericOp) or len(op.outputs) != 1:
        return False
    if any(t != tensor.PARALLEL for t in op.iterator_types):
        return False
    if any(not is_identity_map(m) for m in op.indexing_maps):
        return False
    return True


def _chain_member(prev: Operation, op: Operation) -> bool:
    """`op` can run as an elementwise epilogue of `prev` in one loop nest."""
    if not isinstance(op, tensor.GenericOp) or len(op.results) != 1 or len(prev.results) != 1:
        return False
    if any(t != tensor.PARALLEL for t in op.iterator_types):
        return False
    r = prev.results[0]
    if len(r.users) != 1 or op.result.type.shape != r.type.shape:
        return False
    n_in = len(op.inputs)
    uses = [i for i, v in enumerate(op.inputs) if v is r]
    if (
        len(uses) != 1
        or not is_identity_map(op.indexing_maps[uses[0]])
        or not is_identity_map(op.indexing_maps[n_in])
    ):
        return False
    # the epilogue must not read its own init (the chain writes one buffer)
    return not op.regions[0].block.args[n_in].has_uses


@dataclass
class Group:
    ops: list[Operation]


def kernel_groups(ops: list[Operation]) -> list[Group]:
    """Compute ops (in order) grouped into kernels: consecutive ops of one zg.fusion_group that form a
    chain (a first op, then all-parallel generics each consuming the previous result at the same
    index) share a kernel; anything else gets a kernel of its own."""
    groups: list[Group] = []
    for op in ops:
        g = op.attributes.get(FUSION_GROUP)
        if groups:
            last = groups[-1].ops[-1]
            lg = last.attributes.get(FUSION_GROUP)
            if g is not None and lg is not None and g == lg and _chain_member(last, op):
                groups[-1].ops.append(op)
                continue
        groups.append(Group([op]))
    return groups


class _Bufferizer:
    def __init__(self, module: ModuleOp, func: FuncOp, ctx: PassContext):
        self.module, self.func, self.ctx = module, func, ctx
        self.buf: dict[Value, Value] = {}  # tensor value -> memref value in the new main
        self.root: dict[Value, Value] = {}  # memref -> the buffer it aliases (alloc/arg/weight)
        self.kernels: list[loop.KernelOp] = []
        self.host = Block()

    def emit(self, op: Operation) -> Operation:
        self.host.append(op)
        return op

    def weight(self, v: Value) -> Value:
        op = v.owner
        arr = op.properties["value"]
        dense = arr if isinstance(arr, DenseElementsAttr) else None
        if dense is None:
            raise PassError(f"cannot bufferize constant {op.name}")
        w = self.emit(loop.WeightOp.build(value=dense, provenance=op.provenance))
        self.buf[v] = w.result
        self.root[w.result] = w.result
        return w.result

    def buffer_of(self, v: Value) -> Value:
        if v in self.buf:
            return self.buf[v]
        op = v.defining_op
        if op is not None and _is_constant(op):
            return self.weight(v)
        raise PassError(f"no buffer for a value of type {v.type}")

    def new_kernel(self, in_bufs, out_types, provenance, attrs=None) -> loop.KernelOp:
        name = f"k{len(self.kernels)}"
        k = loop.KernelOp.create(name, [b.type for b in in_bufs] + list(out_types))
        k.provenance = tuple(provenance)
        k.attributes[loop.PARALLEL_RANGE_ATTR] = IntegerAttr(1, i64)
        for key, val in (attrs or {}).items():
            k.attributes[key] = val
        self.kernels.append(k)
        return k

    def run(self) -> FuncOp:
        f = self.func
        ret = f.return_op
        outs = list(ret.operands)
        in_types = [memref_of(a.type) for a in f.args]
        out_types = [memref_of(v.type) for v in outs]
        new = FuncOp.create(f.sym_name, in_types + out_types, [], provenance=f.provenance)
        for k, a in f.attributes.items():
            new.attributes[k] = a
        self.host = new.body
        n_in = len(f.args)
        for a, m in zip(f.args, new.args[:n_in]):
            self.buf[a] = m
            self.root[m] = m
        out_args = list(new.args[n_in:])

        body = [op for op in f.body.ops if op is not ret]
        order = {op: i for i, op in enumerate(body)}
        last_use: dict[Value, int] = {}
        for op in body:
            for v in op.operands:
                last_use[v] = order[op]
        for v in outs:
            last_use[v] = len(body) + 1
        # which returned value each output argument takes directly (first occurrence only)
        direct: dict[Value, Value] = {}
        for v, arg in zip(outs, out_args):
            d = v.defining_op
            if d is None or _is_constant(d) or isinstance(d, tensor.ReshapeStaticOp) or v in direct:
                continue
            direct[v] = arg
            self.root[arg] = arg

        compute = [op for op in body if not (_is_constant(op) or _is_virtual(op))]
        groups = kernel_groups([op for op in compute if not isinstance(op, tensor.ReshapeStaticOp)])
        group_of = {g.ops[0]: g for g in groups}
        for op in compute:
            if isinstance(op, tensor.ReshapeStaticOp):
                src = self.buffer_of(op.input)
                view = self.emit(
                    loop.ViewOp.build(src, result_types=[memref_of(op.result.type)], provenance=op.provenance)
                )
                self.buf[op.result] = view.result
                self.root[view.result] = self.root[src]
                continue
            if op in group_of:
                self.lower_group(group_of[op], order, last_use, direct)
        # copies for outputs not written directly
        for v, arg in zip(outs, out_args):
            if direct.get(v) is arg:
                continue
            src = self.buffer_of(v)
            k = self.new_kernel([src], [arg.type], v.defining_op.provenance if v.defining_op else ())
            kb = k.body
            t = kb.append(loop.ToTensorOp.build(kb.args[0]))
            kb.append(loop.MaterializeOp.build(t.result, kb.args[1]))
            kb.append(loop.ReturnOp.build([]))
            self.emit(
                loop.CallOp.build([src, arg], result_types=[], callee=k.sym_name, provenance=k.provenance)
            )
            self.ctx.stat("copy-kernels")
        self.emit(ReturnOp.build([]))
        return new

    def lower_group(self, g: Group, order, last_use, direct) -> None:
        ops = g.ops
        inside = set(ops)
        external: list[Value] = []
        virtual: list[Operation] = []
        for op in ops:
            for v in op.operands:
                d = v.defining_op
                if d in inside or v in external:
                    continue
                if d is not None and _is_virtual(d):
                    if d not in virtual:
                        virtual.append(d)
                    continue
                external.append(v)
        results = list(ops[-1].results)
        in_bufs = [self.buffer_of(v) for v in external]
        out_bufs: list[Value] = []
        end = order[ops[-1]]
        for r in results:
            if r in direct:
                out_bufs.append(direct[r])
                continue
            reuse = None
            if (
                len(ops) == 1
                and is_inplace_elementwise(ops[0])
                or all(is_inplace_elementwise(o) for o in ops)
            ):
                for v, b in zip(external, in_bufs):
                    if v.type != r.type or b in out_bufs:
                        continue
                    root = self.root[b]
                    if root.defining_op is None or not isinstance(root.defining_op, loop.AllocOp):
                        continue
                    alive = [
                        u
                        for u, m in self.buf.items()
                        if self.root.get(m) is root and last_use.get(u, -1) > end
                    ]
                    if not alive and all(
                        is_identity_map(o.indexing_maps[list(o.inputs).index(v)])
                        for o in ops
                        if v in o.inputs
                    ):
                        reuse = b
                        break
            if reuse is not None and reuse.type == memref_of(r.type):
                out_bufs.append(reuse)
                self.ctx.stat("in-place")
                continue
            a = self.emit(
                loop.AllocOp.build(
                    result_types=[memref_of(r.type)], alignment=64, provenance=ops[-1].provenance
                )
            )
            self.root[a.result] = a.result
            out_bufs.append(a.result)
        prov = tuple(dict.fromkeys(p for o in ops for p in o.provenance))
        attrs = {}
        if FUSION_GROUP in ops[0].attributes:
            attrs[FUSION_GROUP] = ops[0].attributes[FUSION_GROUP]
        attrs["zg.ops"] = ArrayAttr(tuple(StringAttr(o.name) for o in ops))
        k = self.new_kernel(in_bufs, [b.type for b in out_bufs], prov, attrs)
        kb = k.body
        mapping: dict[Value, Value] = {}
        for v, a in zip(external, kb.args):
            t = kb.append(loop.ToTensorOp.build(a, provenance=prov))
            mapping[v] = t.result
        for d in virtual:
            c = d.clone(mapping)
            kb.append(c)
            for x, y in zip(d.results, c.results):
                mapping[x] = y
        for op in ops:
            c = op.clone(mapping)
            kb.append(c)
            for x, y in zip(op.results, c.results):
                mapping[x] = y
        for r, a in zip(results, kb.args[len(external) :]):
            kb.append(loop.MaterializeOp.build(mapping[r], a, provenance=prov))
        kb.append(loop.ReturnOp.build([]))
        self.emit(
            loop.CallOp.build([*in_bufs, *out_bufs], result_types=[], callee=k.sym_name, provenance=prov)
        )
        for r, b in zip(results, out_bufs):
            self.buf[r] = b
            self.root.setdefault(b, b)
        self.ctx.stat("kernels")


def bufferize_module(module: ModuleOp, ctx: PassContext | None = None) -> ModuleOp:
    """Rewrites `module` (its entry function at the tensor level) in place to the loop level."""
    ctx = ctx or PassContext()
    func = module.main
    if any(isinstance(a.type, MemRefType) for a in func.args):
        return module
    b = _Bufferizer(module, func, ctx)
    new = b.run()
    for k in b.kernels:
        module.body.insert_before(func, k)
    module.body.insert_before(func, new)
    func.detach()
    func.regions[0].blocks[0].ops  # noqa: B018
    for op in list(func.walk(post_order=True)):
        op.drop_all_references()
    return module


@register_pass
class Bufferize(Pass):
    name = "bufferize"
    summary = (
        "tensors -> memrefs: one loop.kernel per (fused) tensor op, a host func of weight/alloc/view/call"
    )
    anchor = "builtin.module"

    def run(self, op: Operation, ctx: PassContext) -> bool:
        mods = [op] if isinstance(op, ModuleOp) else [o for o in op.walk() if isinstance(o, ModuleOp)]
        changed = False
        for m in mods:
            main = m.main
            if any(isinstance(a.type, TensorType) for a in main.args) or any(
                isinstance(o, tensor.GenericOp) or o.name.startswith("tensor.") for o in main.body.ops
            ):
                bufferize_module(m, ctx)
                changed = True
        return changed
