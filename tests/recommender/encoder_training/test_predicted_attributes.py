"""A trained version's predictions where people meet them: one-click filters on the photo-search page, and
suggestions with their confidence on the admin page of a product with missing details, accepted with one click.

The version here has the ImageNet backbone and label heads fixed to say "Blue · Dresses · Women" (the test is about
the pages, not the model; tests/.../test_training_on_real_photos.py is about the model)."""

import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from recommender.embeddings.service import image_embeddings_compute
from shop.catalog.models import ProductImage
from tests.factories import CategoryFactory, UserFactory, product_with_sizes
from tests.helpers.encoder_training import forget_serving_caches, version_with_heads

pytestmark = pytest.mark.django_db
VERSION = "lite0-shop-attributes-test"
VOCABS = {"category": ("Dresses", "Shirts"), "colour": ("Blue", "Red"), "department": ("men", "women"),
          "usage": ("Casual", "Formal")}


def jpeg(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (96, 128), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def trained_shop(settings):
    settings.RECOMMENDER = {"ENCODER": VERSION, "COMPACT_DIMS": 0}
    forget_serving_caches()
    version_with_heads(VERSION, vocabs=VOCABS, favour={"category": "Dresses", "colour": "Blue",
                                                       "department": "women", "usage": "Casual"})
    dresses = CategoryFactory(name="Dresses")
    blue = product_with_sizes(category=dresses, gender="women", base_colour="Blue")
    red = product_with_sizes(category=dresses, gender="women", base_colour="Red")
    image_embeddings_compute(image_ids=list(ProductImage.objects.values_list("pk", flat=True)))
    yield {"blue": blue, "red": red, "dresses": dresses}
    forget_serving_caches()


def _photo_search(client, **fields):
    client.defaults["REMOTE_ADDR"] = f"10.9.{random.randint(1, 250)}.{random.randint(1, 250)}"
    photo = SimpleUploadedFile("mine.jpg", jpeg((40, 60, 200)), content_type="image/jpeg")
    return client.post("/search/photo/", {"image": photo, **fields})


def test_the_photo_search_page_offers_the_predicted_colour_category_and_department_as_one_click_filters(
        client, trained_shop):
    page = _photo_search(client).content.decode()

    assert 'data-testid="predicted-attributes"' in page
    assert "<strong>Blue</strong> · <strong>Dresses</strong> · <strong>Women</strong>" in page
    assert 'name="colour" value="Blue"' in page
    assert f'name="category" value="{trained_shop["dresses"].slug}"' in page
    assert 'name="gender" value="women"' in page

    filtered = _photo_search(client, colour="Blue").content.decode()
    assert f'/{trained_shop["blue"].slug}' in filtered and f'/{trained_shop["red"].slug}' not in filtered


def test_admin_suggests_missing_details_with_confidence_and_accepts_one_with_a_click(client, trained_shop):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    bare = product_with_sizes(category=trained_shop["dresses"], base_colour="", usage="")
    url = f"/admin/catalog/product/{bare.pk}/change/"

    page = client.get(url).content.decode()

    assert 'data-testid="suggestion-colour"' in page and "<strong>Blue</strong>" in page and "% sure" in page
    assert 'data-testid="suggestion-usage"' in page
    assert 'data-testid="suggestion-category"' not in page  # set already: nothing to suggest

    response = client.post(f"{url}suggestion/", {"suggestion": "base_colour=Blue"}, follow=True)

    assert "Accepted: colour = Blue." in response.content.decode()
    bare.refresh_from_db()
    assert bare.base_colour == "Blue"
    refused = client.post(f"{url}suggestion/", {"suggestion": "base_colour=Red"}, follow=True)
    assert "set already" in refused.content.decode()
    bare.refresh_from_db()
    assert bare.base_colour == "Blue"
