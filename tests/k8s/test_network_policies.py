"""NetworkPolicies: deny by default, then exactly the flows the fleet needs, evaluated like a CNI would.

A small evaluator of the NetworkPolicy features these manifests use (pod and namespace selectors by
labels, ipBlock, TCP/UDP ports): a connection is allowed when the source's egress and the
destination's ingress both allow it (a pod selected by no policy of a direction is open in it).
"""

import ipaddress
from dataclasses import dataclass, field

import pytest

from k8slib import labels

INGRESS_NS = {"kubernetes.io/metadata.name": "ingress-nginx", "fleet.example/ingress-controller": "true"}
METRICS_NS = {"kubernetes.io/metadata.name": "monitoring", "fleet.example/metrics-scraper": "true"}
KUBE_SYSTEM = {"kubernetes.io/metadata.name": "kube-system"}
OTHER_NS = {"kubernetes.io/metadata.name": "someone-else"}
AUTH_DB, CUSTOMERS_DB = "192.0.2.10", "192.0.2.20"  # the prod overlay's placeholders


@dataclass(frozen=True)
class Peer:
    name: str
    labels: dict = field(default_factory=dict, hash=False)
    namespace: dict | None = field(default=None, hash=False)  # None: the fleet's own namespace
    ip: str | None = None  # outside the cluster


def matches(selector: dict, actual: dict) -> bool:
    assert set(selector) <= {"matchLabels"}, f"evaluator does not know {selector}"
    return all(actual.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def peer_matches(rule_peer: dict, peer: Peer, own_ns: dict) -> bool:
    if "ipBlock" in rule_peer:
        block = rule_peer["ipBlock"]
        return peer.ip is not None and ipaddress.ip_address(peer.ip) in ipaddress.ip_network(block["cidr"]) \
            and not any(ipaddress.ip_address(peer.ip) in ipaddress.ip_network(e) for e in block.get("except", []))
    if peer.ip is not None:
        return False
    namespace = peer.namespace if peer.namespace is not None else own_ns
    if "namespaceSelector" in rule_peer:
        if not matches(rule_peer["namespaceSelector"], namespace):
            return False
    elif namespace is not own_ns:
        return False
    return matches(rule_peer.get("podSelector", {}), peer.labels)


def port_matches(rule: dict, port: int, protocol: str) -> bool:
    ports = rule.get("ports")
    return not ports or any(p.get("protocol", "TCP") == protocol and p.get("port") in (None, port) for p in ports)


class Cluster:
    def __init__(self, overlay):
        self.policies = overlay.of_kind("NetworkPolicy")
        [namespace] = overlay.of_kind("Namespace")
        self.own_ns = {"kubernetes.io/metadata.name": namespace["metadata"]["name"]}
        self.pods = {labels(w)["app.kubernetes.io/name"]: Peer(w["metadata"]["name"], labels(w))
                     for w in overlay.workloads()}

    def _side(self, pod: Peer, direction: str, other: Peer, port: int, protocol: str) -> bool:
        if pod.namespace is not None or pod.ip is not None:
            return True  # not ours: those policies are not in these manifests
        key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
        selecting = [p for p in self.policies if direction in p["spec"]["policyTypes"]
                     and matches(p["spec"]["podSelector"], pod.labels)]
        if not selecting:
            return True
        return any(port_matches(rule, port, protocol)
                   and (not rule.get(peers_key) or any(peer_matches(r, other, self.own_ns) for r in rule[peers_key]))
                   for policy in selecting for rule in policy["spec"].get(key) or [])

    def allows(self, source: Peer, destination: Peer, port: int, protocol: str = "TCP") -> bool:
        return (self._side(source, "Egress", destination, port, protocol)
                and self._side(destination, "Ingress", source, port, protocol))


def peers(cluster: Cluster) -> dict[str, Peer]:
    return {
        **cluster.pods,
        "ingress-controller": Peer("ingress-controller", {"app": "ingress-nginx"}, INGRESS_NS),
        "prometheus": Peer("prometheus", {"app": "prometheus"}, METRICS_NS),
        "stranger": Peer("stranger", {"app": "x"}, OTHER_NS),
        "kube-dns": Peer("kube-dns", {"k8s-app": "kube-dns"}, KUBE_SYSTEM),
        "internet": Peer("internet", ip="8.8.8.8"),
        "auth-db": Peer("auth-db", ip=AUTH_DB),
        "customers-db": Peer("customers-db", ip=CUSTOMERS_DB),
    }


def expected_flows(overlay_name: str) -> set[tuple[str, str, int]]:
    flows = {
        ("ingress-controller", "gateway", 8080),
        ("gateway", "auth", 8000), ("gateway", "customers", 8000),
        ("customers", "auth", 8000), ("auth", "customers", 8000),
        ("auth", "redis", 6379), ("customers", "redis", 6379),
        ("prometheus", "auth", 8000), ("prometheus", "customers", 8000),
    }
    if overlay_name == "dev":
        flows |= {("auth", "auth-postgres", 5432), ("customers", "customers-postgres", 5432)}
    else:
        flows |= {("auth", "auth-db", 5432), ("customers", "customers-db", 5432)}
    return flows


PORTS = (8080, 8000, 6379, 5432, 53)


def test_everything_not_listed_is_denied_and_everything_listed_is_allowed(overlay):
    cluster = Cluster(overlay)
    everyone = peers(cluster)
    ours = set(cluster.pods)
    allowed = {(a, b, port) for a in everyone for b in everyone if a != b and {a, b} & ours for port in PORTS
               if b != "kube-dns" and cluster.allows(everyone[a], everyone[b], port)}
    expected = expected_flows(overlay.name)
    assert allowed - expected == set(), "allowed but not needed"
    assert expected - allowed == set(), "needed but denied"
    tried = sum(1 for a in everyone for b in everyone if a != b and {a, b} & ours) * len(PORTS)
    print(f"{overlay.name}: {len(allowed)} flows allowed, all intended, of {tried} tried")


def test_every_pod_of_ours_resolves_names_and_nothing_else_leaves(overlay):
    cluster = Cluster(overlay)
    everyone = peers(cluster)
    for name, pod in cluster.pods.items():
        assert cluster.allows(pod, everyone["kube-dns"], 53, "UDP"), name
        assert cluster.allows(pod, everyone["kube-dns"], 53, "TCP"), name
        assert not cluster.allows(pod, everyone["internet"], 443), name
        assert not cluster.allows(pod, everyone["stranger"], 53, "UDP"), name


def test_default_deny_covers_every_pod(overlay):
    [deny] = [p for p in overlay.of_kind("NetworkPolicy") if p["metadata"]["name"] == "default-deny"]
    assert deny["spec"]["podSelector"] == {} and set(deny["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny["spec"] and "egress" not in deny["spec"]


@pytest.mark.parametrize("cidr", ["192.0.2.10/32", "192.0.2.20/32"])
def test_prod_database_addresses_are_marked_as_placeholders(cidr):
    from k8slib import K8S
    text = (K8S / "overlays" / "prod" / "network-policy-external-db.yaml").read_text()
    [line] = [line for line in text.splitlines() if f"cidr: {cidr}" in line]
    assert "CHANGE ME" in line
