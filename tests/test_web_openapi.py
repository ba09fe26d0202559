"""The OpenAPI schema: behind authentication, complete, and structurally OpenAPI 3."""

from __future__ import annotations

import re

import pytest

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def openapi_path(path: str) -> str:
    """A route path as OpenAPI writes it: `{key:path}` becomes `{key}`."""
    return re.sub(r"\{([A-Za-z_][A-Za-z_0-9]*):[a-z]+\}", r"{\1}", path)


def api_operations(app) -> set[tuple[str, str]]:
    return {
        (openapi_path(route.path), method.lower())
        for route in app.state.routes
        if route.path.startswith("/api/v1/") and route.include_in_schema
        for method in route.methods - {"HEAD"}
    }


def test_schema_needs_a_login(web):
    response = web.client().get("/api/v1/openapi.json")
    assert response.status_code == 401


def test_every_api_route_is_in_the_schema(web):
    schema = web.api("viewer", "read").get("/api/v1/openapi.json").json()
    listed = {
        (path, method)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    }
    expected = api_operations(web.app)
    assert ("/api/v1/uploads", "post") in expected and ("/api/v1/jobs/{job_id}", "get") in expected
    assert expected - listed == set()
    assert all(path.startswith("/api/v1/") for path, _ in listed)  # no HTML pages in it
    hidden = {r.path for r in web.app.state.routes if not r.include_in_schema}
    assert "/api/v1/openapi.json" in hidden


def _check_operation(where: str, operation: dict, components: set[str]) -> list[str]:
    problems = []
    if not operation.get("responses"):
        problems.append(f"{where}: no responses")
    for param in operation.get("parameters", []):
        if param.get("in") not in ("query", "header", "path", "cookie") or "name" not in param:
            problems.append(f"{where}: bad parameter {param}")
        if param.get("in") == "path" and f"{{{param['name']}}}" not in where:
            problems.append(f"{where}: path parameter {param['name']} not in the path")
    text = repr(operation)
    for ref in re.findall(r"#/components/schemas/([^'\"]+)", text):
        if ref not in components:
            problems.append(f"{where}: dangling $ref {ref}")
    return problems


def test_schema_is_structurally_openapi_3(web):
    schema = web.api("viewer", "read").get("/api/v1/openapi.json").json()
    assert re.fullmatch(r"3\.\d+\.\d+", schema["openapi"])
    assert schema["info"]["title"] == "Watchfloor" and schema["info"]["version"]
    components = set(schema.get("components", {}).get("schemas", {}))
    problems, operation_ids = [], []
    for path, operations in schema["paths"].items():
        assert path.startswith("/"), path
        for method, operation in operations.items():
            assert method in HTTP_METHODS, f"{path}: {method}"
            operation_ids.append(operation.get("operationId"))
            problems += _check_operation(f"{method.upper()} {path}", operation, components)
    assert problems == []
    assert len(operation_ids) == len(set(operation_ids))
    upload = schema["paths"]["/api/v1/uploads"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["properties"]["archive"]["format"] == "binary"
    assert "202" in upload["responses"]


def test_schema_validates_against_the_openapi_specification(web):
    validator = pytest.importorskip("openapi_spec_validator")
    schema = web.api("viewer", "read").get("/api/v1/openapi.json").json()
    validator.validate(schema)  # raises on any violation of the OpenAPI 3.x schema
    broken = {**schema, "paths": {"/api/v1/x": {"get": {"responses": "none"}}}}
    with pytest.raises(Exception, match=r"responses|not of type"):
        validator.validate(broken)
