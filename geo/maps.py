"""The story as a Folium map: a pure function of a :class:`~geo.story.Story`.

Build a fresh map for every use: streamlit-folium mutates the map it shows, and rendering
one map twice duplicates its markers. Every piece of article text that reaches the map goes
through :func:`geo.markup.escape`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import folium
from branca.element import MacroElement
from folium.map import Layer
from folium.plugins import MarkerCluster, Timeline, TimelineSlider
from folium.utilities import JsCode
from jinja2 import Template

from .assets import inline_html
from .basemap import OfflineBaseMap, story_points
from .events import Event
from .export import timeline
from .gazetteer import Gazetteer
from .links import Link, links_of
from .markup import escape, highlight
from .resolve import Place
from .story import Story

__all__ = [
    "LAYERS",
    "MARKS",
    "STYLES",
    "TIMELINE_LAYER",
    "MarkerStyle",
    "PathStyle",
    "Spot",
    "build_map",
    "country_mentions",
    "country_outlines",
    "focus_ring",
    "map_html",
    "object_at",
    "spots",
    "style_of",
    "timeline_geojson",
]


@dataclass(frozen=True, slots=True)
class MarkerStyle:
    """How one category of marker looks; ``icon`` is a Font Awesome name."""

    label: str
    color: str
    icon: str
    hex: str


STYLES = {
    "city": MarkerStyle("City", "blue", "building", "#38aadd"),
    "capital": MarkerStyle("Capital city", "darkblue", "star", "#0067a3"),
    "country": MarkerStyle("Country", "green", "flag", "#72b026"),
    "region": MarkerStyle("Region, border or feature", "purple", "map", "#d252b9"),
    "sea": MarkerStyle("Sea or ocean", "cadetblue", "water", "#436978"),
    "event": MarkerStyle("Event", "red", "calendar", "#d63e2a"),
}
_CATEGORY = {
    "city": "city",
    "capital": "capital",
    "country": "country",
    "historical": "country",
    "continent": "region",
    "region": "region",
    "border": "region",
    "feature": "region",
    "sea": "sea",
}

GEONAMES_ATTRIBUTION = (
    'Places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0), '
    "countryinfo, countrystatecity"
)
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


def style_of(kind: str) -> MarkerStyle:
    """The marker style for a place kind, or ``"event"``."""
    return STYLES[_CATEGORY.get(kind, kind)]


class _Attribution(MacroElement):
    """Adds a line to the map's attribution control (data sources, beside the tiles')."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Attribution"
        self.text = text


