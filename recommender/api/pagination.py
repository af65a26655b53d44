"""Page-number pagination of lists (REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]), with its parameters checked.

In: ``page`` (an integer from 1; default 1) and ``page_size`` (1 to MAX_PAGE_SIZE; default PAGE_SIZE, 24).
Out: {"count", "next", "previous", "results"}. A page or page size that is not such an integer (empty,
"last", 0, 101) is a 400 naming the parameter, where DRF would fall back to a default or answer 404; a page
past the last one is a 404.
"""

from django.core.paginator import InvalidPage
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination

from recommender.api.inputs import Input

MAX_PAGE_SIZE = 100


class PageQuery(Input):
    page = serializers.IntegerField(min_value=1, required=False, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)


class PagePagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()

    def paginate_queryset(self, queryset, request, view=None):
        query = PageQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        self.request = request
        size = query.validated_data.get("page_size") or self.page_size
        paginator = self.django_paginator_class(queryset, size)
        number = query.validated_data["page"]
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            raise NotFound(f"There is no page {number}: the last page is {paginator.num_pages}.") from None
        self.display_page_controls = paginator.num_pages > 1
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.page_query_param, "required": False, "in": "query",
             "description": "a page number, from 1", "schema": {"type": "integer", "minimum": 1}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": f"results per page (default {self.page_size}, at most {MAX_PAGE_SIZE})",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}},
        ]
