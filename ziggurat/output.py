"""Writing output files atomically, so an error never leaves a half-written file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ir.errors import UserError


def write_bytes_atomically(path: str | Path, data: bytes) -> None:
    p = Path(path)
    if p.is_dir():
        raise UserError(f"{p}: is a directory; give a file name")
    if not p.parent.exists():
        raise UserError(f"{p}: directory {p.parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text_atomically(path: str | Path, text: str) -> None:
    write_bytes_atomically(path, text.encode())