class _Scale(MacroElement):
    """The map's scale bar, under the zoom buttons, and the bottom-left corner's controls
    (offline notice, legend, time slider) lifted above the attribution wherever the two
    would meet: on a narrow map the attribution wraps over the whole width, and folium's
    ``control_scale`` in that corner ran over it."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            L.control.scale({position: "topleft"}).addTo(map);
            function clear() {
                var corner = map._controlCorners.bottomleft;
                var attribution = map.attributionControl.getContainer();
                corner.style.bottom = "0px";
                var left = corner.getBoundingClientRect();
                var right = attribution.getBoundingClientRect();
                corner.style.bottom = (right.left < left.right ? right.height : 0) + "px";
            }
            map.whenReady(function () { setTimeout(clear, 0); });
            map.on("resize overlayadd overlayremove", clear);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Scale"


@dataclass(frozen=True, slots=True)
class PathStyle:
    """How a ring or a line on the map looks, and what the legend calls it."""

    label: str
    color: str
    weight: float
    dash: str | None = None
    fill_opacity: float = 0.0
    ring: bool = True

    def options(self) -> dict[str, Any]:
        """The style as Leaflet path options (camelCase, as ``L.circleMarker`` takes them)."""
        options: dict[str, Any] = {"color": self.color, "weight": self.weight}
        options["dashArray"] = self.dash
        options["fill"] = self.fill_opacity > 0
        if options["fill"]:  # folium fills any path given a fill colour
            options |= {"fillColor": self.color, "fillOpacity": self.fill_opacity}
        return options

    def swatch(self) -> str:
        """A small SVG picture of the style, for the legend."""
        dash = f' stroke-dasharray="{self.dash}"' if self.dash else ""
        stroke = f'stroke="{self.color}" stroke-width="{min(self.weight, 3)}"{dash}'
        if self.ring:
            fill = f'fill="{self.color}" fill-opacity="{self.fill_opacity}"'
            shape = f'<circle cx="9" cy="9" r="6" {stroke} {fill}/>'
        else:
            shape = f'<line x1="1" y1="9" x2="17" y2="9" {stroke}/>'
        return f'<svg width="18" height="18" aria-hidden="true">{shape}</svg>'


#: The rings and lines on the map, each drawn its own way so the legend can tell them apart.
MARKS = {
    "focus": PathStyle("In focus", "#f0a202", 4),
    "event": PathStyle("Event at the slider's date", "#d63e2a", 3, dash="5 4", fill_opacity=0.2),
    "link": PathStyle("Named in one sentence", "#444444", 3, ring=False),
    "leader": PathStyle("Marker moved aside", "#333333", 1, dash="2 2", ring=False),
}


def focus_ring(lat: float, lon: float) -> folium.CircleMarker:
    """The ring around what the reader selected (see :data:`MARKS`); clicks go through it."""
    ring = folium.CircleMarker((lat, lon), radius=22, **MARKS["focus"].options())
    ring.options["interactive"] = False  # folium drops this option when given as an argument
    return ring


_LEGEND_BODY = Template(
    """
    <details open><summary style="cursor:pointer;font-weight:600">Legend</summary>
    <div style="display:grid;grid-template-columns:auto auto;column-gap:12px">
    {% for style in styles %}
      <div><span style="display:inline-block;width:10px;height:10px;border-radius:50%;
           margin:0 4px 0 4px;background:{{ style.hex }}"></span>{{ style.label }}</div>
    {% endfor %}
    {% if calendar %}
      <div><i class="fa-solid fa-calendar" style="width:18px;text-align:center"></i>Place
           with events</div>
    {% endif %}
    {% for mark in marks %}
      <div style="display:flex;align-items:center">{{ mark.swatch() }}{{ mark.label }}</div>
    {% endfor %}
    </div>
    {% if shades %}
      <div style="margin-top:4px">Country named</div>
      {% for label, colour in shades %}
        <span style="display:inline-block;width:14px;height:10px;background:{{ colour }};
             border:1px solid #a0522d;opacity:.8"></span> {{ label }}
      {% endfor %}
    {% endif %}
    </details>
    """
)


#: Below this width, in pixels, the map's legend starts folded: a phone's map is about 360 px
#: wide (where the open legend covered a quarter of it), the map's column on a laptop 540 px
#: or more.
LEGEND_FOLDED_BELOW = 450


class _Legend(MacroElement):
    """A fixed legend of the marker styles, rings and lines, two to a row; our own fixed
    strings only, no article text.

    It is a Leaflet control in the bottom-left corner, so Leaflet stacks it above whatever
    else is there (the scale, the timeline's slider), however tall they are. The script
    builds it: streamlit-folium renames elements in the script but not in the page's HTML,
    so a script cannot find an element of the page by a name folium gave it.

    It folds (a ``<details>`` the reader opens with a click or the keyboard): on a map
    narrower than :data:`LEGEND_FOLDED_BELOW` it starts folded, so that on a phone it does
    not cover the map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "news-atlas-legend");
                div.style.cssText = "background: rgba(255,255,255,.92); padding: 6px 9px; "
                    + "border-radius: 4px; font: 12px/1.5 sans-serif; "
                    + "box-shadow: 0 1px 4px rgba(0,0,0,.3);";
                div.innerHTML = {{ this.body|tojson }};
                if ({{ this._parent.get_name() }}.getSize().x < {{ this.fold_below }}) {
                    div.querySelector("details").open = false;
                }
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        styles: list[MarkerStyle],
        shades: list[tuple[str, str]] | None = None,
        *,
        calendar: bool = False,
        marks: list[PathStyle] | None = None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Legend"
        self.fold_below = LEGEND_FOLDED_BELOW
        shown = {"styles": styles, "shades": shades or [], "calendar": calendar}
        self.body = " ".join(_LEGEND_BODY.render(**shown, marks=marks or []).split())
        entries = len(styles) + calendar + len(marks or [])
        rows = (entries + 1) // 2 + (2 if shades else 0)
        #: About how tall the legend stands, in pixels (18 px a row, its padding and margin).
        self.height = 18 * rows + 22


def _quote(story: Story, place: Place, limit: int = 5) -> str:
    """The sentences that mention ``place``, its mentions highlighted."""
    spans = [(m.start, m.end, "mention") for m in place.mentions]
    items = []
    for sentence in story.sentences_of(place)[:limit]:
        inside = [s for s in spans if sentence.start <= s[0] and s[1] <= sentence.end]
        items.append(f"<li>{highlight(sentence.text, inside, offset=sentence.start)}</li>")
    more = len(story.sentences_of(place)) - limit
    extra = f"<li>… and {more} more</li>" if more > 0 else ""
    return f'<ul style="padding-left:1.1em;margin:4px 0">{"".join(items)}{extra}</ul>'


def place_popup(story: Story, place: Place) -> str:
    """The HTML of a place's popup: what it is, how sure we are, and the evidence."""
    candidate = place.candidate
    kind = style_of(place.kind).label if place.kind != "historical" else "Former country"
    others = ", ".join(
        escape(f"{a.candidate.name} ({a.candidate.country_code or a.candidate.kind})")
        for a in place.alternatives[:3]
    )
    header = (
        f"<b>{escape(place.name)}</b> <small>{escape(kind)}</small><br>"
        f"<small>{place.lat:.4f}, {place.lon:.4f} · {len(place.mentions)} mention"
        f"{'s' if len(place.mentions) != 1 else ''} · confidence {place.confidence:.0%}</small>"
    )
    footer = f"<small>Source: {escape(candidate.source)}</small>"
    if others:
        footer += f"<br><small>Other candidates: {others}</small>"
    return header + _quote(story, place) + footer


def event_popup(event: Event) -> str:
    """The HTML of an event's popup: date, what happened, where, and the sentence."""
    return (
        f"<b>{escape(event.when)}</b> · {escape(event.name)}<br>"
        f"<small>At {escape(event.where.name)} ({escape(event.reason)})</small>"
        f"<blockquote style='margin:4px 0;padding-left:6px;border-left:3px solid #d63e2a'>"
        f"{escape(event.sentence.text)}</blockquote>"
    )


def link_popup(link: Link, limit: int = 5) -> str:
    """The HTML of a link's popup: the two places and the sentences naming both."""
    first, second = link.names
    quotes = "".join(f"<li>{escape(s.text)}</li>" for s in link.sentences[:limit])
    more = f"<li>… and {link.weight - limit} more</li>" if link.weight > limit else ""
    return (
        f"<b>{escape(first)} – {escape(second)}</b><br><small>named together in {link.weight} "
        f"sentence{'s' if link.weight != 1 else ''}</small>"
        f'<ul style="padding-left:1.1em;margin:4px 0">{quotes}{more}</ul>'
    )


