"""Stories built by hand for tests, from the seed's own article and sentences."""

from __future__ import annotations

from geo import Candidate, Place, Story


def crowded(story: Story, count: int) -> Story:
    """``count`` cities in a grid across a region the size of a large country (about 130 km
    apart), each named by the story's first mention."""
    base = story.places[0]
    places = tuple(
        Place(
            Candidate(
                key=f"test:{i}", name=f"Town {i}", kind="city", lat=36.0 + i % 7 * 1.2,
                lon=-100.0 + i // 7 * 1.6,
            ),
            base.mentions,
            0.5,
            (),
            (),
        )
        for i in range(count)
    )  # fmt: skip
    return Story(story.article, story.sentences, places, ())
