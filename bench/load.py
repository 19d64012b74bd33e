"""Load benchmark: concurrent readers of the real app, over Streamlit's own websocket protocol.

    .venv/bin/python bench/load.py [--sessions 10] [--words 1000] [--clicks 200] [--every 50]
                                   [--root PATH] [--results FILE]

Starts ``streamlit run app.py`` of the checkout at ``--root`` (default: this one) on a free
local port. Each reader is a websocket client that
speaks the browser's protocol (``streamlit.proto``: a ``BackMsg`` asks for a run with the
page's widget states, ``ForwardMsg`` deltas and ``script_finished`` answer), so the clients
draw nothing and run no JavaScript: nearly all of the two cores are left to the server, and
the figures are the server's. (Driving Chromium, as this benchmark did first, made ten
browsers and the server share the two cores.) Every request stays on this machine.

1. A first reader warms the app: the sample article (the workers load the model), then one
   pasted article.
2. ``--sessions`` readers open the page and choose "Paste text"; then all at once each
   submits a different article of about ``--words`` words. Each latency runs from the
   submit to the end of the run that answers it, with its map in it.
3. One reader clicks "Next →" and "← Previous" in turn ``--clicks`` times (each click moves
   the focus to another event and the map with it), one click after the other, while the
   server's resident memory is read every ``--every`` clicks.

CPU seconds come from ``/proc/<pid>/stat``: the server's own, and its worker processes'
(those alive, and those it has reaped), read before and after each phase; per analysis and
per click they are the phase's total divided by the count. The benchmark's own CPU seconds
are given too, to show the clients are light.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.limit import limit_article  # noqa: E402
from bench.tables import add_rows, commit_of  # noqa: E402
from tests.browser import serve  # noqa: E402

#: Characters of bench.limit's long feature that make about 1,000 words (1,014).
CHARS_PER_WORD = 6.0
MAP = "streamlit_folium.st_folium"
TABLE = "## Load over Streamlit's websocket protocol (bench/load.py)"


def article(number: int, words: int) -> str:
    """A different article of about ``words`` words for each ``number``: talks in capitals,
    one paragraph in four with a dated event (``bench.limit.limit_article``)."""
    return limit_article(round(words * CHARS_PER_WORD), variant=number)


# --- the server's processes -------------------------------------------------------------------


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


def _stat(pid: int | str) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command's name (state first)."""
    text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    return text[text.rindex(")") + 2 :].split()


@dataclass(frozen=True)
class Cpu:
    """CPU seconds (user and system) used so far by the server and by its worker processes."""

    server: float
    workers: float

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(self.server - other.server, self.workers - other.workers)

    @property
    def total(self) -> float:
        return self.server + self.workers


