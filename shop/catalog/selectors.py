"""Catalogue reads for the storefront pages. Each returns a queryset or plain values built in a
fixed number of queries; product querysets come with the `for_listing()` bundle for cards."""

import json
import logging
from collections import defaultdict

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db.models import Case, Count, F, FloatField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.core.files.storage import default_storage
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.module_loading import import_string

from .importer import LETTER_SIZES
from .models import Category, Product, ProductImage, Variant

SEARCH_CONFIG = "english"
# Must stay the same expression as the GIN index in migration 0002, or PostgreSQL will not use it.
SEARCH_DOCUMENT_SQL = (
    "setweight(to_tsvector('english'::regconfig, coalesce(catalog_product.name, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(catalog_product.brand, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(catalog_product.description, '')), 'D')"
)
CATEGORY_MATCH_BOOST = 0.3  # a product in a matching category ranks like a good brand match
# Semantic similarity (cosine, ~0.25-0.7 for related items) counts like a full-text rank (~0.1-0.6 for
# a name match): a literal name match and a close meaning rank alike, and both beat a loose one.
SEMANTIC_WEIGHT = 1.0
SEMANTIC_LIMIT = 100
# Products the popularity provider ranks; any beyond it sort as if never seen (then newest first).
POPULARITY_LIMIT = 20_000

logger = logging.getLogger(__name__)


# "A category and everything below it" is defined here only; the recommender calls these too.
def category_subtree_q(category: Category | int, *, field: str = "category") -> Q:
    """Rows whose `field` (a path to a Category: "category", "product__category"; "" for Category rows
    themselves) is the category or one below it. The importer's tree is three levels deep (department,
    kind, article type), so a child and a grandchild are all there is below; joins, no recursion."""
    prefix = f"{field}__" if field else ""
    return (Q(**{field or "pk": category}) | Q(**{f"{prefix}parent": category})
            | Q(**{f"{prefix}parent__parent": category}))


def category_subtree_ids(category: Category | int) -> QuerySet:
    """The ids of the category and those below it, unordered and lazy: a subquery (`category__in=`, or its
    `query.sql_with_params()` inside a raw statement), not a list fetched first."""
    return Category.objects.filter(category_subtree_q(category, field="")).order_by().values("id")


