"""The published OpenAPI schema changes only on purpose.

After a deliberate API change, regenerate the file with
`doudi export_openapi_schema --api doudi.interop.api.api --indent 2
> docs/openapi.json` and commit it with the change.
"""

import json
from pathlib import Path

from doudi.interop.api import api

SNAPSHOT = Path(__file__).resolve().parents[4] / "docs" / "openapi.json"


def test_schema_matches_snapshot():
    current = api.get_openapi_schema()
    stored = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert json.loads(json.dumps(current)) == stored
