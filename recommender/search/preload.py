"""Build the search models when a web process starts, so no shopper's search waits for them.

In: the process's command line and environment. Out: ``serves_web(argv, environ)`` says whether this
process answers web requests (pure); ``preload_if_serving()`` (called from the app's ``ready()``)
then builds the serving image encoder and the text encoder in a background thread and runs each once
on a tiny input, so the first photo search and the first search by words find them warm.

Only web servers preload: ``manage.py runserver`` (its serving child, not the autoreloader that
watches files), gunicorn, uwsgi, uvicorn and daphne. Management commands (migrate, shell, embed),
Celery and pytest never do: each would pay seconds of start-up and ~150 MB for models it may never
use. The thread lets the server listen at once; a request that comes before the models are built
waits on the encoder caches' locks instead of building a second copy.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import threading
import time
from collections.abc import Mapping, Sequence

from django.db import connection
from PIL import Image

from recommender.conf import recommender_setting
from recommender.embeddings.text import get_text_encoder
from recommender.search.photo import photo_vectors
from recommender.vectors.store import encoder_for_serving
from shop.core.startup_gc import startup_objects_freeze

logger = logging.getLogger(__name__)

WEB_SERVERS = ("gunicorn", "uwsgi", "uvicorn", "daphne")
_started = False
_lock = threading.Lock()


def serves_web(argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    if not argv:
        return False
    program = os.path.basename(str(argv[0]))
    if any(server in str(argv[0]) for server in WEB_SERVERS):
        return True
    if program in ("manage.py", "django-admin") and len(argv) > 1 and argv[1] == "runserver":
        # With the autoreloader the first process only watches files; its child (RUN_MAIN) serves.
        return environ.get("RUN_MAIN") == "true" or "--noreload" in argv
    return False


def preload_if_serving(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """Start the preload thread if this process serves web requests; True when it did."""
    argv = sys.argv if argv is None else argv
    environ = os.environ if environ is None else environ
    if not serves_web(argv, environ):
        return False
    if "gunicorn" in str(argv[0]) and "--preload" in argv:
        # The app is loaded in gunicorn's master, then forked: models built here would be rebuilt in
        # each worker anyway (the encoder caches are per process), so each worker builds its own.
        os.register_at_fork(after_in_child=_start)
        return True
    _start()
    return True


def _start() -> None:
    global _started
    with _lock:
        if _started:
            return
        _started = True
    threading.Thread(target=search_models_warm, name="search-models-preload", daemon=True).start()


def search_models_warm() -> None:
    """Build and run once the serving image encoder (with its compact projection) and the text encoder."""
    started = time.monotonic()
    try:
        photo = io.BytesIO()
        Image.new("RGB", (64, 64), (128, 128, 128)).save(photo, format="JPEG")
        encoder = encoder_for_serving()
        photo_vectors(photo.getvalue(), encoder=encoder)
        get_text_encoder(recommender_setting("TEXT_MODEL")).embed(["warm up"])
        logger.info("search models ready in %.1f s (image encoder %s)", time.monotonic() - started, encoder)
        startup_objects_freeze()  # the models' objects live as long as the process: out of the full GC passes
    except Exception:
        # A missing model or database must not stop the server: the first search builds it, or says why.
        logger.warning("preloading the search models failed; the first search will build them", exc_info=True)
    finally:
        connection.close()  # this thread's own connection
