"""Real images for schemathesis to upload wherever the schema asks for an image/* part (photo search).

Importing this module registers one strategy per image type with schemathesis. The API contract test imports
it; the CLI loads it as a hook module: `SCHEMATHESIS_HOOKS=tests.helpers.schemathesis_images st run ...`.
Without it schemathesis sends random bytes labelled image/png, which the photo search rightly refuses.
"""

import io

import schemathesis
from hypothesis import strategies as st
from PIL import Image

IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}


def image_bytes(image_format: str) -> st.SearchStrategy[bytes]:
    """Encoded images of one format: any size from 1x1 to 96x96, any colour."""

    def encoded(size, colour):
        buffer = io.BytesIO()
        Image.new("RGB", size, colour).save(buffer, format=image_format)
        return buffer.getvalue()

    sides = st.integers(min_value=1, max_value=96)
    colours = st.tuples(*[st.integers(min_value=0, max_value=255)] * 3)
    return st.builds(encoded, st.tuples(sides, sides), colours)


for _media_type, _format in IMAGE_FORMATS.items():
    schemathesis.openapi.media_type(_media_type, image_bytes(_format))
