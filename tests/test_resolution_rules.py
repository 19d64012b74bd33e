"""The recognition and resolution rules, each on small made-up sentences, each case tied to the
reason the rule exists. Whatever label the language model gives a span, the outcome must hold."""

from __future__ import annotations

from dataclasses import replace

import pytest

from geo import Geoparser, Story, article_from_text
from geo.gazetteer import Candidate, Gazetteer, distance_km
from geo.mentions import Mention, _is_recoverable, has_place_noun, is_well_known
from geo.resolve import Place, focus, inner_names


def _REGRESSED(reason: str) -> pytest.MarkDecorator:
    """A case the hand-set rules got right and the fitted weights (data/resolve-weights.json)
    do not yet: kept, so that it is seen to pass again."""
    return pytest.mark.xfail(strict=True, reason=f"regressed under the fitted weights: {reason}")


def _story(geoparser: Geoparser, text: str) -> Story:
    return geoparser.analyse(article_from_text(text))


def _place_of(story: Story, surface: str) -> Place | None:
    return next((p for p in story.places if any(m.text == surface for m in p.mentions)), None)


def _span(text: str, surface: str) -> tuple[int, int]:
    start = text.index(surface)
    return start, start + len(surface)


def _given(geoparser: Geoparser, text: str, surface: str) -> Candidate:
    """Where ``surface``, given as the only span of ``text``, resolves (it must resolve)."""
    (given,) = geoparser.resolve_spans(text, [_span(text, surface)])
    assert given.best is not None, f"{surface!r} was left unresolved"
    return given.best.candidate


# ------------------------------------------------------------------ recognition: what counts


@pytest.mark.parametrize(
    ("text", "surface", "name"),
    [
        # the small model labels "EU" an organisation; news means the place (placed at Europe)
        ("The EU imposed new tariffs on steel imports on Tuesday.", "EU", "Europe"),
        # a country at the end of an organisation's name is a place the story is about
        ("Passengers said Air Zimbabwe cancelled every flight this week.", "Zimbabwe", "Zimbabwe"),
        # "the States" alone is the United States
        ("After years abroad she moved back to the States in May.", "States", "United States"),
        # a capital the model left untagged at the start of a sentence
        ("Officials met on Monday. Tunis is increasingly reliant on aid.", "Tunis", "Tunis"),
        # a country, or its adjective, inside an organisation's name
        ("Air France KLM cancelled flights to Nairobi.", "France", "France"),
        ("A BBC Russian Service reporter was detained.", "Russian", "Russia"),
        # a dateline in capitals opens the article; the model rarely tags capitals
        ("TORONTO — Police closed several roads after the storm.", "TORONTO", "Toronto"),
        # a smaller town in a dateline is named with its state
        (
            "PLEASANTON, Calif. — A maker of cold-chain sensors said on Monday.",
            "PLEASANTON",
            "Pleasanton",
        ),
    ],
)
def test_places_the_model_mislabels_are_recovered(
    geoparser: Geoparser, text: str, surface: str, name: str
) -> None:
    place = _place_of(_story(geoparser, text), surface)
    assert place is not None and place.name == name


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        # a town the model leaves untagged or calls a person, after "in", "at", "from"
        ("The winning ticket was sold at a gas station in Riverdale last week.", "Riverdale"),
        ("Fans travelled from Dewsbury and Leeds to see the match.", "Dewsbury"),
        ("By expanding its services into Castlegar, the ministry kept its promise.", "Castlegar"),
    ],
)
def test_towns_after_a_locative_preposition(geoparser: Geoparser, text: str, surface: str) -> None:
    mentions = [m for m in _story(geoparser, text).mentions if m.text == surface]
    assert len(mentions) == 1  # found once, whichever rules found it


def test_towns_of_a_named_state_inside_organisations(geoparser: Geoparser) -> None:
    """A small town that starts an organisation's name is a place when the article names its
    state: "Allendale" (New Jersey, 6,800 people) is not well known enough on its own."""
    text = (
        "Volunteers from New Jersey gathered on Sunday. The Allendale Woman's Club raised "
        "money for the shelter, its president said."
    )
    place = _place_of(_story(geoparser, text), "Allendale")
    assert place is not None and place.candidate.admin1 == "NJ"


def test_a_place_named_elsewhere_starts_an_organisation(geoparser: Geoparser) -> None:
    """ "Beverly Hills" (34,000 people) is not well known enough to be taken from an
    organisation's name on its own, but the article uses it as a place elsewhere."""
    text = (
        "Fans gathered in Beverly Hills on Monday. Later, the Beverly Hills Police Department "
        "said no one was hurt."
    )
    place = _place_of(_story(geoparser, text), "Beverly Hills")
    assert place is not None and len(place.mentions) == 2


@pytest.mark.parametrize(
    ("text", "surfaces"),
    [
        # a village and its county, which the model tags as one place
        ("The next round is on 19 May: Thruxton, Hampshire.", {"Thruxton", "Hampshire"}),
        ("28/29 April: Donington Park, Leicestershire.", {"Donington Park", "Leicestershire"}),
        # a church and a person after it (the model tags both as one facility): the church,
        # named after its city, is a mention of the city (geo.mentions.BUILDING_NOUNS)
        ("Mass was held at the Manila Cathedral, Cardinal Tagle said.", {"Manila"}),
    ],
)
def test_a_place_and_its_region_after_a_comma_are_two_mentions(
    geoparser: Geoparser, text: str, surfaces: set[str]
) -> None:
    found = {m.text for m in _story(geoparser, text).mentions}
    assert surfaces <= found and not any("," in name for name in found)


