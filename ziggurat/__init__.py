"""Ziggurat: an open, inspectable inference compiler (ONNX -> graph -> tensor -> loop -> LLVM)."""

__version__ = "0.1.0"


def __getattr__(name: str):
    """`ziggurat.compile` and `ziggurat.Session` load the compiler only when first used."""
    if name in ("compile", "Session"):
        from ziggurat import session

        return getattr(session, name)
    raise AttributeError(name)
