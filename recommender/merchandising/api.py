"""/api/merchandising/rules/: the staff's merchandising rules over DRF, for staff only (session or token auth).

GET list / detail, POST, PUT, PATCH, DELETE. A rule is the model's fields plus `picks`: the ordered product ids of a
complements rule. Input is checked by the model's own `clean()` (the admin's checks), so a rule that says too little
or contradicts itself is a 400 naming the field; an unknown product or category is a 400 too. Every change is
recorded by django-simple-history with the user (its middleware), and moves the rules version (receivers), so
pages and feeds use it on their next request.
"""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.authentication import TokenAuthentication

from recommender.api.authentication import GuestAwareSessionAuthentication
from recommender.api.errors import error_responses
from recommender.models import ComplementPick, MerchandisingRule
from shop.catalog.models import Product

MAX_PICKS = 24


class RuleSerializer(serializers.ModelSerializer):
    # Written here, read back by to_representation (the model's `picks` is the related manager of ComplementPick).
    picks = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False,
                                  max_length=MAX_PICKS, write_only=True, help_text="complements: product ids, in order")

    class Meta:
        model = MerchandisingRule
        fields = ("id", "name", "kind", "is_active", "priority", "starts_at", "ends_at", "placement", "rail",
                  "anchor_product", "anchor_category", "product", "position", "match_product", "match_category",
                  "match_brand", "match_department", "match_season", "match_price_min", "match_price_max",
                  "match_new_within_days", "match_attribute_key", "match_attribute_value", "factor", "fill", "picks",
                  "created_at", "updated_at")
        read_only_fields = ("created_at", "updated_at")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["picks"] = [p.product_id for p in instance.picks.all()]
        return data

    def validate_picks(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("A product is picked twice.")
        known = set(Product.objects.filter(pk__in=value).values_list("pk", flat=True))
        missing = [pk for pk in value if pk not in known]
        if missing:
            raise serializers.ValidationError(f"No such product: {', '.join(map(str, missing))}.")
        return value

    def validate(self, attrs):
        picks = attrs.get("picks")
        fields = {k: v for k, v in attrs.items() if k != "picks"}
        rule = copy.copy(self.instance) if self.instance is not None else MerchandisingRule()
        for name, value in fields.items():
            setattr(rule, name, value)
        try:
            rule.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        if picks and rule.kind != "complements":
            raise serializers.ValidationError({"picks": ["Only a complements rule has picks."]})
        if rule.kind == "complements" and not (picks if picks is not None else self._current_picks()):
            raise serializers.ValidationError({"picks": ["Complements need at least one hand-picked product."]})
        return attrs

    def _current_picks(self) -> list[int]:
        return [] if self.instance is None else [p.product_id for p in self.instance.picks.all()]

    @transaction.atomic
    def create(self, validated_data):
        picks = validated_data.pop("picks", [])
        rule = super().create(validated_data)
        _picks_set(rule, picks)
        return rule

    @transaction.atomic
    def update(self, instance, validated_data):
        picks = validated_data.pop("picks", None)
        rule = super().update(instance, validated_data)
        if picks is not None:
            _picks_set(rule, picks)
        return rule


def _picks_set(rule: MerchandisingRule, picks: list[int]) -> None:
    rule.picks.all().delete()
    for position, product_id in enumerate(picks, start=1):
        ComplementPick.objects.create(rule=rule, product_id=product_id, position=position)


STAFF_ONLY = "Staff only: without a staff session or token every operation answers 403."
_refused = error_responses(403)
_refused_or_missing = error_responses(403, 404)


@extend_schema_view(
    list=extend_schema(description=STAFF_ONLY, responses={200: RuleSerializer(many=True), **_refused}),
    retrieve=extend_schema(description=STAFF_ONLY, responses={200: RuleSerializer, **_refused_or_missing}),
    create=extend_schema(description=STAFF_ONLY, responses={201: RuleSerializer, **error_responses(400, 403, 415)}),
    update=extend_schema(description=STAFF_ONLY,
                         responses={200: RuleSerializer, **error_responses(400, 403, 404, 415)}),
    partial_update=extend_schema(description=STAFF_ONLY,
                                 responses={200: RuleSerializer, **error_responses(400, 403, 404, 415)}),
    destroy=extend_schema(description=STAFF_ONLY, responses={204: None, **_refused_or_missing}),
)
class RuleViewSet(viewsets.ModelViewSet):
    serializer_class = RuleSerializer
    queryset = MerchandisingRule.objects.prefetch_related("picks").order_by("-priority", "id")
    authentication_classes = [GuestAwareSessionAuthentication, TokenAuthentication]
    permission_classes = [permissions.IsAdminUser]
    pagination_class = None  # a shop has tens of rules, not thousands
