"""Every API error as one JSON shape (REST_FRAMEWORK["EXCEPTION_HANDLER"]), and its description for the schema.

In: any exception a DRF view raises. Out: a Response with

    {"detail": "one sentence for a person", "code": "machine_code",
     "errors": {"field": ["message", ...]}}          # `errors` only on validation errors (400)

Validation errors name the field in `detail` ("price_max: Ensure this value is greater than or equal to 0.").
Codes: DRF's own (invalid, parse_error, not_found, method_not_allowed, not_acceptable,
unsupported_media_type, throttled, permission_denied, not_authenticated), too_large (413) and the codes views
choose (photo search's image refusals). Django's refusals of a request body (over
DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields) become 413 and 400 here instead of an HTML page. Anything else
stays an unhandled exception: the project's handler500 answers it.

`error_responses(400, 404)` gives drf-spectacular the documented answers for those statuses.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler

from recommender.api.parsers import BodyTooLarge

NON_FIELD = "non_field_errors"

DESCRIPTIONS = {
    400: "The request is not valid: `detail` says why; on a field's error `errors` names each field.",
    403: "Refused (code csrf_failed): a write that carries the session cookie needs the CSRF token (X-CSRFToken).",
    404: "Not found: no such product (or page of results).",
    413: "The request body is over this operation's limit (`detail` gives it).",
    415: "The body's Content-Type is not one this operation takes.",
    429: "Too many requests from this client: the Retry-After header says after how many seconds to retry.",
}


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="what went wrong, for a person")
    code = serializers.CharField(help_text="what went wrong, for a program (e.g. invalid, not_found, throttled)")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="validation errors only: the messages of each field (non_field_errors: of the whole request)",
    )


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ErrorSerializer, description=DESCRIPTIONS[code]) for code in statuses}


def api_exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        exc = BodyTooLarge(f"The request body is too large ({exc}).")
    elif isinstance(exc, TooManyFieldsSent):
        exc = exceptions.ParseError(f"The form has too many fields ({exc}).")
    response = exception_handler(exc, context)
    if response is None:
        return None
    response.data = error_body(exc, response.data)
    return response


def error_body(exc, data) -> dict:
    """The one error shape from DRF's `data` for `exc` (Http404 and PermissionDenied already converted)."""
    if isinstance(exc, exceptions.ValidationError):
        errors = _flattened(data)
        field, messages = next(iter(errors.items()), (NON_FIELD, ["Invalid input."]))
        detail = messages[0] if field == NON_FIELD else f"{field}: {messages[0]}"
        return {"detail": detail, "code": "invalid", "errors": errors}
    detail = data.get("detail", "") if isinstance(data, dict) else data
    code = getattr(detail, "code", None) or getattr(exc, "default_code", None) or "error"
    return {"detail": str(detail), "code": str(code)}


def _flattened(data, prefix: str = "") -> dict[str, list[str]]:
    """{"field": [messages]} from DRF's nested detail ({"a": {"b": [..]}} -> {"a.b": [..]}; a list -> non_field)."""
    if isinstance(data, dict):
        flat: dict[str, list[str]] = {}
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                flat.update(_flattened(value, name))
            else:
                flat[name] = [str(message) for message in _messages(value)]
        return flat
    return {prefix or NON_FIELD: [str(message) for message in _messages(data)]}


def _messages(value) -> list:
    if isinstance(value, (list, tuple)):
        found = []
        for item in value:
            found.extend(_messages(item) if isinstance(item, (list, tuple, dict)) else [item])
        return found
    if isinstance(value, dict):
        return [message for messages in _flattened(value).values() for message in messages]
    return [value]
