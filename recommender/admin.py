"""Admin: embedding status on the catalogue's product pages, nearest neighbours, re-embed action.

The shop's ProductAdmin knows nothing of the recommender; this module swaps in a subclass that
adds the recommender's columns, so the dependency points one way only.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.utils.html import format_html, format_html_join

from recommender.conf import recommender_setting
from recommender.dashboard import health_urls
from recommender.embeddings import service
from recommender.embeddings.loading import ImageRejected, load_image
from recommender.models import EmbeddingStatus, EvaluationRun, ImageEmbedding, ProductEmbedding, RecommenderSettings
from recommender.recommend.weights import recommender_settings_delete, recommender_settings_save
from recommender.tasks import embed_images_enqueue
from recommender.vectors import store
from shop.catalog.admin import ProductAdmin, ProductImageInline, VariantInline
from shop.catalog.models import Product, ProductImage


def _annotate_embedding_state(queryset):
    encoder = recommender_setting("ENCODER")
    return queryset.annotate(
        has_vector=Exists(ProductEmbedding.objects.filter(product=OuterRef("pk"), encoder=encoder)),
        has_failure=Exists(
            ImageEmbedding.objects.filter(image__product=OuterRef("pk"), encoder=encoder, status=EmbeddingStatus.FAILED)
        ),
    )


class EmbeddingStatusFilter(admin.SimpleListFilter):
    title = "embedding"
    parameter_name = "embedding"

    def lookups(self, request, model_admin):
        return [("ready", "Ready"), ("failed", "Failed"), ("missing", "Pending or missing")]

    def queryset(self, request, queryset):
        if self.value() == "ready":
            return queryset.filter(has_vector=True)
        if self.value() == "failed":
            return queryset.filter(has_failure=True)
        if self.value() == "missing":
            return queryset.filter(has_vector=False, has_failure=False)
        return queryset


class SafeImageForm(forms.ModelForm):
    """Refuses, with the loader's reason, any upload the embedding pipeline would refuse.

    A plain FileField, not Django's ImageField: the one safe loader decides, so staff see the same
    reason the worker would have recorded.
    """

    image = forms.FileField()

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload and "image" in self.changed_data:
            try:
                load_image(upload)
            except ImageRejected as error:
                raise forms.ValidationError(error.reason, code=error.code) from error
            finally:
                upload.seek(0)
        return upload


class SafeImageInline(ProductImageInline):
    form = SafeImageForm


class RecommenderProductAdmin(ProductAdmin):
    inlines = (VariantInline, SafeImageInline)
    list_display = (*ProductAdmin.list_display, "embedding")
    list_filter = (*ProductAdmin.list_filter, EmbeddingStatusFilter)
    readonly_fields = (*ProductAdmin.readonly_fields, "embedding_detail", "nearest_products")
    fieldsets = (
        *ProductAdmin.fieldsets,
        ("Recommender", {"fields": ("embedding_detail", "nearest_products")}),
    )
    actions = (*ProductAdmin.actions, "reembed")

    def get_queryset(self, request):
        return _annotate_embedding_state(super().get_queryset(request))

    @admin.display(description="Embedding", ordering="has_vector")
    def embedding(self, obj):
        if getattr(obj, "has_failure", False):
            return format_html('<span style="color:#b00020">{}</span>', "failed")
        return "ready" if getattr(obj, "has_vector", False) else "pending"

    @admin.display(description="Embedding status")
    def embedding_detail(self, obj):
        if obj.pk is None:
            return "Photos are processed for search and look-alikes once the product is saved."
        rows = ImageEmbedding.objects.filter(image__product=obj).order_by("image__position", "image_id", "encoder")
        if not rows:
            return "No embedding yet: the worker picks new images up within minutes."
        return format_html_join(
            "", "<div>image {} · {} · {} · attempts {}{}</div>",
            (
                (row.image_id, row.encoder, row.get_status_display(), row.attempts,
                 f" · {row.error}" if row.error else "")
                for row in rows
            ),
        )

    @admin.display(description="8 nearest products (by image)")
    def nearest_products(self, obj):
        # An unsaved product has no vector, hence no neighbours: the store is only asked about saved ones.
        if obj.pk is None:
            return "None yet: look-alikes appear once the product is saved with a photo."
        neighbours = store.product_neighbours(product_id=obj.pk, k=8)
        if not neighbours:
            return "None yet: this product has no vector."
        products = Product.objects.for_listing().in_bulk([n.product_id for n in neighbours])
        cells = []
        for neighbour in neighbours:
            product = products.get(neighbour.product_id)
            if product is None or product.primary_image is None:
                continue
            cells.append((product.pk, product.primary_image.image.url, product.name, product.name,
                          f"{1 - neighbour.distance:.2f}"))
        return format_html(
            '<div style="display:flex;gap:8px;flex-wrap:wrap">{}</div>',
            format_html_join(
                "",
                '<a href="../../{}/change/" style="width:96px;text-align:center;font-size:11px">'
                '<img src="{}" alt="{}" width="96" height="96" style="object-fit:contain;background:#fff">'
                "<br>{}<br>similarity {}</a>",
                cells,
            ),
        )

    @admin.action(description="Re-embed images of selected products")
    def reembed(self, request, queryset):
        ids = list(ProductImage.objects.filter(product__in=queryset).values_list("pk", flat=True))
        encoder = recommender_setting("ENCODER")
        ImageEmbedding.objects.filter(image_id__in=ids, encoder=encoder).update(
            status=EmbeddingStatus.PENDING, sha256="", attempts=0
        )
        batch = int(recommender_setting("EMBED_BATCH_SIZE"))
        queued = all(embed_images_enqueue(ids[i : i + batch]) for i in range(0, len(ids), batch))
        if queued:
            service.embeddings_mark_queued(image_ids=ids, encoder_name=encoder)
            self.message_user(request, f"{len(ids)} images queued for embedding.", messages.SUCCESS)
        else:
            self.message_user(
                request, "The task queue is unreachable; the images will be embedded by the next reconciler run.",
                messages.WARNING,
            )


admin.site.unregister(Product)
admin.site.register(Product, RecommenderProductAdmin)


@admin.register(ImageEmbedding)
class ImageEmbeddingAdmin(admin.ModelAdmin):
    list_display = ("image", "encoder", "status", "attempts", "error", "updated_at")
    list_filter = ("encoder", "status")
    search_fields = ("error", "image__product__name")
    list_select_related = ("image",)
    # The vector itself is a thousand numbers no one reads: its width stands in for it.
    readonly_fields = [f.name for f in ImageEmbedding._meta.fields if f.name != "vector"] + ["vector_width"]
    exclude = ("vector",)

    @admin.display(description="Vector")
    def vector_width(self, obj):
        return "none" if obj.vector is None else f"{len(obj.vector)} numbers"

    def has_add_permission(self, request):
        return False


@admin.register(RecommenderSettings)
class RecommenderSettingsAdmin(admin.ModelAdmin):
    """The one settings row: tuned blend weights (tune_weights writes them), editable by staff."""

    list_display = ("__str__", "weights", "updated_at")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request):
        return not RecommenderSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return True  # deleting the row = back to the default weights

    def save_model(self, request, obj, form, change):
        recommender_settings_save(obj)

    def delete_model(self, request, obj):
        recommender_settings_delete()

    def delete_queryset(self, request, queryset):
        recommender_settings_delete()


@admin.register(EvaluationRun)
class EvaluationRunAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "k", "started_at", "finished_at", "step", "error")
    list_filter = ("kind",)
    readonly_fields = [f.name for f in EvaluationRun._meta.fields]

    def has_add_permission(self, request):
        return False


# The health dashboard's URLs join the admin's own (additively: the site's other URLs are untouched).
_admin_urls = admin.site.get_urls


def _with_health_urls():
    return health_urls(admin.site) + _admin_urls()


admin.site.get_urls = _with_health_urls

from recommender.experiments import admin as experiments_admin  # noqa: E402,F401  (experiment pages)
