"""A stand-in map tile made here, so browser tests never reach a real tile server."""

import struct
import zlib

SIZE = 256


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def stub_tile():
    """A 256×256 pale tile with a faint grid, as PNG bytes."""
    paper, line = b"\xee\xf1\xec", b"\xd4\xdb\xd2"
    rows = []
    for y in range(SIZE):
        if y % 64 == 0:
            rows.append(b"\x00" + line * SIZE)
        else:
            rows.append(b"\x00" + b"".join(line if x % 64 == 0 else paper for x in range(SIZE)))
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + _chunk(b"IEND", b"")
    )
