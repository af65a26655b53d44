"""GET /api/metrics/recommendations/ (staff only): the online metrics per day, placement, rail, source and arm.

Query: days (1-400, default 28), placement, rail, source ("" or absent: whole rails; a source's name: that
source's items), experiment (an id; absent: every row), arm. Out: {"rows": [...], "totals": {...}}, each row with
its counts and rates (recommender.impressions.selectors), oldest day first.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from recommender.api.errors import error_responses
from recommender.api.inputs import Input
from recommender.impressions.codes import SOURCE_CODES
from recommender.impressions.selectors import metric_rows, metric_totals

NAME = r"^[a-z0-9_-]{1,50}$"


class MetricsQuery(Input):
    days = serializers.IntegerField(min_value=1, max_value=400, default=28)
    placement = serializers.ChoiceField(choices=["home", "product", "cart"], required=False)
    rail = serializers.RegexField(NAME, required=False)
    source = serializers.ChoiceField(choices=[s for s in SOURCE_CODES if s], required=False)
    experiment = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    arm = serializers.RegexField(NAME, required=False)


class RecommendationMetricsView(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(parameters=[MetricsQuery], responses={200: OpenApiResponse(description="rows and totals"),
                                                         **error_responses(400, 403)})
    def get(self, request):
        query = MetricsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        rows = metric_rows(days=params["days"], placement=params.get("placement"), rail=params.get("rail"),
                           source=params.get("source", ""), experiment_id=params.get("experiment"),
                           arm=params.get("arm"))
        return Response({"rows": rows, "totals": metric_totals(rows)})
