"""Sliding-window arithmetic of convolution and pooling, along one spatial dimension, written once.

The graph ops' shape inference and reference, the tensor-level conv/pool ops, the loop-level conv kernels
and codegen's conv microkernel all size their windows with these functions (ONNX/onnxruntime rules).
"""

from __future__ import annotations

AUTO_PADS = ("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID")


def effective_kernel(k: int, dilation: int = 1) -> int:
    """The extent a dilated kernel covers: (k - 1) * dilation + 1."""
    return (k - 1) * dilation + 1


def out_size(
    n: int,
    k: int,
    stride: int = 1,
    dilation: int = 1,
    pad_begin: int = 0,
    pad_end: int = 0,
    ceil_mode: int = 0,
) -> int:
    """Output extent of a window of size k over n padded elements.

    floor((n + pads - eff) / stride) + 1, or with ceil_mode the ceiling, where a last window that would
    start inside the end padding is dropped (as onnxruntime and PyTorch do).
    """
    span = n + pad_begin + pad_end - effective_kernel(k, dilation)
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= n + pad_begin:
        out -= 1
    return out


def span_end(out: int, k: int, stride: int = 1, dilation: int = 1) -> int:
    """One past the last padded input position the `out` windows read: (out - 1) * stride + eff."""
    return (out - 1) * stride + effective_kernel(k, dilation)


def same_pads(
    n: int, k: int, stride: int = 1, dilation: int = 1, auto_pad: str = "SAME_UPPER"
) -> tuple[int, int]:
    """(begin, end) pads of auto_pad SAME_UPPER / SAME_LOWER: output ceil(n / stride), the odd pad at the end
    (UPPER) or the beginning (LOWER)."""
    return split_pad(max(0, span_end(-(-n // stride), k, stride, dilation) - n), auto_pad)


def split_pad(total: int, auto_pad: str) -> tuple[int, int]:
    """(begin, end) halves of `total` padding: the odd one at the end for SAME_UPPER, else at the beginning."""
    small, large = total // 2, total - total // 2
    return (small, large) if auto_pad == "SAME_UPPER" else (large, small)


def check_auto_pad(auto_pad: str | bytes) -> str:
    """Normalizes an auto_pad attribute (bytes or str) and rejects unknown values."""
    if isinstance(auto_pad, bytes):
        auto_pad = auto_pad.decode()
    if auto_pad not in AUTO_PADS:
        raise ValueError(f"unknown auto_pad {auto_pad!r}")
    return auto_pad
