"""The one tolerance policy for comparing computed outputs with a reference, per dtype.

An output `got` matches `want` elementwise when

    |got - want| <= rtol * |want| + atol * scale,   scale = max |want| over finite elements (1 when that is 0)

with `(rtol, atol)` from `TOLERANCES` for the dtype the values were computed in. The absolute part is
relative to the output's largest magnitude: an output near zero computed as a difference of large terms
carries an error proportional to those terms, not to itself. Integers and booleans must be equal; NaNs
must sit in the same places and infinities must be equal (same place, same sign). `run --check`,
`opt --check-semantics`, `fuzz` and `conformance` all compare through `compare`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# dtype name -> (rtol, atol relative to the output's largest magnitude).
#
# f32: rtol 1e-4 is ~840 ulp (eps 1.19e-7). Compiled code and onnxruntime legitimately differ from the
# interpreter by reassociated sums (vectorized reductions, im2col/GEMM blocking: error grows with the
# number of terms), polynomial exp/tanh/erf approximations (a few ulp each, compounded through a chain of
# ops) and FMA contraction. Real bugs (a wrong constant, a wrong index, a dropped term) move results by
# far more than 1e-4 relative.
TOLERANCES: dict[str, tuple[float, float]] = {
    "float64": (1e-9, 1e-12),
    "float32": (1e-4, 1e-5),
    "float16": (1e-2, 1e-3),  # 10-bit mantissa: eps 9.8e-4, a few roundings
    "bfloat16": (3e-2, 1e-2),  # 7-bit mantissa: eps 7.8e-3
}

_SHORT = {"f64": "float64", "f32": "float32", "f16": "float16", "bf16": "bfloat16"}


def _dtype_name(dtype) -> str:
    if isinstance(dtype, str) and dtype in _SHORT:
        return _SHORT[dtype]
    try:
        return np.dtype(dtype).name
    except TypeError:
        return str(dtype)


def is_exact(dtype) -> bool:
    """Integers and booleans compare exactly."""
    name = _dtype_name(dtype)
    return name == "bool" or name.startswith(("int", "uint"))


def tolerance(dtype) -> tuple[float, float]:
    """`(rtol, atol relative to max |reference|)` for values of `dtype` (a numpy dtype, or f32/f16/bf16/f64);
    (0, 0) for integers and booleans; float32's for any other float."""
    if is_exact(dtype):
        return 0.0, 0.0
    return TOLERANCES.get(_dtype_name(dtype), TOLERANCES["float32"])


def magnitude(reference) -> float:
    """The scale the absolute tolerance is relative to: max |reference| over finite elements, 1 when 0."""
    ref = _as_float64(np.asarray(reference))
    finite = ref[np.isfinite(ref)]
    scale = float(np.abs(finite).max()) if finite.size else 0.0
    return scale if scale > 0 else 1.0


@dataclass(frozen=True)
class Comparison:
    """How one output compares with its reference."""

    name: str
    ok: bool
    max_abs: float = 0.0
    max_rel: float = 0.0
    rtol: float = 0.0
    atol: float = 0.0
    bad: int = 0
    size: int = 0
    detail: str = ""

    def line(self) -> str:
        status = "ok" if self.ok else "MISMATCH"
        extra = f" ({self.detail})" if self.detail else ""
        return f"{self.name}: max abs err {self.max_abs:.3g}, max rel err {self.max_rel:.3g}: {status}{extra}"


def _as_float64(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float32).astype(np.float64) if a.dtype.kind == "V" else a.astype(np.float64)


def compare(
    name: str,
    got,
    want,
    dtype=None,
    rtol: float | None = None,
    atol: float | None = None,
) -> Comparison:
    """Compares `got` with the reference `want` under the policy for `dtype` (default: `want`'s dtype);
    `rtol` / `atol` (atol relative to max |want|) replace the policy's numbers when given."""
    a, b = np.asarray(got), np.asarray(want)
    if a.shape != b.shape:
        return Comparison(name, False, float("inf"), float("inf"), detail=f"shape {a.shape} vs {b.shape}")
    dtype = b.dtype if dtype is None else dtype
    p_rtol, p_atol = tolerance(dtype)
    rtol = p_rtol if rtol is None else rtol
    atol = p_atol if atol is None else atol
    if a.size == 0:
        return Comparison(name, True, rtol=rtol, atol=atol)
    floats = "fcV"
    if a.dtype.kind not in floats and b.dtype.kind not in floats or is_exact(dtype):
        if a.dtype.kind in floats or b.dtype.kind in floats:
            diff = ~(
                (_as_float64(a) == _as_float64(b)) | (np.isnan(_as_float64(a)) & np.isnan(_as_float64(b)))
            )
        else:
            diff = a != b
        n = int(np.count_nonzero(diff))
        return Comparison(
            name,
            n == 0,
            float(n > 0),
            float(n > 0),
            bad=n,
            size=a.size,
            detail=f"{n} elements differ" if n else "",
        )
    a64, b64 = _as_float64(a), _as_float64(b)
    nan_a, nan_b = np.isnan(a64), np.isnan(b64)
    if not np.array_equal(nan_a, nan_b):
        n = int(np.count_nonzero(nan_a != nan_b))
        return Comparison(name, False, float("nan"), float("nan"), rtol, atol, n, a.size, "NaNs differ")
    inf_a, inf_b = np.isinf(a64), np.isinf(b64)
    inf_bad = (inf_a | inf_b) & (a64 != b64)
    fin = np.isfinite(a64) & np.isfinite(b64)
    scale = magnitude(b64)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(a64 - b64)
    err = np.where(fin, err, 0.0)
    mag = np.where(fin, np.abs(b64), 0.0)
    bad = (err > rtol * mag + atol * scale) | inf_bad
    max_abs = float(err.max())
    nz = mag > 0
    max_rel = float((err[nz] / mag[nz]).max()) if np.any(nz) else 0.0
    n = int(np.count_nonzero(bad))
    detail = ""
    if inf_bad.any():
        detail = "infinities differ"
    elif n:
        k = int(np.argmax(bad.reshape(-1)))
        detail = (
            f"{n}/{a.size} elements differ beyond {_dtype_name(dtype)} tolerance (rtol {rtol:g}, atol {atol:g} x "
            f"max|ref| {scale:.3g}); first at flat index {k}: got {a64.reshape(-1)[k]:.7g}, "
            f"want {b64.reshape(-1)[k]:.7g}"
        )
    return Comparison(name, n == 0, max_abs, max_rel, rtol, atol, n, a.size, detail)
