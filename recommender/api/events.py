"""POST /api/events/: a client reports that the shopper viewed a product or clicked a recommendation.

Body (JSON, or a urlencoded form): {"kind": "view", "product": id} or {"kind": "click", "product": id,
"rail": name}; at most MAX_BODY_BYTES (4 KiB, 413 past it). The product must exist and be active (404
otherwise). Sent as the shop's own events, so it takes exactly the path a page view takes; 202 Accepted:
recording happens in the event receivers. Throttled per client (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
["events"], 60 a minute; 429 with Retry-After past it). A request carrying the session cookie needs the CSRF
token (recommender.api.authentication), so another site cannot post events in a shopper's name.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from recommender.api.errors import error_responses
from recommender.api.inputs import Input
from recommender.api.parsers import CappedFormParser, SafeJSONParser
from recommender.api.throttles import ScopedThrottle
from shop import events
from shop.accounts.visitors import visitor_from_request
from shop.catalog.models import Product

MAX_BODY_BYTES = 4 * 1024
PRODUCT_ID_MAX = 2**63 - 1  # bigint


class ViewEventSerializer(Input):
    kind = serializers.ChoiceField(choices=["view"])
    product = serializers.IntegerField(min_value=1, max_value=PRODUCT_ID_MAX)


class ClickEventSerializer(Input):
    kind = serializers.ChoiceField(choices=["click"])
    product = serializers.IntegerField(min_value=1, max_value=PRODUCT_ID_MAX)
    rail = serializers.RegexField(r"^[a-z0-9_]{1,50}$", help_text="the rail clicked")
    request_id = serializers.RegexField(r"^[0-9a-f]{16}$", required=False,
                                        help_text="the Recommendation-Request-Id of the answer that showed it")


EVENT_KINDS = {"view": ViewEventSerializer, "click": ClickEventSerializer}

Event = PolymorphicProxySerializer(
    component_name="Event",
    serializers=EVENT_KINDS,
    resource_type_field_name="kind",
)


class EventBodySchema(AutoSchema):
    """drf-spectacular cannot tell that a body of one-of-two kinds is required (each kind has required fields)."""

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        if body:
            body["required"] = True
        return body


class EventsView(APIView):
    schema = EventBodySchema()
    parser_classes = [SafeJSONParser, CappedFormParser]
    throttle_classes = [ScopedThrottle]
    throttle_scope = "events"
    max_body_bytes = MAX_BODY_BYTES

    @extend_schema(
        request=Event,
        responses={202: OpenApiResponse(description="Accepted: the event will be recorded."),
                   **error_responses(400, 403, 404, 413, 415, 429)},
        description=f"Report a view or a click. Body at most {MAX_BODY_BYTES:,} bytes; "
                    f"throttled per client (429 with Retry-After).",
    )
    def post(self, request):
        kind = request.data.get("kind") if isinstance(request.data, dict) else None
        # Each kind has its own fields (a click names its rail): the schema says so with one body per kind.
        body = EVENT_KINDS.get(kind if isinstance(kind, str) else "view", ViewEventSerializer)(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if not Product.objects.active().filter(pk=data["product"]).exists():
            raise NotFound("No such product.")
        visitor = visitor_from_request(request, create_guest_key=True)
        who = {"sender": Product, "user": visitor.user, "session_key": visitor.session_key, "at": None}
        if data["kind"] == "view":
            events.product_viewed.send_robust(product_id=data["product"], **who)
        else:
            events.recommendation_clicked.send_robust(product_id=data["product"], rail=data["rail"],
                                                      request_id=data.get("request_id", ""), **who)
        return Response(status=status.HTTP_202_ACCEPTED)
