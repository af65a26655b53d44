"""JSON from clients, decoded with limits: the one door every request body and JSON form field goes through.

In: the raw text or bytes (UTF-8) and optional limits. Out: the decoded value, or `JSONRejected` with a code
and a message a client can act on:

- ``too_large``: more than `max_bytes` (default MAX_BYTES, 1 MiB) of UTF-8;
- ``too_deep``: arrays and objects nested more than `max_depth` levels (default MAX_DEPTH, 32): ``{}`` is one
  level, ``{"a": [1]}`` two;
- ``invalid_json``: not JSON (the decoder's own words, with line and column), NaN or Infinity (spelled out, or
  a number too large for a float), not UTF-8, or an integer of more than MAX_INT_DIGITS (4,300) digits.

The depth is measured on the text before decoding: Python's decoder recurses once per level and fails with
RecursionError (a 500) near 1,000 levels, so deep input never reaches it. Strings are blanked out first, so a
bracket inside a string does not count; for text that is valid JSON the count is exact.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_INT_DIGITS = 4300  # Python's own limit for int(str), named here so the message says it

# A JSON string: quote, then runs of plain characters and escapes, then quote (no backtracking blow-up).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_OPENING = frozenset("[{")


class JSONRejected(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def loads(raw: str | bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH, what: str = "The body") -> Any:
    """The decoded JSON value of `raw`; `what` names it in messages ("The body", "filters")."""
    if isinstance(raw, bytes):
        if len(raw) > max_bytes:
            raise _too_large(what, max_bytes)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise JSONRejected("invalid_json", f"{what} is not UTF-8 text.") from None
    else:
        text = raw
        # A character is 1 to 4 bytes: only count exactly when the length is close to the limit.
        if len(text) > max_bytes or (len(text) * 4 > max_bytes and len(text.encode("utf-8")) > max_bytes):
            raise _too_large(what, max_bytes)
    if depth_exceeds(text, max_depth):
        raise JSONRejected("too_deep", f"{what} is nested too deeply (at most {max_depth} levels of arrays and objects).")
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float,
                          parse_int=_bounded_int)
    except RecursionError:  # belt and braces: invalid text the scan above miscounted
        raise JSONRejected("too_deep", f"{what} is nested too deeply (at most {max_depth} levels).") from None
    except ValueError as error:
        raise JSONRejected("invalid_json", f"{what} is not valid JSON: {error}.") from None


def depth_exceeds(text: str, max_depth: int) -> bool:
    """True when arrays and objects in `text` nest more than `max_depth` levels (strings ignored)."""
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    if len(brackets) <= max_depth:
        return False
    depth = 0
    for bracket in brackets:
        if bracket in _OPENING:
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def _too_large(what: str, max_bytes: int) -> JSONRejected:
    return JSONRejected("too_large", f"{what} is too large (at most {_size(max_bytes)}).")


def _size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n} bytes"


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer has more than {MAX_INT_DIGITS:,} digits")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is too large for a number")
    return value