@pytest.mark.parametrize(
    ("text", "surfaces"),
    [
        # towns listed with a town of the same country, which the model calls a firm, a
        # product or a person
        (
            "The chain sold its stores in Žilina, Nitra, Prešov and Košice last year.",
            {"Nitra", "Prešov", "Košice"},
        ),
        ("The new train to Berlin stops in Hilversum and Almelo, officials said.", {"Almelo"}),
        ("Drivers travelling from Gloucester and Cheltenham face long delays.", {"Cheltenham"}),
    ],
)
def test_towns_listed_with_a_town_are_places(
    geoparser: Geoparser, text: str, surfaces: set[str]
) -> None:
    assert surfaces <= {m.text for m in _story(geoparser, text).mentions}


@pytest.mark.parametrize(
    ("text", "not_places"),
    [
        # a surname of a person the article names in full is that person, not a town
        (
            "Ashley Sutton won the race at Brands Hatch. Few predicted Sutton would storm to "
            "the title.",
            {"Sutton"},
        ),
        # at the start of a sentence, an alias alone ("Miss." is Mississippi) is no place
        ("Miss Jones won the prize. Miss Smith came second.", {"Miss"}),
        # after "to", a name the model calls a person stays one ("Davis", California)
        ("She talked to Davis about the plan on Monday.", {"Davis"}),
        # surnames that are also towns stay people ("Tyler", Texas; "Sutton", London)
        ("Coach Tyler Sutton praised the players after the match.", {"Tyler", "Sutton"}),
        # "States" alone is no country: only "the States" is the United States
        ("The agency has 156 members (155 States and the European Union).", {"States"}),
        # people listed next to a place stay people
        ("The envoy met Putin and Lavrov in Moscow on Monday.", {"Putin", "Lavrov"}),
        # a firm is no place unless the gazetteer knows its name as a famous one
        ("Shares of Acme Widgets rose after the announcement.", {"Acme", "Acme Widgets"}),
    ],
)
def test_people_and_firms_are_not_recovered(
    geoparser: Geoparser, text: str, not_places: set[str]
) -> None:
    assert not {m.text for m in _story(geoparser, text).mentions} & not_places


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("EU", True),  # short names written in capitals are abbreviations
        ("BC", True),
        ("La", False),  # not "La.", Louisiana: a short word must be in capitals
        ("north", False),  # not capitalised
        ("South", False),  # a compass word
        ("Zimbabwe", True),
    ],
)
def test_recoverable_names(text: str, ok: bool) -> None:
    assert _is_recoverable(text) is ok


@pytest.mark.parametrize(
    ("name", "cities", "known"),
    [
        ("Zimbabwe", True, True),  # a country
        ("Nairobi", False, True),  # a capital, even where cities do not count
        ("Tamil Nadu", False, True),  # a first-level division of a large country
        ("Ba", True, False),  # a division of a small one (Fiji) is more often another word
        ("Toronto", True, True),  # a large city
        ("Toronto", False, False),  # … but not where only countries and divisions count
        ("Xqzzyville", True, False),
    ],
)
def test_well_known_places(gazetteer: Gazetteer, name: str, cities: bool, known: bool) -> None:
    assert is_well_known(gazetteer, name, cities=cities) is known


# ---------------------------------------------------------------- resolution: reading context


@pytest.mark.parametrize(
    ("text", "surface", "country", "near"),
    [
        # a state written after the town says which town: not the famous Paris
        ("The fair in Paris, Texas, drew record crowds.", "Paris", "US", (33.66, -95.56)),
        # a state name that is also a town (Florida, Cuba) and a division of a small country
        # (Florida, Puerto Rico) still names the state of a large one after a comma
        ("Students in Parkland, Florida marched on Monday.", "Parkland", "US", (26.31, -80.24)),
        # an AP-style state abbreviation does the same
        (
            "Flooding closed schools in Alexandria, La., on Friday.",
            "Alexandria",
            "US",
            (31.31, -92.45),
        ),
    ],
)
def test_state_written_after_a_town(
    geoparser: Geoparser, text: str, surface: str, country: str, near: tuple[float, float]
) -> None:
    place = _place_of(_story(geoparser, text), surface)
    assert place is not None and place.candidate.country_code == country
    assert distance_km(place.lat, place.lon, *near) < 50
    assert any("written right after this mention" in r for r in place.reasons)


def test_a_list_of_places_is_no_qualified_town(geoparser: Geoparser) -> None:
    """ "Washington, New York and Boston": New York after the comma does not make Washington a
    town of New York state (Watervliet, N.Y., was once called Washington)."""
    text = "After stops in Washington, New York and Boston, the prince flew to Houston."
    place = _place_of(_story(geoparser, text), "Washington")
    assert place is not None and place.candidate.admin1 == "DC"


