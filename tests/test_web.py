"""geo.web: articles from a link, served by a local HTTP server only these tests allow.

The fetcher refuses loopback and private addresses by default; the tests that read from the
local server pass ``allow_private=True`` (or their own ``allow_address``/``resolve``), and
every refusal is checked to happen before any request reaches a server.
"""

from __future__ import annotations

import gzip
import ipaddress
import socketserver
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from geo import ArticleError
from geo.errors import FetchError
from geo.web import article_from_url, embedded_ipv4, is_public, is_url

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


TITLED_PAGE = """<html><head><title>Floods hit the coast</title></head><body>
<p>Heavy rain fell in Dhaka all week, and the rivers rose across Bangladesh as the monsoon
arrived early this year, officials said on Friday.</p></body></html>"""
XHTML_PAGE = (
    '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 '
    'Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
    '<html xmlns="http://www.w3.org/1999/xhtml">' + TITLED_PAGE.removeprefix("<html>")
)
#: Finding 12 of issue 14 and its neighbours: path -> (body, content type, extra headers).
PAGES: dict[str, tuple[bytes, str, dict[str, str]]] = {
    "/rot13": (TITLED_PAGE.encode(), "text/html; charset=rot13", {}),
    "/nosuchcodec": (TITLED_PAGE.encode(), "text/html; charset=nosuchcodec", {}),
    "/xhtml": (XHTML_PAGE.encode(), "application/xhtml+xml", {}),
    "/titled": (TITLED_PAGE.encode(), "text/html; charset=utf-8", {}),
    "/gzip": (gzip.compress(TITLED_PAGE.encode()), "text/html", {"Content_Encoding": "gzip"}),
    "/gzip-unlabelled": (gzip.compress(TITLED_PAGE.encode()), "text/html", {}),
    "/deflate": (zlib.compress(TITLED_PAGE.encode()), "text/html", {"Content_Encoding": "deflate"}),
    "/brotli": (b"\x0b\x02\x80", "text/html", {"Content_Encoding": "br"}),
    "/gzip-damaged": (
        gzip.compress(TITLED_PAGE.encode())[:30],
        "text/html",
        {"Content_Encoding": "gzip"},
    ),
    "/gzip-bomb": (
        gzip.compress(b"<p>" + b"x" * 5_000_000),
        "text/html",
        {"Content_Encoding": "gzip"},
    ),
}


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
        elif self.path in PAGES:
            body, content_type, headers = PAGES[self.path]
            self._send(200, body, content_type, **headers)
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


# --- finding 5 of issue 14: the deadline holds for the whole fetch -------------------------

#: A server that answers at once but sends one part of its answer a byte at a time, every
#: DRIP seconds: the status line, the headers, a body, or the chunks of a chunked body. Each
#: byte resets a per-read timeout, so only a deadline for the whole fetch ends it.
DRIP = 0.05
DRIPS = {
    "/drip-status": (b"", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" * 50),
    "/drip-headers": (b"HTTP/1.1 200 OK\r\n", b"X-Pad: " + b"a" * 1000 + b"\r\n"),
    "/drip-body": (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n",
        b"<p>" + b"x" * 4997,
    ),
    "/drip-chunked": (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"1\r\nx\r\n" * 1000,
    ),
}


class Dripper(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        request = b""
        while b"\r\n\r\n" not in request and (data := self.request.recv(4096)):
            request += data
        path = request.split(b" ", 2)[1].decode() if request.count(b" ") >= 2 else ""
        head, drip = DRIPS.get(path, (b"HTTP/1.1 404 Not Found\r\n\r\n", b""))
        with suppress(OSError):  # the client hung up: that is what the tests want
            self.request.sendall(head)
            for byte in drip[: int(10 / DRIP)]:  # at most 10 s, whatever happens
                self.request.sendall(bytes([byte]))
                time.sleep(DRIP)


@pytest.fixture(scope="module")
def dripping() -> Iterator[str]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Dripper)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.mark.parametrize("path", list(DRIPS))
def test_a_server_that_drips_is_cut_off_at_the_deadline(dripping: str, path: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"took too long to load \(the limit is 0\.5 s\)"):
        article_from_url(f"{dripping}{path}", allow_private=True, timeout=0.5)

    assert time.monotonic() - started < 1.5


# --- finding 12 of issue 14 and finding 8: what a page says about itself ---------------------


@pytest.mark.parametrize("charset", ["rot13", "nosuchcodec"])
def test_an_unknown_charset_says_so(base: str, charset: str) -> None:
    with pytest.raises(FetchError, match=f"says its text is in '{charset}', a character set"):
        article_from_url(f"{base}/{charset}", allow_private=True)


@pytest.mark.parametrize("path", ["/titled", "/xhtml", "/gzip", "/gzip-unlabelled", "/deflate"])
def test_pages_are_read_with_their_title(base: str, path: str) -> None:
    article = article_from_url(f"{base}{path}", allow_private=True)

    assert article.title == "Floods hit the coast"  # the page's <title>, not its first line
    assert article.text.startswith("Heavy rain fell in Dhaka all week")


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/brotli", "compressed with 'br', which we cannot read"),
        ("/gzip-damaged", "damaged gzip body"),
        ("/gzip-bomb", "larger than the limit of 0.01 MB"),
    ],
)
def test_bodies_that_cannot_be_unpacked_say_why(base: str, path: str, words: str) -> None:
    with pytest.raises(FetchError, match=words):
        article_from_url(f"{base}{path}", allow_private=True, max_bytes=10_000)


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
        # finding 10 of issue 14: IPv6 addresses that carry a private IPv4 address
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254, the cloud metadata
        ("64:ff9b::5db8:d70e", True),  # NAT64 of a public address
        ("64:ff9b:1::5db8:d70e", False),  # NAT64 for local use, never global
        ("::7f00:1", False),  # IPv4-compatible 127.0.0.1
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("2002:5db8:d70e::", True),  # 6to4 of a public address
        ("::ffff:0:a00:1", False),  # IPv4-translated 10.0.0.1
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo
        ("fec0::1", False),  # site-local
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


@settings(max_examples=300, deadline=None)
@given(st.ip_addresses(v=4))
@example(ipaddress.IPv4Address("169.254.169.254"))
@example(ipaddress.IPv4Address("127.0.0.1"))
def test_an_ipv6_form_of_an_ipv4_address_is_never_more_public(
    ipv4: ipaddress.IPv4Address,
) -> None:
    value = int(ipv4)
    forms = [
        ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | value),  # NAT64
        ipaddress.IPv6Address(int(ipaddress.IPv6Address("2002::")) | value << 80),  # 6to4
        ipaddress.IPv6Address(int(ipaddress.IPv6Address("::ffff:0:0:0")) | value),  # SIIT
        ipaddress.IPv6Address(int(ipaddress.IPv6Address("::ffff:0:0")) | value),  # mapped
    ]
    if value > 1:  # :: and ::1 are the unspecified and loopback addresses, not IPv4 ones
        forms.append(ipaddress.IPv6Address(value))  # IPv4-compatible
    for form in forms:
        assert ipv4 in embedded_ipv4(form)
        if is_public(form):
            assert is_public(ipv4), form
