"""POST /api/search/photo/ and the /search/photo/ page: bad input is a 400 with the loader's reason,
never a 500; a client past its rate gets 429 with Retry-After; uploads are kept only on opt-in."""

import io
import itertools
import struct
import zlib

import numpy as np
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from recommender.embeddings.encoders import get_encoder
from recommender.models import ProductEmbedding
from tests.factories import CategoryFactory, product_with_sizes

pytestmark = pytest.mark.django_db
URL = "/api/search/photo/"
_addresses = itertools.count(1)


def jpeg(colour=(180, 40, 60), size=(120, 150)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def png_bomb(width=30_000, height=30_000) -> bytes:
    """A PNG whose header claims 900 Mpx and whose data is a few bytes."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def client(client):
    # A fresh address per test: the throttle's counters live in the shared Redis cache.
    client.defaults["REMOTE_ADDR"] = f"10.{next(_addresses) % 250}.{id(client) % 250}.{np.random.randint(1, 250)}"
    cache.delete("recommender:serving-encoder")
    return client


@pytest.fixture
def catalogue():
    """Red and blue products with real vectors from the real encoder."""
    encoder = get_encoder("lite0")
    reds, blues = CategoryFactory(name="Reds", slug="reds"), CategoryFactory(name="Blues", slug="blues")
    made = []
    for index, (colour, category) in enumerate([((200, 30, 40), reds), ((190, 40, 50), reds), ((30, 40, 200), blues)]):
        product = product_with_sizes(name=f"Item {index}", category=category, sizes=(("M", 2),))
        vector = encoder.embed([Image.new("RGB", (120, 150), colour)])[0]
        ProductEmbedding.objects.create(product=product, encoder="lite0", vector=vector.tolist())
        made.append(product)
    return made


@pytest.mark.parametrize(
    ("data", "code", "detail"),
    [
        (b"", "empty", "This file is empty."),
        (b"just some text, not a picture", "unsupported_format", "This file is not a JPEG, PNG, WebP or GIF image."),
        (jpeg(size=(400, 400))[:300], "corrupt", "This file is damaged or incomplete."),
        (png_bomb(), "decompression_bomb", "This photo is too large (max 40 megapixels)."),
        (b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024 + 10), "too_large", "This file is too large (max 10 MB)."),
    ],
    ids=["empty", "text", "truncated", "bomb", "over-10-MiB"],
)
def test_bad_uploads_are_refused_with_a_400_the_loaders_code_and_a_plain_sentence(client, data, code, detail):
    response = client.post(URL, {"image": upload(data)})
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert (body["code"], body["detail"]) == (code, detail)


def test_a_request_without_an_image_is_a_400(client):
    response = client.post(URL, {"gender": "men"})
    assert response.status_code == 400 and "required" in response.json()["detail"]


def test_the_page_shows_the_loaders_reason_for_a_bad_upload_in_plain_words(client):
    response = client.post("/search/photo/", {"image": upload(b"GIF89a nonsense", name="x.gif")})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This file is damaged or incomplete." in html
    assert "cannot identify" not in html and "Error" not in html  # none of Pillow's own words


def test_a_client_past_its_rate_gets_429_with_retry_after(client, settings):
    settings.RECOMMENDER = {"PHOTO_SEARCH_RATE": "2/min"}
    statuses = [client.post(URL, {"image": upload(b"")}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    response = client.post(URL, {"image": upload(b"")})
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 60
    page = client.post("/search/photo/", {"image": upload(b"")})
    assert page.status_code == 429 and int(page["Retry-After"]) > 0


def test_a_photo_finds_the_nearest_products_and_the_likely_category(client, catalogue):
    response = client.post(URL, {"image": upload(jpeg(colour=(200, 30, 40)))})
    assert response.status_code == 200
    body = response.json()
    assert body["results"][0]["id"] == catalogue[0].pk
    assert body["predicted_category"]["slug"] == "reds" and 0.5 < body["confidence"] <= 1
    assert body["kept"] is False


def test_filters_given_as_one_json_object_are_applied(client, catalogue):
    response = client.post(URL, {"image": upload(jpeg(colour=(200, 30, 40))), "filters": '{"category": "blues"}'})
    assert [hit["id"] for hit in response.json()["results"]] == [catalogue[2].pk]
    # The prediction reads the unfiltered neighbours: what the photo shows, whatever the filter.
    assert response.json()["predicted_category"]["slug"] == "reds"


def test_an_unknown_category_filter_is_a_400(client, catalogue):
    response = client.post(URL, {"image": upload(jpeg()), "category": "no-such-thing"})
    assert response.status_code == 400


def test_the_upload_is_not_stored_unless_the_shopper_opts_in(client, catalogue, settings):
    folder = settings.MEDIA_ROOT / "search-uploads"
    client.post(URL, {"image": upload(jpeg())})
    assert not folder.exists() or not any(folder.iterdir())
    response = client.post(URL, {"image": upload(jpeg()), "keep": "true"})
    assert response.json()["kept"] is True
    assert len(list(folder.iterdir())) == 1


def test_the_page_renders_product_cards_and_the_predicted_category_as_a_filter(client, catalogue):
    assert client.get("/search/photo/").status_code == 200
    response = client.post("/search/photo/", {"image": upload(jpeg(colour=(200, 30, 40))), "size": "M"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Item 0") < html.index("Item 2")
    assert 'data-testid="category-filter"' in html and 'value="reds"' in html
    assert "/reds/?size=M" in html or "reds/?size=M" in html


def test_the_header_links_to_photo_search(client):
    assert b'href="/search/photo/"' in client.get("/search/").content


def test_the_openapi_schema_describes_photo_search(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200 and b"/api/search/photo/" in response.content


def test_with_compact_vectors_serving_an_upload_is_projected_into_their_space(client, catalogue, settings):
    from django.core.management import call_command

    from recommender.vectors.store import encoder_for_serving

    settings.RECOMMENDER = {"COMPACT_DIMS": 2, "COMPACT_MIN_PRODUCTS": 3}
    call_command("compact_vectors", verbosity=0)
    try:
        assert encoder_for_serving() == "lite0-pca2"
        response = client.post(URL, {"image": upload(jpeg(colour=(30, 40, 200)))})
        assert response.status_code == 200
        assert response.json()["results"][0]["id"] == catalogue[2].pk
    finally:
        cache.delete("recommender:serving-encoder")


def test_a_split_vote_says_not_sure_and_names_no_category(client):
    # Two identical-looking products in two categories: the vote is 50/50, which is no prediction.
    encoder = get_encoder("lite0")
    vector = encoder.embed([Image.new("RGB", (120, 150), (30, 40, 200))])[0]
    for slug in ("tops", "bags"):
        product = product_with_sizes(name=f"Blue {slug}", category=CategoryFactory(name=slug.title(), slug=slug))
        ProductEmbedding.objects.create(product=product, encoder="lite0", vector=vector.tolist())
    body = client.post(URL, {"image": upload(jpeg(colour=(30, 40, 200)))}).json()
    assert body["predicted_category"] is None and len(body["results"]) == 2
    html = client.post("/search/photo/", {"image": upload(jpeg(colour=(30, 40, 200)))}).content.decode()
    assert "Not sure what this is" in html and "This looks like" not in html