@pytest.mark.parametrize(
    ("text", "state"),
    [
        # nothing said: the largest Springfield (Missouri)
        ("Lawmakers met on Monday. Later, students in Springfield protested the vote.", "MO"),
        # the article names Illinois: its Springfield, though smaller, is meant
        (
            "Illinois lawmakers met on Monday. Later, students in Springfield protested the vote.",
            "IL",
        ),
    ],
)
def test_state_named_in_the_article_helps_its_towns(
    geoparser: Geoparser, text: str, state: str
) -> None:
    place = _place_of(_story(geoparser, text), "Springfield")
    assert place is not None and place.candidate.country_code == "US"
    assert place.candidate.admin1 == state


def test_the_country_named_most_wins_a_namesake(geoparser: Geoparser) -> None:
    """Kent is an English county and a city of 127,000 in Washington state; a story about
    England that also names the United States means the county."""
    text = (
        "Flooding hit towns across England on Monday. In Kent, roads were closed. Officials "
        "in Britain said a tourist from the United States was among those rescued."
    )
    place = _place_of(_story(geoparser, text), "Kent")
    assert place is not None and place.candidate.country_code == "GB"


@pytest.mark.parametrize(
    ("text", "surface", "country", "state", "kind"),
    [
        # Chicopee (Massachusetts) has no namesake to speak of: the Springfield next to it is
        # meant, not the larger one in Missouri
        (
            "Officials in Chicopee said on Monday that students in Springfield protested.",
            "Springfield",
            "US",
            "MA",
            "city",
        ),
        # a state's own name stays the state: California, Pennsylvania, a borough near
        # Pittsburgh, does not win "California" by being near
        (
            "Officials in Pittsburgh said on Monday that visitors from California were there.",
            "California",
            "US",
            "CA",
            "region",
        ),
        # a capital is named for its government ("officials in Washington"): it places no
        # town near it, so Cambridge is still the English city, not Cambridge, Maryland
        pytest.param(
            "Officials in Washington said on Monday that students in Cambridge protested.",
            "Cambridge",
            "GB",
            "ENG",
            "city",
            marks=_REGRESSED(
                "Cambridge, Ontario (GeoNames 150k) now wins as the largest: no feature"
                " says Cambridge, England is the famous one"
            ),
        ),
    ],
)
def test_a_town_near_one_the_article_names_wins_a_namesake(
    geoparser: Geoparser, text: str, surface: str, country: str, state: str, kind: str
) -> None:
    place = _place_of(_story(geoparser, text), surface)
    assert place is not None and place.kind == kind
    assert (place.candidate.country_code, place.candidate.admin1) == (country, state)


def test_korea_alone_is_the_republic_of_korea(geoparser: Geoparser) -> None:
    """ "Korea" alone is the Republic of Korea's short name (ISO 3166-1 "Korea, Republic of",
    the Olympic "Korea"); the North is always "North Korea". The peninsula keeps its own name."""
    (best, *_) = geoparser.resolver.rank("Korea")
    assert best.candidate.name == "South Korea"
    (peninsula, *_) = geoparser.resolver.rank("Korean Peninsula", ("LOC",))
    assert peninsula.candidate.kind == "region"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # naming neither Korea, "Korean" means what "Korea" alone does: the Republic of Korea
        ("Korean moms are strict, the chef said of her mother.", "South Korea"),
        # the one Korea the article names, by a city of it or by its name
        ("Fans in Seoul waved Korean flags as the team arrived.", "South Korea"),
        pytest.param(
            "Pyongyang said Korean workers would return from Russia.",
            "North Korea",
            marks=_REGRESSED(
                "Pyongyang's first pick is no longer clear context (softmax share < 0.95 "
                "under the fitted scores), so the article names no Korea"
            ),
        ),
        ("Korean hackers were blamed, officials in North Korea denied it.", "North Korea"),
        # naming both, the adjective is their shared peninsula
        (
            "North Korea and South Korea met at the border. Korean families wept as they met.",
            "Korean Peninsula",
        ),
    ],
)
def test_an_adjective_of_two_countries_means_the_one_the_article_names(
    geoparser: Geoparser, text: str, name: str
) -> None:
    """ "Korean" is the adjective of both Koreas: the demonym table places it on the Korean
    Peninsula, but news means the Korea it is about (a Korean flag, a Korean mother)."""
    place = _place_of(_story(geoparser, text), "Korean")
    assert place is not None and place.name == name


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a list names things of one kind: next to a state, Washington is the state
        ("Tech firms are leaving states such as Oregon or Washington for cheaper ones.", "region"),
        ("Lawmakers in Nevada, Washington and Idaho passed similar bills this spring.", "region"),
        # next to a city that shares its name with a state, it stays the capital
        ("After stops in Washington, New York and Boston, the prince flew home.", "capital"),
    ],
)
def test_a_name_listed_with_states_is_a_state(geoparser: Geoparser, text: str, kind: str) -> None:
    place = _place_of(_story(geoparser, text), "Washington")
    assert place is not None and place.kind == kind


