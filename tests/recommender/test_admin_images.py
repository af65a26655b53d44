
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shop.catalog.models import ProductImage
from tests.factories import ProductFactory, jpeg_bytes
from tests.helpers.admin_images import bomb_png, post_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("staff", "s@example.com", "pw"))
    return client


@pytest.mark.parametrize(
    "data, name, reason",
    [
        (b"", "empty.jpg", "empty"),
        (b"just some text, not a photo", "text.jpg", "not a jpeg, png, webp or gif"),
        (jpeg_bytes(size=(300, 300))[:400], "cut.jpg", "damaged or incomplete"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "x.svg",
         "not a jpeg, png, webp or gif"),
        (bomb_png(), "bomb.png", "pixels"),
    ],
)
def test_the_admin_refuses_what_the_loader_refuses_with_its_reason(staff_client, data, name, reason):
    product = ProductFactory()
    response = post_image(staff_client, product, data, name)
    assert response.status_code == 200
    html = response.content.decode().lower()
    assert reason in html or (reason == "empty" and "submitted file is empty" in html)
    assert not ProductImage.objects.filter(product=product).exists()


def test_the_admin_accepts_a_usable_photo(staff_client):
    product = ProductFactory()
    response = post_image(staff_client, product, jpeg_bytes(size=(120, 160)), "ok.jpg")
    assert response.status_code == 302
    assert ProductImage.objects.filter(product=product).count() == 1
