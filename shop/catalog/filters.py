"""The category listing's filter and sort form (django-filter).

Choices for sub-category, colour and size come from the listing itself (listing_facets), so the
form never offers a value that would show nothing; an unknown value is a form error, not a 500.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef

from .forms import ListingFilterForm
from .models import Gender, Variant
from .selectors import category_subtree_q, with_popularity

SORTS = {
    "relevance": ("Best match", ("-rank", "-created_at", "-id")),  # search results only
    "newest": ("Newest", ("-created_at", "-id")),
    "price_asc": ("Price: low to high", ("price", "-id")),
    "price_desc": ("Price: high to low", ("-price", "-id")),
    "popular": ("Most popular", ("-popularity", "-created_at", "-id")),
}


class ProductFilter(django_filters.FilterSet):
    sub = django_filters.ChoiceFilter(label="Category", method="filter_sub", empty_label="All")
    gender = django_filters.ChoiceFilter(label="Department", choices=Gender.choices, empty_label="All")
    colour = django_filters.ChoiceFilter(label="Colour", field_name="base_colour", empty_label="Any")
    size = django_filters.ChoiceFilter(label="Size in stock", method="filter_size", empty_label="Any")
    price_min = django_filters.NumberFilter(
        label="Min price", field_name="price", lookup_expr="gte", min_value=0,
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "decimal"}),
    )
    price_max = django_filters.NumberFilter(
        label="Max price", field_name="price", lookup_expr="lte", min_value=0,
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "decimal"}),
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by", method="filter_sort", empty_label=None,
        choices=[(key, label) for key, (label, _) in SORTS.items()],
    )

    class Meta:
        form = ListingFilterForm

    def __init__(self, data=None, queryset=None, *, subcategories, colours, sizes, ranked=False, **kwargs):
        super().__init__(data, queryset, **kwargs)
        # Search results carry a `rank` and sort by it unless asked otherwise; listings have none.
        self.default_sort = "relevance" if ranked else "newest"
        self.filters["sort"].extra["choices"] = [
            (key, label) for key, (label, _) in SORTS.items() if ranked or key != "relevance"
        ]
        self._subcategories = {c.slug: c for c in subcategories}
        self.filters["sub"].extra["choices"] = [(c.slug, c.name) for c in subcategories]
        self.filters["colour"].extra["choices"] = [(c, c) for c in colours]
        self.filters["size"].extra["choices"] = [(s, s) for s in sizes]

    def filter_sub(self, queryset, name, value):
        return queryset.filter(category_subtree_q(self._subcategories[value]))

    def filter_size(self, queryset, name, value):
        # EXISTS rather than a join: a product is listed once however many variants match.
        in_stock = Variant.objects.filter(product=OuterRef("pk"), size=value, stock__gt=0)
        return queryset.filter(Exists(in_stock))

    def filter_sort(self, queryset, name, value):
        if value == "popular":
            queryset = with_popularity(queryset)
        return queryset.order_by(*SORTS[value][1])

    @property
    def active_count(self) -> int:
        """How many filters narrow the list (sorting does not), shown on the folded form's button."""
        if not self.is_bound or not self.form.is_valid():
            return 0
        return sum(1 for name, value in self.form.cleaned_data.items() if name != "sort" and value not in (None, ""))

    @property
    def qs(self):
        queryset = super().qs
        # With no (or an invalid) sort, newest first; the model's default ordering says the same,
        # but saying it here keeps pagination stable if that default ever changes.
        if not (self.form.is_valid() and self.form.cleaned_data.get("sort")):
            queryset = queryset.order_by(*SORTS[self.default_sort][1])
        return queryset
