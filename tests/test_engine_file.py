"""Engine files: round trip, and refusal of foreign, truncated, corrupt and other-version files."""

import struct

import pytest

from runtime.engine_file import FORMAT_VERSION, MAGIC, EngineFile, EngineFileError


def _sample() -> EngineFile:
    return EngineFile(
        {"model": "m", "kernels": [{"name": "k0", "args": 3}]}, {"w0": b"\x01" * 100, "obj": b"xyz"}
    )


def test_round_trip(tmp_path):
    e = _sample()
    p = tmp_path / "m.engine"
    e.save(p)
    back = EngineFile.load(p)
    assert back.meta == e.meta
    assert back.sections == e.sections


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda b: b"PK\x03\x04" + b[4:], "not a Ziggurat engine"),
        (lambda b: b[: len(b) // 2], "checksum mismatch|truncated"),
        (lambda b: b[:100] + bytes([b[100] ^ 0xFF]) + b[101:], "checksum mismatch"),
        (lambda b: b[:8] + struct.pack("<I", FORMAT_VERSION + 1) + b[12:], "format version"),
        (lambda b: b"", "bad magic"),
    ],
)
def test_bad_files_are_refused(tmp_path, mutate, message):
    data = mutate(_sample().to_bytes())
    with pytest.raises(EngineFileError, match=message):
        EngineFile.from_bytes(data)


def test_magic_is_first():
    assert _sample().to_bytes().startswith(MAGIC)
