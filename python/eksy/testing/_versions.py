"""LocalEKS's control of the Kubernetes version catalog: the one list of versions and support
dates that DescribeClusterVersions, the versions CreateCluster and UpdateClusterVersion accept,
the default version, node group release versions, add-on compatibility and insights all read."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, TypedDict, cast

__all__ = ["CatalogDate", "CatalogVersion", "VersionCatalogControls"]

#: A day (``datetime.date`` or ``"YYYY-MM-DD"``, UTC), a moment (``datetime.datetime``; naive
#: means UTC) or epoch seconds.
CatalogDate = datetime.date | datetime.datetime | str | float


class _CatalogVersionRequired(TypedDict):
    version: str
    release_date: CatalogDate
    end_of_standard_support: CatalogDate
    end_of_extended_support: CatalogDate


class CatalogVersion(_CatalogVersionRequired, total=False):
    """One Kubernetes version of the catalog. A version is offered from ``release_date``, in
    standard support until ``end_of_standard_support``, in extended support until
    ``end_of_extended_support``. :meth:`VersionCatalogControls.version_catalog` returns the
    dates as epoch seconds."""

    #: ``eks.N`` (default ``eks.1``).
    platform_version: str
    #: ``1.NN.P`` (default ``1.NN.0``), the patch AMI release versions carry.
    kubernetes_patch_version: str


class _Controls(Protocol):
    def control(self, command: str, args: Any = None) -> dict[str, Any]: ...
    @property
    def region(self) -> str: ...
    @property
    def account_id(self) -> str: ...


def _date(value: CatalogDate) -> str | float:
    if isinstance(value, datetime.datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=datetime.timezone.utc)
        return moment.timestamp()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return value
    raise TypeError(f"a catalog date is a date, a datetime, 'YYYY-MM-DD' or epoch seconds, not {value!r}")


_DATES = ("release_date", "end_of_standard_support", "end_of_extended_support")


class VersionCatalogControls:
    """Mixed into :class:`LocalEKS`."""

    def set_version_catalog(
        self: _Controls,
        versions: Iterable[CatalogVersion | Mapping[str, Any]] | None = None,
        *,
        builtin: bool = False,
        region: str | None = None,
        account_id: str | None = None,
    ) -> list[CatalogVersion]:
        """Replaces the version catalog of one region (default: this emulator's) with ``versions``
        (1 to 100), or with the built-in one (Kubernetes 1.29 to 1.35 with EKS's published dates)
        when ``builtin=True``. Support then follows these dates and the emulator clock: pin a
        test's own dates to stay independent of today's. Returns the catalog, oldest first.

        Raises ``ValueError`` for an invalid catalog (a version not like ``"1.35"``, a date
        that is no calendar day, dates out of order, a version given twice, over 100 versions).
        """
        if builtin == (versions is not None):
            raise ValueError("set_version_catalog takes either versions or builtin=True")
        args: dict[str, Any] = {"region": region or self.region, "account_id": account_id or self.account_id}
        if builtin:
            args["builtin"] = True
        else:
            args["versions"] = [
                {key: _date(value) if key in _DATES else value for key, value in dict(entry).items()}
                for entry in versions or ()
            ]
        return cast(list[CatalogVersion], self.control("set_version_catalog", args)["versions"])

    def version_catalog(
        self: _Controls, *, region: str | None = None, account_id: str | None = None
    ) -> list[CatalogVersion]:
        """The version catalog of one region (default: this emulator's), oldest first, dates as
        epoch seconds: what :meth:`set_version_catalog` accepts back."""
        args = {"region": region or self.region, "account_id": account_id or self.account_id}
        return cast(list[CatalogVersion], self.control("version_catalog", args)["versions"])
