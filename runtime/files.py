"""Writing files atomically: a temporary in the target folder renamed over the target, so an error or a
termination signal never leaves a half-written file (or the temporary) behind."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from pathlib import Path

__all__ = ["write_atomically"]


class _Terminated(BaseException):
    """A termination signal arrived during an atomic write."""


@contextlib.contextmanager
def _signals_raise():
    """Within the block, SIGTERM / SIGHUP raise `_Terminated` (so `finally` / `except` clean up); afterwards
    the previous handlers are back and the signal, if one came, is listed for the caller to re-deliver."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return
    sigs = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {}

    def handler(signum, frame):
        caught.append(signum)
        raise _Terminated(signum)

    for s in sigs:
        try:
            previous[s] = signal.signal(s, handler)
        except (ValueError, OSError):
            pass
    try:
        yield caught
    except _Terminated:
        pass  # the temporary is already removed; the signal is re-delivered by the caller
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def write_atomically(path: str | Path, data: bytes) -> None:
    """Writes `data` to `path` through a temporary in the same folder; the temporary is removed on every
    exit path: errors, KeyboardInterrupt, and SIGTERM / SIGHUP (turned into an exception while the write
    runs, then re-delivered with the previous handler restored)."""
    p = Path(path)
    with _signals_raise() as caught:
        fd, tmp = tempfile.mkstemp(
            dir=p.parent if str(p.parent) else ".", prefix=f".{p.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, p)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    if caught:
        signal.raise_signal(caught[0])