def category_subtrees() -> dict[int, frozenset[int]]:
    """{category id: it and every category below it, at any depth}: one query over the (small) tree, for code
    that matches many categories in Python (the recommender's staff rules)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        children[parent].append(pk)
    out: dict[int, frozenset[int]] = {}
    for pks in list(children.values()):
        for pk in pks:
            found, stack = {pk}, [pk]
            while stack:
                for child in children.get(stack.pop(), ()):
                    if child not in found:
                        found.add(child)
                        stack.append(child)
            out[pk] = frozenset(found)
    return out


def navigation_categories() -> list[Category]:
    return list(Category.objects.roots())


def category_roots() -> list[Category]:
    return list(Category.objects.roots().order_by("position", "name"))


def category_get(*, slug: str) -> Category | None:
    return Category.objects.select_related("parent__parent").filter(slug=slug).first()


# Enough for every main category of a shop this size (the demo has 9); a bound so a wide import stays a page.
TILE_LIMIT = 24


def category_tiles(*, limit: int = TILE_LIMIT) -> list[Category]:
    """Home page tiles: every category of the tree's second level that has products (or the roots in a
    flat one), busiest first, each with `product_count` and `image_url` (or None)."""
    in_tree = Q(category=OuterRef("pk")) | Q(category__parent=OuterRef("pk"))
    products = Product.objects.active().filter(in_tree)
    # Filtered directly, not through `products`: an OuterRef nested one level deeper would point at
    # the image query instead of the category.
    image = (
        ProductImage.objects.filter(
            Q(product__category=OuterRef("pk")) | Q(product__category__parent=OuterRef("pk")),
            product__is_active=True,
        )
        .order_by("-product__created_at", "position", "id")
        .values("image")[:1]
    )
    count = products.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk")).values("n")
    second_level = Q(parent__isnull=False, parent__parent__isnull=True)
    base = Category.objects.annotate(image=Subquery(image), product_count=Coalesce(Subquery(count), 0))
    rows = list(base.filter(second_level, product_count__gt=0).order_by("-product_count", "name")[:limit])
    # A flat catalogue (no second level) costs one more query, still a fixed number.
    rows = rows or list(base.filter(parent__isnull=True, product_count__gt=0).order_by("-product_count")[:limit])
    for row in rows:
        row.image_url = default_storage.url(row.image) if row.image else None
    return rows


def products_new_in(*, limit: int = 8) -> list[Product]:
    # A list, not a queryset: the home page uses it twice (hero, grid) and must query once.
    return list(Product.objects.active().for_listing().order_by("-created_at", "-id")[:limit])


def product_list_for_category(*, category: Category) -> QuerySet:
    return Product.objects.active().filter(category_subtree_q(category)).for_listing()


def popularity_scores(*, limit: int = POPULARITY_LIMIT) -> dict[int, float]:
    """{product id: score} from SHOP_POPULARITY_PROVIDER, a dotted path to a callable
    `(*, limit: int) -> list[tuple[product_id, score]]`, most popular first (the shop never imports who
    implements it). {} when none is set, it has nothing yet, or it fails."""
    path = getattr(settings, "SHOP_POPULARITY_PROVIDER", None)
    if not path:
        return {}
    try:
        return {int(pk): float(score) for pk, score in import_string(path)(limit=limit)}
    except Exception:
        logger.exception("popularity provider %s failed", path)
        return {}


def with_popularity(products: QuerySet) -> QuerySet:
    """Annotate `popularity`: the provider's score where it has one (0 for products it does not list),
    else the shop's own units sold plus likes. One query for the provider's scores, none per product."""
    scores = popularity_scores()
    if scores:
        # One jsonb parameter whatever the catalogue's size; a jsonb object looks keys up by binary search.
        return products.annotate(popularity=RawSQL(
            "COALESCE((%s::jsonb ->> catalog_product.id::text)::float8, 0)",
            [json.dumps(scores)], output_field=FloatField(),
        ))
    order_line, like = apps.get_model("orders", "OrderLine"), apps.get_model("accounts", "Like")
    sold = (
        order_line.objects.filter(product=OuterRef("pk")).order_by().values("product")
        .annotate(n=Sum("quantity")).values("n")
    )
    liked = like.objects.filter(product=OuterRef("pk")).order_by().values("product").annotate(n=Count("pk")).values("n")
    return products.annotate(popularity=Coalesce(Subquery(sold), 0) + Coalesce(Subquery(liked), 0))


def _size_key(size: str):
    if size in LETTER_SIZES:
        return (0, LETTER_SIZES.index(size), size)
    return (1, float(size), size) if size.replace(".", "", 1).isdigit() else (2, 0, size)


def listing_facets(*, products: QuerySet) -> dict[str, list[str]]:
    """The colours and in-stock sizes among these products: what the filter form offers."""
    colours = (
        products.order_by().exclude(base_colour="").values_list("base_colour", flat=True).distinct()
    )
    sizes = (
        Variant.objects.filter(product__in=products.order_by().values("pk"), stock__gt=0)
        .order_by().values_list("size", flat=True).distinct()
    )
    return {"colours": sorted(colours), "sizes": sorted(sizes, key=_size_key)}


def product_get_for_detail(*, slug: str) -> Product | None:
    return Product.objects.active().for_detail().filter(slug=slug).first()


def semantic_hits(*, query: str, limit: int = SEMANTIC_LIMIT) -> dict[int, float]:
    """{product id: similarity} from SHOP_SEMANTIC_SEARCH_PROVIDER, a dotted path to a callable
    `(query: str, *, limit: int) -> list[tuple[product_id, similarity]]` (the shop never imports
    who implements it). The provider cuts its own tail by relevance and answers [] when it should not
    rank (too few products embedded); `limit` hits back means it was cut at the cap.
    {} when none is set or it fails: search by meaning is a bonus, not a need."""
    path = getattr(settings, "SHOP_SEMANTIC_SEARCH_PROVIDER", None)
    if not path:
        return {}
    try:
        return {int(pk): float(similarity) for pk, similarity in import_string(path)(query, limit=limit)}
    except Exception:
        logger.exception("semantic search provider %s failed for %r", path, query)
        return {}


def product_search(*, query: str) -> QuerySet:
    """Active products matching a web-style query (quotes, OR, -word) over name, brand and
    description (GIN-indexed) or their category path, or close to it in meaning (the semantic
    provider); best first, as `rank` = full-text rank + category boost + weighted similarity.
    Each row also carries `count_is_approximate`: True when the semantic side was cut at its cap,
    so more products may be as close and the number of matches is a floor ("about N")."""
    search = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    # Categories are few: matching them first turns "in a matching category" into an indexed
    # `category_id IN (...)` instead of a join the product index cannot help with.
    category_ids = list(
        Category.objects.annotate(
            document=SearchVector("name", "parent__name", "parent__parent__name", config=SEARCH_CONFIG)
        ).filter(document=search).values_list("pk", flat=True)
    )
    document = RawSQL(SEARCH_DOCUMENT_SQL, [], output_field=SearchVectorField())
    category_boost = Case(
        When(category_id__in=category_ids, then=Value(CATEGORY_MATCH_BOOST)),
        default=Value(0.0), output_field=FloatField(),
    )
    similar = semantic_hits(query=query)
    matches = Q(document=search) | Q(category_id__in=category_ids)
    rank = SearchRank(F("document"), search) + category_boost
    if similar:
        matches |= Q(pk__in=list(similar))
        rank = rank + Case(
            *[When(pk=pk, then=Value(SEMANTIC_WEIGHT * similarity)) for pk, similarity in similar.items()],
            default=Value(0.0), output_field=FloatField(),
        )
    return (
        Product.objects.active()
        .annotate(document=document)
        .filter(matches)
        .annotate(rank=rank, count_is_approximate=Value(len(similar) >= SEMANTIC_LIMIT))
        .for_listing()
        .order_by("-rank", "-created_at", "-id")
    )
