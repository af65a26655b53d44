"""GET /api/recommendations/: suggestions for the caller (signed-in user, or the guest's session).

placement "home" (default) is the personal feed; "product" gives looks-like + bought-with + viewed-with for
`product` (its id; 404 if there is no such active product); "cart" uses the caller's cart. A product placement
without a product has no anchor, like an empty cart: it answers the fallback (what is trending). The schema
cannot make one parameter required by another's value, so this is not an error. Each item has its reason.
The answer is recorded as an impression (rail "api"); its id is in the Recommendation-Request-Id header, for the
client to send back with a click (POST /api/events/ with "request_id").
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from recommender.api.cards import product_cards
from recommender.api.errors import error_responses
from recommender.api.inputs import Input
from recommender.api.serializers import ScoredProductSerializer
from recommender.impressions.pages import REQUEST_ID_HEADER, api_shown
from recommender.recommend.feeds import recommend_with_stock
from shop.accounts.visitors import visitor_from_request
from shop.cart.models import CartItem
from shop.catalog.models import Product


class RecommendationQuery(Input):
    placement = serializers.ChoiceField(choices=["home", "product", "cart"], default="home")
    product = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1,
        help_text="the product page's product (placement=product; without it that placement answers the "
                  "fallback); ignored by the other placements",
    )
    k = serializers.IntegerField(min_value=1, max_value=50, default=12, help_text="how many products")


class RecommendationsView(APIView):
    @extend_schema(
        parameters=[RecommendationQuery],
        responses={200: ScoredProductSerializer(many=True), **error_responses(400, 404)},
        description="Up to k suggestions for the caller, each with its reason. A bare list, not paginated.",
    )
    def get(self, request):
        query = RecommendationQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        visitor = visitor_from_request(request)
        anchors: list[int] = []
        if params["placement"] == "product" and "product" in params:
            if not Product.objects.active().filter(pk=params["product"]).exists():
                raise NotFound("No such product.")
            anchors = [params["product"]]
        elif params["placement"] == "cart":
            anchors = _cart_products(visitor)
        ranked, stock = recommend_with_stock(
            placement=params["placement"], user=visitor.user, session_key=visitor.guest_key or visitor.session_key,
            anchor_ids=anchors, k=params["k"],
        )
        cards = product_cards(request, [item.product_id for item in ranked], stock)
        shown = [item for item in ranked if item.product_id in cards]
        response = Response([
            {"product": cards[item.product_id], "score": round(item.score, 4), "reason": item.reason,
             "source": str(item.source)}
            for item in shown
        ])
        # What was answered is an impression (recommender.impressions); a client sends its id back with a click.
        request_id = api_shown(request, visitor=visitor, placement=params["placement"], ranked=shown)
        if request_id:
            response[REQUEST_ID_HEADER] = request_id
        return response


def _cart_products(visitor) -> list[int]:
    items = CartItem.objects.all()
    if visitor.user is not None:
        items = items.filter(cart__user=visitor.user)
    elif visitor.guest_key:
        items = items.filter(cart__guest_key=visitor.guest_key)
    else:
        return []
    return sorted(set(items.values_list("variant__product_id", flat=True)))
