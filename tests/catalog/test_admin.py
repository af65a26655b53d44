import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shop.catalog.models import Product
from tests.factories import CategoryFactory, ProductFactory, ProductImageFactory, VariantFactory, jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("staff", "staff@example.com", "pw-for-tests")
    client.force_login(user)
    return client


def test_the_product_list_shows_thumbnails_and_filters(staff_client):
    product = ProductFactory(name="Striped linen shirt")
    ProductFactory(name="Leather belt")  # a second category, so the category filter has a choice to offer
    ProductImageFactory(product=product)
    response = staff_client.get(reverse("admin:catalog_product_changelist"), {"gender__exact": "unisex"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Striped linen shirt" in html
    assert product.images.get().image.url in html
    assert "By gender" in html and "By category" in html


def test_staff_can_find_a_product_by_sku(staff_client):
    VariantFactory(product=ProductFactory(name="Red dress"), sku="DRESS-RED-M")
    ProductFactory(name="Blue jeans")
    response = staff_client.get(reverse("admin:catalog_product_changelist"), {"q": "DRESS-RED-M"})
    html = response.content.decode()
    assert "Red dress" in html and "Blue jeans" not in html


def test_the_change_page_shows_variant_and_image_inlines_with_previews(staff_client):
    product = ProductFactory()
    VariantFactory(product=product, size="M", sku="SKU-M")
    image = ProductImageFactory(product=product)
    response = staff_client.get(reverse("admin:catalog_product_change", args=[product.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "SKU-M" in html and image.image.url in html and image.sha256 in html


def test_staff_can_add_a_product_with_a_variant_and_an_image(staff_client):
    category = CategoryFactory()
    data = {
        "name": "Wool coat", "slug": "wool-coat", "brand": "Vitrine", "category": category.pk, "gender": "women",
        "price": "149.00", "currency": "EUR", "is_active": "on", "description": "", "base_colour": "Grey",
        "season": "", "usage": "", "year": "", "attributes": "{}",
        "variants-TOTAL_FORMS": "1", "variants-INITIAL_FORMS": "0",
        "variants-0-size": "M", "variants-0-sku": "COAT-M", "variants-0-stock": "3", "variants-0-position": "0",
        "images-TOTAL_FORMS": "1", "images-INITIAL_FORMS": "0",
        "images-0-image": SimpleUploadedFile("coat.jpg", jpeg_bytes(), content_type="image/jpeg"),
        "images-0-position": "0", "images-0-alt_text": "",
    }
    response = staff_client.post(reverse("admin:catalog_product_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    product = Product.objects.get(slug="wool-coat")
    assert product.variants.get().stock == 3
    assert len(product.images.get().sha256) == 64


def test_negative_stock_is_refused_by_the_form_not_the_database(staff_client):
    product = ProductFactory()
    data = {
        "name": product.name, "slug": product.slug, "brand": "", "category": product.category_id, "gender": "men",
        "price": "10", "currency": "EUR", "description": "", "base_colour": "", "season": "", "usage": "",
        "year": "", "attributes": "{}",
        "variants-TOTAL_FORMS": "1", "variants-INITIAL_FORMS": "0",
        "variants-0-size": "M", "variants-0-sku": "NEG-M", "variants-0-stock": "-2", "variants-0-position": "0",
        "images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0",
    }
    response = staff_client.post(reverse("admin:catalog_product_change", args=[product.pk]), data)
    assert response.status_code == 200
    assert "greater than or equal to 0" in response.content.decode()
    assert not product.variants.exists()


def test_bulk_deactivate_hides_the_selected_products(staff_client):
    keep, hide = ProductFactory(), ProductFactory()
    response = staff_client.post(
        reverse("admin:catalog_product_changelist"),
        {"action": "deactivate", "_selected_action": [hide.pk]},
        follow=True,
    )
    assert "1 product deactivated." in response.content.decode()
    assert Product.objects.get(pk=keep.pk).is_active and not Product.objects.get(pk=hide.pk).is_active


def test_the_admin_is_closed_to_shoppers(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("shopper", password="pw"))
    response = client.get(reverse("admin:catalog_product_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_add_page_opens_and_says_a_new_product_has_no_look_alikes_yet(staff_client):
    response = staff_client.get(reverse("admin:catalog_product_add"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "None yet: look-alikes appear once the product is saved with a photo." in html
    assert "Photos are processed for search and look-alikes once the product is saved." in html


def test_the_product_list_shows_what_an_owner_scans_for(staff_client):
    product = ProductFactory(name="Wool coat", price="149.00")
    VariantFactory(product=product, size="M", stock=3)
    VariantFactory(product=product, size="L", stock=4)
    VariantFactory(product=ProductFactory(name="Sold-out scarf"), stock=0)
    response = staff_client.get(reverse("admin:catalog_product_changelist"))
    html = response.content.decode()
    headers = [h.lower() for h in re.findall(r'<th scope="col" class="[^"]*column-(\w+)', html)]
    assert headers == ["thumbnail", "name", "category_path", "price", "stock", "is_active", "embedding"]
    assert '<td class="field-stock">7</td>' in html
    assert "sold out" in html and "149.00" in html


def test_the_product_list_costs_the_same_queries_for_five_products_or_thirty(staff_client,
                                                                            django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    root = CategoryFactory(name="Clothing")
    leaf = CategoryFactory(name="Shirts", parent=CategoryFactory(name="Tops", parent=root))
    for _ in range(5):
        VariantFactory(product=ProductFactory(category=leaf))
    with CaptureQueriesContext(connection) as few:
        staff_client.get(reverse("admin:catalog_product_changelist"))
    for n in range(25):
        parent = CategoryFactory(name=f"Group {n}", parent=root)
        product = ProductFactory(category=CategoryFactory(name=f"Leaf {n}", parent=parent))
        VariantFactory(product=product)
        ProductImageFactory(product=product)
    with django_assert_num_queries(len(few)):
        staff_client.get(reverse("admin:catalog_product_changelist"))


def test_the_image_inline_shows_a_short_fingerprint_with_the_whole_sha256_on_hover(staff_client):
    image = ProductImageFactory(product=ProductFactory())
    html = staff_client.get(reverse("admin:catalog_product_change", args=[image.product_id])).content.decode()
    assert f'title="sha256 {image.sha256}">{image.sha256[:12]}…</code>' in html
    assert f">{image.sha256}<" not in html
