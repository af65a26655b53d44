"""Uploading a photo through the admin's product form, as staff do, and a decompression-bomb PNG to upload."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image


def post_image(client, product, data, name):
    form = {
        "name": product.name, "slug": product.slug, "brand": "", "category": product.category_id, "gender": "men",
        "price": "10", "currency": "EUR", "description": "", "base_colour": "", "season": "", "usage": "",
        "year": "", "attributes": "{}", "is_active": "on",
        "variants-TOTAL_FORMS": "0", "variants-INITIAL_FORMS": "0",
        "images-TOTAL_FORMS": "1", "images-INITIAL_FORMS": "0",
        "images-0-image": SimpleUploadedFile(name, data), "images-0-position": "0", "images-0-alt_text": "",
    }
    return client.post(reverse("admin:catalog_product_change", args=[product.pk]), form)


def bomb_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buffer, format="PNG")  # 144 Mpx, a few KB compressed
    return buffer.getvalue()
