"""Load benchmark: concurrent browser sessions against the real app, and memory over reruns.

    .venv/bin/python bench/load.py [--sessions 10] [--reruns 200] [--port 0]

Starts ``streamlit run app.py`` on a free local port, then drives Debian's Chromium through
Playwright: ``--sessions`` tabs at once, each pasting a different article and waiting for its
markers; it reports the latency from submit to markers shown (median and 95th percentile)
and the errors (must be 0). Then one tab reruns the script ``--reruns`` times (switching the
timeline's selection) while the server's resident memory is read every ``--every`` reruns,
so it shows whether memory levels off or keeps growing: the growth per rerun is given for
the first and the second half of the reruns. Every request stays on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.limit import PAIRS  # noqa: E402
from tests.browser import CHROMIUM, MAP_FRAME, MARKERS, serve  # noqa: E402

#: Capitals and their countries, one pair an article (the first twelve of bench/limit.py's).
CITIES = PAIRS[:12]


def article(number: int) -> str:
    city, country = CITIES[number % len(CITIES)]
    other, _ = CITIES[(number + 3) % len(CITIES)]
    return (
        f"Talks in {city} on March {number % 27 + 1}, 2025 ended without a deal, officials in "
        f"{country} said. Delegates flew on to {other} for a second round."
    )


def server_pid(port: str) -> int:
    """The process of the ``streamlit run`` serving ``port``."""
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                words = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"streamlit" in b" ".join(words) and port.encode() in words:
                return int(proc.name)
    raise RuntimeError(f"no streamlit process serves port {port}")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


async def one_session(browser: object, url: str, number: int) -> float:
    context = await browser.new_context()  # type: ignore[attr-defined]

    async def local_only(route: object) -> None:
        host = route.request.url.split("/")[2]  # type: ignore[attr-defined]
        if host.startswith(("127.0.0.1", "localhost")):
            await route.continue_()  # type: ignore[attr-defined]
        else:
            await route.abort()  # type: ignore[attr-defined]

    await context.route("**/*", local_only)
    page = await context.new_page()
    try:
        await page.goto(url, wait_until="commit", timeout=180_000)
        await page.wait_for_selector(
            "[data-testid=stApp][data-test-script-state=notRunning]", timeout=180_000
        )
        await page.get_by_text("Paste text").click()
        await page.get_by_label("Paste an English news article").fill(article(number))
        start = time.perf_counter()
        await page.get_by_role("button", name="Map this article").click()
        city = CITIES[number % len(CITIES)][0]
        await page.locator("mark", has_text=city).first.wait_for(timeout=180_000)
        await page.frame_locator(MAP_FRAME).locator(MARKERS).first.wait_for(timeout=180_000)
        return time.perf_counter() - start
    finally:
        await context.close()


async def reruns(browser: object, url: str, count: int, pid: int, every: int) -> list[int]:
    """The server's resident memory (KiB) before the reruns and after each ``every``."""
    page = await browser.new_page()  # type: ignore[attr-defined]
    await page.goto(url, wait_until="commit", timeout=180_000)
    idle = "[data-testid=stApp][data-test-script-state=notRunning]"
    await page.wait_for_selector(idle, timeout=180_000)
    options = page.locator("[data-testid=stRadio]").filter(has_text="Timeline").locator("label")
    memory = [rss_kib(pid)]
    for i in range(1, count + 1):
        await options.nth(i % 4).click()
        await page.wait_for_selector(idle, timeout=60_000)
        if i % every == 0 or i == count:
            memory.append(rss_kib(pid))
    await page.close()
    return memory


def growth(memory: list[int], reruns: int) -> tuple[float, float]:
    """KiB a rerun over the first and the second half of the samples."""
    middle = len(memory) // 2
    half = reruns / 2 or 1
    return (memory[middle] - memory[0]) / half, (memory[-1] - memory[middle]) / half


async def main_async(args: argparse.Namespace, url: str, pid: int) -> int:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        # warm the shared model and gazetteer once, as a deployed app would be
        await one_session(browser, url, 99)
        results = await asyncio.gather(
            *(one_session(browser, url, n) for n in range(args.sessions)), return_exceptions=True
        )
        latencies = sorted(r for r in results if isinstance(r, float))
        errors = [r for r in results if not isinstance(r, float)]
        started = time.perf_counter()
        memory = await reruns(browser, url, args.reruns, pid, args.every)
        rerun_seconds = time.perf_counter() - started
        await browser.close()
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)] if latencies else float("nan")
    print(f"sessions: {args.sessions} at once, errors: {len(errors)}")
    for error in errors[:3]:
        print(f"  error: {error!r}"[:300])
    if latencies:
        print(
            f"submit → markers shown: median {statistics.median(latencies):.2f} s, "
            f"95th percentile {p95:.2f} s, max {latencies[-1]:.2f} s"
        )
    before, after = memory[0], memory[-1]
    first, second = growth(memory, args.reruns)
    print(
        f"server memory: {before / 1024:.0f} MiB before {args.reruns} reruns, "
        f"{after / 1024:.0f} MiB after ({(after - before) / max(args.reruns, 1):+.1f} KiB per "
        f"rerun; {rerun_seconds / max(args.reruns, 1):.2f} s per rerun)"
    )
    print(f"  every {args.every} reruns: " + ", ".join(f"{m / 1024:.0f}" for m in memory) + " MiB")
    print(f"  per rerun: {first:+.1f} KiB in the first half, {second:+.1f} KiB in the second")
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--reruns", type=int, default=200)
    parser.add_argument("--every", type=int, default=50, help="read memory every N reruns")
    args = parser.parse_args()
    if CHROMIUM is None:
        print("error: Debian's chromium is not installed (apt-get install chromium)")
        return 2
    server = serve()
    url = next(server)
    pid = server_pid(url.rsplit(":", 1)[1])
    try:
        return asyncio.run(main_async(args, url, pid))
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
