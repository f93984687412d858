"""What the client refuses before sending, and how it reads answers that do not fit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

import pywats
from pywats import AssetRef
from pywats import _operations as ops
from pywats._payload import parse, parse_list
from pywats.models import Product


def _client(answer: httpx.Response, sent: list[httpx.Request]) -> pywats.WATS:
    def reply(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return answer

    return pywats.WATS("http://wats.invalid", "dA==", transport=httpx.MockTransport(reply))


@pytest.mark.parametrize(
    ("call", "error", "text"),
    [
        (lambda w: w.software.package_by_name("Fw", "Shipped"), ValueError, "WATS knows"),
        (lambda w: w.asset.set_state(AssetRef.by_serial("A"), 7), ValueError, "0 to 6"),
        (lambda w: w.asset.set_count(AssetRef.by_serial("A")), ValueError, "total_count or"),
        (lambda w: w.asset.status("A"), TypeError, "name the asset with AssetRef"),
        (lambda w: w.rootcause.tickets(64, 2), ValueError, "flags 1..32"),
        (lambda w: w.rootcause.archive_tickets([]), ValueError, "at least one"),
        (lambda w: w.scim.create_user({"active": True}), ValueError, "userName"),
        (lambda w: w.scim.update_user("u", {}), ValueError, "at least one"),
        (lambda w: w.production.take_serial_numbers("MAC", 0), ValueError, "at least 1"),
        (lambda w: w.system.level_id("Norway"), TypeError, "not one string"),
        (lambda w: w.system.create_levels([]), ValueError, "at least one level"),
        (lambda w: w.system.client(), ValueError, "exactly one of name or identifier"),
        (lambda w: w.product.get(""), ValueError, "must not be empty"),
    ],
)
def test_refused_before_sending(call: Callable[[Any], Any], error: type, text: str) -> None:
    sent: list[httpx.Request] = []
    with _client(httpx.Response(200, json={}), sent) as wats, pytest.raises(error, match=text):
        call(wats)
    assert sent == []


def test_operation_arguments_are_checked_against_the_spec() -> None:
    with pytest.raises(TypeError, match="path parameter 'partNumber' is missing"):
        ops.Product_PublicGetProduct.url({})
    with pytest.raises(TypeError, match="no path parameter named"):
        ops.Product_PublicGetProduct.url({"partNumber": "P", "revision": "A"})
    with pytest.raises(ValueError, match="'maxCount' is required"):
        ops.Production_GetUnitChanges.check_query({})
    with pytest.raises(TypeError, match="no query parameter"):
        ops.Production_GetUnitChanges.check_query({"maxCount": 1, "$top": 5})
    ops.Product_PublicGetProducts.check_query({"$filter": "x", "$top": 1})  # OData options


def test_a_body_for_an_operation_without_one_is_refused() -> None:
    sent: list[httpx.Request] = []
    client = _client(httpx.Response(200, json={}), sent)
    with client as wats, pytest.raises(TypeError, match="no request body"):
        wats.api.send(ops.App_Levels, json={"x": 1})
    assert sent == []


def test_answers_that_do_not_fit_the_model_are_errors() -> None:
    with pytest.raises(pywats.PyWATSError, match="expected a JSON object"):
        parse(Product, [1], "op")
    with pytest.raises(pywats.PyWATSError, match="does not fit"):
        parse(Product, {"productId": "not a uuid"}, "op")
    with pytest.raises(pywats.PyWATSError, match="JSON array of Product"):
        parse_list(Product, {"x": 1}, "op")
    assert parse_list(Product, None, "op") == []
    assert [p.part_number for p in parse_list(Product, {"value": [{"partNumber": "A"}]}, "op")] == [
        "A"
    ]


def test_a_text_answer_to_a_command_comes_back_as_text() -> None:
    sent: list[httpx.Request] = []
    answer = httpx.Response(200, text="<SerialNumbers/>")
    with _client(answer, sent) as wats:
        assert wats.production.take_serial_numbers("MAC", 1) == "<SerialNumbers/>"
        assert wats.production.set_unit_phase("S", "P", 1) is None


def test_an_upload_answer_without_an_id_is_an_error() -> None:
    client = _client(httpx.Response(200, json={}), [])
    with client as wats, pytest.raises(pywats.PyWATSError, match="attachment's id"):
        wats.rootcause.upload_attachment(b"x", "a.txt")


def test_status_must_be_an_object_of_strings() -> None:
    client = _client(httpx.Response(200, json=["x"]), [])
    with client as wats, pytest.raises(pywats.PyWATSError, match="status values"):
        wats.system.status()
    with _client(httpx.Response(200, json={"Reports": 3}), []) as wats:
        assert wats.system.status() == {"Reports": "3"}


@pytest.mark.parametrize(
    ("make", "text"),
    [
        (lambda: AssetRef.by_serial(""), "serial number must be a non-empty string"),
        (lambda: AssetRef.by_id(""), "id must be a non-empty string"),
        (lambda: AssetRef("name", "x"), "by 'id' or 'serialNumber'"),  # type: ignore[arg-type]
    ],
)
def test_an_asset_reference_must_name_something(make: Callable[[], Any], text: str) -> None:
    with pytest.raises(ValueError, match=text):
        make()


def test_an_asset_reference_says_what_it_names() -> None:
    assert str(AssetRef.by_serial("FIX-17")) == "the asset with serial number 'FIX-17'"
    assert AssetRef.by_id("7") == AssetRef("id", "7")