#: How every popup opens: at most 360 px wide (less on a narrow map, see :class:`_PopupFit`),
#: scrolling beyond 240 px, and kept below the map's top corners, where the zoom buttons
#: and the layer control are (76 px down on a touch screen), whenever the map moves under
#: it: the app re-centres the map on a clicked marker after its popup has opened.
POPUP_OPTIONS: dict[str, Any] = {
    "maxWidth": 360,
    "maxHeight": 240,
    "autoPanPaddingTopLeft": [10, 86],
    "keepInView": True,
}


def _popup(html: str) -> folium.Popup:
    options = dict(POPUP_OPTIONS)
    return folium.Popup(html, max_width=options.pop("maxWidth"), **options)


class _PopupFit(MacroElement):
    """Popups no wider than the map less room for the controls beside them: Leaflet's
    ``maxWidth`` is a fixed size, and at 360 px a popup ran past both sides of a phone's
    map."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>.leaflet-popup-content { max-width: calc(100vw - 90px); }</style>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "PopupFit"


def _line(link: Link) -> folium.PolyLine:
    first, second = link.names
    return folium.PolyLine(  # type: ignore[no-untyped-call]
        [(link.first.lat, link.first.lon), (link.second.lat, link.second.lon)],
        color=MARKS["link"].color,
        weight=1.5 + 1.5 * min(link.weight, 6),
        opacity=0.55,
        tooltip=folium.Tooltip(escape(f"{first} – {second} · {link.weight}×")),
        popup=_popup(link_popup(link)),
    )


def _marker(
    lat: float, lon: float, style: MarkerStyle, tooltip: str, popup: str, icon: str = ""
) -> folium.Marker:
    """A marker in ``style``'s colour, with ``style``'s glyph unless ``icon`` names another."""
    return folium.Marker(
        location=(lat, lon),
        icon=folium.Icon(color=style.color, icon=icon or style.icon, prefix="fa"),
        tooltip=folium.Tooltip(tooltip),
        popup=_popup(popup),
    )


@dataclass(frozen=True, slots=True)
class Spot:
    """One marker's worth of the story: a point, the place there (if any) and the events
    there. A place and the events at its very point share one marker, so neither hides
    the other."""

    lat: float
    lon: float
    place: Place | None
    events: tuple[Event, ...]


def _same_point(first: tuple[float, float], second: tuple[float, float]) -> bool:
    """Two points a millionth of a degree apart or less: one spot on any map."""
    return abs(first[0] - second[0]) < 1e-6 and abs(first[1] - second[1]) < 1e-6


def spots(story: Story, *, places: bool = True, events: bool = True) -> list[Spot]:
    """The markers a map of ``story`` has: one per place (in the story's order) with the
    events at its point, then one per other point with events (in the story's order).
    ``places=False`` or ``events=False`` leaves those out."""
    found = [Spot(p.lat, p.lon, p, ()) for p in story.places] if places else []
    for event in story.events if events else ():
        index = next(
            (i for i, s in enumerate(found) if _same_point((s.lat, s.lon), (event.lat, event.lon))),
            None,
        )
        if index is None:
            found.append(Spot(event.lat, event.lon, None, (event,)))
        else:
            spot = found[index]
            found[index] = Spot(spot.lat, spot.lon, spot.place, (*spot.events, event))
    return found


def _spot_tooltip(spot: Spot) -> str:
    """A spot's tooltip, as text: the place (and how many events happened there), or the
    events."""
    if spot.place is None:
        return " / ".join(_event_tooltip(e) for e in spot.events)
    count = len(spot.events)
    here = f" · {count} event{'s' if count != 1 else ''} here" if count else ""
    return _place_tooltip(spot.place) + here


def _spot_marker(story: Story, spot: Spot) -> folium.Marker:
    """A spot's marker: a place's (with a calendar glyph when events happened there and all
    their popups below its own), or an event's."""
    tooltip = escape(_spot_tooltip(spot))
    if spot.place is None:
        popup = "<hr style='margin:4px 0'>".join(event_popup(e) for e in spot.events)
        return _marker(spot.lat, spot.lon, STYLES["event"], tooltip, popup)
    style = style_of(spot.place.kind)
    popup = place_popup(story, spot.place)
    if not spot.events:
        return _marker(spot.lat, spot.lon, style, tooltip, popup)
    popup += "".join(f"<hr style='margin:4px 0'>{event_popup(e)}" for e in spot.events)
    return _marker(spot.lat, spot.lon, style, tooltip, popup, icon=STYLES["event"].icon)


class _Accessible(MacroElement):
    """What a keyboard or screen reader needs from the map: every marker icon named (its
    ``aria-label`` is its tooltip's text; a cluster's says how many markers it holds), the
    controls (zoom, layers, legend, slider, attribution) reached by Tab before the markers,
    and no Tab stop on the lines and shaded countries.

    Leaflet makes each marker icon a button (Tab reaches it, Enter clicks it) with no name.
    A line or a country with a tooltip gets focus listeners (to show its tooltip), which
    makes Chromium stop on its SVG path too, though Enter does nothing there; each is named
    as an image instead, and left out of the Tab order. Layers are named as they are added
    to the map, so those added later (by a cluster, a layer switched on, or
    streamlit-folium) are named too. A tooltip's text is read with an inert ``DOMParser``
    document: it is already escaped HTML (see :func:`geo.markup.escape`), and nothing in it
    runs or loads."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var parser = new DOMParser();
            // the text of a layer's tooltip, or of its group's (a GeoJSON layer's features)
            function tooltipText(layer) {
                var owners = [layer].concat(Object.values(layer._eventParents || {}));
                var owner = owners.find(function (o) { return o.getTooltip && o.getTooltip(); });
                if (!owner) return "";
                var content = owner.getTooltip().getContent();
                if (typeof content === "function") content = content(layer);
                if (content instanceof Node) return content.textContent;
                if (typeof content !== "string") return "";
                return parser.parseFromString(content, "text/html").body.textContent;
            }
            function name(layer) {
                var element = null, label = "";
                if (layer instanceof L.Marker && layer._icon && layer.options.keyboard) {
                    element = layer._icon;
                    label = layer.getChildCount  // a cluster of markers (Leaflet.markercluster)
                        ? layer.getChildCount() + " markers here: zoom in to tell them apart"
                        : tooltipText(layer);
                } else if (layer instanceof L.Path && layer._path) {
                    element = layer._path;
                    element.setAttribute("tabindex", "-1");
                    label = tooltipText(layer);
                    if (label) element.setAttribute("role", "img");
                }
                label = label.replace(/\\s+/g, " ").trim();
                if (element && label) element.setAttribute("aria-label", label);
            }
            map.on("layeradd", function (event) { name(event.layer); });
            map.eachLayer(name);
            // the controls' corners come first in the map's container, so before its panes
            var container = map.getContainer();
            container.insertBefore(map._controlContainer, container.firstChild);
        })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Accessible"


class _Declutter(MacroElement):
    """Fans out marker icons that would overlap, so every marker can be seen and clicked
    at every zoom level; a thin line leads from each moved icon back to its true point.

    Only the icons move (by a CSS ``translate``, beside Leaflet's own ``transform``): the
    markers keep their points, so a click still reports the place's own coordinates (see
    :func:`object_at`). After each zoom, the icons of the markers shown are treated as
    rectangles in icon-sized units and pushed apart, pair by pair, until none overlaps
    another; icons at the same point start apart along a golden-angle spiral."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var leaders = L.layerGroup().addTo(map);
            var size = L.point({{ this.size[0] }}, {{ this.size[1] }});
            // the icons on the map: markers, and clusters of them (L.MarkerCluster is one),
            // in the marker pane: the offline base map's labels are markers in a pane of theirs
            function shown() {
                var markers = [];
                map.eachLayer(function (layer) {
                    if (layer instanceof L.Marker && layer._icon
                            && layer.options.pane === "markerPane") markers.push(layer);
                });
                return markers;
            }
            var spacing = {{ this.spacing }};
            // Pushes two icons (positions in icon units) apart until neither gap is below
            // the spacing; icons at one point part along the golden angle. True if moved.
            function separate(first, second, turn) {
                var dx = second.x - first.x, dy = second.y - first.y;
                var gap = Math.max(Math.abs(dx), Math.abs(dy));
                if (gap >= spacing) return false;
                if (gap < 1e-6) {
                    dx = Math.cos(turn * 2.39996); dy = Math.sin(turn * 2.39996);
                    gap = 0;
                }
                var length = Math.sqrt(dx * dx + dy * dy);
                var ux = dx / length, uy = dy / length;
                var scale = ((spacing - gap) / 2 + 0.01) / Math.max(Math.abs(ux), Math.abs(uy));
                first.x -= ux * scale; first.y -= uy * scale;
                second.x += ux * scale; second.y += uy * scale;
                return true;
            }
            // Where each icon goes (layer points), in rounds of separating the pairs that
            // overlap; a grid of spacing-sized cells finds them (an overlapping pair sits in
            // neighbouring cells), so a round costs about as much as there are icons.
            function spread(points) {
                var at = points.map(function (p) { return {x: p.x / size.x, y: p.y / size.y}; });
                for (var round = 0; round < 300; round++) {
                    var grid = {}, moved = false;
                    at.forEach(function (q, i) {
                        var key = Math.floor(q.x / spacing) + ":" + Math.floor(q.y / spacing);
                        (grid[key] = grid[key] || []).push(i);
                    });
                    for (var a = 0; a < at.length; a++) {
                        var cx = Math.floor(at[a].x / spacing), cy = Math.floor(at[a].y / spacing);
                        for (var gx = cx - 1; gx <= cx + 1; gx++) {
                            for (var gy = cy - 1; gy <= cy + 1; gy++) {
                                (grid[gx + ":" + gy] || []).forEach(function (b) {
                                    if (b > a && separate(at[a], at[b], b)) moved = true;
                                });
                            }
                        }
                    }
                    if (!moved) break;
                }
                return at.map(function (q) { return L.point(q.x * size.x, q.y * size.y); });
            }
            function declutter() {
                leaders.clearLayers();
                var markers = shown();
                var points = markers.map(function (m) {
                    return map.latLngToLayerPoint(m.getLatLng());
                });
                var placed = spread(points);
                var style = {{ this.leader|tojson }};
                markers.forEach(function (marker, i) {
                    var offset = placed[i].subtract(points[i]);
                    var shift = Math.round(offset.x) + "px " + Math.round(offset.y) + "px";
                    marker._icon.style.translate = shift;
                    if (marker._shadow) marker._shadow.style.translate = shift;
                    if (Math.abs(offset.x) + Math.abs(offset.y) < 2) return;
                    var tip = map.layerPointToLatLng(placed[i]);
                    L.polyline([marker.getLatLng(), tip], L.extend({interactive: false}, style))
                        .addTo(leaders);
                    L.circleMarker(marker.getLatLng(), L.extend({}, style, {
                        radius: 2, dashArray: null, fill: true, fillOpacity: 1,
                        interactive: false
                    })).addTo(leaders);
                });
            }
            map.on("zoomend viewreset overlayadd overlayremove", declutter);
            map.whenReady(declutter);
        })();
        {% endmacro %}
        """
    )

    #: The icon's size in pixels (Leaflet.awesome-markers' 35 × 45, its point included).
    size = (35, 45)
    #: How far apart two icons' centres must be, in icon sizes: a little more than 1.
    spacing = 1.05

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Declutter"
        self.leader = MARKS["leader"].options()


class _ShownWithEither(MacroElement):
    """Shows the markers of places with events (``shared``) while the Places or the Events
    layer is on: they belong to both, and Leaflet's layer control knows one owner only."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var shared = {{ this.shared.get_name() }};
            var owners = [{% for g in this.owners %}{{ g.get_name() }},{% endfor %}];
            function follow() {
                var wanted = owners.some(function (g) { return map.hasLayer(g); });
                if (wanted && !map.hasLayer(shared)) shared.addTo(map);
                if (!wanted && map.hasLayer(shared)) map.removeLayer(shared);
            }
            map.on("overlayadd overlayremove", follow);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, shared: Layer, owners: list[Layer]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "ShownWithEither"
        self.shared, self.owners = shared, owners


