"""The storefront page for photo search: /search/photo/. Thin: validate, throttle, call the service, render.

GET shows the picker (drag and drop, preview: static/recommender/photo.js). POST (multipart) runs the
search and renders the results as the storefront's product cards, with the predicted category as a
one-click filter (the form re-posts the same photo with ``category`` set).
"""

from urllib.parse import urlencode

from django.shortcuts import render

from recommender.embeddings.loading import ImageRejected
from recommender.forms import PhotoSearchForm
from recommender.search.services import photo_search_run
from recommender.api.photo_throttle import photo_search_allowed

TEMPLATE = "recommender/search_photo.html"


def photo_search_page(request):
    if request.method != "POST":
        return render(request, TEMPLATE, {"form": PhotoSearchForm()})
    form = PhotoSearchForm(request.POST, request.FILES)
    allowed, wait = photo_search_allowed(request)
    if not allowed:
        response = render(request, TEMPLATE, {
            "form": form, "error": f"Too many photo searches. Try again in {wait} seconds.",
        }, status=429)
        response["Retry-After"] = str(wait)
        return response
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    try:
        outcome = photo_search_run(
            upload=form.cleaned_data["image"], filters=form.product_filters(), keep=form.cleaned_data["keep"]
        )
    except ImageRejected as rejected:
        return render(request, TEMPLATE, {"form": form, "error": rejected.reason}, status=400)
    return render(request, TEMPLATE, {
        "form": form,
        "outcome": outcome,
        "searched": True,
        "active_category": form.cleaned_data.get("category"),
        # The predicted category's listing with the shopper's department and size: "that type, in my size".
        "listing_query": urlencode({
            name: form.cleaned_data[name] for name in ("gender", "size") if form.cleaned_data.get(name)
        }),
    })
