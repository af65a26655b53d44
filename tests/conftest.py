"""Project-wide fixtures. The database is the real embedded PostgreSQL with pgvector (see shop.core.embedded)."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FASHION_5K = REPO.parent / "shared" / "data" / "fashion-5k"


def pytest_addoption(parser):
    parser.addoption("--reverse", action="store_true",
                     help="run the collected tests in reverse order: a test that needs another to run first fails")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--reverse"):
        items.reverse()


@pytest.fixture(scope="session")
def fashion_5k() -> Path:
    """The 5,000 real product photos. Present in CI; a user's fresh clone has no ../shared."""
    if not (FASHION_5K / "styles.csv").is_file():
        pytest.skip(f"needs the fashion-5k data set at {FASHION_5K} (present in CI, not in a fresh clone)")
    return FASHION_5K


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes uploads into its own folder, so tests never see each other's files."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _hnsw_depths_forgotten():
    """A process keeps each index's measured search depth for a while; a test's rolled-back refit must not leave
    its depth to the next test."""
    from recommender.vectors.depth import depth_forget

    depth_forget()
    yield
    depth_forget()


@pytest.fixture(scope="module")
def chromium():
    """Debian's headless Chromium (skips with the reason where it is missing): tests/helpers/browser.py."""
    from tests.helpers.browser import chromium_browser

    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def page(chromium):
    """A desktop-sized page (1280 x 900) in a fresh browser context: no cookies from another test."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()
