"""Property-based tests of the API against its own OpenAPI description (schemathesis): every
operation, with generated valid and invalid input, answers as described and never with a
server error (5xx)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[web]'")
schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")

from hypothesis import HealthCheck, settings  # noqa: E402

from ripeness.web import Limits, create_app  # noqa: E402

# Jobs are queued and never computed (start_jobs=False): the API alone is under test.
DATA = Path(__import__("tempfile").mkdtemp(prefix="ripeness-openapi-"))
APP = create_app(DATA, Limits(queued_jobs=3, concurrent_jobs=1, request_bytes=8192,
                              upload_bytes=200_000), start_jobs=False)
# A body over the server's size limit is refused with 413, as it should be: a rejection too.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict({"checks": {
    "negative_data_rejection": {"expected-statuses": [400, 404, 405, 409, 413, 422, 429]}}})
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)


#: Operations whose schema-valid input may still be refused (422) for what a schema cannot say:
#: a scenario file that does not validate, a what-if the scenario does not declare.
SEMANTIC = {("POST", "/api/scenarios"), ("POST", "/api/jobs")}


#: Uploads: sent as multipart, a "negated" file (null, a number) arrives as a file holding that
#: text, which is valid input (a file that is not a scenario); missing and extra fields are
#: tested in test_web_api.py.
MULTIPART = {("POST", "/api/scenarios"), ("POST", "/api/scenarios/validate")}


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_described(case: schemathesis.Case) -> None:
    op = (case.method.upper(), case.path)
    excluded = [*([schemathesis.checks.positive_data_acceptance] if op in SEMANTIC else []),
                *([schemathesis.checks.negative_data_rejection] if op in MULTIPART else [])]
    response = case.call_and_validate(excluded_checks=excluded)
    assert response.status_code < 500


def test_the_description_names_every_route() -> None:
    paths = set(APP.openapi()["paths"])
    assert {"/api/scenarios", "/api/scenarios/{name}", "/api/scenarios/{name}/basemap",
            "/api/scenarios/validate", "/api/jobs", "/api/jobs/{job_id}",
            "/api/jobs/{job_id}/cancel", "/api/jobs/{job_id}/files",
            "/api/jobs/{job_id}/files/{name}", "/api/jobs/{job_id}/view", "/api/limits",
            "/api/health"} <= paths
