"""shop.core.safe_json: the one decoder of client JSON. Depth measured before decoding, bytes capped, no NaN."""

import pytest

from shop.core import safe_json


def code_of(raw, **limits) -> str:
    with pytest.raises(safe_json.JSONRejected) as refused:
        safe_json.loads(raw, **limits)
    return refused.value.code


def test_json_at_the_maximum_depth_decodes_and_one_level_more_is_refused():
    at_most = "[" * safe_json.MAX_DEPTH + "]" * safe_json.MAX_DEPTH
    assert safe_json.loads(at_most) is not None
    assert code_of("[" + at_most + "]") == "too_deep"
    assert code_of('{"a": ' * 33 + "1" + "}" * 33) == "too_deep"


def test_a_hundred_thousand_levels_are_refused_before_the_decoder_sees_them():
    assert code_of("[" * 100_000 + "]" * 100_000, max_bytes=10**6) == "too_deep"


def test_brackets_inside_strings_do_not_count_as_depth():
    text = '{"note": "[[[[{{{{' + "[" * 100 + '", "quoted": "a \\" [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ b"}'
    assert safe_json.loads(text)["note"].startswith("[[[[{{{{")


def test_the_byte_cap_counts_utf8_bytes_not_characters():
    assert safe_json.loads('"' + "é" * 10 + '"', max_bytes=22) == "é" * 10
    assert code_of('"' + "é" * 11 + '"', max_bytes=22) == "too_large"
    assert code_of(b"[" + b"1," * 600 + b"1]", max_bytes=1000) == "too_large"


@pytest.mark.parametrize("raw", ["NaN", "[Infinity]", "-Infinity", "1e400", "9" * 5000, "{'a': 1}", "", b"\xff\xfe"])
def test_what_is_not_plain_json_is_invalid_json(raw):
    assert code_of(raw, max_bytes=10**6) == "invalid_json"


def test_messages_name_the_value_and_the_limit():
    with pytest.raises(safe_json.JSONRejected) as refused:
        safe_json.loads("[" * 40 + "]" * 40, what="filters")
    assert refused.value.message == "filters is nested too deeply (at most 32 levels of arrays and objects)."
    with pytest.raises(safe_json.JSONRejected) as refused:
        safe_json.loads("[1]" * 2000, max_bytes=4096)
    assert refused.value.message == "The body is too large (at most 4 KiB)."
