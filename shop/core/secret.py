"""A per-checkout development secret key, made once and kept in `.data/` (never committed)."""

from django.core.management.utils import get_random_secret_key

from shop.core.embedded import DATA_DIR


def local_secret_key() -> str:
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()
