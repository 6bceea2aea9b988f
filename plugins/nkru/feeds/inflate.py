"""Undo a response's Content-Encoding with the inflated size capped as it is produced (no gzip bomb).

httpx inflates each network chunk whole before we can count it: 1 MiB of gzip can become 1 GiB in one step.
Here every zlib call is given a `max_length`, so no step produces more than `STEP` bytes and a body is
abandoned as soon as its inflated size passes the cap: memory stays near the cap whatever the server sends.
"""

from __future__ import annotations

import zlib

# The most one zlib call may produce; small enough that an abandoned body costs little.
STEP = 64 * 1024
SUPPORTED = ("gzip", "x-gzip", "deflate", "identity")
# What we ask servers for: exactly what we can inflate ourselves.
ACCEPT_ENCODING = "gzip, deflate"


class TooLarge(Exception):
    """The inflated body passed the cap."""


class UndecodableBody(Exception):
    """The body is not valid for its Content-Encoding, or the encoding is one we do not read."""


class _Stage:
    """One zlib stream (gzip, zlib or raw deflate); every call to `inflate` yields at most `STEP` bytes."""

    def __init__(self, encoding: str) -> None:
        # gzip: a gzip header; deflate: a zlib header, or raw deflate from servers that send that instead.
        self._wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._zlib = zlib.decompressobj(self._wbits)
        self._started = False

    def inflate(self, data: bytes, budget: int) -> list[bytes]:
        """Inflate `data`, raising TooLarge as soon as more than `budget` bytes come out."""
        out: list[bytes] = []
        produced = 0
        while not self._zlib.eof:
            max_length = min(STEP, budget - produced + 1)
            piece = self._decompress(data, max_length)
            data = self._zlib.unconsumed_tail
            produced += len(piece)
            if produced > budget:
                raise TooLarge
            if piece:
                out.append(piece)
            if len(piece) < max_length and not data:
                break  # all input used and zlib had no more output waiting
        return out

    def _decompress(self, data: bytes, max_length: int) -> bytes:
        try:
            piece = self._zlib.decompress(data, max_length)
        except zlib.error as exc:
            if self._started or self._wbits != zlib.MAX_WBITS:
                raise UndecodableBody(f"invalid compressed data: {exc}") from None
            self._wbits = -zlib.MAX_WBITS  # "deflate" sent as raw deflate, without the zlib header
            self._zlib = zlib.decompressobj(self._wbits)
            piece = self._zlib.decompress(data, max_length)
        self._started = True
        return piece


class CappedDecoder:
    """Decodes a body for its Content-Encoding header; `feed` each raw chunk, the total output stays capped."""

    def __init__(self, content_encoding: str, max_bytes: int) -> None:
        encodings = [e.strip().lower() for e in content_encoding.split(",") if e.strip()]
        unknown = [e for e in encodings if e not in SUPPORTED]
        if unknown:
            raise UndecodableBody(f"unsupported content encoding {unknown[0]!r}")
        # Encodings are listed in the order applied, so they are undone from the last one.
        self._stages = [_Stage(e) for e in reversed(encodings) if e != "identity"]
        self._max_bytes = max_bytes
        self.size = 0

    def feed(self, raw: bytes) -> list[bytes]:
        """The decoded bytes of one raw chunk; raises TooLarge once the decoded total passes `max_bytes`."""
        chunks = [raw]
        for stage in self._stages:
            budget = self._max_bytes - self.size
            inflated: list[bytes] = []
            for chunk in chunks:
                pieces = stage.inflate(chunk, budget)
                budget -= sum(len(p) for p in pieces)
                inflated += pieces
            chunks = inflated
        self.size += sum(len(c) for c in chunks)
        if self.size > self._max_bytes:
            raise TooLarge
        return chunks
