"""The engine file: one versioned, checksummed container for a compiled plan (no pickle).

Layout (little-endian):
    magic    8 bytes  b"ZIGGURAT"
    version  u32      FORMAT_VERSION
    hlen     u64      length of the JSON manifest
    manifest hlen bytes of UTF-8 JSON: {"meta": {...}, "sections": [{"name", "offset", "size", "sha256"}]}
    payload  the sections' bytes, each at its offset (relative to the payload start, 64-byte aligned)
    digest   32 bytes sha256 of everything before it

Sections hold weights (raw arrays, described in the manifest), object code and anything else a plan
needs; the manifest's `meta` is free-form JSON for the plan (kernels, buffers, launch list, bindings).
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass, field
from pathlib import Path

from runtime.files import write_atomically

MAGIC = b"ZIGGURAT"
FORMAT_VERSION = 1
_ALIGN = 64
_HEADER = struct.Struct("<8sIQ")


class EngineFileError(Exception):
    """The file is not a readable engine (foreign, truncated, corrupt or from another format version)."""


@dataclass
class EngineFile:
    """An engine's contents in memory: JSON-able metadata and named binary sections."""

    meta: dict = field(default_factory=dict)
    sections: dict[str, bytes] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        table, payload, offset = [], bytearray(), 0
        for name, data in self.sections.items():
            pad = (-offset) % _ALIGN
            payload += b"\0" * pad
            offset += pad
            table.append(
                {
                    "name": name,
                    "offset": offset,
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
            payload += data
            offset += len(data)
        manifest = json.dumps({"meta": self.meta, "sections": table}, sort_keys=True).encode()
        body = _HEADER.pack(MAGIC, FORMAT_VERSION, len(manifest)) + manifest
        pad = (-len(body)) % _ALIGN
        body += b"\0" * pad + bytes(payload)
        return body + hashlib.sha256(body).digest()

    @staticmethod
    def from_bytes(data: bytes | memoryview, source: str = "engine") -> EngineFile:
        data = memoryview(data)
        if len(data) < _HEADER.size or bytes(data[:8]) != MAGIC:
            raise EngineFileError(f"{source}: not a Ziggurat engine file (bad magic)")
        magic, version, hlen = _HEADER.unpack_from(data, 0)
        if version != FORMAT_VERSION:
            raise EngineFileError(
                f"{source}: engine format version {version}, this Ziggurat reads version {FORMAT_VERSION}; "
                "recompile the model"
            )
        if len(data) < _HEADER.size + hlen + 32:
            raise EngineFileError(f"{source}: truncated engine file ({len(data)} bytes)")
        body, digest = data[:-32], bytes(data[-32:])
        if hashlib.sha256(body).digest() != digest:
            raise EngineFileError(f"{source}: checksum mismatch (the file is corrupt or truncated)")
        try:
            manifest = json.loads(bytes(data[_HEADER.size : _HEADER.size + hlen]))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise EngineFileError(f"{source}: unreadable manifest ({e})") from None
        start = _HEADER.size + hlen
        start += (-start) % _ALIGN
        sections = {}
        for s in manifest["sections"]:
            lo, hi = start + s["offset"], start + s["offset"] + s["size"]
            if hi > len(body):
                raise EngineFileError(f"{source}: section '{s['name']}' runs past the end of the file")
            chunk = bytes(body[lo:hi])
            if hashlib.sha256(chunk).hexdigest() != s["sha256"]:
                raise EngineFileError(f"{source}: section '{s['name']}' is corrupt")
            sections[s["name"]] = chunk
        return EngineFile(manifest["meta"], sections)

    def save(self, path: str | Path) -> None:
        """Writes atomically: a temporary file in the target's folder, renamed over the target. The temporary
        is removed on every exit path: errors, KeyboardInterrupt, and SIGTERM / SIGHUP (turned into an
        exception while the write runs, then re-delivered with the previous handler restored)."""
        write_atomically(path, self.to_bytes())

    @staticmethod
    def load(path: str | Path) -> EngineFile:
        p = Path(path)
        try:
            data = p.read_bytes()
        except OSError as e:
            raise EngineFileError(f"{p}: cannot read ({e.strerror})") from None
        return EngineFile.from_bytes(data, str(p))
