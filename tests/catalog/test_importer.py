import csv
import io
import time

import pytest
from django.core.management import call_command
from PIL import Image

from shop.catalog.importer import CatalogImportError, catalog_import
from shop.catalog.models import Category, Product, ProductImage, Variant

pytestmark = pytest.mark.django_db

HEADER = ["id", "gender", "masterCategory", "subCategory", "articleType", "baseColour", "season", "year",
          "usage", "productDisplayName"]
ROWS = [
    ["101", "Men", "Apparel", "Topwear", "Tshirts", "Blue", "Summer", "2012", "Casual", "Nike Men Blue T-shirt"],
    ["102", "Women", "Footwear", "Shoes", "Heels", "Red", "Fall", "2011", "Casual", "Catwalk Women Red Heels"],
    ["103", "Unisex", "Accessories", "Watches", "Watches", "Black", "Winter", "2016", "Casual", "Titan Black Watch"],
    ["104", "Women", "Footwear", "Sandal", "Sandals", "Brown", "Summer", "2012", "Casual", "Bata Brown Sandals"],
    ["105", "Men", "Footwear", "Shoes", "Sandals", "Black", "Summer", "2012", "Casual", "Crocs Black Sandals"],
]


def write_source(root, rows, *, images=True, extra_lines=()):
    (root / "images").mkdir(parents=True, exist_ok=True)
    with (root / "styles.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
        for line in extra_lines:
            handle.write(line + "\n")
    if images:
        for index, row in enumerate(rows):
            Image.new("RGB", (32, 32), (index * 40, 80, 120)).save(root / "images" / f"{row[0]}.jpg")
    return root


def test_import_builds_the_category_tree_products_variants_and_images(tmp_path):
    report = catalog_import(path=write_source(tmp_path, ROWS))
    assert (report.created, report.updated, report.skipped, report.warnings) == (5, 0, 0, [])
    tee = Product.objects.get(external_id="101")
    assert str(Category.objects.select_related("parent__parent").get(pk=tee.category_id)) == "Apparel > Topwear > Tshirts"
    assert tee.gender == "men" and tee.brand == "Nike" and tee.price > 0
    assert list(tee.variants.values_list("size", flat=True)) == ["XS", "S", "M", "L", "XL", "XXL"]
    assert list(Product.objects.get(external_id="102").variants.values_list("size", flat=True))[0] == "36"
    assert list(Product.objects.get(external_id="103").variants.values_list("size", flat=True)) == ["One size"]
    image = ProductImage.objects.get(product=tee)
    assert image.image.read() == (tmp_path / "images" / "101.jpg").read_bytes()
    # "Sandals" under two parents: two categories, two different slugs.
    sandals = Category.objects.filter(name="Sandals")
    assert sandals.count() == 2 and len({c.slug for c in sandals}) == 2


def test_a_second_import_creates_nothing_and_updates_nothing(tmp_path):
    source = write_source(tmp_path, ROWS)
    catalog_import(path=source)
    Variant.objects.filter(product__external_id="101").update(stock=0)  # sold out since: must stay so
    snapshot = list(Product.objects.order_by("pk").values())
    report = catalog_import(path=source)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)
    assert list(Product.objects.order_by("pk").values()) == snapshot
    assert Variant.objects.count() == 6 + 6 + 1 + 6 + 7
    assert ProductImage.objects.count() == 5
    assert not Variant.objects.filter(product__external_id="101", stock__gt=0).exists()


def test_a_changed_row_or_photo_updates_that_product_only(tmp_path):
    source = write_source(tmp_path, ROWS)
    catalog_import(path=source)
    rows = [r[:] for r in ROWS]
    rows[0][-1] = "Nike Men Navy T-shirt"
    write_source(tmp_path, rows, images=False)
    Image.new("RGB", (32, 32), (0, 200, 0)).save(tmp_path / "images" / "102.jpg")
    report = catalog_import(path=source)
    assert (report.created, report.updated, report.unchanged) == (0, 2, 3)
    assert Product.objects.get(external_id="101").name == "Nike Men Navy T-shirt"
    image = ProductImage.objects.get(product__external_id="102")
    assert image.image.read() == (tmp_path / "images" / "102.jpg").read_bytes()
    assert ProductImage.objects.filter(product__external_id="102").count() == 1


def test_bad_rows_are_reported_with_their_line_and_skipped(tmp_path):
    source = write_source(
        tmp_path, ROWS[:2],
        extra_lines=[
            "abc,Men,Apparel,Topwear,Tshirts,Blue,Summer,2012,Casual,Bad id",
            "106,Martian,Apparel,Topwear,Tshirts,Blue,Summer,2012,Casual,Odd gender",
            "107,Men,Apparel,Topwear,Tshirts,Blue,Summer,2012,Casual,Too,many,fields",
            "108,Men,Apparel,,Tshirts,Blue,Summer,2012,Casual,No sub category",
            "101,Men,Apparel,Topwear,Tshirts,Blue,Summer,2012,Casual,Duplicate id",
        ],
    )
    report = catalog_import(path=source)
    assert report.created == 2 and report.skipped == 5
    assert [w.split(":")[0] for w in report.warnings] == ["line 4", "line 5", "line 6", "line 7", "line 8"]
    assert "not a number" in report.warnings[0] and "unknown gender" in report.warnings[1]
    assert "expected 10 fields, found 12" in report.warnings[2]
    assert "duplicate id 101" in report.warnings[4]


def test_a_missing_image_is_a_warning_and_the_product_still_imports(tmp_path):
    source = write_source(tmp_path, ROWS[:2])
    (tmp_path / "images" / "102.jpg").unlink()
    report = catalog_import(path=source)
    assert report.created == 2
    assert report.warnings == ["line 3: image 102.jpg not found; product imported without it"]
    assert not ProductImage.objects.filter(product__external_id="102").exists()


def test_a_source_without_the_expected_columns_is_refused_whole(tmp_path):
    (tmp_path / "styles.csv").write_text("id,name\n1,shirt\n")
    with pytest.raises(CatalogImportError, match="missing column"):
        catalog_import(path=tmp_path)
    assert Product.objects.count() == 0


def test_the_command_prints_a_summary_and_honours_limit(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_catalog", str(write_source(tmp_path, ROWS)), "--limit", "2", stdout=out, stderr=err)
    assert "created 2, updated 0, unchanged 0, skipped 0, warnings 0" in out.getvalue()
    assert Product.objects.count() == 2


@pytest.mark.shared_data
def test_the_fashion_5k_catalogue_imports_whole_and_reimports_as_a_no_op(fashion_5k):
    started = time.monotonic()
    first = catalog_import(path=fashion_5k)
    seconds = time.monotonic() - started
    second = catalog_import(path=fashion_5k)
    assert (first.created, first.skipped) == (5000, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 5000)
    assert ProductImage.objects.count() == 5000
    assert Category.objects.filter(parent__isnull=True).count() >= 4
    print(f"fashion-5k import: {seconds:.1f} s")


def test_an_import_that_changed_products_says_so_once_and_a_no_op_import_is_silent(tmp_path):
    from shop import events

    heard = []

    def receiver(sender, **counts):
        heard.append((counts["created"], counts["updated"]))

    events.catalogue_imported.connect(receiver, weak=False)
    try:
        source = write_source(tmp_path, ROWS)
        catalog_import(path=source)
        catalog_import(path=source)
    finally:
        events.catalogue_imported.disconnect(receiver)
    assert heard == [(5, 0)]
