"""``/docs`` works without internet: the Swagger UI page loads its script and style from the hub itself."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from app.hub.app import create_app
from app.hub.database import make_engine


def test_the_api_docs_page_and_its_assets_come_from_the_hub_not_a_cdn(sqlite_template: Path, tmp_path: Path) -> None:
    db = tmp_path / "hub.sqlite"
    db.write_bytes(sqlite_template.read_bytes())
    engine = make_engine(f"sqlite:///{db}")
    with TestClient(create_app(engine)) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert sources and all(s.startswith("/docs-assets/") for s in sources), sources
        assert "cdn" not in page.text.lower()
        for src in sources:
            asset = client.get(src)
            assert asset.status_code == 200 and len(asset.content) > 500, src
        assert "SwaggerUIBundle" in client.get("/docs-assets/swagger-ui-bundle.js").text
        assert client.get("/openapi.json").status_code == 200
        assert client.get("/redoc").status_code == 404  # its page would need a CDN: not offered
    engine.dispose()