@pytest.mark.parametrize(
    ("text", "surface", "code"),
    [
        # once the article names the country, the first part of its name is that country,
        # not a town in Bolivia or Cuba ("Trinidad & Tobago" too)
        (
            "Trinidad and Tobago voted against the motion. Officials in Trinidad said the "
            "ambassador had no instructions.",
            "Trinidad",
            "TT",
        ),
        (
            "Trinidad & Tobago lost the vote. In Trinidad, the opposition blamed the minister.",
            "Trinidad",
            "TT",
        ),
    ],
)
def test_part_of_a_named_countrys_name_is_that_country(
    geoparser: Geoparser, text: str, surface: str, code: str
) -> None:
    place = _place_of(_story(geoparser, text), surface)
    assert place is not None and place.candidate.country_code == code


@pytest.mark.parametrize(
    ("text", "surface", "code"),
    [
        # GeoNames writes Arabic names with their article ("Al Qāmishlī"); news often drops it
        ("Turkish shells hit Qamishli on Monday, Kurdish officials said.", "Qamishli", "SY"),
    ],
)
def test_an_arabic_name_without_its_article(
    geoparser: Geoparser, text: str, surface: str, code: str
) -> None:
    town = _given(geoparser, text, surface)
    assert town.kind == "city" and town.country_code == code and town.population > 100_000


def test_a_capital_is_not_favoured_under_an_old_name(geoparser: Geoparser) -> None:
    """ "Salisbury" is among Harare's alternate names (its colonial one); the English city is
    meant, and the capital's prior does not carry over to its other names."""
    (best, *_) = geoparser.resolver.rank("Salisbury")
    assert best.candidate.country_code == "GB"


# ------------------------------------------------------------ spans the gazetteer does not know


@pytest.mark.parametrize(
    ("surface", "names"),
    [
        ("Orange County", ["Orange", "County"]),
        ("University of Kansas", ["University", "Kansas"]),  # filler words never stand alone
        ("North Side Library", ["North Side", "Side Library", "Side", "Library"]),
        ("Paris", []),
    ],
)
def test_inner_names(surface: str, names: list[str]) -> None:
    assert inner_names(surface) == names


def _made_up_place(name: str, kind: str, country: str, population: int, starts: list[int]) -> Place:
    candidate = Candidate(f"x:{name}", name, kind, 10.0, 10.0, country, population=population)
    mentions = tuple(Mention(s, s + len(name), name, name, "GPE", 0) for s in starts)
    return Place(candidate, mentions, 1.0, ())


def test_focus_is_the_main_town_of_the_main_country() -> None:
    country = _made_up_place("Freedonia", "country", "FD", 5_000_000, [0, 50, 90])
    town = _made_up_place("Bigtown", "city", "FD", 400_000, [10, 60])
    hamlet = _made_up_place("Nook", "city", "FD", 200, [20, 70])  # named as often, but tiny
    abroad = _made_up_place("Farcity", "city", "ZZ", 9_000_000, [30, 80, 100])  # other country
    assert focus([country, town, hamlet, abroad]) is town
    assert focus([country]) is country  # no town at all: the place named most
    assert focus([]) is None


def test_focus_without_towns_is_in_the_main_country() -> None:
    """A story that names no town is about the country it names most, not a continent it
    names as often in passing ("mines across Africa" in a story about South Africa)."""
    country = _made_up_place("Freedonia", "country", "FD", 5_000_000, [0, 50])
    state = _made_up_place("Upper Freedonia", "region", "FD", 0, [20])
    continent = _made_up_place("Megaland", "continent", "", 900_000_000, [10, 60])
    assert focus([continent, country, state]) is country


def test_focus_prefers_the_towns_of_a_state_the_article_names() -> None:
    state = Place(
        Candidate("x:Ruritania", "Ruritania", "region", 10.0, 10.0, "FD", "RU", 0, None, "ADM1"),
        (Mention(0, 9, "Ruritania", "Ruritania", "GPE", 0),),
        1.0,
        (),
    )
    # the state's own town, named once; a namesake square elsewhere in the country, twice
    town = _made_up_place("Portville", "city", "FD", 300_000, [40])
    square = _made_up_place("Market Square", "city", "FD", 300_000, [60, 90])
    town = replace(town, candidate=replace(town.candidate, admin1="RU"))
    assert focus([state, square, town]) is town
    assert focus([square, town]) is square  # no state named: the place named most


def test_unknown_names_are_placed_from_the_article(geoparser: Geoparser) -> None:
    text = (
        "DENVER — Crews closed Larimer Street on Monday after a water main broke in Denver. "
        "The European Commission said nothing. Denver officials expect repairs to take a week, "
        "said a spokesman, who sat at the table."
    )
    spans = [_span(text, w) for w in ("Larimer Street", "European Commission", "table")]
    street, commission, table = geoparser.resolve_spans(text, spans)
    # a street the gazetteer lacks is in the article's main town
    assert street.best is not None and street.best.candidate.name == "Denver"
    assert any("main place" in r for r in street.best.reasons)
    # an adjective inside a name places it ("European" → Europe)
    assert commission.best is not None and commission.best.candidate.name == "Europe"
    # a common noun is no name at all and stays unresolved
    assert table.best is None


