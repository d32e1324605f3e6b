"""Writing output files atomically, so an error never leaves a half-written file behind."""

from __future__ import annotations

from pathlib import Path

from ir.errors import UserError
from runtime.files import write_atomically


def write_bytes_atomically(path: str | Path, data: bytes) -> None:
    p = Path(path)
    if p.is_dir():
        raise UserError(f"{p}: is a directory; give a file name")
    if not p.parent.exists():
        raise UserError(f"{p}: directory {p.parent} does not exist")
    write_atomically(p, data)


def write_text_atomically(path: str | Path, text: str) -> None:
    write_bytes_atomically(path, text.encode())
