"""The `tensor` dialect: structured ops on tensor values, in the spirit of MLIR's linalg.

- `tensor.generic`: indexing maps, parallel/reduction iterators and a scalar body (ending in
  `tensor.generic_yield`); `tensor.generic_index` reads an iteration index inside the body.
- named specializations that can state their generic form: `tensor.matmul`, `tensor.conv`,
  `tensor.pool`, `tensor.reduce` (and `tensor.transpose`, `tensor.broadcast`).
- data movement: `tensor.transpose`, `tensor.reshape_static`, `tensor.pad_constant`, `tensor.concatenate`,
  `tensor.slice`, `tensor.broadcast`; and upstream's `tensor.empty` (dynamic sizes as index operands).

Only `tensor.empty` shares a name with upstream MLIR's tensor dialect, and it matches upstream exactly;
every other name here is one upstream does not use, so MLIR tools treat those ops as unknown ops.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

from ir import window
from ir.affine import AffineBinary, AffineConst, AffineDim, AffineExpr, AffineMap, AffineSym
from ir.core import Block, Operation, Region, Value
from ir.dialects import arith
from ir.opdef import (
    BOOL,
    FLOAT,
    INT,
    INTS,
    MAPS,
    STRS,
    Pure,
    Terminator,
    attr,
    enum,
    is_tensor,
    operand,
    region,
    result,
)
from ir.types import (
    DYNAMIC,
    FloatType,
    IndexType,
    ShapedType,
    TensorType,
    Type,
    element_type,
    index,
    to_numpy_dtype,
)

PARALLEL, REDUCTION = "parallel", "reduction"

# ----------------------------------------------------------------------------- affine helpers


def _interval(e: AffineExpr, bounds: Sequence[int]) -> tuple[int, int]:
    """The smallest and largest value of `e` with each d_k in [0, bounds[k] - 1]."""
    if isinstance(e, AffineDim):
        return 0, bounds[e.position] - 1
    if isinstance(e, AffineConst):
        return e.value, e.value
    if isinstance(e, AffineSym):
        raise ValueError("symbols are not supported in indexing maps")
    assert isinstance(e, AffineBinary)
    a, b = _interval(e.lhs, bounds), _interval(e.rhs, bounds)
    if e.kind == "+":
        return a[0] + b[0], a[1] + b[1]
    if e.kind == "*":
        c = [x * y for x in a for y in b]
        return min(c), max(c)
    if e.kind == "mod":
        return 0, max(b[1] - 1, 0)
    c = [AffineBinary(e.kind, AffineConst(x), AffineConst(y)).evaluate(()) for x in a for y in b if y != 0]
    return min(c), max(c)


def _uses_dims(e: AffineExpr) -> set[int]:
    if isinstance(e, AffineDim):
        return {e.position}
    if isinstance(e, AffineBinary):
        return _uses_dims(e.lhs) | _uses_dims(e.rhs)
    return set()


def loop_bounds(maps: Sequence[AffineMap], shapes: Sequence[Sequence[int]], num_dims: int) -> list[int]:
    """Each loop dimension's extent, read from the operand dimensions its maps index with a plain d_k.

    Raises ValueError when two operands disagree or a dimension is indexed by no plain d_k."""
    bounds: list[int | None] = [None] * num_dims
    for m, shape in zip(maps, shapes):
        for e, size in zip(m.results, shape):
            if isinstance(e, AffineDim) and size != DYNAMIC:
                k = e.position
                if bounds[k] is None:
                    bounds[k] = int(size)
                elif bounds[k] != size:
                    raise ValueError(f"loop dimension d{k} has extent {bounds[k]} and also {size}")
    missing = [f"d{k}" for k, b in enumerate(bounds) if b is None]
    if missing:
        raise ValueError(f"no operand dimension gives the extent of {', '.join(missing)}")
    return bounds  # type: ignore[return-value]


# ----------------------------------------------------------------------------- generic


class GenericYieldOp(Operation):
    """Ends a `tensor.generic` body: one scalar per output."""

    name = "tensor.generic_yield"
    traits = (Terminator,)
    values = operand(variadic=True)

    def verify_(self) -> None:
        if not isinstance(self.parent_op, GenericOp):
            raise self.error("must end the body of a tensor.generic")


class GenericIndexOp(Operation):
    """The current value of loop dimension `dim` inside a `tensor.generic` body (as linalg.index)."""

    name = "tensor.generic_index"
    traits = (Pure,)
    dim = attr(INT)
    out = result()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [index]

    def verify_(self) -> None:
        g = self.parent_op
        if not isinstance(g, GenericOp):
            raise self.error("must be inside a tensor.generic body")
        if not 0 <= self.dim < len(g.iterator_types):
            raise self.error(f"dim {self.dim} is out of range for {len(g.iterator_types)} loops")
        if not isinstance(self.result.type, IndexType):
            raise self.error("result must be index")

    def interpret(self, interp, vals, env):
        stack = getattr(interp, "_zg_generic_dims", None)
        if not stack:
            raise ValueError("tensor.generic_index evaluated outside a tensor.generic")
        return [np.asarray(stack[-1][self.dim], dtype=np.int64)]


class GenericOp(Operation):
    """A loop nest over an iteration space: for every point, read each operand at its indexing map,
    run the scalar body, write each output at its map. Results are the updated outputs (init tensors).

    Loop extents come from the operand shapes (any operand dimension indexed by a plain d_k). Output maps
    are projected permutations that contain every parallel dimension and no reduction dimension.
    Reductions run in lexicographic order of the reduction dimensions, so results are exact and repeatable.
    """

    name = "tensor.generic"
    traits = (Pure,)
    inputs = operand(variadic=True)
    outputs = operand(variadic=True)
    results_ = result(variadic=True)
    indexing_maps = attr(MAPS)
    iterator_types = attr(STRS)
    body = region()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        n_in = properties["operandSegmentSizes"].value[0]
        return list(operand_types[n_in:])

    @staticmethod
    def create(
        inputs: Sequence[Value],
        outputs: Sequence[Value],
        maps: Sequence[AffineMap],
        iterators: Sequence[str],
        body: Callable[..., Sequence[Value]],
        provenance: Sequence[str] = (),
    ) -> GenericOp:
        """Builds a generic. `body(emit, *scalars)` appends ops with `emit(op)` (which returns the op's
        result) and returns the values to yield."""
        block = Block([element_type(v.type) for v in [*inputs, *outputs]])

        def emit(op: Operation):
            op.provenance = op.provenance or tuple(provenance)
            block.append(op)
            return op.result if len(op.results) == 1 else op

        yielded = body(emit, *block.args)
        block.append(GenericYieldOp.build(list(yielded)))
        op = GenericOp.build(
            list(inputs),
            list(outputs),
            indexing_maps=list(maps),
            iterator_types=list(iterators),
            regions=[Region([block])],
            provenance=provenance,
        )
        return op

    def verify_(self) -> None:
        ins, outs, maps, iters = self.inputs, self.outputs, self.indexing_maps, self.iterator_types
        operands = [*ins, *outs]
        if len(maps) != len(operands):
            raise self.error(f"expects one indexing map per operand ({len(operands)}), got {len(maps)}")
        bad = [t for t in iters if t not in (PARALLEL, REDUCTION)]
        if bad:
            raise self.error(f"iterator types must be 'parallel' or 'reduction', got {bad[0]!r}")
        for i, (v, m) in enumerate(zip(operands, maps)):
            rank = v.type.rank if isinstance(v.type, ShapedType) else 0
            if m.num_dims != len(iters):
                raise self.error(
                    f"indexing map #{i} has {m.num_dims} dims, expected {len(iters)} (one per loop)"
                )
            if m.num_symbols:
                raise self.error(f"indexing map #{i} must not use symbols")
            if len(m.results) != rank:
                raise self.error(
                    f"indexing map #{i} has {len(m.results)} results for an operand of rank {rank}"
                )
        parallel = {k for k, t in enumerate(iters) if t == PARALLEL}
        for j, (v, m) in enumerate(zip(outs, maps[len(ins) :])):
            if not is_tensor(v.type):
                raise self.error(f"output #{j} must be a tensor, got {v.type}")
            used = [e.position for e in m.results if isinstance(e, AffineDim)]
            if not m.is_projected_permutation or set(used) != parallel:
                raise self.error(
                    f"output map #{j} ({m}) must be a projected permutation of exactly the parallel dimensions"
                )
        if [r.type for r in self.results] != [v.type for v in outs]:
            raise self.error("result types must equal the output (init) types")
        shapes = [v.type.shape if isinstance(v.type, ShapedType) else () for v in operands]
        try:
            bounds = loop_bounds(maps, shapes, len(iters))
        except ValueError as e:
            raise self.error(str(e)) from None
        for i, (m, shape) in enumerate(zip(maps, shapes)):
            for j, (e, size) in enumerate(zip(m.results, shape)):
                if size == DYNAMIC or isinstance(e, AffineDim) or 0 in bounds:
                    continue
                lo, hi = _interval(e, bounds)
                if lo < 0 or hi >= size:
                    raise self.error(
                        f"indexing map #{i} result {j} ({e}) spans [{lo}, {hi}], outside the operand's size {size}"
                    )
        if len(self.regions[0].blocks) != 1:
            raise self.error("body must have exactly one block")
        block = self.regions[0].block
        want = [element_type(v.type) for v in operands]
        got = [a.type for a in block.args]
        if got != want:
            raise self.error(
                f"body arguments ({', '.join(map(str, got))}) must be the element types "
                f"({', '.join(map(str, want))})"
            )
        term = block.terminator
        if not isinstance(term, GenericYieldOp):
            raise self.error("body must end with tensor.generic_yield")
        ytypes = [v.type for v in term.operands]
        otypes = [element_type(v.type) for v in outs]
        if ytypes != otypes:
            raise self.error(
                f"body yields ({', '.join(map(str, ytypes))}); outputs need ({', '.join(map(str, otypes))})"
            )

    # -- semantics

    def interpret(self, interp, vals, env):
        """Vectorized over the parallel dimensions, sequential (in order) over the reduction dimensions."""
        n_in = len(self.inputs)
        maps, iters = self.indexing_maps, self.iterator_types
        arrays = [np.asarray(v) for v in vals]
        bounds = loop_bounds(maps, [a.shape for a in arrays], len(iters))
        par = [k for k, t in enumerate(iters) if t == PARALLEL]
        red = [k for k, t in enumerate(iters) if t == REDUCTION]
        pshape = tuple(bounds[k] for k in par)
        dims: list = [0] * len(iters)
        for k, g in zip(par, np.indices(pshape, sparse=True) if par else ()):
            dims[k] = g

        def gather(a, m):
            if not m.results:
                return a
            return a[tuple(np.asarray(x) if not isinstance(x, int) else x for x in m.evaluate(dims))]

        red_set = set(red)
        fixed = {i: gather(arrays[i], maps[i]) for i in range(n_in) if not (_map_dims(maps[i]) & red_set)}
        out_idx = [tuple(maps[n_in + j].evaluate(dims)) for j in range(len(self.outputs))]
        accs = [arrays[n_in + j][out_idx[j]] for j in range(len(self.outputs))]
        block = self.regions[0].block
        benv = dict(env)
        stack = interp.__dict__.setdefault("_zg_generic_dims", [])
        stack.append(dims)
        try:
            for point in itertools.product(*(range(bounds[k]) for k in red)):
                for k, v in zip(red, point):
                    dims[k] = v
                ins = [fixed[i] if i in fixed else gather(arrays[i], maps[i]) for i in range(n_in)]
                accs = interp.run_block(block, [*ins, *accs], benv)
        finally:
            stack.pop()
        results = []
        for j, a in enumerate(accs):
            out = arrays[n_in + j].copy()
            out[out_idx[j]] = np.broadcast_to(np.asarray(a, dtype=out.dtype), pshape)
            results.append(out)
        return results


def _map_dims(m: AffineMap) -> set[int]:
    out: set[int] = set()
    for e in m.results:
        out |= _uses_dims(e)
    return out


# ----------------------------------------------------------------------------- helpers for generic forms


def _identity_value(kind: str, t: Type):
    """The neutral element of a reduction `kind` for element type `t`."""
    if kind in ("sum", "mean", "avg"):
        return 0
    if kind == "prod":
        return 1
    if isinstance(t, FloatType):
        return -np.inf if kind == "max" else np.inf
    info = np.iinfo(to_numpy_dtype(t))
    return info.min if kind == "max" else info.max


def _combine(emit, kind: str, t: Type, acc: Value, x: Value) -> Value:
    """acc (+|*|max|min) x with the arith op that suits element type `t`."""
    f = isinstance(t, FloatType)
    cls = {
        "sum": arith.AddFOp if f else arith.AddIOp,
        "mean": arith.AddFOp if f else arith.AddIOp,
        "avg": arith.AddFOp if f else arith.AddIOp,
        "prod": arith.MulFOp if f else arith.MulIOp,
        "max": arith.MaximumFOp if f else arith.MaxSIOp,
        "min": arith.MinimumFOp if f else arith.MinSIOp,
    }[kind]
    return emit(cls.build(acc, x))


def _splat(value, t: TensorType, provenance) -> Operation:
    op = arith.ConstantOp.create(value, t)
    op.provenance = tuple(provenance)
    return op


class StructuredOp(Operation):
    """A named op with an equivalent `tensor.generic` form."""

    def generic_form(self) -> list[Operation]:
        """New ops (not inserted) computing the same value from this op's operands; the last op's
        results replace this op's results."""
        raise NotImplementedError