@pytest.mark.parametrize(
    ("text", "surface", "name"),
    [
        # a county's name without its noun, when no other place has it
        ("Shops on Maui closed early as the storm neared Honolulu.", "Maui", "Maui County"),
        # … only in a story set in the US: here the English county the gazetteer lacks
        ("Drivers in Reading took patients across Berkshire.", "Berkshire", "Reading"),
        # an adjective of a region, not the town of its name (Arab, Alabama)
        ("Arab leaders met in Cairo on Monday.", "Arab", "Middle East"),
        # news epithets and metonyms (data/aliases.csv)
        ("Exports from the Islamic Republic rose, Tehran said.", "Islamic Republic", "Iran"),
        ("Ministers in Trinidad met envoys from Caracas.", "Trinidad", "Trinidad and Tobago"),
        (
            "The bill now goes to Congress, the White House said.",
            "Congress",
            "United States Capitol",
        ),
    ],
)
def test_names_for_places_that_towns_also_bear(
    geoparser: Geoparser, text: str, surface: str, name: str
) -> None:
    """Each of these is also a town's name (Congress, Arizona; Trinidad, Cuba) or an alternate
    name of one; the place news means is another."""
    assert _given(geoparser, text, surface).name == name


@pytest.mark.parametrize(
    ("text", "surface", "town"),
    [
        # a township named after a person is not in the town of the same name (Hamilton, Ohio
        # or Ontario): it is where the story is
        pytest.param(
            "Police in Chattanooga, Tennessee, said three men were taken to the Hamilton "
            "Township jail.",
            "Hamilton Township",
            "Chattanooga",
            marks=_REGRESSED(
                "the fallback's main place is now Red Bank, a town the fitted weights place"
                " near Chattanooga"
            ),
        ),
        # … unless that town is in a state the article names
        (
            "Voters in Orange Township, New Jersey, were asked about housing.",
            "Orange Township",
            "Orange",
        ),
    ],
)
def test_townships_are_not_their_namesakes(
    geoparser: Geoparser, text: str, surface: str, town: str
) -> None:
    assert _given(geoparser, text, surface).name == town


@pytest.mark.parametrize(
    ("text", "surface", "state"),
    [
        # the state written after it
        ("Voters in Orange County, California, were asked about housing.", "Orange County", "CA"),
        # the state the story names, though Maryland's is ten times larger
        (
            "Candidates will meet voters in Red Oak, Iowa, on Saturday, the Montgomery County "
            "Democrats said.",
            "Montgomery County",
            "IA",
        ),
        # the state the story names beats a namesake just across its border (Pike County,
        # Indiana, is nearer Owensboro)
        (
            "Kentucky will give schools in Owensboro $8,900, and Pike County schools were "
            "promised more.",
            "Pike County",
            "KY",
        ),
        # near a town the story names: Wheeling lies in Ohio County, West Virginia (and a
        # county is never the state it is named after)
        ("Deputies in Ohio County arrested two men near Wheeling on Monday.", "Ohio County", "WV"),
        # near the story's town, which is the only place of its name (South Bend, Indiana,
        # shares it only as one of GeoNames' alternate names)
        (
            "Police dug up the basement of a house in the town of Southold, and Suffolk County "
            "detectives found a skeleton.",
            "Suffolk County",
            "NY",
        ),
        # nothing else said: the largest of that name
        ("Orange County deputies closed the beach on Monday.", "Orange County", "CA"),
        # "Saint" written out for GeoNames' "St."
        ("A jury in Saint Croix County heard the case.", "Saint Croix County", "WI"),
    ],
)
def test_us_counties_are_the_ones_of_the_story(
    geoparser: Geoparser, text: str, surface: str, state: str
) -> None:
    """US counties are in the gazetteer (``data/us-counties.csv``); a county's name is shared
    by up to thirty states, and the story says which."""
    county = _given(geoparser, text, surface)
    assert (county.feature_code, county.country_code, county.admin1) == ("ADM2", "US", state)
    assert county.name.replace("St.", "Saint") == surface


def test_given_spans_place_each_other(geoparser: Geoparser) -> None:
    """With spans given, a town among them (here one the model cannot see, in lower case) is
    where the street next to it is, as it would be had the model found it."""
    text = "water main breaks in denver closed Larimer Street on Monday, officials said."
    town, street = geoparser.resolve_spans(
        text, [_span(text, "denver"), _span(text, "Larimer Street")]
    )
    assert town.best is not None and town.best.candidate.name == "Denver"
    assert street.best is not None and street.best.candidate.name == "Denver"


@pytest.mark.parametrize(
    ("text", "surface", "name"),
    [
        # a prefixed adjective still names its place; the span is the adjective alone
        ("Protesters chanted anti-Russian slogans outside the embassy.", "Russian", "Russia"),
        # the model sometimes files a city as a group of people
        ("Fans from Tunis travelled to watch the match in Nairobi.", "Tunis", "Tunis"),
        # the country an amount is counted in (the model tags the whole amount as MONEY)
        ("The deal was worth US$5 million, officials said.", "US", "United States"),
        ("The project cost about 11 billion US dollars.", "US", "United States"),
        # a street the model calls a facility is in the town the story is about
        (
            "DENVER — Crews closed Larimer Street on Monday after a water main broke. "
            "Denver officials expect repairs to take a week.",
            "Larimer Street",
            "Denver",
        ),
    ],
)
def test_more_spans_become_places(geoparser: Geoparser, text: str, surface: str, name: str) -> None:
    place = _place_of(_story(geoparser, text), surface)
    assert place is not None and place.name == name


