"""Draws Flare's toolbar icons (an orange disc with a white flame-like spark) as PNGs, no libraries."""
import struct
import sys
import zlib
from pathlib import Path


def png(size: int) -> bytes:
    rows = []
    centre = (size - 1) / 2
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            dx, dy = (x - centre) / size, (y - centre) / size
            inside_disc = dx * dx + dy * dy <= 0.25
            # A teardrop: a circle in the lower half narrowing to a point at the top.
            spark = (dx * dx + (dy - 0.08) ** 2 <= 0.03) or (-0.3 <= dy <= 0.08 and abs(dx) <= (dy + 0.3) * 0.45)
            if inside_disc and spark:
                row += bytes([255, 255, 255, 255])
            elif inside_disc:
                row += bytes([234, 88, 12, 255])
            else:
                row += bytes([0, 0, 0, 0])
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "static/icons")
    out.mkdir(parents=True, exist_ok=True)
    for size in (16, 32, 48, 128):
        (out / f"icon-{size}.png").write_bytes(png(size))
