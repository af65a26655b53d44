"""Request body parsers for the API (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]): JSON and form bodies read with a cap.

In: the request stream, and the view's `max_body_bytes` (default shop.core.safe_json.MAX_BYTES, 1 MiB).
Out: the parsed body; 413 (`BodyTooLarge`) for a body over the cap, refused by its Content-Length before a
byte is read; 400 (`ParseError`) for JSON that is malformed, not UTF-8 or nested more than
safe_json.MAX_DEPTH (32) levels.

Neither class subclasses DRF's JSONParser or FormParser on purpose: DRF reads the whole body into memory
(`request.body`, up to DATA_UPLOAD_MAX_MEMORY_SIZE) before calling those, where these read at most the cap.
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation
from django.http import QueryDict
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer

from shop.core import safe_json


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "The request body is too large."


def body_limit(parser_context: dict | None) -> int:
    """The most bytes the view takes in a body: its `max_body_bytes`, else safe_json.MAX_BYTES."""
    view = (parser_context or {}).get("view")
    return int(getattr(view, "max_body_bytes", safe_json.MAX_BYTES))


def read_capped(stream, parser_context: dict | None) -> bytes:
    """The body's bytes, or BodyTooLarge when its declared or actual length is over the view's limit."""
    limit = body_limit(parser_context)
    request = (parser_context or {}).get("request")
    declared = request.META.get("CONTENT_LENGTH") if request is not None else None
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(_too_large_message(limit))
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise BodyTooLarge(_too_large_message(limit))
    return raw


class SafeJSONParser(BaseParser):
    media_type = "application/json"
    renderer_class = JSONRenderer

    def parse(self, stream, media_type=None, parser_context=None):
        raw = read_capped(stream, parser_context)
        try:
            return safe_json.loads(raw, max_bytes=body_limit(parser_context))
        except safe_json.JSONRejected as rejected:
            raise ParseError(rejected.message, code=rejected.code) from None


class CappedFormParser(BaseParser):
    media_type = "application/x-www-form-urlencoded"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = read_capped(stream, parser_context)
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            return QueryDict(raw, encoding=encoding)
        except (ValueError, SuspiciousOperation) as error:  # TooManyFieldsSent, undecodable bytes
            raise ParseError(f"The form body is not valid: {error}") from None


def _too_large_message(limit: int) -> str:
    return f"The request body is too large (at most {limit:,} bytes)."
