"""Storefront pages: home, category listing, product page, search. Thin: read, render, send events."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from shop import events
from shop.accounts.selectors import product_is_liked
from shop.accounts.visitors import visitor_from_request

from . import selectors
from .filters import ProductFilter
from .models import Product
from .rails import rails_for

PAGE_SIZE = 24
SEARCH_MAX_LENGTH = 200


def _page(request, queryset):
    """A page of results; a bad or too large ?page= gives the nearest page, never an error. Its rows are read
    once, here: the template may ask for the first row and then loop, which on a queryset is two queries."""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return page


def _querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def home(request):
    return render(request, "catalog/home.html", {
        "tiles": selectors.category_tiles(),
        "new_in": selectors.products_new_in(),
        "rails": rails_for(request, placement="home"),
    })


def category_detail(request, slug):
    category = selectors.category_get(slug=slug)
    if category is None:
        raise Http404("No such category.")
    products = selectors.product_list_for_category(category=category)
    subcategories = list(category.children.all())
    facets = selectors.listing_facets(products=products)
    product_filter = ProductFilter(
        request.GET or None, queryset=products,
        subcategories=subcategories, colours=facets["colours"], sizes=facets["sizes"],
    )
    return render(request, "catalog/category.html", {
        "category": category,
        "filter": product_filter,
        "page_obj": _page(request, product_filter.qs),
        "querystring": _querystring_without_page(request),
    })


def product_detail(request, slug):
    product = selectors.product_get_for_detail(slug=slug)
    if product is None:
        raise Http404("No such product.")
    # A guest's first product view starts their session, so their views count towards their
    # suggestions and follow them into an account at login.
    visitor = visitor_from_request(request, create_guest_key=True)
    events.product_viewed.send_robust(
        sender=Product, user=visitor.user, session_key=visitor.session_key, at=None, product_id=product.pk
    )
    rail = request.GET.get("rail", "")[:50]
    if rail:  # the shopper came here from a recommendation rail's card
        events.recommendation_clicked.send_robust(
            sender=Product, user=visitor.user, session_key=visitor.session_key, at=None,
            product_id=product.pk, rail=rail, request_id=request.GET.get("rid", "")[:16],
        )
    variants = list(product.variants.all())
    return render(request, "catalog/product.html", {
        "product": product,
        "images": list(product.images.all()),
        "variants": variants,
        "in_stock": any(v.stock > 0 for v in variants),
        "liked": product_is_liked(visitor=visitor, product=product),
        "breadcrumbs": product.category.ancestors(include_self=True),
        "rails": rails_for(request, placement="product", product=product),
    })


def search(request):
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    if not query:
        return render(request, "catalog/search.html", {"query": query, "page_obj": None})
    results = selectors.product_search(query=query)
    # Facets over the matching ids: the search document is raw SQL on the product table, which
    # cannot be nested as a subquery under another alias.
    facets = selectors.listing_facets(products=Product.objects.filter(pk__in=list(results.values_list("pk", flat=True))))
    # The same filters as a listing, over the matches; sub-categories are the top-level ones.
    product_filter = ProductFilter(
        request.GET, queryset=results, subcategories=selectors.category_roots(),
        colours=facets["colours"], sizes=facets["sizes"], ranked=True,
    )
    return render(request, "catalog/search.html", {
        "query": query,
        "filter": product_filter,
        "page_obj": _page(request, product_filter.qs),
        "querystring": _querystring_without_page(request),
    })
