"""The client's flows replayed from cassettes recorded against the live fleet: fast, no servers."""

import pytest

from .client_flows import CASSETTES, FLOWS, cassette


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_flow_replays_from_its_cassette(name):
    assert (CASSETTES / f"{name}.yaml").exists(), "record with `make cassettes`"
    with cassette(name, record=False) as recorded:
        FLOWS[name]("http://fleet.invalid", "recorded-client", "recorded-secret")
    assert recorded.all_played


def test_cassettes_hold_no_live_token():
    for path in CASSETTES.glob("*.yaml"):
        text = path.read_text()
        assert "eyJ" not in text, f"{path.name} holds a JWT"
        assert "Authorization" not in text and "authorization" not in text