@pytest.mark.parametrize(
    ("text", "surface", "town"),
    [
        # a township the gazetteer lacks is in the story's town, not unplaced
        (
            "NEWARK — A lottery ticket sold in Wexford Township won $5 million, officials in "
            "Newark said on Friday.",
            "Wexford Township",
            "Newark",
        ),
        # a street the model files as an organisation
        (
            "DENVER — The parade turned onto Royal Street on Monday, Denver police said.",
            "Royal Street",
            "Denver",
        ),
        # a village the gazetteer lacks, named after "in", is in the story's town
        (
            "There are 26 applicants in Drumcloon, the council in Nenagh said.",
            "Drumcloon",
            "Nenagh",
        ),
        # a possessive names the town and the street in it
        ("Harare’s Third Street will be renamed, the council said.", "Third Street", "Harare"),
        ("Harare’s Third Street will be renamed, the council said.", "Harare", "Harare"),
    ],
)
def test_names_ending_in_a_place_noun_are_places(
    geoparser: Geoparser, text: str, surface: str, town: str
) -> None:
    place = _place_of(_story(geoparser, text), surface)
    assert place is not None and place.name == town


@pytest.mark.parametrize(
    ("text", "surface", "name"),
    [
        # an AP-style abbreviation keeps its dot; a name at the end of a sentence does not
        ("The company is based in Fresno, Calif. It hires.", "Calif.", "California"),
        ("The company moved its offices to Texas.", "Texas", "Texas"),
        # a city and its district written together are one name
        (
            "Murals are everywhere in Washington, D.C., these days.",
            "Washington, D.C.",
            "Washington",
        ),
        # a trailing hyphen is no part of the name ("Armenia-Italy friendship group")
        ("Members of the Armenia- Italy friendship group met in Rome.", "Armenia", "Armenia"),
        # a place before a title describes the person: no first name ("Vladimir Putin")
        (
            "On Saturday, Manila Archbishop Luis Antonio Cardinal Tagle led the vigil.",
            "Manila",
            "Manila",
        ),
        # the lowercase words the model ran a place on to are no part of its name
        (
            "El Niño brings warmer than normal water in the eastern Pacific equatorial region.",
            "Pacific",
            "Pacific Ocean",
        ),
        # a well-known name the model cut in two is one mention, whatever it tagged the parts
        ("The factory in Baja California will open in May.", "Baja California", "Baja California"),
        ("Migrants are living in Boa Vista, the state capital.", "Boa Vista", "Boa Vista"),
        (
            "Ministers from Trinidad and Tobago did not attend.",
            "Trinidad and Tobago",
            "Trinidad and Tobago",
        ),
        (
            "Players in the U.S. Virgin Islands can buy tickets.",
            "U.S. Virgin Islands",
            "U.S. Virgin Islands",
        ),
    ],
)
def test_mention_surfaces(geoparser: Geoparser, text: str, surface: str, name: str) -> None:
    place = _place_of(_story(geoparser, text), surface)
    assert place is not None and place.name == name


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Morris County", True),
        ("Royal Street", True),
        ("Florida Atlantic University", True),
        ("Street", False),  # one word: no name
        ("the county", False),
        ("Golf Club", False),  # a club is an organisation
    ],
)
def test_place_nouns(text: str, ok: bool) -> None:
    assert has_place_noun(text) is ok


@_REGRESSED('"LA" (no dots) now means Louisiana, its alias, over Los Angeles, an alternate name')
def test_dotted_state_abbreviation_beats_a_city_alternate_name(geoparser: Geoparser) -> None:
    """ "La." is Louisiana (AP style), not "LA", one of Los Angeles' alternate names."""
    (ranked, *_) = geoparser.resolver.rank("La.")
    assert ranked.candidate.name == "Louisiana"
    assert geoparser.resolver.rank("LA")[0].candidate.name != "Louisiana"


@pytest.mark.parametrize(
    ("name", "place"),
    [
        ("MoD", None),  # the Ministry of Defence, not Modesto (whose airport code is MOD)
        ("AI", None),  # artificial intelligence, not a town with "AI" among its names
        ("UK", "United Kingdom"),  # an official alias still counts
        ("NSW", "New South Wales"),  # as does a standard state abbreviation
    ],
)
def test_short_codes_are_only_official_names(
    geoparser: Geoparser, name: str, place: str | None
) -> None:
    ranked = geoparser.resolver.rank(name)
    assert (ranked[0].candidate.name if ranked else None) == place


@pytest.mark.parametrize(
    ("adjective", "place"),
    [
        ("Iowan", "Iowa"),  # -n added to the name
        ("Texans", "Texas"),  # -s replaced, plural
        ("Hawaiian", "Hawaii"),
        ("Ontarians", "Ontario"),  # -o replaced by -ian
        ("Sicilian", "Sicily"),  # -y replaced by -ian
        ("Christian", None),  # no such state
        ("Victorian", None),  # Victoria is a state of a country too small to count
    ],
)
def test_adjectives_of_states_are_derived(
    gazetteer: Gazetteer, adjective: str, place: str | None
) -> None:
    found = gazetteer.demonym(adjective)
    assert (found.name if found else None) == place


