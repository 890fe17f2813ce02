"""The emulator's page (``GET /`` and ``GET /_eksy/``) as headless Chromium renders it, loaded
before and while a test creates resources, read back from the DOM Chromium dumps.

Set ``EKSY_PAGE_SCREENSHOT=docs/emulator-page.png`` to refresh the README's screenshot."""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from eksy.testing import LocalEKS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (Debian: apt-get install -y chromium)"
)

ROLE = "arn:aws:iam::123456789012:role/eks-cluster"
NODE_ROLE = "arn:aws:iam::123456789012:role/eks-node"
SUBNETS = ["subnet-0a1", "subnet-0b2"]


@dataclass
class Row:
    classes: str
    cells: list[str]


@dataclass
class Page:
    """What the DOM holds: text per section, table rows, and every tag with its attributes."""

    text: str = ""
    sections: dict[str, str] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._section: str | None = None
        self._row: Row | None = None
        self._cell: list[str] | None = None
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.page.tags.append((tag, attributes))
        if tag == "section":
            self._section = attributes.get("id") or ""
            self.page.sections.setdefault(self._section, "")
        elif tag == "tr":
            self._row = Row(attributes.get("class") or "", [])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "style":
            self._in_style = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._section = None
        elif tag == "tr" and self._row is not None:
            self.page.rows.append(self._row)
            self._row = None
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.cells.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            return
        self.page.text += data
        if self._section is not None:
            self.page.sections[self._section] += data
        if self._cell is not None:
            self._cell.append(data)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with its own profile directory (runs in parallel do not share one)."""
    assert CHROMIUM is not None
    profile = tmp_path / f"chromium-profile-{len(list(tmp_path.iterdir()))}"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def load(tmp_path: Path, url: str) -> Page:
    dom = chromium(tmp_path, "--dump-dom", url).stdout
    assert "<html" in dom, "Chromium dumped no page"
    reader = _Reader()
    reader.feed(dom)
    reader.close()
    return reader.page


def boto(local: LocalEKS, service: str = "eks") -> Any:
    import boto3

    return boto3.client(
        service,
        endpoint_url=local.endpoint_url,
        region_name=local.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_both_addresses_answer_the_page_as_html(local_eks: LocalEKS) -> None:
    """``/_eksy/`` always; ``/`` when the client asks for HTML, as browsers do (else it is the API's)."""
    for path, accept in (("/", "text/html,application/xhtml+xml"), ("/_eksy/", "*/*")):
        request = urllib.request.Request(local_eks.endpoint_url + path, headers={"Accept": accept})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
            assert response.headers.get_content_type() == "text/html"
            assert '<meta http-equiv="refresh" content="2">' in response.read().decode()


def test_the_page_shows_what_the_emulator_holds(local_eks: LocalEKS, tmp_path: Path) -> None:
    empty = load(tmp_path, local_eks.endpoint_url + "/")
    assert "No clusters yet" in empty.sections["clusters"]
    assert local_eks.endpoint_url in empty.text

    identity = local_eks.add_identity("arn:aws:iam::123456789012:user/page-viewer")
    eks = local_eks.client(credentials=identity)
    eks.create_cluster(name="demo", role_arn=ROLE, resources_vpc_config={"subnet_ids": SUBNETS})
    eks.create_nodegroup(cluster_name="demo", nodegroup_name="workers", subnets=SUBNETS, node_role=NODE_ROLE)
    boto3_eks = boto(local_eks)
    with pytest.raises(ClientError):
        boto3_eks.describe_cluster(name="missing")
    local_eks.queue_error("DeleteCluster", "ResourceInUseException", count=2)

    for path in ("/", "/_eksy/"):
        page = load(tmp_path, local_eks.endpoint_url + path)
        clusters = page.sections["clusters"]
        assert "demo" in clusters and "ACTIVE" in clusters
        assert any(row.cells[:2] == ["workers", "ACTIVE"] for row in page.rows), "the node group's row"
        failed = [row for row in page.rows if "error" in row.classes.split()]
        assert len(failed) == 1
        assert "DescribeCluster" in failed[0].cells
        assert "ResourceNotFoundException" in failed[0].cells
        assert "GET /clusters/missing" in failed[0].cells
        assert "404" in failed[0].cells
        ok = [row for row in page.rows if "CreateNodegroup" in row.cells]
        assert ok and "error" not in ok[0].classes
        assert "DeleteCluster" in page.sections["faults"]
        # Nothing secret, nothing that runs, nothing fetched from elsewhere.
        assert identity.secret_access_key not in page.text
        assert all(tag != "script" for tag, _ in page.tags)
        assert all("src" not in attributes and "href" not in attributes for _, attributes in page.tags)
        assert ("meta", {"http-equiv": "refresh", "content": "2"}) in page.tags


def test_a_screenshot_of_the_page(local_eks: LocalEKS, tmp_path: Path) -> None:
    """A picture of a busy emulator: the README's, when EKSY_PAGE_SCREENSHOT names where to put it."""
    local_eks.set_timings(preset="realistic")
    eks = local_eks.client()
    eks.create_cluster(
        name="demo",
        role_arn=ROLE,
        resources_vpc_config={"subnet_ids": SUBNETS},
        version="1.33",
        access_config={"authentication_mode": "API_AND_CONFIG_MAP"},
    )
    local_eks.advance(3600)
    eks.create_nodegroup(
        cluster_name="demo",
        nodegroup_name="workers",
        subnets=SUBNETS,
        node_role=NODE_ROLE,
        scaling_config={"min_size": 1, "max_size": 5, "desired_size": 3},
    )
    eks.create_addon(cluster_name="demo", addon_name="vpc-cni")
    eks.create_fargate_profile(
        cluster_name="demo",
        fargate_profile_name="batch",
        pod_execution_role_arn="arn:aws:iam::123456789012:role/eks-fargate",
        subnets=SUBNETS,
        selectors=[{"namespace": "batch"}],
    )
    eks.create_access_entry(cluster_name="demo", principal_arn="arn:aws:iam::123456789012:role/developers")
    eks.associate_access_policy(
        cluster_name="demo",
        principal_arn="arn:aws:iam::123456789012:role/developers",
        policy_arn="arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
        access_scope={"type": "cluster"},
    )
    eks.create_cluster(name="staging", role_arn=ROLE, resources_vpc_config={"subnet_ids": SUBNETS})
    local_eks.advance(120)
    with pytest.raises(ClientError):
        boto(local_eks).describe_cluster(name="prod")
    local_eks.queue_error("DescribeCluster", "ThrottlingException", count=2)
    local_eks.set_latency(0.05)
    local_eks.set_error_rate(0.1, "CreateNodegroup")
    eks.list_clusters()

    picture = tmp_path / "emulator-page.png"
    chromium(
        tmp_path, "--hide-scrollbars", "--window-size=1280,1500", f"--screenshot={picture}", local_eks.endpoint_url
    )
    data = picture.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
    target = os.environ.get("EKSY_PAGE_SCREENSHOT")
    if target:
        shutil.copyfile(picture, target)
