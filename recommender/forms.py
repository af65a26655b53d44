"""Input for photo search, shared by the page (a Django form) and the API (its serializer wraps it).

Filters: ``category`` (a category slug; the category and everything below it), ``gender``, ``size``
(in stock in that size), ``price_min``/``price_max``; ``keep`` (opt in to storing the upload).
The image itself is checked by the safe loader, not here, so its refusal reasons reach the shopper.
"""

from django import forms

from recommender.vectors.nearest import ProductFilters
from shop.catalog.models import Category, Gender


class PhotoSearchForm(forms.Form):
    image = forms.FileField(
        label="Photo", allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    category = forms.SlugField(required=False, widget=forms.HiddenInput)
    gender = forms.ChoiceField(label="Department", required=False, choices=[("", "All"), *Gender.choices])
    size = forms.CharField(label="Size in stock", required=False, max_length=20)
    price_min = forms.DecimalField(label="Min price", required=False, min_value=0, max_digits=10, decimal_places=2)
    price_max = forms.DecimalField(label="Max price", required=False, min_value=0, max_digits=10, decimal_places=2)
    keep = forms.BooleanField(
        label="Keep my photo to improve the shop", required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "id_keep_help"}),  # the page's note under it
    )

    def clean_category(self):
        slug = self.cleaned_data.get("category")
        if not slug:
            return None
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            raise forms.ValidationError("No such category.")
        return category

    def product_filters(self) -> ProductFilters:
        data = self.cleaned_data
        return ProductFilters(
            category_id=data["category"].pk if data.get("category") else None,
            gender=data.get("gender") or None,
            size=(data.get("size") or "").strip() or None,
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
        )
