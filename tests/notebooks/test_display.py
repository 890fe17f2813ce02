"""How eksy's objects look in IPython and Jupyter: the pretty form (IPython's printer) and the
HTML form of every response model with every member set, errors, clients and to_rows tables.

The HTML is parsed (html.parser, strictly nested) and checked against the model it shows:
a row per member that was set, nested models, lists and maps as <details> sections, values
as text (a tag in a value stays text), nothing that runs or loads, and no secret anywhere.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timezone
from typing import Any

import eksy
import pytest
from eksy._generated import eks_models, eksauth_models
from eksy._model_base import Model
from eksy.testing import LocalEKS
from html_tree import Node, parse
from model_data import ALL_OPERATIONS, output_shape, service_model

ipython_pretty = pytest.importorskip("IPython.lib.pretty", reason="the pretty form is IPython's (pip install ipython)")
formatters = pytest.importorskip("IPython.core.formatters")

pretty = ipython_pretty.pretty
UTC = timezone.utc
WHEN = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
SENSITIVE = "<sensitive>"

WITH_OUTPUT = [
    operation
    for service, operation in ALL_OPERATIONS
    if (shape := output_shape(service, operation)) and service_model(service)["shapes"][shape].get("members")
]

# Distinctive values: any of them showing up in a display is a leak.
SECRETS = {
    "access_key_id": "ASIAQUITESECRETKEYID",
    "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY",
    "session_token": "IQoJb3JpZ2luX2VjSESSIONTOKENVALUE",
}
EXPIRATION = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)


def set_members(model: Model) -> list[tuple[str, Any]]:
    return [(name, value) for name in model._field_names if (value := getattr(model, name)) is not None]


def all_hidden(model: Model) -> bool:
    return set(model._field_names) <= model._hidden_fields


# -- HTML checks -----------------------------------------------------------------------------


def check_value(cell: Node, value: Any, name: str) -> None:
    """``cell`` shows ``value``: scalars as their text, containers as <details> sections."""
    if isinstance(value, Model):
        if all_hidden(value):
            assert SENSITIVE in cell.text() and cell.find("table") is None
            return
        section = cell.child("details")
        assert type(value).__name__ in section.child("summary").text()
        check_model_table(section.child("table"), value)
    elif isinstance(value, list):
        if not value:
            assert "empty" in cell.text()
            return
        section = cell.child("details")
        assert f"{len(value)} item" in section.child("summary").text()
        rows = section.child("table").rows()
        assert len(rows) == len(value)
        for row, item in zip(rows, value, strict=True):
            check_value(row.child("td"), item, name)
    elif isinstance(value, dict):
        if not value:
            assert "empty" in cell.text()
            return
        section = cell.child("details")
        rows = section.child("table").rows()
        assert [row.child("th").text() for row in rows] == list(value)
        for row, item in zip(rows, value.values(), strict=True):
            check_value(row.child("td"), item, name)
    elif isinstance(value, str) and len(value) > 200:
        # Folded: the start in the summary, all of it inside.
        section = cell.child("details")
        assert f"({len(value):,} chars)" in section.child("summary").text()
        assert section.child("div").text() == value
    elif isinstance(value, str):
        assert cell.text() == value
    elif isinstance(value, datetime):
        assert cell.text() == value.strftime("%Y-%m-%d %H:%M:%S UTC")
    elif isinstance(value, bytes):
        assert f"{len(value)} bytes" in cell.text()
    else:
        assert cell.text() == repr(value), name


def check_model_table(table: Node, model: Model) -> None:
    """A row per member that was set, in order, each showing its value (secrets masked)."""
    rows = table.rows()
    members = set_members(model)
    assert [row.child("th").text() for row in rows] == [name for name, _ in members]
    for row, (name, value) in zip(rows, members, strict=True):
        cell = row.child("td")
        if name in model._hidden_fields:
            assert cell.text() == SENSITIVE
        else:
            check_value(cell, value, name)


def check_inert(markup: str, tree: Node) -> None:
    """Nothing in the HTML runs code or fetches anything."""
    lowered = markup.lower()
    assert "<script" not in lowered and "javascript:" not in lowered
    for node in tree.walk():
        assert node.tag not in ("script", "iframe", "object", "embed", "link", "img", "style", "base", "form")
        for attribute, value in node.attrs.items():
            assert not attribute.startswith("on"), attribute
            if attribute in ("src", "href", "srcset", "action"):
                raise AssertionError(f"{attribute}={value!r}")
            assert "url(" not in (value or ""), value


def model_box(model: Model) -> tuple[Node, Node]:
    markup = model._repr_html_()
    tree = parse(markup)
    check_inert(markup, tree)
    (box,) = tree.elements()
    assert box.tag == "div"
    return tree, box


@pytest.mark.parametrize("operation", WITH_OUTPUT)
def test_html_form_shows_every_member_that_was_set(full_responses: dict[str, Any], operation: str) -> None:
    response = full_responses[operation]
    _, box = model_box(response)
    assert type(response).__name__ in box.elements()[0].text()
    check_model_table(box.child("table"), response)


def test_nested_models_and_lists_are_collapsible(full_responses: dict[str, Any]) -> None:
    cluster = full_responses["DescribeCluster"].cluster
    _, box = model_box(cluster)
    cells = {row.child("th").text(): row.child("td") for row in box.child("table").rows()}
    vpc = cells["resources_vpc_config"].child("details")
    assert "VpcConfigResponse" in vpc.child("summary").text()
    assert "subnet_ids" in [row.child("th").text() for row in vpc.child("table").rows()]
    issues = cells["encryption_config"].child("details")
    assert "1 item" in issues.child("summary").text()
    # A status is a coloured badge; so is the headline's.
    badge = cells["status"].child("span")
    assert "background:#" in (badge.attrs.get("style") or "") and badge.text() == cluster.status


def test_a_response_with_one_member_opens_it(full_responses: dict[str, Any]) -> None:
    _, box = model_box(full_responses["DescribeCluster"])
    (row,) = box.child("table").rows()
    assert "open" in row.child("td").child("details").attrs


def test_tags_in_values_stay_text() -> None:
    long_value = "x" * 250 + "<b>inside a long value</b>"
    cluster = eks_models.Cluster(
        name="<b>bold</b>",
        arn=long_value,
        status="<script>alert(1)</script>",
        tags={"<i>key</i>": '"><img src=http://example.com/x.png>'},
        resources_vpc_config=eks_models.VpcConfigResponse(subnet_ids=["<a href='http://example.com'>x</a>"]),
        created_at=WHEN,
    )
    tree, box = model_box(cluster)
    assert not tree.find_all("i") and not tree.find_all("a") and not tree.find_all("script")
    # <b> is only used for type names.
    assert {b.text() for b in tree.find_all("b")} <= {"Cluster", "VpcConfigResponse"}
    text = tree.text()
    for value in ("<b>bold</b>", "<script>alert(1)</script>", "<i>key</i>", '"><img src=http://example.com/x.png>'):
        assert value in text
    assert "<a href='http://example.com'>x</a>" in text and long_value in text
    check_model_table(box.child("table"), cluster)


# -- the pretty form -------------------------------------------------------------------------


def member_names(value: Any) -> list[str]:
    """Every member name set anywhere in ``value`` (nested models, lists, maps)."""
    if isinstance(value, Model):
        names = []
        for name, item in set_members(value):
            names.append(name)
            if name not in value._hidden_fields:
                names += member_names(item)
        return names
    if isinstance(value, list):
        return [name for item in value for name in member_names(item)]
    if isinstance(value, dict):
        return [name for item in value.values() for name in member_names(item)]
    return []


@pytest.mark.parametrize("width", [79, 120])
def test_pretty_cluster_fits_120_columns_and_shows_every_member_sent(
    full_responses: dict[str, Any], width: int
) -> None:
    cluster = full_responses["DescribeCluster"].cluster
    text = pretty(cluster, max_width=width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 120
    assert lines[0] == "Cluster(" and lines[-1] == ")"
    top = [line[4:].split("=", 1)[0] for line in lines if re.match(r"    [a-z_]+=", line)]
    assert top == [name for name, _ in set_members(cluster)]
    for name in member_names(cluster):
        assert re.search(rf"(?<![a-z_]){name}=", text), name


def test_pretty_form_of_a_real_cluster(emulator: LocalEKS) -> None:
    eks = emulator.client()
    eks.create_cluster(
        name="pretty",
        role_arn="arn:aws:iam::123456789012:role/eks",
        resources_vpc_config={"subnet_ids": ["subnet-1", "subnet-2"]},
    )
    cluster = eks.describe_cluster(name="pretty").cluster
    assert cluster is not None and cluster.certificate_authority is not None
    text = pretty(cluster)
    assert max(len(line) for line in text.splitlines()) <= 120
    data = cluster.certificate_authority.data
    assert data is not None and len(data) > 120
    assert data not in text and f"({len(data):,} chars)" in text
    assert "    status='ACTIVE'," in text.splitlines()
    emulator.reset()


@pytest.mark.parametrize("operation", WITH_OUTPUT)
def test_pretty_lines_fit_120_columns(full_responses: dict[str, Any], operation: str) -> None:
    text = pretty(full_responses[operation])
    assert max(len(line) for line in text.splitlines()) <= 120


def test_pretty_leaves_out_what_was_not_sent_and_reads_timestamps() -> None:
    cluster = eks_models.Cluster(name="a", created_at=WHEN, status="ACTIVE")
    assert (
        pretty(cluster) == "Cluster(\n    name='a',\n    created_at=2024-01-02 03:04:05 UTC,\n    status='ACTIVE',\n)"
    )
    assert pretty(eks_models.DeleteClusterResponse()) == "DeleteClusterResponse()"


def test_pretty_shortens_long_lists_maps_and_strings_with_a_count() -> None:
    cluster = eks_models.Cluster(
        name="many",
        resources_vpc_config=eks_models.VpcConfigResponse(subnet_ids=[f"subnet-{i:02d}" for i in range(25)]),
        tags={f"key-{i:02d}": "v" for i in range(30)},
        certificate_authority=eks_models.Certificate(data="A" * 1500),
    )
    text = pretty(cluster)
    assert "subnet-09" in text and "subnet-10" not in text and "… 15 more" in text
    assert "'key-09'" in text and "'key-10'" not in text and "… 20 more" in text
    assert "(1,500 chars)" in text and "A" * 200 not in text
    assert max(len(line) for line in text.splitlines()) <= 120


def test_models_in_a_list_keep_their_pretty_form() -> None:
    taints = [eks_models.Taint(key="dedicated", value="gpu", effect="NO_SCHEDULE") for _ in range(2)]
    text = pretty(taints)
    assert text.count("Taint(key='dedicated', value='gpu', effect='NO_SCHEDULE')") == 2


def test_repr_stays_the_dataclass_repr(full_responses: dict[str, Any]) -> None:
    cluster = eks_models.Cluster(name="a", created_at=WHEN)
    assert repr(cluster).startswith("Cluster(name='a', arn=None, created_at=datetime.datetime(2024, 1, 2, 3, 4, 5")
    assert "\n" not in repr(full_responses["DescribeCluster"])


def test_ipython_display_uses_both_forms(full_responses: dict[str, Any]) -> None:
    cluster = full_responses["DescribeCluster"].cluster
    data, _ = formatters.DisplayFormatter().format(cluster)
    assert data["text/plain"] == pretty(cluster)
    assert data["text/html"] == cluster._repr_html_()


# -- secrets ---------------------------------------------------------------------------------


def pod_identity_response() -> eksauth_models.AssumeRoleForPodIdentityResponse:
    return eksauth_models.AssumeRoleForPodIdentityResponse(
        subject=eksauth_models.Subject(namespace="shop", service_account="cart"),
        audience="pods.eks.amazonaws.com",
        pod_identity_association=eksauth_models.PodIdentityAssociation(association_arn="arn:a", association_id="a-1"),
        assumed_role_user=eksauth_models.AssumedRoleUser(
            arn="arn:aws:sts::1:assumed-role/cart/s", assume_role_id="AROA"
        ),
        credentials=eksauth_models.Credentials(**SECRETS, expiration=EXPIRATION),
    )


def every_form(value: Any) -> dict[str, str]:
    data, _ = formatters.DisplayFormatter().format(value)
    forms = {"repr": repr(value), "str": str(value), "pretty": pretty(value), **data}
    html_form = getattr(value, "_repr_html_", None)
    if html_form is not None:
        forms["html"] = html_form()
    return forms


def assert_no_secret(forms: dict[str, str], secrets: list[str]) -> None:
    for kind, text in forms.items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} shows in the {kind} form"


def test_credentials_are_masked_in_every_form() -> None:
    response = pod_identity_response()
    secrets = [*SECRETS.values(), "2031"]
    rows = eksy.to_rows([response])
    for value in (response, response.credentials, [response], rows):
        assert_no_secret(every_form(value), secrets)
    waiter_error = eksy.WaiterError("failed", waiter="w", reason="r", last_response=response)
    assert_no_secret(every_form(waiter_error), secrets)
    html_form = response._repr_html_()
    assert "&lt;sensitive&gt;" in html_form
    assert "credentials=<sensitive>," in pretty(response).splitlines()[-2]
    assert rows[0]["credentials"] == SENSITIVE
    assert pretty(response.credentials) == "Credentials(<sensitive>)"
    # The values are still there for code that asks.
    assert response.credentials.secret_access_key == SECRETS["secret_access_key"]


def test_wire_credentials_are_masked(full_responses: dict[str, Any]) -> None:
    response = full_responses["AssumeRoleForPodIdentity"]
    credentials = response.credentials
    secrets = [credentials.access_key_id, credentials.secret_access_key, credentials.session_token]
    assert all(secrets)
    assert_no_secret(every_form(response), secrets)
    assert_no_secret(every_form(eksy.to_rows([response], depth=3)), secrets)


def test_kubernetes_token_is_masked() -> None:
    token_module = pytest.importorskip("eksy.kube._token", reason="eksy.kube.Token has not landed yet")
    import dataclasses

    secret = "k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS9TRUNSRVQ"
    values: dict[str, Any] = {}
    for field in dataclasses.fields(token_module.Token):
        annotation = str(field.type)
        if field.name == "token":
            values[field.name] = secret
        elif "datetime" in annotation:
            values[field.name] = EXPIRATION
        elif "int" in annotation or "float" in annotation:
            values[field.name] = 1
        else:
            values[field.name] = "prod"
    token = token_module.Token(**values)
    assert_no_secret(every_form(token), [secret])
    assert_no_secret(every_form([token]), [secret])


def test_client_shows_region_and_endpoint_but_no_credentials(emulator: LocalEKS) -> None:
    client = eksy.EKS(
        region="eu-west-1",
        endpoint_url=emulator.endpoint_url,
        aws_access_key_id="AKIAQUITESECRET",
        aws_secret_access_key=SECRETS["secret_access_key"],
        aws_session_token=SECRETS["session_token"],
    )
    forms = every_form(client)
    assert_no_secret(forms, [SECRETS["secret_access_key"], SECRETS["session_token"], "AKIAQUITESECRET"])
    tree = parse(forms["html"])
    check_inert(forms["html"], tree)
    assert "eu-west-1" in tree.text() and emulator.endpoint_url in tree.text()
    assert "the AWS endpoint" in parse(eksy.EKS(region="eu-west-1")._repr_html_()).text()


# -- errors ----------------------------------------------------------------------------------


def test_service_error_shows_code_message_status_request_id_and_fields(emulator: LocalEKS) -> None:
    emulator.queue_error(
        "DescribeCluster",
        code="ResourceNotFoundException",
        message="No cluster <b>prod</b>",
        status=404,
        fields={"clusterName": "prod", "nodegroupName": "workers"},
    )
    with pytest.raises(eksy.ResourceNotFoundException) as caught:
        emulator.client().describe_cluster(name="prod")
    error = caught.value
    assert error.request_id
    markup = error._repr_html_()
    tree = parse(markup)
    check_inert(markup, tree)
    (box,) = tree.elements()
    assert "ResourceNotFoundException" in box.elements()[0].text() and "HTTP 404" in box.elements()[0].text()
    assert "No cluster <b>prod</b>" in tree.text() and not tree.find_all("b")[1:]
    cells = {row.child("th").text(): row.child("td").text() for row in box.child("table").rows()}
    assert cells == {
        "code": "ResourceNotFoundException",
        "status_code": "404",
        "request_id": error.request_id,
        "operation": "DescribeCluster",
        "cluster_name": "prod",
        "nodegroup_name": "workers",
    }
    lines = pretty(error).splitlines()
    assert lines[0] == "ResourceNotFoundException("
    for expected in (
        "    code='ResourceNotFoundException',",
        "    message='No cluster <b>prod</b>',",
        "    status_code=404,",
        f"    request_id={error.request_id!r},",
        "    cluster_name='prod',",
    ):
        assert expected in lines
    data, _ = formatters.DisplayFormatter().format(error)
    assert "text/html" in data


def test_waiter_error_shows_the_last_response(emulator: LocalEKS) -> None:
    eks = emulator.client()
    eks.create_cluster(
        name="doomed",
        role_arn="arn:aws:iam::123456789012:role/eks",
        resources_vpc_config={"subnet_ids": ["subnet-1", "subnet-2"]},
    )
    emulator.force_status("cluster", "doomed", "FAILED")
    with pytest.raises(eksy.WaiterError) as caught:
        eks.wait.cluster_active(name="doomed", delay=0.1)
    markup = caught.value._repr_html_()
    tree = parse(markup)
    check_inert(markup, tree)
    (box,) = tree.elements()
    cells = {row.child("th").text(): row.child("td") for row in box.child("table").rows()}
    assert cells["waiter"].text() == "cluster_active" and cells["status"].text() == "FAILED"
    section = cells["last_response"].child("details")
    check_model_table(section.child("table"), caught.value.last_response)
    text = pretty(caught.value)
    assert "    waiter='cluster_active'," in text.splitlines() and "last_response=DescribeClusterResponse(" in text
    assert max(len(line) for line in text.splitlines()) <= 120
    emulator.reset()


def test_client_side_error_shows_its_message() -> None:
    error = eksy.ParamValidationError("must be >= 1", path="scaling_config.min_size")
    text = pretty(error)
    assert "path='scaling_config.min_size'" in text and "message='Invalid parameter" in text
    assert "scaling_config.min_size" in parse(error._repr_html_()).text()


# -- to_rows ---------------------------------------------------------------------------------


def test_to_rows_of_names_from_a_paginator(emulator: LocalEKS) -> None:
    eks = emulator.client()
    for name in ("a", "b", "c"):
        eks.create_cluster(
            name=name,
            role_arn="arn:aws:iam::123456789012:role/eks",
            resources_vpc_config={"subnet_ids": ["subnet-1", "subnet-2"]},
        )
    assert eksy.to_rows(eks.paginate.list_clusters(page_size=2)) == [{"name": "a"}, {"name": "b"}, {"name": "c"}]
    assert eksy.to_rows(["x"], column="cluster") == [{"cluster": "x"}]
    emulator.reset()


def test_to_rows_flattens_one_level_with_dotted_keys() -> None:
    nodegroup = eks_models.Nodegroup(
        nodegroup_name="workers",
        status="ACTIVE",
        created_at=WHEN,
        scaling_config=eks_models.NodegroupScalingConfig(min_size=1, max_size=3),
        resources=eks_models.NodegroupResources(auto_scaling_groups=[eks_models.AutoScalingGroup(name="asg")]),
        health=eks_models.NodegroupHealth(issues=[]),
        labels={"pool": "general"},
    )
    (row,) = eksy.to_rows([nodegroup])
    assert row == {
        "nodegroup_name": "workers",
        "created_at": WHEN,
        "status": "ACTIVE",
        "scaling_config.min_size": 1,
        "scaling_config.max_size": 3,
        "labels": {"pool": "general"},
        "resources.auto_scaling_groups": [{"name": "asg"}],
        "health.issues": [],
    }
    assert list(row) == [k for k in row]  # model order
    (whole,) = eksy.to_rows([nodegroup], depth=0)
    assert whole["scaling_config"] == {"min_size": 1, "max_size": 3}
    (mapping,) = eksy.to_rows([{"a": {"b": {"c": 1}}, "d": 2}])
    assert mapping == {"a.b": {"c": 1}, "d": 2}
    assert eksy.to_rows([{"a": {"b": {"c": 1}}}], depth=2) == [{"a.b.c": 1}]


def test_to_rows_refuses_what_is_not_a_list_of_items() -> None:
    for wrong in ("clusters", eks_models.Cluster(name="a"), {"name": "a"}):
        with pytest.raises(TypeError):
            eksy.to_rows(wrong)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        eksy.to_rows([1])
    with pytest.raises(ValueError):
        eksy.to_rows([], depth=-1)


def test_to_rows_table_in_jupyter(full_responses: dict[str, Any]) -> None:
    clusters = [full_responses["DescribeCluster"].cluster, eks_models.Cluster(name="<b>second</b>")]
    rows = eksy.to_rows(clusters)
    markup = rows._repr_html_()  # type: ignore[attr-defined]
    tree = parse(markup)
    check_inert(markup, tree)
    table = tree.find("table")
    assert table is not None
    header = [th.text() for th in table.child("thead").child("tr").elements()]
    assert header == list(rows[0])
    body = table.rows()
    assert len(body) == 2 and "<b>second</b>" in body[1].text()
    many = eksy.to_rows(f"name-{i}" for i in range(150))
    assert "50 more rows" in parse(many._repr_html_()).text()  # type: ignore[attr-defined]


def test_to_rows_goes_into_a_dataframe(full_responses: dict[str, Any]) -> None:
    pandas = pytest.importorskip("pandas", reason="pandas is optional: to_rows only needs to make what it takes")
    clusters = [full_responses["DescribeCluster"].cluster, eks_models.Cluster(name="b", status="CREATING")]
    rows = eksy.to_rows(clusters)
    frame = pandas.DataFrame(rows)
    assert list(frame["name"]) == ["name1", "b"]
    assert list(frame.columns) == list(rows[0])
    assert frame.loc[0, "resources_vpc_config.vpc_id"] == "vpcid1"
    assert frame.loc[0, "created_at"] == WHEN
    assert pandas.isna(frame.loc[1, "arn"])
    assert frame.to_dict("records")[0]["kubernetes_network_config.ip_family"] == "ipv4"


# -- cost ------------------------------------------------------------------------------------


def test_display_code_loads_only_when_something_is_displayed() -> None:
    code = (
        "import sys, eksy\n"
        "from eksy._generated.eks_models import Cluster\n"
        "c = Cluster(name='x')\n"
        "repr(c); c.to_dict(); c == c; eksy.EKS(region='us-west-2')\n"
        "display = ('eksy._display', 'eksy._display_html', 'eksy._rows', 'html', 'IPython')\n"
        "print(sorted(m for m in display if m in sys.modules))\n"
        "c._repr_html_()\n"
        "print('eksy._display' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["[]", "True"]