def replace_with_generic(op: StructuredOp) -> list[Operation]:
    """Inserts `op`'s generic form before it, redirects its uses, erases it; returns the new ops."""
    ops = op.generic_form()
    for new in ops:
        op.parent.insert_before(op, new)
    op.replace_all_uses_with(ops[-1].results)
    op.erase()
    return ops


def _empty(t: TensorType, provenance) -> Operation:
    return EmptyOp.build(result_types=[t], provenance=provenance)


# ----------------------------------------------------------------------------- matmul


class MatmulOp(StructuredOp):
    """(batched) matrix product `A[..., M, K] @ B[..., K, N]`; batch dimensions broadcast as numpy."""

    name = "tensor.matmul"
    traits = (Pure,)
    A = operand(is_tensor)
    B = operand(is_tensor)
    out = result()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        a, b = operand_types
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        return [TensorType((*batch, a.shape[-2], b.shape[-1]), a.element_type)]

    def verify_(self) -> None:
        a, b = self.A.type, self.B.type
        if a.rank < 2 or b.rank < 2:
            raise self.error(f"operands must have rank >= 2, got {a} and {b}")
        if a.shape[-1] != b.shape[-2]:
            raise self.error(f"contraction sizes differ: {a} and {b}")
        if a.element_type != b.element_type or self.result.type.element_type != a.element_type:
            raise self.error("operands and result must have one element type")
        try:
            want = self.infer_result_types([a, b], {}, [])[0]
        except ValueError:
            raise self.error(f"batch dimensions of {a} and {b} do not broadcast") from None
        if self.result.type != want:
            raise self.error(f"result must be {want}, got {self.result.type}")

    def evaluate(self, a, b):
        return np.matmul(a, b)

    def generic_form(self) -> list[Operation]:
        rt = self.result.type
        nb = rt.rank - 2
        m, n, k = nb, nb + 1, nb + 2
        nd = nb + 3

        def operand_map(t: ShapedType, last: tuple[int, int]) -> AffineMap:
            exprs = []
            off = nb - (t.rank - 2)
            for i, size in enumerate(t.shape[:-2]):
                rd = off + i
                exprs.append(AffineConst(0) if size == 1 and rt.shape[rd] != 1 else AffineDim(rd))
            return AffineMap(nd, 0, (*exprs, AffineDim(last[0]), AffineDim(last[1])))

        maps = [
            operand_map(self.A.type, (m, k)),
            operand_map(self.B.type, (k, n)),
            AffineMap(nd, 0, tuple(AffineDim(i) for i in range(nb + 2))),
        ]
        init = _splat(0, rt, self.provenance)
        et = rt.element_type
        mul = arith.MulFOp if isinstance(et, FloatType) else arith.MulIOp

        def body(emit, a, b, acc):
            return [_combine(emit, "sum", et, acc, emit(mul.build(a, b)))]

        g = GenericOp.create(
            [self.A, self.B], [init.result], maps, [PARALLEL] * (nb + 2) + [REDUCTION], body, self.provenance
        )
        return [init, g]


