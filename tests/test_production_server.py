"""Production-settings smoke test: gunicorn, two workers, DEBUG off, behind one HTTPS proxy;
rate limits counted across two worker processes.

The server runs on its own SpatiaLite file with the demo data (the default deployment, whatever
database the rest of the suite uses). Requests arrive as from a proxy that terminates TLS
(X-Forwarded-Proto, X-Forwarded-For with TRUSTED_PROXY_HOPS=1); each test speaks for its own
client address so their rate-limit counts never meet.
"""

import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv/bin/python")
DB_FILE = ROOT / "var" / "test_production_server.sqlite3"
ACCESS_LOG_FORMAT = "%(p)s %({x-forwarded-for}i)s %(U)s %(s)s"
HASHED = re.compile(r"\.[0-9a-f]{12}\.js$")
YEAR = 31_536_000
# One key for every process, as in a real deployment: rate-limit keys are derived from it.
SECRET_KEY = secrets.token_urlsafe(50)


def server_env(**extra):
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    return {
        **keep,
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"spatialite:///{DB_FILE}",
        "CACHE_URL": "db://",
        "TRUSTED_PROXY_HOPS": "1",
        "API_THROTTLE_ANON": "5/minute",
        "ANONYMOUS_SUBMISSIONS_PER_HOUR": "3",
        **extra,
    }


def manage(*args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=server_env(), check=True)


@pytest.fixture(scope="module")
def prepared():
    """A fresh migrated database with the demo data, and the collected static files."""
    DB_FILE.unlink(missing_ok=True)
    manage("migrate", "--no-input", "-v", "0")
    manage("load_demo", "--if-empty")
    manage("collectstatic", "--no-input", "-v", "0")
    yield
    DB_FILE.unlink(missing_ok=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_listening(process, port):
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} stopped at start-up")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{process.args[0]} did not start")