#: Shades for countries by how many times the article names them: (at least, colour).
SHADES = ((1, "#fde0c5"), (2, "#facba6"), (4, "#f59e72"), (7, "#eb7f54"), (12, "#d3573d"))


class _OfflineFallback(MacroElement):
    """Switches to the offline base map when the tile server cannot be reached (after a few
    failed tiles), so a map without a network still shows where things are, and says so in
    a small notice (a Leaflet control, announced to screen readers as a status)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var failed = 0;
            {{ this.tiles.get_name() }}.on("tileerror", function () {
                failed += 1;
                if (failed === {{ this.after }}
                        && {{ this._parent.get_name() }}.hasLayer({{ this.tiles.get_name() }})) {
                    {{ this._parent.get_name() }}.removeLayer({{ this.tiles.get_name() }});
                    {{ this.offline.get_name() }}.addTo({{ this._parent.get_name() }});
                    notice.addTo({{ this._parent.get_name() }});
                }
            });
            var notice = L.control({position: "bottomleft"});  // above the legend
            notice.onAdd = function () {
                var div = L.DomUtil.create("div", "news-atlas-offline");
                div.setAttribute("role", "status");
                div.style.cssText = "background: rgba(255,255,255,.92); padding: 4px 8px; "
                    + "border-radius: 4px; font: 12px/1.4 sans-serif; white-space: nowrap; "
                    + "box-shadow: 0 1px 4px rgba(0,0,0,.3);";
                div.textContent = {{ this.text|tojson }};
                return div;
            };
            // a reader who picks the street map again has been told; the notice goes
            {{ this.tiles.get_name() }}.on("add", function () { notice.remove(); });
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self, tiles: folium.TileLayer, offline: folium.FeatureGroup, after: int = 3
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "OfflineFallback"
        self.tiles, self.offline, self.after = tiles, offline, after

    #: What the notice says when the street map could not be loaded.
    text = "Street map unavailable: showing the offline map"
    #: About how tall the notice stands, in pixels (a line of text, its padding and margin).
    height = 34


OUTLINE_LAYER = "Offline map"


def _offline_switch(show: bool) -> folium.FeatureGroup:
    """The offline base map's entry among the base layers of the layer control: an empty
    layer, on the map while the offline base map should be (:class:`OfflineBaseMap` draws
    itself while it is), so the reader picks it or the street map like any base map."""
    return folium.FeatureGroup(name=OUTLINE_LAYER, overlay=False, show=show, control=True)


#: The map's layers the reader can show or hide, by the name a shared link uses.
LAYERS = {
    "places": "Places",
    "events": "Events",
    "links": "Links between places",
    "countries": "Countries by mentions",
    "timeline": "Events over time",
}


def object_at(story: Story, lat: float, lon: float, tooltip: str = "") -> str | None:
    """What the reader clicked on the map: ``place:<key>`` or ``event:<n>`` (its position in
    :func:`geo.export.timeline`), from the marker's point and tooltip; None for anything else.

    A marker's point is its spot's own (see :func:`spots`), so points are compared to a
    millionth of a degree; of two markers at one point, the tooltip tells which. A place's
    marker stands for the place, also when events happened there; an event's marker for
    its first event.
    """
    tip = " ".join(tooltip.split())
    here = [s for s in spots(story) if _same_point((s.lat, s.lon), (lat, lon))]
    spot = next((s for s in here if " ".join(_spot_tooltip(s).split()) == tip), None)
    spot = spot or next(iter(here), None)
    if spot is None:
        return None
    if spot.place is not None:
        return f"place:{spot.place.key}"
    return f"event:{timeline(story).index(spot.events[0])}"


def _place_tooltip(place: Place) -> str:
    return f"{place.name} · {style_of(place.kind).label.lower()}"


def _event_tooltip(event: Event) -> str:
    return f"{event.when} · {event.name}"


def country_mentions(story: Story) -> dict[str, int]:
    """How many times the article names each country (by ISO code), adjectives included."""
    return {
        p.candidate.country_code: len(p.mentions)
        for p in story.places
        if p.kind == "country" and p.candidate.country_code
    }


def country_outlines(story: Story, gazetteer: Gazetteer) -> dict[str, dict[str, Any]]:
    """The outlines (GeoJSON geometries) of the countries the story names, where known."""
    shapes = {code: gazetteer.shape(code) for code in country_mentions(story)}
    return {code: shape for code, shape in shapes.items() if shape is not None}


def _shade_labels() -> list[tuple[str, str]]:
    """Legend labels for :data:`SHADES`: "1", "2–3", …, "12+"."""
    labels = []
    for (least, colour), following in zip(SHADES, [*SHADES[1:], None], strict=True):
        if following is None:
            label = f"{least}+"
        elif following[0] - 1 == least:
            label = str(least)
        else:
            label = f"{least}–{following[0] - 1}"
        labels.append((label, colour))
    return labels


def _shade(count: int) -> str:
    return [colour for least, colour in SHADES if count >= least][-1]


def _shaded_countries(story: Story, outlines: Mapping[str, dict[str, Any]]) -> folium.GeoJson:
    counts = country_mentions(story)
    names = {p.candidate.country_code: p.name for p in story.places if p.kind == "country"}
    features = [
        {
            "type": "Feature",
            "geometry": outlines[code],
            "properties": {
                "label": escape(f"{names[code]}: named {count} time{'s' if count != 1 else ''}"),
                "fill": _shade(count),
            },
        }
        for code, count in sorted(counts.items())
        if code in outlines
    ]
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=LAYERS["countries"],
        style_function=lambda feature: {
            "fillColor": feature["properties"]["fill"],
            "fillOpacity": 0.55,
            "color": "#a0522d",
            "weight": 0.8,
        },
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
        show=True,
    )


# --- events over time -----------------------------------------------------------------------

TIMELINE_LAYER = LAYERS["timeline"]


def _instant(day: dt.date, *, before: bool = False) -> str:
    """Midnight (UTC) at the start of ``day``, or the last millisecond before it."""
    moment = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    if before:
        moment -= dt.timedelta(milliseconds=1)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def timeline_geojson(story: Story) -> dict[str, Any]:
    """The story's dated events as the FeatureCollection the timeline layer shows: a point per
    event, in date order, visible from the first to the last millisecond of the time its date
    covers (the whole year for "1953", the day for "2024-06-20"; ``start`` and ``end`` are
    both included, as leaflet.timeline reads them). Events whose date has no year
    ("--06-20") have no place in time and are left out. ``date`` is the ISO 8601 date,
    ``when`` the same as readers see it ("1953", "19 June 2024"). ``popup`` and ``tooltip``
    are HTML, every article-derived string in them escaped."""
    features = []
    for event in timeline(story):
        period = event.period
        if period is None:
            continue
        first, after = period
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [event.lon, event.lat]},
                "properties": {
                    "date": event.date,
                    "when": event.when,
                    "start": _instant(first),
                    "end": _instant(after, before=True),
                    "tooltip": escape(_event_tooltip(event)),
                    "popup": event_popup(event),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


#: Each event on the timeline: a dashed red ring around the point its marker stands on, so
#: the events of the slider's moment stand out among the markers (which stay on the map).
_EVENT_RING = JsCode(
    "function (feature, latlng) {\n"
    f"    return L.circleMarker(latlng, {json.dumps({'radius': 16, **MARKS['event'].options()})});"
    "\n}"
)
#: The popup and tooltip HTML the features carry (escaped in Python, see timeline_geojson).
_EVENT_POPUP = JsCode(
    "function (feature, layer) {\n"
    f"    layer.bindPopup(feature.properties.popup, {json.dumps(POPUP_OPTIONS)});\n"
    "    layer.bindTooltip(feature.properties.tooltip);\n"
    "}"
)


def _slider_label(data: Mapping[str, Any]) -> JsCode:
    """The slider's label: the dates of the events its moment shows, as readers see them
    ("1953", "19 June 2024"), or between events the moment's month ("March 1987"), no more
    precise than the axis' steps. Months are taken in UTC, the time zone of the features'
    times (the plugin's own label would use the browser's and show a day early west of
    Greenwich)."""
    spans = [
        [f["properties"]["start"], f["properties"]["end"], f["properties"]["when"]]
        for f in data["features"]
    ]
    return JsCode(
        "function (date) {\n"
        f"    var spans = {json.dumps(spans)};\n"
        """
        var now = +date, shown = [];
        spans.forEach(function (span) {
            if (Date.parse(span[0]) <= now && now <= Date.parse(span[1])
                    && shown.indexOf(span[2]) < 0) {
                shown.push(span[2]);
            }
        });
        return shown.length ? shown.join(" · ") : moment.utc(date).format("MMMM YYYY");
    }
    """
    )


class _TimelineBehaviour(MacroElement):
    """What the plugin's slider lacks: it hides while its layer is switched off in the layer
    control, keeps its date on one line beside its buttons on a narrow map, and its Play
    stops at every event.

    The plugin plays in equal steps (a thousandth of the axis), so on an axis from 1953 to
    2024 a step is 26 days and an event of one day falls between two steps and never shows.
    Here Play still moves in those steps, but never past a moment an event starts or ends,
    and it lingers where an event comes into view."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
            .leaflet-control-container .leaflet-control.leaflet-timeline-control
                    .sldr-ctrl-container {
                width: auto; min-width: 90px; margin-right: 8px;
            }
            .leaflet-control-container .leaflet-control.leaflet-timeline-control
                    output.time-text {
                white-space: nowrap;
            }
            .leaflet-control-container .leaflet-control.leaflet-timeline-control
                    input[type="range"] {
                width: calc(100% - 110px);
            }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var slider = {{ this.slider.get_name() }};
            {{ this.timeline.get_name() }}.on("remove", function () {
                slider.pause();
                slider.getContainer().style.display = "none";
            });
            {{ this.timeline.get_name() }}.on("add", function () {
                slider.getContainer().style.display = "";
            });
            var events = {{ this.timeline.get_name() }};
            slider.play = function () {
                window.clearTimeout(this._timer);
                var now = parseFloat(this._timeSlider.value);
                if (now >= this.end) now = this.start;
                var upcoming = this._nearestEventTime(now, 1);
                if (!(upcoming > now)) upcoming = this.end;
                var next = Math.min(now + this._stepSize, upcoming, this.end);
                var shown = events.getLayers();
                this._timeSlider.value = next.toString();
                this.setTime(next);
                this._playing = next < this.end;
                this.container.classList.toggle("playing", this._playing);
                if (this._playing) {
                    var linger = events.getLayers().some(function (ring) {
                        return shown.indexOf(ring) < 0;
                    });
                    this._timer = window.setTimeout(
                        this.play.bind(this), linger ? {{ this.linger }} : this._stepDuration
                    );
                }
            };
        })();
        {% endmacro %}
        """
    )

    #: How long Play stays on the moment an event comes into view, in milliseconds.
    linger = 1500

    def __init__(self, timeline: Timeline, slider: TimelineSlider) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "TimelineBehaviour"
        self.timeline, self.slider = timeline, slider


#: How far up from the map's bottom edge the slider reaches (above the scale): the height
#: of the map kept clear of markers when the view is fitted.
SLIDER_HEIGHT = 140
#: The room kept around the story's points in the first view, in pixels: an icon stands
#: 45 px above its point and 17 px to each side, and fanned-out icons (see
#: :class:`_Declutter`) reach about one icon further.
EDGE = 60


def _first_view_padding(
    slider: bool, legend: _Legend | None, fallback: _OfflineFallback | None
) -> tuple[tuple[int, int], tuple[int, int]]:
    """The padding of the first view's fitted bounds, as Leaflet's (left, top) and (right,
    bottom): room for the icons on every side, and at the bottom for the slider, which
    spans the map's width, the legend stacked above it, and the offline notice above that
    should the street map fail."""
    bottom = (SLIDER_HEIGHT if slider else 30) + (legend.height if legend else 0)
    bottom += fallback.height if fallback else 0
    return (EDGE, EDGE), (EDGE, max(bottom, EDGE))


def _add_timeline(fmap: folium.Map, story: Story) -> bool:
    """The events-over-time layer and its slider; False (and nothing) if no event has a
    year."""
    data = timeline_geojson(story)
    if not data["features"]:
        return False
    layer = Timeline(data, point_to_layer=_EVENT_RING, on_each_feature=_EVENT_POPUP)
    layer.layer_name = TIMELINE_LAYER  # Timeline passes only the data on to GeoJson
    layer.add_to(fmap)
    slider = TimelineSlider(auto_play=False, show_ticks=True, date_options="YYYY-MM-DD")
    # folium types options as JSON values, yet renders JsCode in them (its own label is one)
    slider.options["format_output"] = _slider_label(data)  # type: ignore[assignment]
    slider.add_timelines(layer)  # type: ignore[no-untyped-call]
    slider.add_to(fmap)
    _TimelineBehaviour(layer, slider).add_to(fmap)
    return True


def _marks_shown(*, slider: bool, links: bool) -> list[PathStyle]:
    """The rings and lines a map can show, for its legend: the focus ring (drawn by whoever
    shows the map, see :func:`focus_ring`), the slider's event ring, link lines and the
    lines to fanned-out markers' points."""
    return [
        MARKS["focus"],
        *([MARKS["event"]] if slider else []),
        *([MARKS["link"]] if links else []),
        MARKS["leader"],
    ]


