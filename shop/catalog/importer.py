"""Import a catalogue in the Kaggle "Fashion Product Images" layout.

In: a folder with `styles.csv` (id, gender, masterCategory, subCategory, articleType, baseColour,
season, year, usage, productDisplayName) and `images/<id>.jpg`.
Out: categories (master > sub > article type), products keyed by `external_id` = the row id,
variants with sizes fitting the category, one image each, and an `ImportReport`.

Idempotent: a product that already matches its row is left alone, and stock is never reset,
so a second run creates nothing and updates nothing. Prices and stock for new products are
derived from the row id, so two imports of the same file build the same shop.
"""

from __future__ import annotations

import csv
import hashlib
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Iterator

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import slugify

from shop import events

from .models import Category, Gender, Product, ProductImage, Variant

COLUMNS = (
    "id", "gender", "masterCategory", "subCategory", "articleType",
    "baseColour", "season", "year", "usage", "productDisplayName",
)
GENDERS = {"men": Gender.MEN, "women": Gender.WOMEN, "boys": Gender.BOYS, "girls": Gender.GIRLS, "unisex": Gender.UNISEX}
CHUNK = 500
# Price bands by article type family, in the shop's currency: (low, high).
PRICE_BANDS = {
    "Watches": (60, 260), "Handbags": (35, 160), "Backpacks": (30, 110), "Jackets": (60, 220),
    "Sweaters": (35, 110), "Sweatshirts": (30, 90), "Casual Shoes": (45, 140), "Sports Shoes": (50, 160),
    "Formal Shoes": (60, 180), "Heels": (40, 150), "Sunglasses": (25, 160), "Jeans": (35, 110),
    "Dresses": (35, 140), "Shirts": (25, 80), "Tshirts": (12, 45), "Socks": (5, 15), "Flip Flops": (8, 30),
}
DEFAULT_BAND = (15, 70)
SHOE_SIZES = {"women": ["36", "37", "38", "39", "40", "41"], "men": ["40", "41", "42", "43", "44", "45", "46"]}
WAIST_SIZES = ["28", "30", "32", "34", "36", "38"]
LETTER_SIZES = ["XS", "S", "M", "L", "XL", "XXL"]
ONE_SIZE = ["One size"]


