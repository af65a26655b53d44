"""POST /api/events/: a client reports that the shopper viewed a product or clicked a recommendation.

Body: {"kind": "view" | "click", "product": id, "rail": name (clicks)}. Validated (the product
must exist and be active), throttled per client, and sent as the shop's own events, so it takes
exactly the path a page view takes. 202 Accepted: recording happens in the event receivers.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from shop import events
from shop.accounts.visitors import visitor_from_request
from shop.catalog.models import Product


class FailOpenScopedThrottle(ScopedRateThrottle):
    """A throttle whose store (Redis) is down lets the request through rather than failing it."""

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # redis.ConnectionError and friends: rate limits are a guard, not a gate
            return True


class EventSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["view", "click"])
    product = serializers.IntegerField(min_value=1)
    rail = serializers.RegexField(r"^[a-z0-9_]{1,50}$", required=False, help_text="the rail clicked (kind=click)")

    def validate_product(self, value):
        if not Product.objects.active().filter(pk=value).exists():
            raise serializers.ValidationError("No such product.")
        return value

    def validate(self, data):
        if data["kind"] == "click" and not data.get("rail"):
            raise serializers.ValidationError({"rail": "required for clicks"})
        return data


class EventsView(APIView):
    throttle_classes = [FailOpenScopedThrottle]
    throttle_scope = "events"

    @extend_schema(request=EventSerializer, responses={202: None})
    def post(self, request):
        body = EventSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        visitor = visitor_from_request(request, create_guest_key=True)
        who = {"sender": Product, "user": visitor.user, "session_key": visitor.session_key, "at": None}
        if data["kind"] == "view":
            events.product_viewed.send_robust(product_id=data["product"], **who)
        else:
            events.recommendation_clicked.send_robust(product_id=data["product"], rail=data["rail"], **who)
        return Response(status=status.HTTP_202_ACCEPTED)
