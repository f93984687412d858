"""PagedIterator / AsyncPagedIterator over OData and SCIM endpoints (scripted pages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import pywats
from pywats._paging_styles import ODATA, SCIM

Call = Callable[..., Any]


def _iterator(wats: Any, style: str, **kwargs: Any) -> Any:
    cls = pywats.AsyncPagedIterator if isinstance(wats, pywats.AsyncWATS) else pywats.PagedIterator
    paging = ODATA if style == "odata" else SCIM
    return cls.over(paging, wats.http, wats.error_handler, "api/Items", int, **kwargs)


def _queries(scripted: Any) -> list[dict[str, list[str]]]:
    return [r.query for r in scripted.requests]


def test_odata_pages_until_a_short_page(scripted: Any, call: Call) -> None:
    scripted.pages("GET", "/api/Items", [[1, 2, 3], [4, 5, 6], [7]])
    items = call(lambda w: _iterator(w, "odata", page_size=3, params={"$filter": "x"}).collect())
    assert items == [1, 2, 3, 4, 5, 6, 7]
    assert _queries(scripted) == [
        {"$filter": ["x"], "$top": ["3"], "$skip": [str(skip)]} for skip in (0, 3, 6)
    ]


def test_odata_exact_multiple_ends_on_empty_page(scripted: Any, call: Call) -> None:
    scripted.pages("GET", "/api/Items", [[1, 2], [3, 4], []])
    assert call(lambda w: _iterator(w, "odata", page_size=2).collect()) == [1, 2, 3, 4]
    assert len(scripted.requests) == 3


def test_max_items_limits_requests_and_results(scripted: Any, call: Call) -> None:
    scripted.pages("GET", "/api/Items", [[1, 2, 3], [4]])
    assert call(lambda w: _iterator(w, "odata", page_size=3, max_items=4).collect()) == [1, 2, 3, 4]
    assert [q["$top"] for q in _queries(scripted)] == [["3"], ["1"]]


def test_nothing_is_fetched_before_iteration(scripted: Any, call: Call) -> None:
    scripted.pages("GET", "/api/Items", [[1, 2, 3], [4, 5, 6]])

    def first_only(wats: Any) -> Any:
        iterator = _iterator(wats, "odata", page_size=3)
        assert scripted.requests == []
        if isinstance(wats, pywats.AsyncWATS):

            async def take() -> Any:
                return await iterator.__anext__()

            return take()
        return next(iterator)

    assert call(first_only) == 1
    assert len(scripted.requests) == 1


def test_scim_uses_one_based_start_index_and_total(scripted: Any, call: Call) -> None:
    scripted.pages(
        "GET",
        "/api/Items",
        [
            {"Resources": [1, 2], "totalResults": 5, "startIndex": 1},
            {"Resources": [3, 4], "totalResults": 5, "startIndex": 3},
            {"Resources": [5], "totalResults": 5, "startIndex": 5},
        ],
    )
    assert call(lambda w: _iterator(w, "scim", page_size=2).collect()) == [1, 2, 3, 4, 5]
    assert [(q["startIndex"], q["count"]) for q in _queries(scripted)] == [
        (["1"], ["2"]),
        (["3"], ["2"]),
        (["5"], ["2"]),
    ]


def test_scim_stops_at_total_without_an_extra_request(scripted: Any, call: Call) -> None:
    scripted.pages("GET", "/api/Items", [{"Resources": [1, 2], "totalResults": 2}])
    assert call(lambda w: _iterator(w, "scim", page_size=2).collect()) == [1, 2]
    assert len(scripted.requests) == 1


def test_errors_surface_from_the_page_request(scripted: Any, call: Call) -> None:
    scripted.reply("GET", "/api/Items", 500, b"boom")
    with pytest.raises(pywats.ServerError):
        call(lambda w: _iterator(w, "odata").collect())


@pytest.mark.parametrize(("size", "most"), [(0, None), (10, -1)])
def test_bad_arguments(scripted: Any, size: int, most: int | None) -> None:
    with pywats.WATS(scripted.url, "t") as wats, pytest.raises(ValueError, match="must"):
        _iterator(wats, "odata", page_size=size, max_items=most)
