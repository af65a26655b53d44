"""Each recommendation source as a small integer, stored per position in `Impression.sources`.

Codes are appended, never reordered: old rows keep their meaning. 0 is a source this table does not know yet.
"""

SOURCE_CODES = ("", "history", "co_buy", "visual", "co_view", "profile", "collab", "session", "attribute",
                "trending", "pinned", "merchandised")
_CODE = {name: code for code, name in enumerate(SOURCE_CODES)}


def source_code(source) -> int:
    return _CODE.get(str(source or ""), 0)


def source_name(code: int) -> str:
    return SOURCE_CODES[code] if 0 <= code < len(SOURCE_CODES) else ""
