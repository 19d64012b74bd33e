"""Stand-in analysers for the worker pool's tests (``tests/test_worker.py``).

They live in a module of their own because each worker process imports its analyser's class
by name: this one imports neither pytest nor the model, so a worker starts in a moment.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import replace

from geopy.location import Location

from geo import Article, ArticleError, Story, article_from_text
from geo.corrections import Corrections
from geo.online import Fallback

#: What the stand-in does for an article whose text is one of these words.
SLEEP, CRASH, GREEDY, REFUSE = "sleep", "crash", "greedy", "refuse"


class Standin:
    """Answers at once with an empty story whose source names the worker's process id, or
    misbehaves on request: sleeps, crashes, eats memory or refuses the article. With an
    online fallback, it asks it for every word of the article first, and the story's title
    lists the answers' addresses ("-" for none)."""

    def __init__(self, fallback: Fallback | None = None) -> None:
        self.fallback = fallback

    def with_fallback(self, fallback: Fallback) -> Standin:
        return Standin(fallback)

    def analyse(self, article: Article | str) -> Story:
        if isinstance(article, str):
            article = article_from_text(article)
        if self.fallback is not None:
            answers = [self.fallback.geocode(word) for word in article.text.split()]
            addresses = [a.address if isinstance(a, Location) else "-" for a in answers]
            article = replace(article, title=" | ".join(addresses))
        if article.text == SLEEP:
            time.sleep(600)
        elif article.text == CRASH:
            os.kill(os.getpid(), signal.SIGSEGV)
        elif article.text == GREEDY:
            hoard = [bytearray(2**20) for _ in range(4096)]  # 4 GB, a megabyte at a time
            del hoard
        elif article.text == REFUSE:
            raise ArticleError("this stand-in refuses the article")
        return Story(replace(article, source=f"pid:{os.getpid()}"), (), (), ())

    def corrected(self, story: Story, corrections: Corrections) -> Story:
        return replace(story, article=replace(story.article, title=" ".join(corrections.tokens())))


class Unloadable:
    """An analyser whose model cannot be loaded."""

    def __init__(self) -> None:
        from geo import ModelError

        raise ModelError("no spaCy English model is installed (a stand-in)")