@pytest.mark.parametrize(
    ("text", "surface", "key_kind"),
    [
        # after a town of it and a comma, "Washington" is the state, not the capital
        (
            "Firefighters in Tacoma, Washington put out the blaze on Monday.",
            "Washington",
            "ADM1",
        ),
        # a list of cities is no town and its state: New York stays the city
        (
            "After stops in Washington, New York and Boston, the prince flew to Houston.",
            "Washington",
            "PPLC",
        ),
    ],
)
def test_a_state_written_after_its_town_is_the_state(
    geoparser: Geoparser, text: str, surface: str, key_kind: str
) -> None:
    place = _place_of(_story(geoparser, text), surface)
    assert place is not None and place.candidate.feature_code == key_kind


@pytest.mark.parametrize(
    ("text", "surface", "town"),
    [
        # a street named after a place is not in it, but in the town the story is about
        ("Police closed Victoria Street in Glasgow after the fire.", "Victoria Street", "Glasgow"),
        # a university named after its state is on a campus in the story's town of that state
        (
            "Students at Colorado State University in Fort Collins protested on Monday.",
            "Colorado State University",
            "Fort Collins",
        ),
    ],
)
def test_buildings_named_after_a_place_are_in_the_story_town(
    geoparser: Geoparser, text: str, surface: str, town: str
) -> None:
    place = _place_of(_story(geoparser, text), surface)
    assert place is not None and place.name == town
    start, end = _span(text, surface)
    (given,) = geoparser.resolve_spans(text, [(start, end)])
    assert given.best is not None and given.best.candidate.name == town


@pytest.mark.parametrize(
    ("text", "surface", "near"),
    [
        # seats of government named for their governments: the building, not a namesake town
        # (White House, Tennessee; "Casa Blanca" is an alternate name of Casablanca)
        ("Reporters waited outside the White House on Friday.", "White House", (38.90, -77.04)),
        ("The Kremlin denied the report on Tuesday.", "Kremlin", (55.75, 37.62)),
    ],
)
def test_seats_of_government(
    geoparser: Geoparser, text: str, surface: str, near: tuple[float, float]
) -> None:
    start, end = _span(text, surface)
    (given,) = geoparser.resolve_spans(text, [(start, end)])
    assert given.best is not None
    assert distance_km(given.best.candidate.lat, given.best.candidate.lon, *near) < 5


@pytest.mark.parametrize(
    ("text", "surface", "country"),
    [
        # the last word of "Fire Island" is a common noun, not Iceland ("Island" in Danish)
        ("The ferry from Patchogue to Fire Island was cancelled.", "Fire Island", "US"),
        # nor is "Delta" in "Nile Delta" Nigeria's Delta State
        ("Farmers in the Nile Delta north of Cairo lost their crops.", "Nile Delta", "EG"),
    ],
)
def test_a_common_noun_ending_a_name_is_no_place(
    geoparser: Geoparser, text: str, surface: str, country: str
) -> None:
    assert _given(geoparser, text, surface).country_code == country


def test_a_township_is_not_the_state_it_is_named_after(geoparser: Geoparser) -> None:
    """A township the gazetteer lacks, named after a state, is in the story's town, not at
    the state's point."""
    text = "Deputies in Ohio Township arrested two men near Wheeling on Monday."
    assert _given(geoparser, text, "Ohio Township").name == "Wheeling"


@pytest.mark.parametrize(
    ("text", "surface", "town"),
    [
        # a building the gazetteer lacks is in the town written after it, not the story's
        # main town
        (
            "Nurses at Saint Brigid's Hospital in Leeds went on strike. Talks in London and "
            "London's hospitals were also affected, officials in London said.",
            "Saint Brigid's Hospital",
            "Leeds",
        ),
        # a country inside the name says less than the town after it
        (
            "A queue formed outside the Embassy of Peru in Madrid on Monday.",
            "Embassy of Peru",
            "Madrid",
        ),
        # a town inside the name, too, when another town is written after it
        (
            "She studied at Washington University in St. Louis before moving to Boston.",
            "Washington University",
            "St. Louis",
        ),
        # … but not a state or country written after it: the town inside is finer
        (
            "Sewage flowed down the Tijuana River in Baja California again this week.",
            "Tijuana River",
            "Tijuana",
        ),
    ],
)
def test_a_building_is_in_the_town_written_after_it(
    geoparser: Geoparser, text: str, surface: str, town: str
) -> None:
    assert _given(geoparser, text, surface).name == town


@pytest.mark.parametrize(
    ("text", "surface", "name"),
    [
        # the initials of a place the story names
        (
            "Officials in Johannesburg said South Africa holds vast reserves. Mining towns in "
            "SA depend on them.",
            "SA",
            "South Africa",
        ),
        # the code of a state of the country the story is about
        ("Police in Lucknow said UP officials would meet on Monday.", "UP", "Uttar Pradesh"),
        # a code in capitals is no town's own name (Wa, Ghana)
        ("Water use rose in Perth, and WA officials want limits.", "WA", "Western Australia"),
        # a code that is neither is, like any unknown name, in the story's main town
        ("Police in Lucknow said XQZ officials would meet on Monday.", "XQZ", "Lucknow"),
    ],
)
def test_codes_the_gazetteer_lacks(
    geoparser: Geoparser, text: str, surface: str, name: str
) -> None:
    assert _given(geoparser, text, surface).name == name