def cpu_of(pid: int) -> Cpu:
    """What the server ``pid`` and its children (live, and reaped) have used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    fields = _stat(pid)
    server = (int(fields[11]) + int(fields[12])) / tick
    reaped = (int(fields[13]) + int(fields[14])) / tick
    live = 0.0
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                child = _stat(proc.name)
            except OSError:  # ended meanwhile
                continue
            if child[1] == str(pid):
                live += (int(child[11]) + int(child[12])) / tick
    return Cpu(server, reaped + live)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def growth(memory: list[int], reruns: int) -> tuple[float, float]:
    """KiB a rerun over the first and the second half of the samples."""
    middle = len(memory) // 2
    half = reruns / 2 or 1
    return (memory[middle] - memory[0]) / half, (memory[-1] - memory[middle]) / half


# --- a reader, over the websocket -------------------------------------------------------------


@dataclass
class Answer:
    """One run of the page as a reader received it."""

    seconds: float
    elements: Counter[str] = field(default_factory=Counter)  # kinds of element, with the map
    errors: list[str] = field(default_factory=list)  # error alerts and exceptions shown

    @property
    def mapped(self) -> bool:
        return self.elements[MAP] == 1 and not self.errors


class Reader:
    """One reader's session, as a browser tab holds it: the widgets' ids (by their keys) and
    their values, sent with every run. Only the widgets this benchmark sets are sent; the
    others keep their defaults, as in a tab where nobody touched them."""

    def __init__(self, socket: object) -> None:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        self._socket = socket
        self._ids: dict[str, str] = {}
        self._values: dict[str, WidgetState] = {}

    @classmethod
    async def open(cls, url: str) -> tuple[Reader, Answer]:
        """A new session on the page at ``url``, and its first run (the sample's map)."""
        from websockets.asyncio.client import connect

        socket = await connect(
            url.replace("http", "ws", 1) + "/_stcore/stream",
            subprotocols=["streamlit"],  # type: ignore[list-item]
            max_size=None,
            open_timeout=60,
        )
        reader = cls(socket)
        return reader, await reader.run()

    async def run(self, *, press: str | None = None, **values: str) -> Answer:
        """Run the page with the widgets ``values`` set (by key: the text, or the option as
        shown) and the button ``press`` pressed; returns once the run has ended."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        for key, value in values.items():
            self._values.setdefault(key, self._state(key)).string_value = value
        message = BackMsg()
        widgets = message.rerun_script.widget_states.widgets
        widgets.extend(self._values.values())
        if press is not None:
            widgets.add(id=self._id(press), trigger_value=True)
        started = time.perf_counter()
        await self._socket.send(message.SerializeToString())  # type: ignore[attr-defined]
        answer = await self._answer()
        answer.seconds = time.perf_counter() - started
        return answer

    def _state(self, key: str) -> object:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        return WidgetState(id=self._id(key))

    def _id(self, key: str) -> str:
        if key not in self._ids:
            raise KeyError(f"no widget {key!r} on the page (it has {sorted(self._ids)})")
        return self._ids[key]

    async def _answer(self) -> Answer:
        """The messages of one run, up to its end."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        answer = Answer(0.0)
        while True:
            message = ForwardMsg()
            message.ParseFromString(await asyncio.wait_for(self._socket.recv(), 300))  # type: ignore[attr-defined]
            kind = message.WhichOneof("type")
            if kind == "script_finished":
                return answer
            if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                self._read(message.delta.new_element, answer)

    def _read(self, element: object, answer: Answer) -> None:
        kind = element.WhichOneof("type")  # type: ignore[attr-defined]
        proto = getattr(element, kind)
        widget_id = getattr(proto, "id", "")
        if widget_id.startswith("$$ID-") and widget_id.count("-") == 2:
            self._ids[widget_id.rsplit("-", 1)[1]] = widget_id  # a widget with a key
        if kind == "component_instance":
            kind = proto.component_name
        elif kind == "alert" and proto.format == proto.ERROR:
            answer.errors.append(proto.body)
        elif kind == "exception":
            answer.errors.append(f"{proto.type}: {proto.message}")
        answer.elements[kind] += 1

    async def close(self) -> None:
        await self._socket.close()  # type: ignore[attr-defined]


async def pasting(url: str) -> Reader:
    """A reader on the page with "Paste text" chosen."""
    reader, _ = await Reader.open(url)
    await reader.run(source="Paste text")
    return reader


async def submit(reader: Reader, text: str) -> Answer:
    """Paste ``text`` and press "Map this article"."""
    return await reader.run(press="map_pasted", pasted=text)


# --- the phases -----------------------------------------------------------------------------


@dataclass
class Figures:
    analyses: list[Answer]
    analysis_cpu: Cpu
    clicks: list[Answer]
    click_cpu: Cpu
    memory: list[int]
    client_cpu: float
    load: tuple[float, float]  # the machine's load average (1 minute), before and after


async def measure(url: str, pid: int, args: argparse.Namespace) -> Figures:
    warm = await pasting(url)  # the first page: the workers load the model meanwhile
    first = await submit(warm, article(10_000, args.words))
    if not first.mapped:
        raise RuntimeError(f"the warm-up article was not mapped: {first.errors}")
    await warm.close()

    readers = await asyncio.gather(*(pasting(url) for _ in range(args.sessions)))
    client = time.process_time()
    load = os.getloadavg()[0]
    before = cpu_of(pid)
    analyses = await asyncio.gather(
        *(submit(reader, article(n, args.words)) for n, reader in enumerate(readers))
    )
    analysis_cpu = cpu_of(pid) - before

    clicking = readers[0]
    memory = [rss_kib(pid)]
    clicks = []
    before = cpu_of(pid)
    for i in range(args.clicks):
        clicks.append(
            await clicking.run(press="story_next" if i < 2 or i % 2 else "story_previous")
        )
        if (i + 1) % args.every == 0 or i + 1 == args.clicks:
            memory.append(rss_kib(pid))
    click_cpu = cpu_of(pid) - before
    client = time.process_time() - client
    await asyncio.gather(*(reader.close() for reader in readers))
    load_after = os.getloadavg()[0]
    return Figures(
        list(analyses), analysis_cpu, clicks, click_cpu, memory, client, (load, load_after)
    )


def percentile(values: list[float], share: float) -> float:
    """The smallest value at or above ``share`` of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def _spread(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.2f} s, p95 {percentile(values, 0.95):.2f} s, "
        f"max {max(values):.2f} s"
    )


def report(figures: Figures, args: argparse.Namespace) -> tuple[str, int]:
    """The figures as text, and how many analyses or clicks failed."""
    mapped = [a.seconds for a in figures.analyses if a.mapped]
    failed = [a for a in figures.analyses if not a.mapped]
    broken = [c for c in figures.clicks if c.errors or not c.elements[MAP]]
    count, clicks = len(figures.analyses), max(len(figures.clicks), 1)
    a, c = figures.analysis_cpu, figures.click_cpu
    first, second = growth(figures.memory, len(figures.clicks))
    lines = [
        f"{count} analyses of {args.words}-word articles at once: {len(failed)} failed",
        *(f"  failed: {answer.errors or dict(answer.elements)}"[:300] for answer in failed[:3]),
        f"  submit → its map: {_spread(mapped) if mapped else 'none mapped'}",
        f"  CPU per analysis: {a.total / count:.2f} s (server {a.server / count:.2f} s, "
        f"workers {a.workers / count:.2f} s)",
        f"{len(figures.clicks)} clicks on Next/Previous, one after the other: {len(broken)} failed",
        f"  click → run ended: {_spread([x.seconds for x in figures.clicks])}",
        f"  CPU per click: {c.total / clicks * 1000:.0f} ms (server {c.server / clicks * 1000:.0f}"
        f" ms, workers {c.workers / clicks * 1000:.0f} ms)",
        f"server memory every {args.every} clicks: "
        + ", ".join(f"{m / 1024:.0f}" for m in figures.memory)
        + f" MiB ({first:+.1f} / {second:+.1f} KiB a click, first / second half)",
        f"this benchmark's own CPU: {figures.client_cpu:.1f} s; the machine's load average "
        f"{figures.load[0]:.1f} → {figures.load[1]:.1f} (two cores: above 2, others queue)",
    ]
    return "\n".join(lines), len(failed) + len(broken)


def row(figures: Figures, args: argparse.Namespace) -> str:
    mapped = [a.seconds for a in figures.analyses if a.mapped]
    count, clicks = len(figures.analyses), max(len(figures.clicks), 1)
    a, c = figures.analysis_cpu, figures.click_cpu
    times = [x.seconds for x in figures.clicks]
    return (
        f"| {datetime.date.today()} | {commit_of(args.root)} | {count} × {args.words} words "
        f"| {count - len(mapped)} | {statistics.median(mapped):.2f} s "
        f"| {percentile(mapped, 0.95):.2f} s | {a.total / count:.2f} s "
        f"({a.server / count:.2f} + {a.workers / count:.2f}) "
        f"| {len(figures.clicks)} | {statistics.median(times) * 1000:.0f} ms "
        f"| {percentile(times, 0.95) * 1000:.0f} ms | {c.total / clicks * 1000:.0f} ms "
        f"({c.server / clicks * 1000:.0f} + {c.workers / clicks * 1000:.0f}) "
        f"| {figures.memory[0] / 1024:.0f} → {figures.memory[-1] / 1024:.0f} MiB "
        f"| {figures.load[0]:.1f} → {figures.load[1]:.1f} |"
    )


HEADER = (
    "| date | commit | analyses at once | failed | submit → map, median | p95 "
    "| CPU per analysis (server + workers) | clicks | click, median | p95 "
    "| CPU per click (server + workers) | server memory over the clicks "
    "| load average, first submit → last click |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--words", type=int, default=1000, help="words of each article")
    parser.add_argument("--clicks", type=int, default=200)
    parser.add_argument("--every", type=int, default=50, help="read memory every N clicks")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose app to run")
    parser.add_argument("--results", type=Path, help="markdown file to add the figures to")
    args = parser.parse_args()
    server = serve(root=args.root.resolve())
    url = next(server)
    try:
        figures = asyncio.run(measure(url, server_pid(url.rsplit(":", 1)[1]), args))
    finally:
        next(server, None)
    text, failures = report(figures, args)
    print(text)
    if args.results:
        add_rows(args.results, TABLE, HEADER, [row(figures, args)])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
