"""Reads what an engine's object code defines, without loading it: a bounds-checked ELF64 reader.

The engine loader checks the plan against this before any byte reaches the JIT linker (a garbage or
truncated object makes the linker fault, a missing symbol makes a launch jump nowhere):
- the object is a relocatable ELF64 for this machine whose section and symbol tables lie in the file;
- the symbols it defines (kernels) and the bytes of data symbols, so a kernel's signature
  (``<kernel>.zg_signature``, a JSON constant codegen puts beside each kernel) can be read back.
"""

from __future__ import annotations

import platform
import struct
import sys
from dataclasses import dataclass, field

_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_SHDR = struct.Struct("<IIQQQQIIQQ")
_SYM = struct.Struct("<IBBHQQ")
_SHT_SYMTAB, _SHT_NOBITS = 2, 8
_SHN_UNDEF, _SHN_LORESERVE = 0, 0xFF00
_MACHINES = {"x86_64": 62, "amd64": 62, "aarch64": 183, "arm64": 183}

SIGNATURE_SUFFIX = ".zg_signature"
"""The data symbol ``<kernel>.zg_signature`` holds the kernel's signature as JSON (see runtime.plan)."""


class ObjectFormatError(ValueError):
    """The bytes are not a well-formed object file for this machine."""


@dataclass
class ObjectSymbols:
    """Defined symbols of one object: name -> bytes for those in a section with contents (else b"")."""

    defined: dict[str, bytes] = field(default_factory=dict)
    checked: bool = True
    """False where the host's object format is not ELF (nothing was read; nothing can be checked)."""


def _cstr(table: bytes, off: int) -> str:
    if off >= len(table):
        raise ObjectFormatError("symbol name lies outside the string table")
    end = table.find(b"\0", off)
    if end < 0:
        raise ObjectFormatError("unterminated symbol name")
    return table[off:end].decode("utf-8", "replace")


def read_symbols(data: bytes) -> ObjectSymbols:
    """The symbols ``data`` defines; raises ObjectFormatError when it is not a sound ELF64 object."""
    if data[:4] != b"\x7fELF":
        if sys.platform.startswith("linux"):
            raise ObjectFormatError("object code is not an ELF object")
        return ObjectSymbols(checked=False)  # Mach-O / COFF hosts: not read here
    if len(data) < _EHDR.size:
        raise ObjectFormatError("object code is truncated (ELF header)")
    ident, e_type, machine, _v, _entry, _phoff, shoff, _fl, _eh, _phes, _phn, shentsize, shnum, shstrndx = (
        _EHDR.unpack_from(data, 0)
    )
    if ident[4] != 2 or ident[5] != 1:
        raise ObjectFormatError("object code is not a little-endian ELF64 object")
    if e_type != 1:
        raise ObjectFormatError(f"object code is ELF type {e_type}, expected a relocatable object")
    want = _MACHINES.get(platform.machine().lower())
    if want is not None and machine != want:
        raise ObjectFormatError(
            f"object code is for ELF machine {machine}, this host is {platform.machine()}"
        )
    if shentsize != _SHDR.size or shnum == 0 or shoff + shnum * shentsize > len(data):
        raise ObjectFormatError("object code is truncated or corrupt (section table)")
    if shstrndx >= shnum:
        raise ObjectFormatError("object code is corrupt (section name table)")
    sections = [_SHDR.unpack_from(data, shoff + i * shentsize) for i in range(shnum)]
    for s in sections:
        _name, typ, _flags, _addr, off, size = s[:6]
        if typ != _SHT_NOBITS and off + size > len(data):
            raise ObjectFormatError("object code is truncated or corrupt (a section runs past its end)")
    out = ObjectSymbols()
    for s in sections:
        if s[1] != _SHT_SYMTAB:
            continue
        _n, _t, _f, _a, off, size, link, _info, _al, entsize = s
        if entsize != _SYM.size or link >= shnum:
            raise ObjectFormatError("object code is corrupt (symbol table)")
        strtab_s = sections[link]
        strtab = data[strtab_s[4] : strtab_s[4] + strtab_s[5]]
        for j in range(size // entsize):
            st_name, _info2, _other, shndx, value, ssize = _SYM.unpack_from(data, off + j * entsize)
            if shndx == _SHN_UNDEF or shndx >= _SHN_LORESERVE or st_name == 0:
                continue
            if shndx >= shnum:
                raise ObjectFormatError("object code is corrupt (a symbol names no section)")
            name = _cstr(strtab, st_name)
            sec = sections[shndx]
            if sec[1] == _SHT_NOBITS:
                out.defined[name] = b""
                continue
            if value + ssize > sec[5]:
                raise ObjectFormatError(f"object code is corrupt (symbol '{name}' runs past its section)")
            out.defined[name] = bytes(data[sec[4] + value : sec[4] + value + ssize])
    return out
