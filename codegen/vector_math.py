"""exp, tanh and erf on f32 vectors as straight-line polynomials (no per-lane libm calls).

LLVM lowers ``llvm.exp.v16f32`` and libm's ``tanhf``/``erff`` on a vector to one library call per lane,
which made a fused sigmoid or GELU epilogue cost as much as the convolution in front of it. These
lowerings keep every lane in registers:

- exp: Cephes' expf (x = n ln2 + r, |r| <= ln2/2, degree-6 polynomial, 2^n through the exponent
  bits); about 1 ulp. Inputs are clamped to [-87.3, 88.7] (0 and the largest finite value beyond);
  NaN stays NaN.
- tanh: Cephes' tanhf: an odd degree-9 polynomial for |x| < 0.625, 1 - 2 / (exp(2|x|) + 1) with the
  sign of x elsewhere; about 2 ulp.
- erf: Cephes' erff polynomial for |x| < 1 (relative accuracy near 0), Abramowitz & Stegun 7.1.26
  beyond (absolute error below 1.5e-7 where |erf| > 0.84); saturates to +-1 for |x| >= 4.

Scalars keep the LLVM intrinsic / libm call (``codegen.emit_llvm``). Tests compare each against numpy
over a sweep of inputs (tests/test_vector_math.py).
"""

from __future__ import annotations

import llvmlite.ir as ir

__all__ = ["VECTOR_MATH", "is_f32_vector", "vexp", "verf", "vtanh"]

F32 = ir.FloatType()
I32 = ir.IntType(32)


def is_f32_vector(t: ir.Type) -> bool:
    return isinstance(t, ir.VectorType) and isinstance(t.element, ir.FloatType)


def _c(t: ir.VectorType, v: float) -> ir.Constant:
    return ir.Constant(t, [ir.Constant(t.element, v)] * t.count)


def _ci(t: ir.VectorType, v: int) -> ir.Constant:
    it = ir.VectorType(I32, t.count)
    return ir.Constant(it, [ir.Constant(I32, v)] * t.count)


def _intr(b: ir.IRBuilder, name: str, *args: ir.Value) -> ir.Value:
    t = args[0].type
    full = f"llvm.{name}.v{t.count}f32"
    fn = b.module.globals.get(full) or ir.Function(b.module, ir.FunctionType(t, [a.type for a in args]), full)
    return b.call(fn, list(args))


def _poly(b: ir.IRBuilder, x: ir.Value, coeffs: list[float]) -> ir.Value:
    """Horner: coeffs[0] x^n + ... + coeffs[n], with fused multiply-adds."""
    t = x.type
    acc = _c(t, coeffs[0])
    for c in coeffs[1:]:
        acc = _intr(b, "fma", acc, x, _c(t, c))
    return acc


def _fabs(b: ir.IRBuilder, x: ir.Value) -> ir.Value:
    return _intr(b, "fabs", x)


def vexp(b: ir.IRBuilder, x: ir.Value) -> ir.Value:
    t = x.type
    isnan = b.fcmp_unordered("uno", x, x)
    xc = _intr(b, "minnum", _intr(b, "maxnum", x, _c(t, -87.33654)), _c(t, 88.72283))
    n = _intr(b, "floor", _intr(b, "fma", xc, _c(t, 1.44269504088896341), _c(t, 0.5)))
    r = _intr(b, "fma", n, _c(t, -0.693359375), xc)
    r = _intr(b, "fma", n, _c(t, 2.12194440e-4), r)
    p = _poly(b, r, [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2,
                     1.6666665459e-1, 5.0000001201e-1])  # fmt: skip
    y = _intr(b, "fma", p, b.fmul(r, r), b.fadd(r, _c(t, 1.0)))
    # 2^n: n in [-126, 128]; 2^128 is split as 2 * 2^127 so the largest inputs stay finite
    it = ir.VectorType(I32, t.count)
    ni = b.fptosi(n, it)
    big = b.icmp_signed(">", ni, _ci(t, 127))
    ni = b.select(big, b.sub(ni, _ci(t, 1)), ni)
    scale = b.bitcast(b.shl(b.add(ni, _ci(t, 127)), _ci(t, 23)), t)
    y = b.fmul(y, scale)
    y = b.select(big, b.fmul(y, _c(t, 2.0)), y)
    return b.select(isnan, x, y)


def vtanh(b: ir.IRBuilder, x: ir.Value) -> ir.Value:
    t = x.type
    ax = _fabs(b, x)
    z = b.fmul(x, x)
    small = _poly(b, z, [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1,
                         -3.33332819422e-1])  # fmt: skip
    small = _intr(b, "fma", b.fmul(small, z), x, x)
    e2 = vexp(b, b.fmul(ax, _c(t, 2.0)))
    large = b.fsub(_c(t, 1.0), b.fdiv(_c(t, 2.0), b.fadd(e2, _c(t, 1.0))))
    large = _intr(b, "copysign", large, x)
    return b.select(b.fcmp_ordered("<", ax, _c(t, 0.625)), small, large)


def verf(b: ir.IRBuilder, x: ir.Value) -> ir.Value:
    t = x.type
    ax = _fabs(b, x)
    z = b.fmul(x, x)
    small = b.fmul(x, _poly(b, z, [7.853861353153693e-5, -8.010193625184903e-4, 5.188327685732524e-3,
                                   -2.685381193529856e-2, 1.128358514861418e-1, -3.761262582423300e-1,
                                   1.128379165726710e0]))  # fmt: skip
    tt = b.fdiv(_c(t, 1.0), _intr(b, "fma", ax, _c(t, 0.3275911), _c(t, 1.0)))
    p = b.fmul(_poly(b, tt, [1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592]), tt)
    large = b.fsub(_c(t, 1.0), b.fmul(p, vexp(b, b.fneg(z))))
    large = b.select(b.fcmp_ordered(">=", ax, _c(t, 4.0)), _c(t, 1.0), large)
    large = _intr(b, "copysign", large, x)
    return b.select(b.fcmp_ordered("<", ax, _c(t, 1.0)), small, large)


VECTOR_MATH = {"exp": vexp, "tanh": vtanh, "erf": verf}
"""math op name -> its f32-vector lowering (emit_llvm uses it for vector operands)."""
