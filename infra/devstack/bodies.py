"""Reads a request's body as API Gateway accepts it: by `Content-Length`, or chunked.

Framing the server cannot trust (a length that is not a number, a body cut short, a
client that stops sending) is refused with a `BodyRefused`, never a hang or a dropped
connection; the connection is closed after it, since where the next request starts is
unknown.
"""

from __future__ import annotations

import re
from email.message import Message
from typing import BinaryIO

# Longest chunk-size or trailer line accepted (http.server's own limit for a header line).
_MAX_LINE_BYTES = 65536
_DIGITS = re.compile(r"[0-9]{1,16}")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")


class BodyRefused(Exception):
    """The answer the caller gets instead of its body being read."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _malformed(message: str) -> BodyRefused:
    return BodyRefused(400, "bad_request", message)


def _too_large(limit: int) -> BodyRefused:
    return BodyRefused(413, "payload_too_large", f"The request body is larger than {limit} bytes.")


def _cut_short() -> BodyRefused:
    return _malformed("The request body ended before its announced length.")


def is_chunked(headers: Message) -> bool:
    return headers.get("Transfer-Encoding") is not None


def content_length(headers: Message) -> int:
    """The announced length (0 without one). Repeats must agree: a proxy might pick either."""
    values = {value.strip() for field in headers.get_all("Content-Length") or [] for value in field.split(",")}
    if not values:
        return 0
    if len(values) > 1 or not _DIGITS.fullmatch(next(iter(values))):
        raise _malformed("Content-Length must be one whole number of bytes.")
    return int(next(iter(values)))


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) < size:
        raise _cut_short()
    return data


def _line(stream: BinaryIO) -> bytes:
    line = stream.readline(_MAX_LINE_BYTES + 1)
    if not line.endswith(b"\n"):
        raise _cut_short() if len(line) <= _MAX_LINE_BYTES else _malformed("A chunk line is too long.")
    return line.rstrip(b"\r\n")


def _read_chunked(stream: BinaryIO, limit: int) -> bytes:
    body = bytearray()
    while True:
        size_field = _line(stream).split(b";", 1)[0].strip()  # chunk extensions are ignored
        if not _HEX.fullmatch(size_field):
            raise _malformed("A chunk size must be a hexadecimal number.")
        size = int(size_field, 16)
        if size == 0:
            break
        if len(body) + size > limit:
            raise _too_large(limit)
        body += _read_exactly(stream, size)
        if _line(stream):
            raise _malformed("A chunk must end with CRLF.")
    while _line(stream):  # trailer fields: nothing forwards them
        pass
    return bytes(body)


def read_body(headers: Message, stream: BinaryIO, limit: int) -> bytes:
    """The body, at most `limit` bytes; raises BodyRefused (a socket timeout becomes a 408)."""
    try:
        if is_chunked(headers):
            if headers.get("Content-Length") is not None:
                # Two framings at once is how requests are smuggled past proxies.
                raise _malformed("Send Content-Length or Transfer-Encoding, not both.")
            if headers.get("Transfer-Encoding", "").strip().lower() != "chunked":
                raise _malformed("The only transfer coding accepted is chunked.")
            return _read_chunked(stream, limit)
        length = content_length(headers)
        if length > limit:
            raise _too_large(limit)
        return _read_exactly(stream, length) if length else b""
    except TimeoutError as error:
        raise BodyRefused(408, "request_timeout", "The request body did not arrive in time; send it again.") from error