class CatalogImportError(Exception):
    """The source as a whole is unusable (missing file or columns)."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"skipped {self.skipped}, warnings {len(self.warnings)}"
        )


@dataclass(frozen=True)
class Row:
    line: int
    external_id: str
    gender: str
    path: tuple[str, str, str]
    colour: str
    season: str
    year: int | None
    usage: str
    name: str


def catalog_import(
    *, path: Path, limit: int | None = None, on_progress: Callable[[int], None] | None = None
) -> ImportReport:
    path = Path(path)
    report = ImportReport()
    rows = list(_read_rows(path / "styles.csv", report=report, limit=limit))
    categories = _CategoryCache()
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        with transaction.atomic():
            _import_chunk(chunk, images_dir=path / "images", categories=categories, report=report)
        if on_progress:
            on_progress(len(chunk))
    if report.created or report.updated:
        events.catalogue_imported.send_robust(sender=catalog_import, created=report.created, updated=report.updated)
    return report


def _read_rows(csv_path: Path, *, report: ImportReport, limit: int | None) -> Iterator[Row]:
    if not csv_path.is_file():
        raise CatalogImportError(f"{csv_path} not found")
    with csv_path.open(newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        missing = [c for c in COLUMNS if c not in (header or [])]
        if missing:
            raise CatalogImportError(f"{csv_path}: missing column(s) {', '.join(missing)}")
        index = {name: header.index(name) for name in COLUMNS}
        seen: set[str] = set()
        taken = 0
        for values in reader:
            if limit is not None and taken >= limit:
                return
            line = reader.line_num
            if not values:
                continue
            try:
                row = _parse(values, index=index, width=len(header), line=line)
            except ValueError as error:
                report.skipped += 1
                report.warnings.append(f"line {line}: skipped, {error}")
                continue
            if row.external_id in seen:
                report.skipped += 1
                report.warnings.append(f"line {line}: skipped, duplicate id {row.external_id}")
                continue
            seen.add(row.external_id)
            taken += 1
            yield row


def _parse(values: list[str], *, index: dict[str, int], width: int, line: int) -> Row:
    if len(values) != width:
        raise ValueError(f"expected {width} fields, found {len(values)}")
    get = lambda name: values[index[name]].strip()  # noqa: E731
    external_id = get("id")
    if not external_id.isdigit():
        raise ValueError(f"id {external_id!r} is not a number")
    gender = GENDERS.get(get("gender").lower())
    if gender is None:
        raise ValueError(f"unknown gender {get('gender')!r}")
    path = (get("masterCategory"), get("subCategory"), get("articleType"))
    if not all(path):
        raise ValueError("masterCategory, subCategory and articleType are required")
    name = get("productDisplayName")
    if not name:
        raise ValueError("productDisplayName is empty")
    year = get("year")
    if year and not year.isdigit():
        raise ValueError(f"year {year!r} is not a number")
    return Row(
        line=line, external_id=external_id, gender=gender, path=path, colour=get("baseColour"),
        season=get("season"), year=int(year) if year else None, usage=get("usage"), name=name[:200],
    )


class _CategoryCache:
    """Finds or creates the master > sub > article type chain once per import."""

    def __init__(self):
        self._by_path: dict[tuple[str, ...], Category] = {}

    def leaf(self, path: tuple[str, str, str]) -> Category:
        parent = None
        for depth in range(1, len(path) + 1):
            key = path[:depth]
            if key not in self._by_path:
                self._by_path[key] = self._get_or_create(name=key[-1], parent=parent)
            parent = self._by_path[key]
        return parent

    @staticmethod
    def _get_or_create(*, name: str, parent: Category | None) -> Category:
        existing = Category.objects.filter(name=name, parent=parent).first()
        if existing:
            return existing
        slug = slugify(name) or "category"
        if Category.objects.filter(slug=slug).exists():
            # "Sandals" sits under both Shoes and Sandal: qualify the second by its parent.
            slug = f"{parent.slug}-{slug}" if parent else f"{slug}-{zlib.crc32(name.encode())}"
        return Category.objects.create(name=name, parent=parent, slug=slug)


def _import_chunk(rows: list[Row], *, images_dir: Path, categories: _CategoryCache, report: ImportReport) -> None:
    existing = {
        p.external_id: p
        for p in Product.objects.filter(external_id__in=[r.external_id for r in rows]).prefetch_related(
            "variants", "images"
        )
    }
    new_products, changed, new_variants, new_images = [], [], [], []
    for row in rows:
        fields = _product_fields(row, category=categories.leaf(row.path))
        product = existing.get(row.external_id)
        image_bytes = _read_image(images_dir / f"{row.external_id}.jpg", row=row, report=report)
        if product is None:
            product = Product(external_id=row.external_id, slug=f"{slugify(row.name)[:190]}-{row.external_id}",
                              price=_price(row), **fields)
            new_products.append(product)
            new_variants.extend(_variants(product, row))
            if image_bytes is not None:
                new_images.append((product, image_bytes))
            continue
        dirty = [name for name, value in fields.items() if getattr(product, name) != value]
        for name in dirty:
            setattr(product, name, fields[name])
        image_changed = image_bytes is not None and _replace_image_if_changed(product, image_bytes, new_images)
        if dirty:
            changed.append(product)
        if dirty or image_changed:
            report.updated += 1
        else:
            report.unchanged += 1

    Product.objects.bulk_create(new_products)
    report.created += len(new_products)
    if changed:
        Product.objects.bulk_update(changed, FIELDS)
    Variant.objects.bulk_create(new_variants)
    ProductImage.objects.bulk_create([_store_image(product, data) for product, data in new_images])


FIELDS = ["name", "description", "brand", "category", "gender", "base_colour", "season", "usage", "year", "attributes"]


def _product_fields(row: Row, *, category: Category) -> dict:
    master, sub, article = row.path
    colour = row.colour or "Multi"
    return {
        "name": row.name,
        "description": _description(row),
        "brand": row.name.split()[0][:100],
        "category": category,
        "gender": row.gender,
        "base_colour": row.colour[:40],
        "season": row.season[:20],
        "usage": row.usage[:40],
        "year": row.year,
        "attributes": {"article_type": article, "colour": colour.lower()},
    }


def _description(row: Row) -> str:
    master, sub, article = row.path
    parts = [f"{row.name}."]
    detail = " ".join(p for p in (row.colour.lower(), article.lower()) if p)
    parts.append(f"A {detail} for {row.gender}" + (f", made for {row.usage.lower()} wear" if row.usage else "") + ".")
    if row.season:
        parts.append(f"Season: {row.season}.")
    return " ".join(parts)


def _stable(row: Row, salt: str) -> int:
    return zlib.crc32(f"{salt}:{row.external_id}".encode())


def _price(row: Row) -> Decimal:
    low, high = PRICE_BANDS.get(row.path[2], DEFAULT_BAND)
    whole = low + _stable(row, "price") % (high - low + 1)
    return Decimal(f"{whole}.99") if whole > 20 else Decimal(f"{whole}.49")


def sizes_for(row: Row) -> list[str]:
    master, sub, article = row.path
    if master == "Footwear":
        return SHOE_SIZES["women"] if row.gender in (Gender.WOMEN, Gender.GIRLS) else SHOE_SIZES["men"]
    if master == "Apparel":
        return WAIST_SIZES if article in ("Jeans", "Trousers") else LETTER_SIZES
    return ONE_SIZE


def _variants(product: Product, row: Row) -> Iterable[Variant]:
    for position, size in enumerate(sizes_for(row)):
        roll = _stable(row, f"stock:{size}") % 100
        # About one size in eight is sold out, so filters for "in stock in my size" matter.
        stock = 0 if roll < 12 else 1 + roll % 20
        sku = f"FP-{row.external_id}-{slugify(size).upper() or 'OS'}"
        yield Variant(product=product, size=size, sku=sku, stock=stock, position=position)


def _read_image(image_path: Path, *, row: Row, report: ImportReport) -> bytes | None:
    try:
        return image_path.read_bytes()
    except FileNotFoundError:
        report.warnings.append(f"line {row.line}: image {image_path.name} not found; product imported without it")
    except OSError as error:
        report.warnings.append(f"line {row.line}: image {image_path.name} unreadable ({error.strerror})")
    return None


def _replace_image_if_changed(product: Product, data: bytes, new_images: list) -> bool:
    """True when the source photo differs from what the product shows (or it has none yet)."""
    current = list(product.images.all())
    digest = hashlib.sha256(data).hexdigest()
    if any(image.sha256 == digest for image in current):
        return False
    if not current:
        new_images.append((product, data))
        return True
    # The photo was replaced at the source: overwrite the imported image in place, keeping its row.
    image = current[0]
    image.image.delete(save=False)
    image.image.save(f"{product.external_id}.jpg", ContentFile(data), save=False)
    image.sha256 = digest
    image.save()
    return True


def _store_image(product: Product, data: bytes) -> ProductImage:
    name = f"products/fashion/{product.external_id}.jpg"
    if default_storage.exists(name):  # left over from an import that was rolled back
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(data))
    return ProductImage(
        product=product, image=stored, position=0, alt_text=product.name[:200],
        sha256=hashlib.sha256(data).hexdigest(),
    )
