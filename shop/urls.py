from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from shop.core import views as core_views
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    # The recommender's pages and API, by dotted path: the shop's own apps never import it.
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI and ReDoc from drf-spectacular-sidecar's static files: no CDN.
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/", include("recommender.api.urls")),
    path("", include("recommender.urls")),
    path("cart/", include("shop.cart.urls")),
    path("", include("shop.orders.urls")),
    path("", include("shop.accounts.urls")),
    path("", include("shop.catalog.urls")),
]

# The shop's own pages, JSON under /api/; a database outage answers 503 with Retry-After (shop.core.views).
handler404 = "shop.core.views.page_not_found"
handler500 = "shop.core.views.server_error"

if settings.SHOP_SERVE_MEDIA:
    urlpatterns.insert(0, re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", core_views.media))