@pytest.mark.parametrize(
    ("text", "surface", "town"),
    [
        # a school, a hotel, a mall or a quarter named after a nation or a continent is abroad
        # of it as often as not: in the story's town
        (
            "Parents in Cairo praised the British International School for its results.",
            "British International School",
            "Cairo",
        ),
        ("Shoppers in Manila filled the Mall of Asia on Sunday.", "Mall of Asia", "Manila"),
        (
            "Jazz bands in Memphis played in the French Quarter all night.",
            "French Quarter",
            "Memphis",
        ),
        pytest.param(
            "Tourists in Galway booked the Danish Hotel for the festival weekend.",
            "Danish Hotel",
            "Galway",
            marks=_REGRESSED(
                "Galway's first pick is no longer clear context, so the story's main place "
                "is not Galway"
            ),
        ),
    ],
)
def test_a_building_named_after_a_far_country_is_in_the_storys_town(
    geoparser: Geoparser, text: str, surface: str, town: str
) -> None:
    assert _given(geoparser, text, surface).name == town


@pytest.mark.parametrize(
    ("text", "surface", "name"),
    [
        # an embassy is not in the country it represents: in the town its name holds
        (
            "Trade rose this year, a secretary at the British Embassy Tokyo said.",
            "British Embassy Tokyo",
            "Tokyo",
        ),
        # or in the country written after it, even when that is a country too
        (
            "The minister later visited the Embassy of the Republic of Chile in Thailand.",
            "Embassy of the Republic of Chile",
            "Thailand",
        ),
        # nothing else says where: the country it represents
        ("Protesters gathered outside the French Embassy on Monday.", "French Embassy", "France"),
    ],
)
def test_an_embassy_is_where_it_is_not_the_country_it_represents(
    geoparser: Geoparser, text: str, surface: str, name: str
) -> None:
    assert _given(geoparser, text, surface).name == name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # "the Gulf" alone is the gulf of the countries the story is about
        ("Qatar and Bahrain said tankers crossed the Gulf safely.", "Persian Gulf"),
        ("Shrimpers in Louisiana said the Gulf was calm on Monday.", "Gulf of Mexico"),
    ],
)
def test_the_gulf_is_the_one_the_story_is_about(geoparser: Geoparser, text: str, name: str) -> None:
    assert _given(geoparser, text, "Gulf").name == name


@pytest.mark.parametrize(
    ("text", "feature_code"),
    [
        # a dateline names the state by its abbreviation: its full name is the state there
        ("YAKIMA, Wash. — Wildfires burned across central Washington on Monday.", "ADM1"),
        # nothing names the state: the capital
        ("Wildfires burned for days, officials in Washington said on Monday.", "PPLC"),
    ],
)
def test_a_state_named_by_its_abbreviation(
    geoparser: Geoparser, text: str, feature_code: str
) -> None:
    start = text.rindex("Washington")
    (given,) = geoparser.resolve_spans(text, [(start, start + len("Washington"))])
    assert given.best is not None and given.best.candidate.feature_code == feature_code


def test_a_country_named_in_passing_does_not_outweigh_a_famous_city(geoparser: Geoparser) -> None:
    """A story that names the US in passing does not make Geneva the town in Illinois (22,000
    people) rather than the Swiss city (183,000): a country named, but not the one named most,
    counts for little."""
    text = (
        "Aid officials spoke at a briefing in Geneva. Refugees from Venezuela crossed into "
        "Brazil, and the U.S. pledged more aid."
    )
    assert _given(geoparser, text, "Geneva").country_code == "CH"


@pytest.mark.parametrize(
    ("text", "surface", "feature_code"),
    [
        # a state of the country the story is about, not a suburb of Grand Rapids sharing its name
        (
            "Ranchers in Texas and Montana lost cattle, and the blizzard then reached Wyoming.",
            "Wyoming",
            "ADM1",
        ),
        # a region named after its city is not meant before the city (Kosice, Slovakia)
        pytest.param(
            "Trains from Bratislava to Košice were cancelled.",
            "Košice",
            "PPL",
            marks=_REGRESSED(
                "the fitted weight of a state (kind_state + no_population) outweighs the "
                "city's population"
            ),
        ),
    ],
)
def test_a_state_of_the_story_s_country_outweighs_a_town_sharing_its_name(
    geoparser: Geoparser, text: str, surface: str, feature_code: str
) -> None:
    assert _given(geoparser, text, surface).feature_code == feature_code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # a story set in the US that names nothing in the Caucasus: the state
        (
            "Storms closed schools in Alabama and Tennessee, and flooding reached Georgia.",
            "US",
        ),
        # a neighbour of the country is named: the country
        pytest.param(
            "Lawmakers in Ohio and Texas criticised Russia, whose troops remain in Georgia.",
            "GE",
            marks=_REGRESSED(
                "foreign_namesake's rule (a neighbour named) now carries a fitted weight "
                "near 0; the US state wins"
            ),
        ),
    ],
)
def test_a_foreign_namesake_of_a_state_is_not_meant_unless_the_story_is_about_it(
    geoparser: Geoparser, text: str, code: str
) -> None:
    start = text.rindex("Georgia")
    (given,) = geoparser.resolve_spans(text, [(start, start + len("Georgia"))])
    assert given.best is not None and given.best.candidate.country_code == code
