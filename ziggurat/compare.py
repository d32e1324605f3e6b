"""Comparing our outputs with a reference (onnxruntime, expected outputs): max abs / rel error, pass or fail."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_RTOL, DEFAULT_ATOL = 1e-3, 1e-4


@dataclass(frozen=True)
class Comparison:
    """How one output compares with its reference."""

    name: str
    max_abs: float
    max_rel: float
    ok: bool
    detail: str = ""

    def line(self) -> str:
        status = "ok" if self.ok else "MISMATCH"
        extra = f" ({self.detail})" if self.detail else ""
        return f"{self.name}: max abs err {self.max_abs:.3g}, max rel err {self.max_rel:.3g}: {status}{extra}"


def compare(name: str, ours, ref, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> Comparison:
    """`ours` matches `ref` when |ours - ref| <= atol + rtol * |ref| everywhere (NaNs must agree)."""
    a, b = np.asarray(ours), np.asarray(ref)
    if a.dtype.kind == "V":  # bfloat16 and other ml_dtypes floats
        a = a.astype(np.float32)
    if b.dtype.kind == "V":
        b = b.astype(np.float32)
    if a.shape != b.shape:
        return Comparison(name, float("inf"), float("inf"), False, f"shape {a.shape} vs {b.shape}")
    if a.size == 0:
        return Comparison(name, 0.0, 0.0, True)
    if a.dtype.kind not in "fc" and b.dtype.kind not in "fc":
        diff = a.astype(np.int64) != b.astype(np.int64) if a.dtype.kind != "b" else a != b
        n = int(np.count_nonzero(diff))
        return Comparison(name, float(n > 0), float(n > 0), n == 0, f"{n} elements differ" if n else "")
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    nan_a, nan_b = np.isnan(a64), np.isnan(b64)
    if not np.array_equal(nan_a, nan_b):
        return Comparison(name, float("nan"), float("nan"), False, "NaNs differ")
    fin = ~nan_a & np.isfinite(b64) & np.isfinite(a64)
    inf_ok = np.array_equal(a64[~fin & ~nan_a], b64[~fin & ~nan_b])
    err = np.abs(a64[fin] - b64[fin])
    mag = np.abs(b64[fin])
    max_abs = float(err.max()) if err.size else 0.0
    big = mag > atol
    max_rel = float((err[big] / mag[big]).max()) if np.any(big) else 0.0
    ok = bool(inf_ok and np.all(err <= atol + rtol * mag))
    return Comparison(name, max_abs, max_rel, ok, "" if inf_ok else "infinities differ")