# ----------------------------------------------------------------------------- windows (conv, pool)


def _pad_array(x: np.ndarray, lows, highs, value) -> np.ndarray:
    width = [(0, 0)] * (x.ndim - len(lows)) + list(zip(lows, highs))
    return np.pad(x, width, constant_values=np.asarray(value).astype(x.dtype))


def _window_view(xp: np.ndarray, offsets, strides, out_sizes) -> np.ndarray:
    """xp[..., o0 : o0 + s0*n0 : s0, ...] over the trailing spatial dimensions."""
    sl = tuple(slice(o, o + s * (n - 1) + 1, s) for o, s, n in zip(offsets, strides, out_sizes))
    return xp[(Ellipsis, *sl)]


def _window_attrs(op, r: int):
    strides = op.strides or [1] * r
    dilations = op.dilations or [1] * r
    pads = op.pads or [0] * (2 * r)
    return strides, dilations, pads


def _check_window(op, r: int) -> None:
    strides, dilations, pads = _window_attrs(op, r)
    if len(strides) != r or len(dilations) != r or len(pads) != 2 * r:
        raise op.error(f"strides and dilations need {r} values and pads {2 * r}")
    if min(strides + dilations) < 1 or min(pads, default=0) < 0:
        raise op.error("strides and dilations must be >= 1 and pads >= 0")


