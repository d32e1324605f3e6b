"""Ziggurat: an open, inspectable inference compiler (ONNX -> graph -> tensor -> loop -> LLVM)."""

__version__ = "0.1.0"
