"""A corpus of hostile and awkward images, made here, sent through the three doors an image comes in by:
admin upload, the photo search API, and the worker's compute (called in-process, no worker needed).

Unusable files are refused (admin, API: with the loader's code and its reason in plain words) or
marked failed with that reason (worker); usable ones are embedded, and the awkward ones land within cosine 0.99 of a plain RGB twin.
Nothing answers 500 and nothing raises.
"""

import numpy as np
import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from recommender.embeddings.service import image_embeddings_compute
from recommender.models import ImageEmbedding
from shop.catalog.models import ProductImage
from tests.factories import ProductFactory, jpeg_bytes
from tests.recommender.embeddings.samples import animated, encode, product_photo, with_exif_orientation
from tests.helpers.admin_images import bomb_png, post_image

PHOTO = product_photo(width=320, height=400)
PLAIN = encode(PHOTO, format="PNG")  # the twin every awkward-but-usable file is compared with

UNUSABLE = {
    "empty.jpg": b"",
    "text-renamed.jpg": b"just some text, not a photo at all",
    "truncated.jpg": encode(PHOTO, format="JPEG", quality=90)[:600],
    "bomb.png": bomb_png(),
    "polyglot.jpg": b"<html><body><script>alert(document.cookie)</script></body></html>" + b"\x00" * 64,
    "script.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
}
# name -> (bytes, the plain RGB twin it must embed like, if any). JPEGs compare with a plain JPEG of the same quality.
USABLE = {
    "plain.png": (PLAIN, None),
    "plain.jpg": (encode(PHOTO, format="JPEG", quality=95), None),
    "cmyk.jpg": (encode(PHOTO.convert("CMYK"), format="JPEG", quality=98), "plain.png"),
    "16-bit.png": (encode(Image.fromarray((np.asarray(PHOTO.convert("L")).astype(np.uint16) * 257)), format="PNG"),
                   None),
    "palette.png": (encode(PHOTO.quantize(256), format="PNG"), "plain.png"),
    "rgba.png": (encode(PHOTO.convert("RGBA"), format="PNG"), "plain.png"),
    "animated.gif": (animated(format="GIF", colours=[(180, 40, 60), (20, 90, 200)]), None),
    "animated.webp": (animated(format="WEBP", colours=[(180, 40, 60), (20, 90, 200)]), None),
    "1x1.png": (encode(Image.new("RGB", (1, 1), (10, 20, 30)), format="PNG"), None),
    "5000x20.png": (encode(Image.new("RGB", (5000, 20), (90, 90, 90)), format="PNG"), None),
    "exif-rotated.jpg": (with_exif_orientation(PHOTO.transpose(Image.Transpose.ROTATE_90), orientation=8), "plain.jpg"),
    "6000x4000.jpg": (encode(product_photo(width=6000, height=4000, seed=3), format="JPEG", quality=85), None),
}


# Pillow's own words, which must reach the log only, never a shopper or the admin.
LIBRARY_WORDS = ("cannot identify", "exceeds limit", "bytes not processed", "decompression bomb", "DOS", "Image size")


def plain_words(reason: str) -> bool:
    return reason.startswith("This ") and not any(words in reason for words in LIBRARY_WORDS)


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("staff", "s@example.com", "pw"))
    return client


@pytest.mark.django_db
def test_the_admin_refuses_every_unusable_file_and_keeps_every_usable_one(staff_client):
    outcomes = {}
    for name, data in [*UNUSABLE.items(), *((n, d) for n, (d, _) in USABLE.items())]:
        product = ProductFactory()
        response = post_image(staff_client, product, data, name)
        kept = ProductImage.objects.filter(product=product).exists()
        outcomes[name] = (response.status_code, kept)
    assert {n: o for n, o in outcomes.items() if n in UNUSABLE and o != (200, False)} == {}
    assert {n: o for n, o in outcomes.items() if n in USABLE and o != (302, True)} == {}


@pytest.mark.django_db
def test_photo_search_answers_400_with_a_reason_or_200_for_every_file(client, settings):
    cache.clear()  # another test's serving encoder may still be cached in the shared Redis
    settings.RECOMMENDER = {**getattr(settings, "RECOMMENDER", {}), "PHOTO_SEARCH_RATE": "10000/min"}
    statuses = {}
    for name, data in [*UNUSABLE.items(), *((n, d) for n, (d, _) in USABLE.items())]:
        response = client.post("/api/search/photo/", {"image": SimpleUploadedFile(name, data)})
        statuses[name] = response.status_code
        if response.status_code == 400:
            body = response.json()
            assert body["code"] and plain_words(body["detail"]), (name, body)  # a code and a sentence
    assert {n: s for n, s in statuses.items() if n in UNUSABLE and s != 400} == {}
    assert {n: s for n, s in statuses.items() if n in USABLE and s != 200} == {}


@pytest.mark.django_db
def test_the_worker_fails_every_unusable_file_with_a_reason_and_embeds_every_usable_one():
    ids = {}
    for name, data in [*UNUSABLE.items(), *((n, d) for n, (d, _) in USABLE.items())]:
        # Straight to the model: what an import or a bug could store without the admin's check.
        ids[name] = ProductImage.objects.create(product=ProductFactory(), image=ContentFile(data, name=name)).pk
    report = image_embeddings_compute(image_ids=list(ids.values()))
    rows = {row.image_id: row for row in ImageEmbedding.objects.filter(image_id__in=ids.values())}
    by_name = {name: rows[pk] for name, pk in ids.items()}
    assert {n: r.status for n, r in by_name.items() if n in UNUSABLE and (r.status != "failed" or not r.error)} == {}
    assert {n: r.error for n, r in by_name.items() if n in UNUSABLE and not plain_words(r.error)} == {}
    assert {n: r.status for n, r in by_name.items() if n in USABLE and r.status != "ready"} == {}
    assert report.ready == len(USABLE) and report.failed == len(UNUSABLE)
    def vector(name):
        return np.asarray(by_name[name].vector, dtype=np.float32)

    cosines = {name: float(np.dot(vector(twin), vector(name))) for name, (_, twin) in USABLE.items() if twin}
    assert {name: c for name, c in cosines.items() if c < 0.99} == {}