def _spatial_map(nd: int, lead: Sequence[AffineExpr], out_dims, k_dims, strides, dilations) -> AffineMap:
    sp = tuple(
        AffineDim(o) * s + AffineDim(kd) * d for o, kd, s, d in zip(out_dims, k_dims, strides, dilations)
    )
    return AffineMap(nd, 0, (*lead, *sp))


def _padded(op, x: Value, pads: Sequence[int], value: float, r: int) -> list[Operation]:
    if not any(pads):
        return []
    p = PadConstantOp.build(
        x,
        low=[0] * (x.type.rank - r) + list(pads[:r]),
        high=[0] * (x.type.rank - r) + list(pads[r:]),
        value=value,
        provenance=op.provenance,
    )
    return [p]


class ConvOp(StructuredOp):
    """Convolution, NCHW (N-D spatial): X[N, C, *S] * W[F, C/group, *K] -> [N, F, *O]. `pads` lists
    the begin pads then the end pads of the spatial dimensions (ONNX order); no bias (add it after)."""

    name = "tensor.conv"
    traits = (Pure,)
    X = operand(is_tensor)
    W = operand(is_tensor)
    out = result()
    strides = attr(INTS, default=None)
    dilations = attr(INTS, default=None)
    pads = attr(INTS, default=None)
    group = attr(INT, default=1)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x, w = operand_types
        r = x.rank - 2
        get = lambda k, d: list(properties[k].value) if k in properties else d  # noqa: E731
        s, d, p = get("strides", [1] * r), get("dilations", [1] * r), get("pads", [0] * (2 * r))
        sp = [window.out_size(x.shape[2 + i], w.shape[2 + i], s[i], d[i], p[i], p[r + i]) for i in range(r)]
        return [TensorType((x.shape[0], w.shape[0], *sp), x.element_type)]

    def verify_(self) -> None:
        x, w = self.X.type, self.W.type
        r = x.rank - 2
        if r < 1 or w.rank != x.rank:
            raise self.error(f"X and W must have one rank >= 3, got {x} and {w}")
        _check_window(self, r)
        g = self.group
        if g < 1 or x.shape[1] % g or w.shape[0] % g or w.shape[1] * g != x.shape[1]:
            raise self.error(f"channels do not fit group={g}: X {x}, W {w}")
        want = self.infer_result_types([x, w], self.properties, [])[0]
        if self.result.type != want:
            raise self.error(f"result must be {want}, got {self.result.type}")

    def evaluate(self, x, w):
        r = x.ndim - 2
        strides, dilations, pads = _window_attrs(self, r)
        xp = _pad_array(x, pads[:r], pads[r:], 0)
        out_sp = self.result.type.shape[2:]
        g = self.group
        n, c = x.shape[:2]
        f = w.shape[0]
        wg = w.reshape(g, f // g, c // g, *w.shape[2:])
        acc = np.zeros((n, g, f // g, *out_sp), dtype=x.dtype)
        for kpos in itertools.product(*(range(k) for k in w.shape[2:])):
            patch = _window_view(xp, [kk * d for kk, d in zip(kpos, dilations)], strides, out_sp)
            patch = patch.reshape(n, g, c // g, *out_sp)
            wk = wg[(Ellipsis, *kpos)]  # [g, f/g, c/g]
            acc += np.einsum("ngc...,gfc->ngf...", patch, wk).astype(x.dtype)
        return acc.reshape(n, f, *out_sp)

    def generic_form(self) -> list[Operation]:
        x, w = self.X, self.W
        r = x.type.rank - 2
        strides, dilations, pads = _window_attrs(self, r)
        ops = _padded(self, x, pads, 0.0, r)
        xv = ops[-1].result if ops else x
        rt = self.result.type
        et = rt.element_type
        g = self.group
        n, c = x.type.shape[:2]
        f = w.type.shape[0]
        kshape = w.type.shape[2:]
        out_sp = rt.shape[2:]
        mul = arith.MulFOp if isinstance(et, FloatType) else arith.MulIOp

        def body(emit, a, b, acc):
            return [_combine(emit, "sum", et, acc, emit(mul.build(a, b)))]

        if g == 1:
            # dims: n, f, o_0..o_{r-1}, c, k_0..k_{r-1}
            nd = 3 + 2 * r
            od, cd, kd = list(range(2, 2 + r)), 2 + r, list(range(3 + r, 3 + 2 * r))
            maps = [
                _spatial_map(nd, (AffineDim(0), AffineDim(cd)), od, kd, strides, dilations),
                AffineMap(nd, 0, (AffineDim(1), AffineDim(cd), *(AffineDim(k) for k in kd))),
                AffineMap(nd, 0, tuple(AffineDim(i) for i in range(2 + r))),
            ]
            init = _splat(0, rt, self.provenance)
            iters = [PARALLEL] * (2 + r) + [REDUCTION] * (1 + r)
            gen = GenericOp.create([xv, w], [init.result], maps, iters, body, self.provenance)
            return [*ops, init, gen]
        # grouped: view X as [N, G, C/G, *S], W as [G, F/G, C/G, *K]; dims n, g, f, o.., c, k..
        xs = xv.type.shape
        x5 = ReshapeStaticOp.build(
            xv, result_types=[TensorType((n, g, c // g, *xs[2:]), et)], provenance=self.provenance
        )
        w5 = ReshapeStaticOp.build(
            w, result_types=[TensorType((g, f // g, c // g, *kshape), et)], provenance=self.provenance
        )
        nd = 4 + 2 * r
        od, cd, kd = list(range(3, 3 + r)), 3 + r, list(range(4 + r, 4 + 2 * r))
        maps = [
            _spatial_map(nd, (AffineDim(0), AffineDim(1), AffineDim(cd)), od, kd, strides, dilations),
            AffineMap(nd, 0, (AffineDim(1), AffineDim(2), AffineDim(cd), *(AffineDim(k) for k in kd))),
            AffineMap(nd, 0, tuple(AffineDim(i) for i in range(3 + r))),
        ]
        init = _splat(0, TensorType((n, g, f // g, *out_sp), et), self.provenance)
        iters = [PARALLEL] * (3 + r) + [REDUCTION] * (1 + r)
        gen = GenericOp.create([x5.result, w5.result], [init.result], maps, iters, body, self.provenance)
        back = ReshapeStaticOp.build(gen.results[0], result_types=[rt], provenance=self.provenance)
        return [*ops, x5, w5, init, gen, back]


class PoolOp(StructuredOp):
    """Max or average pooling over the trailing `len(kernel)` dimensions of X[N, C, *S]. Average pooling
    divides by the number of non-padding elements unless `count_include_pad`."""

    name = "tensor.pool"
    traits = (Pure,)
    X = operand(is_tensor)
    out = result()
    kind = attr(enum("max", "avg"))
    kernel = attr(INTS)
    strides = attr(INTS, default=None)
    dilations = attr(INTS, default=None)
    pads = attr(INTS, default=None)
    count_include_pad = attr(BOOL, default=False)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        (x,) = operand_types
        k = list(properties["kernel"].value)
        r = len(k)
        get = lambda n, d: list(properties[n].value) if n in properties else d  # noqa: E731
        s, d, p = get("strides", [1] * r), get("dilations", [1] * r), get("pads", [0] * (2 * r))
        lead = x.shape[: x.rank - r]
        sp = [window.out_size(x.shape[x.rank - r + i], k[i], s[i], d[i], p[i], p[r + i]) for i in range(r)]
        return [TensorType((*lead, *sp), x.element_type)]

    def verify_(self) -> None:
        r = len(self.kernel)
        if r < 1 or r > self.X.type.rank:
            raise self.error(f"kernel {self.kernel} does not fit {self.X.type}")
        _check_window(self, r)
        want = self.infer_result_types([self.X.type], self.properties, [])[0]
        if self.result.type != want:
            raise self.error(f"result must be {want}, got {self.result.type}")

    def _counts(self, spatial) -> np.ndarray:
        """How many elements each output window averages over (shape: the output's spatial dims)."""
        r = len(self.kernel)
        strides, dilations, pads = _window_attrs(self, r)
        out_sp = self.result.type.shape[-r:]
        if self.count_include_pad:
            ones = _pad_array(np.ones(spatial, np.int64), pads[:r], pads[r:], 1)
        else:
            ones = _pad_array(np.ones(spatial, np.int64), pads[:r], pads[r:], 0)
        cnt = np.zeros(out_sp, np.int64)
        for kpos in itertools.product(*(range(k) for k in self.kernel)):
            cnt += _window_view(ones, [kk * d for kk, d in zip(kpos, dilations)], strides, out_sp)
        return cnt

    def evaluate(self, x):
        r = len(self.kernel)
        strides, dilations, pads = _window_attrs(self, r)
        out_sp = self.result.type.shape[-r:]
        init = _identity_value(self.kind, self.result.type.element_type)
        xp = _pad_array(x, pads[:r], pads[r:], init)
        acc = np.full(self.result.type.shape, init, dtype=x.dtype)
        for kpos in itertools.product(*(range(k) for k in self.kernel)):
            v = _window_view(xp, [kk * d for kk, d in zip(kpos, dilations)], strides, out_sp)
            acc = np.maximum(acc, v) if self.kind == "max" else acc + v
        if self.kind == "avg":
            acc = acc / self._counts(x.shape[-r:]).astype(x.dtype)
        return acc.astype(x.dtype)

    def generic_form(self) -> list[Operation]:
        x, rt = self.X, self.result.type
        r = len(self.kernel)
        strides, dilations, pads = _window_attrs(self, r)
        et = rt.element_type
        ops = _padded(self, x, pads, _identity_value(self.kind, et), r)
        xv = ops[-1].result if ops else x
        lead = rt.rank - r
        nd = lead + 2 * r
        od, kd = list(range(lead, lead + r)), list(range(lead + r, nd))
        window = EmptyOp.build(result_types=[TensorType(tuple(self.kernel), et)], provenance=self.provenance)
        maps = [
            _spatial_map(nd, tuple(AffineDim(i) for i in range(lead)), od, kd, strides, dilations),
            AffineMap(nd, 0, tuple(AffineDim(k) for k in kd)),
            AffineMap(nd, 0, tuple(AffineDim(i) for i in range(lead + r))),
        ]
        init = _splat(_identity_value(self.kind, et), rt, self.provenance)
        kind = self.kind

        def body(emit, a, _w, acc):
            return [_combine(emit, kind, et, acc, a)]

        iters = [PARALLEL] * (lead + r) + [REDUCTION] * r
        gen = GenericOp.create([xv, window.result], [init.result], maps, iters, body, self.provenance)
        ops += [window, init, gen]
        if self.kind == "max":
            return ops
        counts = arith.ConstantOp.create(
            self._counts(x.type.shape[-r:]).astype(to_numpy_dtype(et)), TensorType(tuple(rt.shape[-r:]), et)
        )
        counts.provenance = self.provenance
        out = _empty(rt, self.provenance)
        idm = AffineMap(lead + r, 0, tuple(AffineDim(i) for i in range(lead + r)))
        cmap = AffineMap(lead + r, 0, tuple(AffineDim(i) for i in range(lead, lead + r)))
        div = arith.DivFOp if isinstance(et, FloatType) else arith.DivSIOp

        def divide(emit, s, c, _o):
            return [emit(div.build(s, c))]

        avg = GenericOp.create(
            [gen.results[0], counts.result],
            [out.result],
            [idm, cmap, idm],
            [PARALLEL] * (lead + r),
            divide,
            self.provenance,
        )
        return [*ops, counts, out, avg]


# ----------------------------------------------------------------------------- reduce


class ReduceOp(StructuredOp):
    """Reduction over `axes` (sum, prod, max, min, mean); reduced axes are dropped unless `keepdims`."""

    name = "tensor.reduce"
    traits = (Pure,)
    X = operand(is_tensor)
    out = result()
    kind = attr(enum("sum", "prod", "max", "min", "mean"))
    axes = attr(INTS)
    keepdims = attr(BOOL, default=False)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        (x,) = operand_types
        axes = {a % x.rank for a in properties["axes"].value}
        keep = "keepdims" in properties and bool(properties["keepdims"].value)
        shape = [1 if i in axes else s for i, s in enumerate(x.shape) if keep or i not in axes]
        return [TensorType(tuple(shape), x.element_type)]

    def verify_(self) -> None:
        rank = self.X.type.rank
        if any(not -rank <= a < rank for a in self.axes) or len({a % rank for a in self.axes}) != len(
            self.axes
        ):
            raise self.error(f"axes {self.axes} are out of range or repeated for rank {rank}")
        want = self.infer_result_types([self.X.type], self.properties, [])[0]
        if self.result.type != want:
            raise self.error(f"result must be {want}, got {self.result.type}")

    def evaluate(self, x):
        fn = {"sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min, "mean": np.mean}[self.kind]
        axes = tuple(a % x.ndim for a in self.axes)
        return np.asarray(fn(x, axis=axes, keepdims=self.keepdims)).astype(x.dtype)

    def generic_form(self) -> list[Operation]:
        x, rt = self.X, self.result.type
        rank = x.type.rank
        axes = {a % rank for a in self.axes}
        et = rt.element_type
        iters = [REDUCTION if i in axes else PARALLEL for i in range(rank)]
        out_exprs = tuple(
            AffineConst(0) if i in axes else AffineDim(i)
            for i in range(rank)
            if self.keepdims or i not in axes
        )
        maps = [AffineMap.identity(rank), AffineMap(rank, 0, out_exprs)]
        init = _splat(_identity_value(self.kind, et), rt, self.provenance)
        kind = self.kind

        def body(emit, a, acc):
            return [_combine(emit, kind, et, acc, a)]

        gen = GenericOp.create([x], [init.result], maps, iters, body, self.provenance)
        if kind != "mean":
            return [init, gen]
        count = int(np.prod([x.type.shape[a] for a in axes]))
        out = _empty(rt, self.provenance)
        idm = AffineMap.identity(rt.rank)
        div = arith.DivFOp if isinstance(et, FloatType) else arith.DivSIOp

        def divide(emit, s, _o):
            c = emit(arith.ConstantOp.create(count, et))
            return [emit(div.build(s, c))]

        mean = GenericOp.create(
            [gen.results[0]], [out.result], [idm, idm], [PARALLEL] * rt.rank, divide, self.provenance
        )
        return [init, gen, out, mean]


# ----------------------------------------------------------------------------- data movement


class EmptyOp(Operation):
    """Upstream `tensor.empty`: a tensor of the result type with unspecified contents; one index operand
    per dynamic (`?`) dimension. (The interpreter fills it with zeros.)"""

    name = "tensor.empty"
    traits = (Pure,)
    dynamicSizes = operand(lambda t: isinstance(t, IndexType), variadic=True)  # noqa: N815 - upstream's name
    out = result()

    def verify_(self) -> None:
        t = self.result.type
        if not is_tensor(t):
            raise self.error(f"result must be a tensor, got {t}")
        n = sum(1 for d in t.shape if d == DYNAMIC)
        if len(self.operands) != n:
            raise self.error(f"{t} has {n} dynamic dimensions but {len(self.operands)} sizes are given")

    def evaluate(self, *sizes):
        it = iter(int(s) for s in sizes)
        t = self.result.type
        return np.zeros([next(it) if d == DYNAMIC else d for d in t.shape], to_numpy_dtype(t.element_type))


class TransposeOp(StructuredOp):
    """Permutes dimensions: result dim i is input dim perm[i]."""

    name = "tensor.transpose"
    traits = (Pure,)
    input = operand(is_tensor)
    out = result()
    perm = attr(INTS)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        (x,) = operand_types
        return [x.with_shape(tuple(x.shape[p] for p in properties["perm"].value))]

    def verify_(self) -> None:
        if sorted(self.perm) != list(range(self.input.type.rank)):
            raise self.error(f"perm {self.perm} is not a permutation of {self.input.type.rank} dimensions")
        want = self.infer_result_types([self.input.type], self.properties, [])[0]
        if self.result.type != want:
            raise self.error(f"result must be {want}, got {self.result.type}")

    def evaluate(self, x):
        return np.transpose(x, self.perm)

    def generic_form(self) -> list[Operation]:
        rank = len(self.perm)
        inv = [self.perm.index(j) for j in range(rank)]
        out = _empty(self.result.type, self.provenance)
        maps = [AffineMap.permutation(inv), AffineMap.identity(rank)]
        gen = GenericOp.create(
            [self.input], [out.result], maps, [PARALLEL] * rank, lambda e, a, o: [a], self.provenance
        )
        return [out, gen]


class BroadcastOp(StructuredOp):
    """Broadcasts to the (given) result type: input dim i becomes result dim dims[i] (size equal, or 1)."""

    name = "tensor.broadcast"
    traits = (Pure,)
    input = operand(is_tensor)
    out = result()
    dims = attr(INTS)

    def verify_(self) -> None:
        x, t = self.input.type, self.result.type
        if len(self.dims) != x.rank or sorted(set(self.dims)) != sorted(self.dims):
            raise self.error(f"dims {self.dims} must name one distinct result dimension per input dimension")
        if list(self.dims) != sorted(self.dims) or any(not 0 <= d < t.rank for d in self.dims):
            raise self.error(f"dims {self.dims} must be increasing and within the result rank {t.rank}")
        for i, d in enumerate(self.dims):
            if x.shape[i] not in (1, t.shape[d]):
                raise self.error(
                    f"input dim {i} (size {x.shape[i]}) cannot broadcast to result dim {d} ({t.shape[d]})"
                )
        if t.element_type != x.element_type:
            raise self.error("element types differ")

    def evaluate(self, x):
        t = self.result.type
        shape = [1] * t.rank
        for i, d in enumerate(self.dims):
            shape[d] = x.shape[i]
        return np.broadcast_to(x.reshape(shape), t.shape).copy()

    def generic_form(self) -> list[Operation]:
        x, t = self.input.type, self.result.type
        exprs = tuple(
            AffineConst(0) if x.shape[i] == 1 and t.shape[d] != 1 else AffineDim(d)
            for i, d in enumerate(self.dims)
        )
        out = _empty(t, self.provenance)
        maps = [AffineMap(t.rank, 0, exprs), AffineMap.identity(t.rank)]
        gen = GenericOp.create(
            [self.input], [out.result], maps, [PARALLEL] * t.rank, lambda e, a, o: [a], self.provenance
        )
        return [out, gen]


class ReshapeStaticOp(Operation):
    """Reinterprets the elements (row-major) with the result type's static shape."""

    name = "tensor.reshape_static"
    traits = (Pure,)
    input = operand(is_tensor)
    out = result()

    def verify_(self) -> None:
        x, t = self.input.type, self.result.type
        if not (is_tensor(t) and x.has_static_shape and t.has_static_shape):
            raise self.error("operand and result must be statically shaped tensors")
        if x.num_elements != t.num_elements or x.element_type != t.element_type:
            raise self.error(f"cannot reshape {x} to {t}")

    def evaluate(self, x):
        return np.reshape(x, self.result.type.shape)


class PadConstantOp(Operation):
    """Pads with a constant: `low[i]` elements before and `high[i]` after dimension i."""

    name = "tensor.pad_constant"
    traits = (Pure,)
    input = operand(is_tensor)
    out = result()
    low = attr(INTS)
    high = attr(INTS)
    value = attr(FLOAT, default=0.0)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        (x,) = operand_types
        lo, hi = properties["low"].value, properties["high"].value
        return [x.with_shape(tuple(s + a + b for s, a, b in zip(x.shape, lo, hi)))]

    def verify_(self) -> None:
        r = self.input.type.rank
        if len(self.low) != r or len(self.high) != r or min(self.low + self.high, default=0) < 0:
            raise self.error(f"low and high need {r} non-negative values")
        want = self.infer_result_types([self.input.type], self.properties, [])[0]
        if self.result.type != want:
            raise self.error(f"result must be {want}, got {self.result.type}")

    def evaluate(self, x):
        return _pad_array(x, self.low, self.high, self.value)


class ConcatenateOp(Operation):
    """Joins tensors along dimension `dim` (other dimensions equal)."""

    name = "tensor.concatenate"
    traits = (Pure,)
    inputs = operand(is_tensor, variadic=True)
    out = result()
    dim = attr(INT)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        d = properties["dim"].value
        shape = list(operand_types[0].shape)
        shape[d] = sum(t.shape[d] for t in operand_types)
        return [operand_types[0].with_shape(tuple(shape))]

    def verify_(self) -> None:
        ts = [v.type for v in self.inputs]
        if not ts:
            raise self.error("needs at least one input")
        d = self.dim
        if not 0 <= d < ts[0].rank:
            raise self.error(f"dim {d} is out of range for rank {ts[0].rank}")
        for t in ts:
            if (
                t.rank != ts[0].rank
                or t.element_type != ts[0].element_type
                or any(a != b for i, (a, b) in enumerate(zip(t.shape, ts[0].shape)) if i != d)
            ):
                raise self.error(f"inputs {ts[0]} and {t} do not concatenate along dim {d}")
        want = self.infer_result_types(ts, self.properties, [])[0]
        if self.result.type != want:
            raise self.error(f"result must be {want}, got {self.result.type}")

    def evaluate(self, *xs):
        return np.concatenate(xs, axis=self.dim)


class SliceOp(Operation):
    """Static strided slice: result[i] = input[offsets + i * strides] per dimension (strides may be negative)."""

    name = "tensor.slice"
    traits = (Pure,)
    input = operand(is_tensor)
    out = result()
    offsets = attr(INTS)
    sizes = attr(INTS)
    strides = attr(INTS)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [operand_types[0].with_shape(tuple(properties["sizes"].value))]

    def verify_(self) -> None:
        x = self.input.type
        o, s, st = self.offsets, self.sizes, self.strides
        if not len(o) == len(s) == len(st) == x.rank:
            raise self.error(f"offsets, sizes and strides need {x.rank} values each")
        for i in range(x.rank):
            if st[i] == 0 or s[i] < 0:
                raise self.error(f"dimension {i}: stride must be nonzero and size >= 0")
            last = o[i] + (s[i] - 1) * st[i]
            if s[i] and x.shape[i] != DYNAMIC and not (0 <= o[i] < x.shape[i] and 0 <= last < x.shape[i]):
                raise self.error(f"dimension {i}: slice [{o[i]}, {last}] is outside size {x.shape[i]}")
        if self.result.type != x.with_shape(tuple(s)):
            raise self.error(f"result must be {x.with_shape(tuple(s))}, got {self.result.type}")

    def evaluate(self, x):
        idx = [np.arange(s) * st + o for o, s, st in zip(self.offsets, self.sizes, self.strides)]
        return x[np.ix_(*idx)] if idx else x


STRUCTURED_OPS = (MatmulOp, ConvOp, PoolOp, ReduceOp, TransposeOp, BroadcastOp)
"""The named ops that can state their `tensor.generic` form."""
