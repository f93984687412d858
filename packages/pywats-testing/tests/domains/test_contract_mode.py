"""Contract mode bites: a request off the spec is refused with the reason."""

from __future__ import annotations

import httpx

from pywats_testing import FakeWatsServer


def test_a_wrong_parameter_name_is_refused(contract_wats: FakeWatsServer) -> None:
    # pyWATS once sent processCode here; the spec requires processName.
    response = httpx.put(
        contract_wats.url + "/api/Production/SetUnitProcess",
        params={"serialNumber": "1", "partNumber": "2", "processCode": "10"},
        headers={"Authorization": f"Basic {contract_wats.token}"},
    )
    assert response.status_code == 400
    text = response.json()["Message"]
    assert "query parameter 'processCode' is not in the spec" in text
    assert "processName" in text


def test_a_body_off_its_schema_is_refused(contract_wats: FakeWatsServer) -> None:
    response = httpx.put(
        contract_wats.url + "/api/Product",
        json={"partNumber": 5},
        headers={"Authorization": f"Basic {contract_wats.token}"},
    )
    assert response.status_code == 400
    assert "partNumber: 5 is not of type 'string'" in response.json()["Message"]
