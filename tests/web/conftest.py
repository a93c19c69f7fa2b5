"""Fixtures for the web tests: a demo database built with the real commands, the Flask app on it, clients.

The demo database is built once per session with ``cfc db upgrade`` and ``cfc demo load`` (the commands an
installer runs) and copied into a fresh instance folder for every test module, so each module starts from the
same demo world (dossiers 1 and 2 are commune1's and commune2's drafts, the others are in every status).
Logging in goes through the real /login form (CSRF token included); API tokens come from
``dossiers.users.issue_token``.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from dossiers.models import AuditEntry, Certificate, Dossier, Evidence, IndicatorValue
from dossiers.users import issue_token

ROOT = Path(__file__).resolve().parents[2]
CFC = Path(sys.executable).with_name("cfc")
OPENAPI = ROOT / "webforms" / "api" / "openapi.yaml"
PASSWORD = "demo"
BASE_URL = "https://treem.kontum.example.vn"
USERS = ("commune1", "commune2", "district1", "chair1", "district2", "chair2", "province", "admin")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# A small, real PDF (the evidence check looks at the first bytes).
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def run_cfc(instance: Path, *args: str) -> str:
    """Run the installed ``cfc`` command on an instance folder (SQLite there, never $DATABASE_URL), with the
    verification address ``BASE_URL`` (``cfc demo load`` stores it, as ``make demo`` does)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["CFC_INSTANCE_DIR"] = str(instance)
    env["CFC_BASE_URL"] = BASE_URL
    out = subprocess.run([str(CFC), *args], env=env, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        pytest.fail(f"cfc {' '.join(args)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return out.stdout


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """A demo database made by the real commands, once per session (each module gets a copy)."""
    folder = tmp_path_factory.mktemp("demo-template")
    run_cfc(folder, "db", "upgrade")
    run_cfc(folder, "demo", "load")
    signed = folder / "signed-demo"  # the database as the loader left it: its signed documents recorded
    signed.mkdir()
    for path in folder.glob("cfc.sqlite3*"):
        shutil.copy(path, signed / path.name)
    with contextlib.closing(sqlite3.connect(folder / "cfc.sqlite3")) as conn:  # copies without the signed files:
        conn.execute("DELETE FROM signed_documents")  # an instance that never signed (``signed_demo``: the other)
        conn.commit()
    return folder / "cfc.sqlite3"


@contextlib.contextmanager
def signed_demo(demo_database: Path, folder: Path):
    """``folder`` as `cfc demo load` left its instance folder (database, demo keys, signed documents), with the
    environment pointing at it for as long as the block runs."""
    for path in (demo_database.parent / "signed-demo").glob("cfc.sqlite3*"):
        shutil.copy(path, folder / path.name)
    for sub in ("signing", "signed"):
        shutil.copytree(demo_database.parent / sub, folder / sub)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CFC_INSTANCE_DIR", str(folder))
        mp.delenv("DATABASE_URL", raising=False)
        mp.delenv("CFC_BASE_URL", raising=False)
        mp.delenv("CFC_SIGNING_KEYS", raising=False)
        yield folder


@pytest.fixture(scope="module")
def instance(demo_database, tmp_path_factory):
    """A fresh instance folder holding a copy of the demo database; CFC_INSTANCE_DIR points at it."""
    folder = tmp_path_factory.mktemp("instance")
    for path in demo_database.parent.glob("cfc.sqlite3*"):
        shutil.copy(path, folder / path.name)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CFC_INSTANCE_DIR", str(folder))
        mp.delenv("DATABASE_URL", raising=False)
        mp.delenv("CFC_MAX_UPLOAD_MB", raising=False)
        mp.delenv("CFC_BASE_URL", raising=False)  # the stored setting public_base_url holds BASE_URL
        yield folder
    # whatever the module's tests did (refused, hostile, concurrent requests), the audit chain is intact:
    # `cfc audit verify` exits 1 naming the first broken entry, and run_cfc fails the module then
    run_cfc(folder, "audit", "verify")


def make_app(folder: Path, **config):
    from dossiers.config import Settings
    from webforms import create_app

    settings = Settings.from_env(None, instance_dir=str(folder))  # the environment the test set, this folder
    return create_app(settings, {"TESTING": True, **config})


@pytest.fixture(scope="module")
def app(instance):
    application = make_app(instance)
    yield application
    application.extensions["cfc.engine"].dispose()


@dataclass(frozen=True)
class State:
    """Everything a request could change: audit trail, dossiers, values, evidence (rows and files),
    certificates."""

    audit: int
    dossiers: dict
    values: frozenset
    evidence: int
    files: int
    certificates: frozenset


class Site:
    """The app under test with its clients: one logged-in test client per user (logged in once), tokens."""

    def __init__(self, app, folder: Path):
        self.app = app
        self.folder = folder
        self.service = app.extensions["cfc.service"]
        self._clients: dict = {}
        self._tokens: dict = {}
        self.pdf = PDF

    # ------------------------------------------------------------------------------------------ pages
    def anonymous(self):
        return self.app.test_client()

    def csrf(self, client, path: str = "/login") -> str:
        """A CSRF token of ``client``'s session, read from a rendered form."""
        page = client.get(path)
        found = CSRF_RE.search(page.get_data(as_text=True))
        assert found, f"no csrf_token on {path} ({page.status_code})"
        return found.group(1)

    def login(self, username: str, password: str = PASSWORD):
        client = self.app.test_client()
        token = self.csrf(client)
        answer = client.post("/login", data={"csrf_token": token, "username": username, "password": password})
        assert answer.status_code == 302, f"login of {username} failed: {answer.status_code}"
        return client

    def client(self, username: str | None):
        """A logged-in client of ``username`` (None: anonymous); cached for the module."""
        if username is None:
            return self.anonymous()
        if username not in self._clients:
            self._clients[username] = self.login(username)
        return self._clients[username]

    # -------------------------------------------------------------------------------------------- API
    def token(self, username: str) -> str:
        if username not in self._tokens:
            with self.service.transaction() as s:
                self._tokens[username] = issue_token(s, username, actor="tests")
        return self._tokens[username]

    def bearer(self, username: str | None) -> dict:
        return {} if username is None else {"Authorization": f"Bearer {self.token(username)}"}

    # -------------------------------------------------------------------------------------------- state
    def state(self) -> State:
        with self.service.transaction() as s:
            audit = s.scalar(select(func.count()).select_from(AuditEntry))
            dossiers = {d.id: (d.status, d.lock_version, d.decision_number) for d in s.scalars(select(Dossier))}
            values = frozenset(s.execute(select(IndicatorValue.dossier_id, IndicatorValue.code,
                                                IndicatorValue.self_value, IndicatorValue.appraised_value,
                                                IndicatorValue.comment)).all())
            evidence = s.scalar(select(func.count()).select_from(Evidence))
            certificates = frozenset(s.execute(select(Certificate.serial, Certificate.dossier_id,
                                                      Certificate.superseded_by)).all())
        folder = self.folder / "evidence"
        files = sum(1 for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0
        return State(audit, dossiers, values, evidence, files, certificates)

    # ------------------------------------------------------------------------------------------ reading
    @staticmethod
    def login_redirect(answer, path: str) -> bool:
        """Whether ``answer`` sends the browser to the login page, coming back to ``path`` afterwards (the home
        page "/" sends to /login plainly)."""
        if answer.status_code != 302:
            return False
        location = urlsplit(answer.headers["Location"])
        nxt = parse_qs(location.query).get("next", [""])[0]
        back = urlsplit(nxt).path or "/"
        return location.path == "/login" and back == urlsplit(path).path

    @staticmethod
    def flashes(page: str) -> list[str]:
        found = re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', page, re.S)
        return [html.unescape(re.sub(r"<[^>]+>", "", m)).strip() for m in found]

    @staticmethod
    def field_value(page: str, name: str) -> str | None:
        """The value a text input named ``name`` shows (None if there is no such input)."""
        tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page)
        if tag is None:
            return None
        value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
        return "" if value is None else html.unescape(value.group(1))

    @staticmethod
    def checked_radio(page: str, name: str) -> str | None:
        for tag in re.findall(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page):
            if re.search(r"\bchecked\b", tag):
                return html.unescape(re.search(r'\bvalue="([^"]*)"', tag).group(1))
        return None

    def dossier(self, dossier_id: int):
        """The dossier as the province (who sees every dossier of the demo) sees it."""
        return self.service.get("province", dossier_id)

    def history(self, dossier_id: int) -> list[dict]:
        return self.service.history("province", dossier_id)


@pytest.fixture(scope="module")
def site(app, instance) -> Site:
    return Site(app, instance)


class ApiClient:
    """Calls the JSON API and checks every answer against the OpenAPI document (openapi-core)."""

    def __init__(self, site: Site, openapi):
        self.site = site
        self.openapi = openapi
        self.client = site.app.test_client()
        for user in USERS:  # issued now: issuing a token is an audit entry of its own
            site.token(user)

    def call(self, method: str, path: str, user: str | None = None, *, json=None, data=None,
             headers: dict | None = None, validate: bool = True, content_type: str | None = None):
        headers = {**self.site.bearer(user), **(headers or {})}
        kwargs = {"method": method, "headers": headers}
        if json is not None:
            kwargs["json"] = json
        if data is not None:
            kwargs["data"] = data
        if content_type is not None:
            kwargs["content_type"] = content_type
        answer = self.client.open(path, **kwargs)
        if validate:
            self.validate(path, kwargs, answer)
        return answer

    def validate(self, path: str, kwargs: dict, answer) -> None:
        from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse

        request = EnvironBuilder(path, **kwargs).get_request()  # a twin of the request, its body unread
        self.openapi.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(answer))

    def get(self, path, user=None, **kw):
        return self.call("GET", path, user, **kw)

    def put(self, path, user=None, **kw):
        return self.call("PUT", path, user, **kw)

    def post(self, path, user=None, **kw):
        return self.call("POST", path, user, **kw)


def load_openapi_document() -> dict:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(OPENAPI.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def openapi_document() -> dict:
    return load_openapi_document()


@pytest.fixture
def fresh_site(demo_database, tmp_path, monkeypatch):
    """A site on its own copy of the demo database, for tests that change it behind the app's back."""
    for path in demo_database.parent.glob("cfc.sqlite3*"):
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setenv("CFC_INSTANCE_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CFC_BASE_URL", raising=False)
    application = make_app(tmp_path)
    yield Site(application, tmp_path)
    application.extensions["cfc.engine"].dispose()


@pytest.fixture
def make_site(instance):
    """Builds another app on the module's instance (e.g. under other environment settings) with its Site."""
    made = []

    def build(**config) -> Site:
        made.append(make_app(instance, **config))
        return Site(made[-1], instance)

    yield build
    for application in made:
        application.extensions["cfc.engine"].dispose()


@pytest.fixture(scope="session")
def openapi():
    """The API's OpenAPI document for response validation.

    The document's own validity is tested separately (test_api.py::test_openapi_document_is_valid); here the
    spec check is off so that a defect of the document does not hide what the responses do.
    """
    from openapi_core import Config, OpenAPI

    return OpenAPI.from_dict(load_openapi_document(), config=Config(spec_validator_cls=None))


@pytest.fixture(scope="module")
def api(site, openapi) -> ApiClient:
    return ApiClient(site, openapi)