class Server:
    def __init__(self, tmp_path, *, workers=2, **env):
        self.port = free_port()
        self.log = tmp_path / f"access-{self.port}.log"
        command = [
            str(ROOT / ".venv/bin/gunicorn"),
            "commons.wsgi",
            # make serve's configuration (threaded workers), with the process count asked for.
            "--config",
            str(ROOT / "commons/gunicorn.conf.py"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--access-logfile",
            str(self.log),
            "--access-logformat",
            ACCESS_LOG_FORMAT,
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=server_env(**env))
        wait_until_listening(self.process, self.port)

    def request(self, method, path, *, client="192.0.2.1", body=None, https=True):
        """One request on a fresh connection, as the proxy would forward it."""
        headers = {"Host": "127.0.0.1", "X-Forwarded-For": f"203.0.113.99, {client}"}
        if https:
            headers["X-Forwarded-Proto"] = "https"
        if body is not None:
            headers["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def workers_that_served(self, client):
        """The pids of the workers that served requests forwarded for `client`."""
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        return {line.split()[0] for line in lines if f", {client} " in line}

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(prepared, tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("gunicorn"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def two_processes(prepared, tmp_path_factory):
    """Two single-worker servers on one database and cache: which process serves a request is
    then the test's choice, not the kernel's (a quiet machine may hand every request of one
    client to the same worker of a two-worker server)."""
    running = [Server(tmp_path_factory.mktemp("gunicorn"), workers=1) for _ in range(2)]
    yield running
    for each in running:
        each.stop()


def headers_lower(headers):
    return {k.lower(): v for k, v in headers.items()}


def assert_security_headers(headers):
    h = headers_lower(headers)
    assert "default-src 'self'" in h["content-security-policy"]
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "same-origin"
    assert "max-age=31536000" in h["strict-transport-security"]


@pytest.mark.parametrize("path", ["/", "/entries/", "/api/v1/entries/"])
def test_the_main_pages_and_the_api_are_served_with_the_security_headers(server, path):
    status, headers, body = server.request("GET", path, client="192.0.2.10")
    assert status == 200, body[:500]
    assert_security_headers(headers)


def test_a_missing_page_is_our_404_page(server):
    status, headers, body = server.request("GET", "/no-such-page/", client="192.0.2.11")
    assert status == 404 and b"We could not find that page" in body
    assert_security_headers(headers)


def test_plain_http_is_redirected_to_https(server):
    status, headers, _ = server.request("GET", "/entries/", client="192.0.2.12", https=False)
    assert status == 301
    assert headers_lower(headers)["location"] == "https://127.0.0.1/entries/"


def test_static_files_have_hashed_names_cached_for_a_year(server):
    _, _, page = server.request("GET", "/", client="192.0.2.13")
    main = re.search(r'<script type="module" src="([^"]+)"', page.decode()).group(1)
    assert HASHED.search(main), main
    status, headers, source = server.request("GET", main, client="192.0.2.13")
    cache_control = headers_lower(headers)["cache-control"]
    assert status == 200 and "immutable" in cache_control
    assert int(re.search(r"max-age=(\d+)", cache_control).group(1)) >= YEAR
    imports = re.findall(r'from "\./([^"]+)"', source.decode())
    assert len(imports) >= 5
    folder = main.rsplit("/", 1)[0]
    for name in imports:
        assert HASHED.search(name), name
        status, headers, _ = server.request("GET", f"{folder}/{name}", client="192.0.2.13")
        assert status == 200 and "immutable" in headers_lower(headers)["cache-control"]


def count_allowed_across_workers(servers, send, *, limit, client):
    """Send limit + 3 requests, each on a fresh connection, to the worker processes in turn;
    return how many were allowed."""
    codes = [send(servers[i % len(servers)]) for i in range(limit + 3)]
    assert all(s.workers_that_served(client) for s in servers), "a process served none"
    assert set(codes) <= {200, 201, 429}, codes
    return sum(code != 429 for code in codes)


def test_the_api_throttle_is_shared_by_both_workers(two_processes):
    client = "192.0.2.20"

    def send(server):
        return server.request("GET", "/api/v1/categories/", client=client)[0]

    assert count_allowed_across_workers(two_processes, send, limit=5, client=client) == 5


def test_the_anonymous_report_limit_is_shared_by_both_workers(two_processes):
    client = "192.0.2.21"
    first = two_processes[0]
    _, _, body = first.request("GET", "/api/v1/entries/?limit=1", client="192.0.2.22")
    slug = json.loads(body)["features"][0]["properties"]["slug"]
    report = json.dumps({"kind": "closed", "message": "Shut for good"})

    def send(server):
        path = f"/api/v1/entries/{slug}/reports/"
        return server.request("POST", path, client=client, body=report)[0]

    assert count_allowed_across_workers(two_processes, send, limit=3, client=client) == 3


@pytest.fixture
def redis_server(prepared, tmp_path):
    """The app on a Redis of its own: started here, so a fresh clone needs no Redis running
    and no one's data in a shared one is flushed."""
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is needed: run scripts/setup_system.sh --test.")
    port = free_port()
    options = ["--bind", "127.0.0.1", "--port", str(port), "--save", "", "--dir", str(tmp_path)]
    redis = subprocess.Popen(["redis-server", *options], stdout=subprocess.DEVNULL)
    try:
        wait_until_listening(redis, port)
        cache = {"CACHE_URL": f"redis://127.0.0.1:{port}/0"}
        running = [Server(tmp_path, workers=1, **cache) for _ in range(2)]
        yield running
        for each in running:
            each.stop()
    finally:
        redis.terminate()
        redis.wait(timeout=30)


def test_with_redis_the_api_throttle_is_shared_by_both_workers(redis_server):
    client = "192.0.2.30"

    def send(server):
        return server.request("GET", "/api/v1/categories/", client=client)[0]

    assert count_allowed_across_workers(redis_server, send, limit=5, client=client) == 5
