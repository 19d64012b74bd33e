"""geo.web: articles from a link, served by a local HTTP server only these tests allow.

The fetcher refuses loopback and private addresses by default; the tests that read from the
local server pass ``allow_private=True`` (or their own ``allow_address``/``resolve``), and
every refusal is checked to happen before any request reaches a server.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from geo import ArticleError
from geo.errors import FetchError
from geo.web import article_from_url, is_public, is_url

ARTICLE_HTML = """<!doctype html>
<html><head>
<title>Putin and Kim sign a pact | Example News</title>
<meta property="og:title" content="Putin and Kim sign a defense pact">
<meta property="article:published_time" content="2019-06-20T08:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article>
<h1>Putin and Kim sign a defense pact</h1>
<p>President Vladimir Putin arrived in Pyongyang on Wednesday for talks with Kim Jong Un,
his first visit to North Korea in 24 years.</p>
<p>The two leaders signed a mutual defense pact, officials in Moscow said, as the war in
Ukraine went on and South Korea watched with concern.</p>
</article>
<script>var tracker = "do not read me";</script>
</body></html>
"""


class Handler(BaseHTTPRequestHandler):
    """A tiny web site: each path is one case."""

    server: Site

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        port = self.server.server_address[1]
        if self.path == "/article.html":
            self._send(200, ARTICLE_HTML.encode(), "text/html; charset=utf-8")
        elif self.path == "/plain.txt":
            self._send(200, b"Seoul, June 20, 2024 - Talks went on.", "text/plain")
        elif self.path == "/moved":
            self._send(302, b"", "text/html", Location="/article.html")
        elif self.path == "/to-intranet":
            self._send(302, b"", "text/html", Location=f"http://intranet.test:{port}/article.html")
        elif self.path == "/to-file":
            self._send(302, b"", "text/html", Location="file:///etc/passwd")
        elif self.path == "/loop":
            self._send(302, b"", "text/html", Location="/loop")
        elif self.path == "/big":
            self._send(200, b"<p>" + b"x" * 50_000 + b"</p>", "text/html")
        elif self.path == "/big-unannounced":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<p>" + b"x" * 50_000 + b"</p>")
            self.close_connection = True
        elif self.path == "/image.png":
            self._send(200, b"\x89PNG\r\n\x1a\n", "image/png")
        elif self.path == "/empty.html":
            self._send(200, b"<html><body><script>x()</script></body></html>", "text/html")
        elif self.path == "/slow":
            self.server.release.wait(10)
            self._send(200, b"<p>late</p>", "text/html")
        else:
            self._send(404, b"not here", "text/plain")


class Site(ThreadingHTTPServer):
    daemon_threads = True
    hits: list[str]
    release: threading.Event


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    server = Site(("127.0.0.1", 0), Handler)
    server.hits = []
    server.release = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def base(site: Site) -> str:
    site.hits.clear()
    return f"http://127.0.0.1:{site.server_address[1]}"


def test_reads_title_date_and_text(base: str) -> None:
    article = article_from_url(f"{base}/article.html", allow_private=True)

    assert article.title == "Putin and Kim sign a defense pact"
    assert article.year == 2019  # the publication date dates the article's events
    assert "Pyongyang on Wednesday" in article.text
    assert "signed a mutual defense pact" in article.text
    assert "tracker" not in article.text and "World" not in article.text
    assert article.source == f"{base}/article.html"


def test_plain_text_pages_are_read_as_they_are(base: str) -> None:
    article = article_from_url(f"{base}/plain.txt", allow_private=True)

    assert article.text == "Seoul, June 20, 2024 - Talks went on."
    assert article.year == 2024


def test_redirects_are_followed_and_the_final_link_kept(base: str, site: Site) -> None:
    article = article_from_url(f"{base}/moved", allow_private=True)

    assert article.source == f"{base}/article.html"
    assert site.hits == ["/moved", "/article.html"]


def test_loopback_is_refused_by_default(base: str, site: Site) -> None:
    with pytest.raises(FetchError, match="private or local address"):
        article_from_url(f"{base}/article.html")

    assert site.hits == []  # refused before connecting


def test_a_redirect_to_a_private_address_is_refused(base: str, site: Site) -> None:
    resolved = {"127.0.0.1": ["127.0.0.1"], "intranet.test": ["10.0.0.7"]}

    with pytest.raises(FetchError, match=r"'intranet.test' is at 10\.0\.0\.7"):
        article_from_url(
            f"{base}/to-intranet",
            allow_address=lambda ip: ip.is_loopback,  # this server, and nothing else private
            resolve=lambda host, port: resolved[host],
        )

    assert site.hits == ["/to-intranet"]


def test_a_redirect_to_another_scheme_is_refused(base: str) -> None:
    with pytest.raises(FetchError, match="file:///etc/passwd' is not allowed"):
        article_from_url(f"{base}/to-file", allow_private=True)


def test_endless_redirects_end(base: str) -> None:
    with pytest.raises(FetchError, match=r"HTTP 302 .*infinite loop"):
        article_from_url(f"{base}/loop", allow_private=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://192.168.1.1/news",
        "http://172.16.5.4/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata: link-local
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://0.0.0.0:8080/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
        "http://224.0.0.1/",  # multicast
    ],
)
def test_private_and_local_addresses_are_refused(url: str) -> None:
    with pytest.raises(FetchError, match="private or local address"):
        article_from_url(url, resolve=lambda host, port: [host])


def test_a_host_name_that_resolves_privately_is_refused() -> None:
    with pytest.raises(FetchError, match=r"'router.example' is at 192\.168\.0\.1"):
        article_from_url("https://router.example/", resolve=lambda host, port: ["192.168.0.1"])


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    with pytest.raises(FetchError, match=r"127\.0\.0\.1"):
        article_from_url(
            "https://news.example/", resolve=lambda host, port: ["93.184.215.14", "127.0.0.1"]
        )


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("file:///etc/passwd", "only http:// and https://"),
        ("ftp://example.org/a.txt", "only http:// and https://"),
        ("javascript:alert(1)", "only http:// and https://"),
        ("http:///nohost", "no host name"),
        ("http://user:pass@example.org/", "user name or password"),
    ],
)
def test_other_links_are_refused(url: str, words: str) -> None:
    with pytest.raises(FetchError, match=words):
        article_from_url(url, resolve=lambda host, port: pytest.fail("resolved"))


def test_unknown_hosts_say_so() -> None:
    def no_such_host(host: str, port: int) -> list[str]:
        raise OSError(-2, "Name or service not known")

    with pytest.raises(FetchError, match=r"cannot find the server 'nowhere\.example'"):
        article_from_url("https://nowhere.example/", resolve=no_such_host)


@pytest.mark.parametrize("path", ["/big", "/big-unannounced"])
def test_pages_larger_than_the_limit_are_refused(base: str, path: str) -> None:
    with pytest.raises(FetchError, match="limit"):
        article_from_url(f"{base}{path}", allow_private=True, max_bytes=10_000)


def test_slow_pages_give_up_within_the_time_limit(base: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"too long|timed out"):
        article_from_url(f"{base}/slow", allow_private=True, timeout=0.3)

    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/missing", "HTTP 404"),
        ("/image.png", "image/png, not a web page"),
        ("/empty.html", "no readable text"),
    ],
)
def test_unusable_pages_say_why(base: str, path: str, words: str) -> None:
    with pytest.raises(FetchError, match=words) as raised:
        article_from_url(f"{base}{path}", allow_private=True)

    assert isinstance(raised.value, ArticleError)  # the CLI and app treat it as bad input


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.org/news/1", True),
        ("HTTP://EXAMPLE.ORG", True),
        ("  https://example.org/a  ", True),
        ("article.html", False),
        ("ftp://example.org/", False),
        ("https://example.org/a b", False),  # pasted text that starts with a link
        ("Seoul - https://example.org", False),
    ],
)
def test_is_url(text: str, expected: bool) -> None:
    assert is_url(text) is expected


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("169.254.1.1", False),
        ("::ffff:10.0.0.1", False),
        ("ff02::1", False),
    ],
)
def test_is_public(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


def test_cli_refuses_a_local_link_as_bad_input(
    base: str, site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    from geo.cli import main

    assert main(["geojson", f"{base}/article.html"]) == 2

    assert "private or local address" in capsys.readouterr().err
    assert site.hits == []
