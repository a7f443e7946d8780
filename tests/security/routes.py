"""Every route of the URL configuration, walked from the resolver, as concrete requests.

The security tests build their requests from this walk rather than from a hand-written list,
so a route added anywhere (a Django view, a Ninja operation, a FHIR resource type) shows up
here and must then be listed in the access table (tests/security/test_access_matrix.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from ninja.operation import PathView

from tbib.fhir.resources import TYPES

# Django views do not declare their methods in a way the resolver can see, so each is probed
# with the two methods a browser sends; the matrix then checks that a method refused with 405
# to every role is refused the same way to all (it serves nobody).
PAGE_METHODS = ("GET", "POST")
# FHIR views dispatch on the method themselves; PUT is the update interaction.
FHIR_METHODS = ("GET", "POST", "PUT")
# The admin is one row: its index and one change list stand for the rest of its 150 routes.
ADMIN_KEY = "/admin/"
ADMIN_PATHS = ("/admin/", "/admin/accounts/user/")

_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)(\{[^}]*\})?")


@dataclass(frozen=True)
class Route:
    """One row of the access table: its key, the methods probed and the URL template."""

    key: str
    methods: tuple[str, ...]
    templates: tuple[str, ...]  # "/unit/patients/<uuid:patient_id>/": parameters by name

    def urls(self, values: Mapping[str, str]) -> list[str]:
        return [_PARAM.sub(lambda m: values[m.group(1)], t) for t in self.templates]


def _walk(
    patterns: list[URLResolver | URLPattern], prefix: str
) -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + _text(entry))
        else:
            yield prefix + _text(entry), entry


def _text(entry: URLResolver | URLPattern) -> str:
    if isinstance(entry.pattern, RegexPattern):
        # "^(?P<type_name>[A-Za-z]{1,64})/(?P<rid>...)/?$" -> "<type_name>/<rid>"
        text = _REGEX_GROUP.sub(lambda m: f"<{m.group(1)}>", str(entry.pattern))
        return text.removeprefix("^").removesuffix("$").removesuffix("/?")
    return str(entry.pattern)


def all_routes() -> list[Route]:
    """Every route of the node, one Route per table row."""
    routes: dict[str, Route] = {}
    for pattern, entry in _walk(get_resolver().url_patterns, ""):
        view = getattr(entry.callback, "__self__", None)
        if pattern.startswith("admin/"):
            routes[ADMIN_KEY] = Route(ADMIN_KEY, PAGE_METHODS, ADMIN_PATHS)
        elif isinstance(view, PathView):
            # A Ninja path: one row per operation, its methods declared.
            for operation in view.operations:
                for method in sorted(operation.methods):
                    key = f"{method} /{pattern}"
                    routes[key] = Route(key, (method,), ("/" + pattern,))
        elif "<type_name>" in pattern:
            # A FHIR route serves every resource type: one row per type.
            for type_name in TYPES:
                key = "/" + pattern.replace("<type_name>", type_name)
                routes[key] = Route(key, FHIR_METHODS, (key,))
        else:
            methods = FHIR_METHODS if pattern.startswith("fhir/") else PAGE_METHODS
            routes["/" + pattern] = Route("/" + pattern, methods, ("/" + pattern,))
    return sorted(routes.values(), key=lambda route: route.key)