#: Above this many markers, nearby markers are clustered until the reader zooms in (to
#: :data:`CLUSTER_UNTIL`): fanned out, that many icons would cover the map.
CLUSTER_ABOVE = 40
#: The zoom level from which every marker is shown by itself (a focused place's zoom).
CLUSTER_UNTIL = 8


def _layer(name: str, *, cluster: bool, control: bool = True) -> Layer:
    """A layer of the map's markers or lines: a plain group, or one that clusters nearby
    markers (Leaflet.markercluster, without animations, so the icons are fanned out once
    it has settled, and with every marker kept in the page, so panning moves none)."""
    if not cluster:
        return folium.FeatureGroup(name=name, show=True, control=control)
    options = {
        "disableClusteringAtZoom": CLUSTER_UNTIL,
        "animate": False,
        "removeOutsideVisibleBounds": False,
        "showCoverageOnHover": False,
    }
    return MarkerCluster(name=name, show=True, control=control, options=options)  # type: ignore[no-untyped-call]


def build_map(
    story: Story,
    *,
    tiles: str | None = "OpenStreetMap",
    outlines: Mapping[str, dict[str, Any]] | None = None,
    offline_map: bool = False,
    world_url: str | None = None,
    layers: Collection[str] = tuple(LAYERS),
    view: tuple[tuple[float, float], int] | None = None,
) -> folium.Map:
    """A new map of the story: a marker for every place and event (one for a place and the
    events at its point, see :func:`spots`), a line between places named in the same
    sentence, countries shaded by how often they are named (when their ``outlines`` are
    given, see :func:`country_outlines`), a legend of the markers, rings and lines, bounds
    fitted. Each is a layer the user can switch off; only the ``layers`` named (keys of
    :data:`LAYERS`) are drawn.

    Icons that would overlap are fanned out at every zoom, a line leading each back to its
    point (see :class:`_Declutter`). The first view fits every marker's point, on half zoom
    levels, with room around them for their icons and below for the slider and the legend.

    The layer "timeline" is a time slider under the map that rings the events of its moment
    (see :func:`timeline_geojson`); switching the layer off in the map hides the slider too.
    There is none if no event has a year.

    ``offline_map`` adds the offline base map (see :class:`~geo.basemap.OfflineBaseMap`) the
    user can pick, used by itself when the tiles cannot be reached; ``tiles=None`` makes it
    the only base map. Its world's layer is embedded, unless ``world_url`` says where the
    map's page fetches it from (see :func:`geo.basemap.world_url`: the app's maps, not the
    standalone export). ``view`` (a point and a zoom level) opens the map there instead of
    fitting everything in.
    """
    fmap = folium.Map(
        location=view[0] if view else (20, 0),
        zoom_start=view[1] if view else 2,
        tiles=None,
        max_zoom=18,
        world_copy_jump=True,
        # half levels, so the first view fits the story's places more closely
        zoom_snap=0.5,
    )
    # folium passes max_zoom on to its own tile layer only; the map needs it too, or
    # Leaflet.markercluster refuses a map without tiles ("Map has no maxZoom specified")
    fmap.options["maxZoom"] = 18
    tile_layer, fallback = None, None
    if tiles:
        tile_layer = folium.TileLayer(tiles, attr=OSM_ATTRIBUTION, name="Street map", max_zoom=18)
        tile_layer.add_to(fmap)
    if offline_map:
        switch = _offline_switch(show=tile_layer is None)
        switch.add_to(fmap)
        OfflineBaseMap(switch, story_points(story), world_url=world_url).add_to(fmap)
        if tile_layer is not None:
            fallback = _OfflineFallback(tile_layer, switch)
            fallback.add_to(fmap)
    unknown = set(layers) - set(LAYERS)
    if unknown:
        raise ValueError(f"unknown map layers {sorted(unknown)}; expected some of {list(LAYERS)}")
    drawn = spots(story, places="places" in layers, events="events" in layers)
    cluster = len(drawn) > CLUSTER_ABOVE
    groups: dict[str, Layer] = {
        name: _layer(LAYERS[name], cluster=cluster and name != "links")
        for name in ("links", "places", "events")
        if name in layers
    }
    lines = links_of(story) if "links" in groups else []
    for link in lines:
        _line(link).add_to(groups["links"])
    used: dict[str, MarkerStyle] = {}
    points: list[tuple[float, float]] = []
    shared = None
    if "places" in groups and "events" in groups:
        shared = _layer("Places with events", cluster=cluster, control=False)
    for spot in drawn:
        owner = groups["events"] if spot.place is None else groups["places"]
        if spot.place is not None and spot.events and shared is not None:
            owner = shared
        style = STYLES["event"] if spot.place is None else style_of(spot.place.kind)
        used[style.label] = style
        _spot_marker(story, spot).add_to(owner)
        points.append((spot.lat, spot.lon))
    outlines = outlines if "countries" in layers else None
    if outlines:
        _shaded_countries(story, outlines).add_to(fmap)
    for group in groups.values():
        group.add_to(fmap)
    if shared is not None:
        shared.add_to(fmap)
        _ShownWithEither(shared, [groups["places"], groups["events"]]).add_to(fmap)
    if drawn:
        _Declutter().add_to(fmap)
    _Accessible().add_to(fmap)
    _PopupFit().add_to(fmap)
    slider = "timeline" in layers and _add_timeline(fmap, story)
    folium.LayerControl(collapsed=True).add_to(fmap)
    _Scale().add_to(fmap)
    _Attribution(GEONAMES_ATTRIBUTION).add_to(fmap)
    legend = None
    if used:
        order = list(STYLES.values())
        legend = _Legend(
            sorted(used.values(), key=order.index),
            _shade_labels() if outlines else None,
            calendar=shared is not None and any(s.place and s.events for s in drawn),
            marks=_marks_shown(slider=slider, links=bool(lines)),
        )
        legend.add_to(fmap)
    if points and view is None:
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        top_left, bottom_right = _first_view_padding(slider, legend, fallback)
        fmap.fit_bounds(
            [(min(lats), min(lons)), (max(lats), max(lons))],
            padding_top_left=top_left,
            padding_bottom_right=bottom_right,
            max_zoom=8,
        )
    return fmap


def map_html(
    story: Story,
    *,
    tiles: str | None = "OpenStreetMap",
    outlines: Mapping[str, dict[str, Any]] | None = None,
    offline_map: bool = False,
    layers: Collection[str] = tuple(LAYERS),
) -> str:
    """The story's map as one standalone HTML page, its scripts and styles inlined, so it
    opens from a file with no network (only the tiles need one; with ``offline_map`` it
    falls back to the offline base map without them)."""
    return inline_html(
        build_map(story, tiles=tiles, outlines=outlines, offline_map=offline_map, layers=layers)
    )
