"""The rules administrator on the web: every value with its provenance, verifying and correcting a value (what
``cfc criteria verify|set`` do, audited, with the same checks), concurrent edits refused, the publish refusal as
a list of links, the changed lines between two versions, and who may do it (the procedures' criteria steps).

The criteria folder is a copy (``CFC_CRITERIA_DIR``) holding the shipped version and a second one made from it:
``next-2030``, every value verified and one band edge moved, which can be published."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import CSRF_RE, make_app
from sqlalchemy import select

from dossiers import criteria_admin
from dossiers.models import AuditEntry
from engine.checks import unverified
from engine.errors import AccessDenied
from engine.loader import default_directory, load_version
from tests.html_validity import problems

SHIPPED = "qd06-2019"
NEXT = "next-2030"


@pytest.fixture(scope="module")
def criteria_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("criteria")
    text = (default_directory() / f"{SHIPPED}.yaml").read_text(encoding="utf-8")
    (folder / f"{SHIPPED}.yaml").write_text(text.replace("effective_to: null", "effective_to: 2029-12-31"),
                                            encoding="utf-8")
    text = (text.replace(f"id: {SHIPPED}", f"id: {NEXT}").replace("effective_from: 2019-01-03", "effective_from: 2030-01-01")
            .replace("verified: false", "verified: true").replace("{min: 95, max: 98, points: 50",
                                                                  "{min: 96, max: 98, points: 50")
            .replace("{min: 90, max: 95, points: 25", "{min: 90, max: 96, points: 25"))
    (folder / f"{NEXT}.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def app(instance, criteria_dir):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CFC_CRITERIA_DIR", str(criteria_dir))
        application = make_app(instance)
    yield application
    application.extensions["cfc.engine"].dispose()


def page_of(site, path: str, user: str = "admin") -> str:
    answer = site.client(user).get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return answer.get_data(as_text=True)


def form_fields(page: str, action: str) -> dict:
    """The fields of the form posting to ``action``, as the page fills them."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}">(.*?)</form>', page, re.S).group(1)
    fields = {}
    for tag in re.findall(r"<(?:input|select)[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and "checkbox" not in tag:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return fields


def audit_entries(site, action: str) -> list[AuditEntry]:
    with site.service.transaction() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_version_page_shows_every_value_with_its_provenance(site, criteria_dir):
    version = load_version(criteria_dir / f"{SHIPPED}.yaml")
    page = page_of(site, f"/admin/criteria/{SHIPPED}")
    rows = re.findall(r'<tr id="(v-[^"]+)" class="(verified|open)">', page)
    # a yes/no item carries one provenance; a rate its "per"; a band and a zero-denominator rule each their own
    components = sum(1 if c.kind == "yes_no" else len(c.bands) + (getattr(c, "if_denominator_zero", None) is not None)
                     + (c.kind == "rate") for crit in version.criteria for c in crit.components)
    assert len(rows) == 1 + len(version.categories) + len(version.criteria) + components
    assert sum(1 for _, state in rows if state == "open") == len(unverified(version))
    for crit in version.criteria:  # grouped by criterion, under its title and legal reference
        assert f'<h2 id="h-{crit.code}">{crit.code}. {html.escape(crit.title)}</h2>' in page
        assert html.escape(crit.legal_reference) in page
    words = text_of(page)
    assert "TC07.children_under_1" not in words and "max_total" not in words and "provisional" not in words
    assert "Ngưỡng công nhận: Xã, phường, thị trấn còn lại" in words and "confirm 850 against the official text" in words
    assert "secondary: thukyluat.vn summary" in words
    assert problems(page) == []


def test_verifying_a_value_records_it_in_the_file_and_the_audit_trail(site, criteria_dir):
    path = criteria_dir / f"{SHIPPED}.yaml"
    action = f"/admin/criteria/{SHIPPED}/verify"
    page = page_of(site, f"/admin/criteria/{SHIPPED}/value?at=categories/other")
    assert problems(page) == []
    fields = form_fields(page, action) | {"verify-source": "QĐ 06/QĐ-TTg, Điều 2 khoản 2 (bản chính thức)"}
    answer = site.client("admin").post(action, data=fields)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("#v-categories-other")
    version = load_version(path)
    other = version.category("other")
    assert other.verified and other.source == "QĐ 06/QĐ-TTg, Điều 2 khoản 2 (bản chính thức)"
    assert version.history[-1].by == "admin" and "categories/other: verified" in version.history[-1].change
    entry = audit_entries(site, "criteria.verify")[-1]
    assert (entry.actor, entry.target) == ("admin", SHIPPED) and "categories/other" in entry.after
    assert "Đã xác minh" in text_of(page_of(site, f"/admin/criteria/{SHIPPED}/value?at=categories/other"))


def test_correcting_a_band_moves_the_shared_edge_as_the_command_does(site, criteria_dir):
    path = criteria_dir / f"{SHIPPED}.yaml"
    action = f"/admin/criteria/{SHIPPED}/correct"
    page = page_of(site, f"/admin/criteria/{SHIPPED}/value?at=TC07/immunisation/bands/1")
    fields = form_fields(page, action) | {"correct-field": "min", "correct-value": "96",
                                          "correct-source": "QĐ 06, Điều 2 khoản 2", "correct-verified": "y"}
    answer = site.client("admin").post(action, data=fields)
    assert answer.status_code == 302
    bands = next(c for c in load_version(path).criteria if c.code == "TC07").components[0].bands
    assert (bands[1].min, bands[1].verified, bands[1].source) == (96, True, "QĐ 06, Điều 2 khoản 2")
    assert bands[2].max == 96  # the neighbour's edge moved with it
    assert "bands/1/min: 95 → 96" in audit_entries(site, "criteria.set")[-1].after


@pytest.mark.parametrize(("typed", "message"), [("abc", "không phải là số"), ("1,000", "1,000"), ("-5", "")])
def test_a_bad_value_is_refused_naming_the_field_and_keeping_what_was_typed(site, criteria_dir, typed, message):
    path = criteria_dir / f"{SHIPPED}.yaml"
    before = path.read_bytes()
    action = f"/admin/criteria/{SHIPPED}/correct"
    page = page_of(site, f"/admin/criteria/{SHIPPED}/value?at=TC01/officer")
    fields = form_fields(page, action) | {"correct-field": "points", "correct-value": typed}
    answer = site.client("admin").post(action, data=fields)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert path.read_bytes() == before
    assert site.field_value(body, "correct-value") == typed
    error = re.search(r'<span class="error" id="correct-value-error">(.*?)</span>', body, re.S)
    assert error and message in html.unescape(error.group(1))
    assert problems(body) == []


def test_an_edit_made_on_an_older_page_is_refused_not_applied(site, criteria_dir):
    path = criteria_dir / f"{SHIPPED}.yaml"
    action = f"/admin/criteria/{SHIPPED}/correct"
    stale = form_fields(page_of(site, f"/admin/criteria/{SHIPPED}/value?at=TC02"), action)
    fresh = form_fields(page_of(site, f"/admin/criteria/{SHIPPED}/value?at=TC02"), action)
    assert site.client("admin").post(action, data=fresh | {"correct-field": "met_at", "correct-value": "40"}
                                     ).status_code == 302
    after_first = path.read_bytes()
    answer = site.client("admin").post(action, data=stale | {"correct-field": "met_at", "correct-value": "30"})
    assert answer.status_code == 409
    assert path.read_bytes() == after_first  # the first edit stands
    assert next(c for c in load_version(path).criteria if c.code == "TC02").met_at == 40
    body = text_of(answer.get_data(as_text=True))
    assert "đã được thay đổi sau khi bạn mở trang" in body and "TC02/met_at: 38 → 40" in body
    assert site.field_value(answer.get_data(as_text=True), "correct-value") == "30"  # nothing typed is lost


def test_a_post_without_its_csrf_token_changes_nothing(site, criteria_dir):
    path = criteria_dir / f"{SHIPPED}.yaml"
    before = path.read_bytes()
    action = f"/admin/criteria/{SHIPPED}/verify"
    fields = form_fields(page_of(site, f"/admin/criteria/{SHIPPED}/value?at=TC01"), action)
    fields.pop("verify-csrf_token")
    answer = site.client("admin").post(action, data=fields | {"verify-source": "x"})
    assert answer.status_code == 400 and path.read_bytes() == before


@pytest.mark.parametrize("user", ["commune1", "district1", "chair1", "province"])
def test_only_the_rules_administrator_sees_or_edits_criteria(site, criteria_dir, user):
    path = criteria_dir / f"{SHIPPED}.yaml"
    before = path.read_bytes()
    client = site.client(user)
    for page in ("/admin/", f"/admin/criteria/{SHIPPED}", f"/admin/criteria/{SHIPPED}/value?at=TC01", "/admin/diff"):
        assert client.get(page).status_code == 403, page
    token = CSRF_RE.search(client.get("/account/password").get_data(as_text=True)).group(1)
    answer = client.post(f"/admin/criteria/{SHIPPED}/verify", data={
        "verify-csrf_token": token, "verify-at": "TC01", "verify-seen": criteria_admin.file_version(path),
        "verify-source": "x"})
    assert answer.status_code == 403 and path.read_bytes() == before
    with pytest.raises(AccessDenied):  # the application asks the procedures' edit_criteria step too
        criteria_admin.confirm(site.service, user, SHIPPED, "TC01", seen=criteria_admin.file_version(path),
                               source="x")
    assert path.read_bytes() == before


def test_publishing_with_open_values_is_refused_with_a_list_of_links(site, criteria_dir):
    path = criteria_dir / f"{SHIPPED}.yaml"
    before = path.read_bytes()
    action = f"/admin/criteria/{SHIPPED}/publish"
    page = page_of(site, f"/admin/criteria/{SHIPPED}")
    assert f'action="{action}"' not in page  # no button while values are open
    token = CSRF_RE.search(page).group(1)
    answer = site.client("admin").post(action, data={"publish-csrf_token": token,
                                                     "publish-seen": criteria_admin.file_version(path)})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 409 and path.read_bytes() == before
    assert 'role="alert"' in body and "Chưa công bố được." in body
    links = re.findall(r'<ol class="open-values">(.*?)</ol>', body, re.S)[0]
    anchors = re.findall(r'<li><a href="#([^"]+)">', links)
    assert len(anchors) == len(unverified(load_version(path)))
    ids = set(re.findall(r'id="([^"]+)"', body))
    assert set(anchors) <= ids  # every link leads to its value on the page
    assert "cannot be published" not in body and "values are not verified" not in body


def test_a_fully_verified_version_is_published_and_then_never_edited(site, criteria_dir):
    path = criteria_dir / f"{NEXT}.yaml"
    action = f"/admin/criteria/{NEXT}/publish"
    page = page_of(site, f"/admin/criteria/{NEXT}")
    fields = form_fields(page, action)
    answer = site.client("admin").post(action, data=fields)
    assert answer.status_code == 302
    assert load_version(path).status == "official"
    assert audit_entries(site, "criteria.publish")[-1].target == NEXT
    page = page_of(site, f"/admin/criteria/{NEXT}/value?at=TC01")
    assert f'action="/admin/criteria/{NEXT}/correct"' not in page  # official: no edit form
    before = path.read_bytes()
    answer = site.client("admin").post(f"/admin/criteria/{NEXT}/correct", data=fields | {
        "publish-at": "", "correct-csrf_token": fields["publish-csrf_token"], "correct-at": "TC01",
        "correct-seen": criteria_admin.file_version(path), "correct-field": "met_at", "correct-value": "60"})
    assert answer.status_code == 422 and path.read_bytes() == before


def test_the_diff_shows_only_changed_lines_in_a_page_wide_table(site, criteria_dir):
    same = page_of(site, f"/admin/diff?a={SHIPPED}&b={SHIPPED}")
    assert "Hai phiên bản giống hệt nhau" in same and "<table" not in same.split("<main>")[1]
    page = page_of(site, f"/admin/diff?a={SHIPPED}&b={NEXT}")
    assert problems(page) == []
    left = (criteria_dir / f"{SHIPPED}.yaml").read_text(encoding="utf-8").splitlines()
    right = (criteria_dir / f"{NEXT}.yaml").read_text(encoding="utf-8").splitlines()
    removed = re.findall(r"<del>(.*?)</del>", page, re.S)
    added = re.findall(r"<ins>(.*?)</ins>", page, re.S)
    import difflib

    changed = [line for line in difflib.ndiff(left, right) if line[:2] in ("- ", "+ ")]
    assert len(removed) + len(added) == len(changed)
    assert len(removed) < len(left) / 2  # not the whole file
    assert any("min: 96, max: 98" in html.unescape(a) for a in added)
    assert "font-family: monospace" not in page and "HtmlDiff" not in page and 'nowrap="nowrap"' not in page


def test_a_correction_made_elsewhere_reaches_the_next_request(site, criteria_dir):
    """`cfc criteria set` (another process) or another web worker edits the file: this worker's scores follow at
    its next request, not at its next restart."""
    from engine.edit import set_value

    path = criteria_dir / f"{SHIPPED}.yaml"
    page_of(site, f"/admin/criteria/{SHIPPED}")  # this worker has read the folder as it is
    before = next(c for c in site.service.registry.get(SHIPPED).criteria if c.code == "TC07").components[0]
    set_value(path, "TC07/immunisation/bands/0/points", str(before.bands[0].points - 1), by="cli")
    site.client("commune1").get("/")  # any request
    after = next(c for c in site.service.registry.get(SHIPPED).criteria if c.code == "TC07").components[0]
    assert after.bands[0].points == before.bands[0].points - 1
    good = path.read_bytes()
    try:
        path.write_text("broken: [", encoding="utf-8")  # a file caught half written is not taken
        assert site.client("commune1").get("/").status_code == 302  # to the commune's page, no error
        assert site.service.registry.get(SHIPPED) is not None  # still the last valid content
    finally:
        path.write_bytes(good)


def test_an_edit_whose_audit_entry_cannot_be_written_leaves_the_file_as_it_was(site, criteria_dir, monkeypatch):
    """The file and the audit trail never disagree: when the entry cannot be appended (the database refused),
    the corrected file is put back, byte for byte, and the error reaches the caller."""
    path = criteria_dir / f"{SHIPPED}.yaml"
    before, entries = path.read_bytes(), len(audit_entries(site, "criteria.set"))

    def refused(*_args, **_kwargs):
        raise RuntimeError("the database refused the entry")

    monkeypatch.setattr(criteria_admin.audit, "append", refused)
    with pytest.raises(RuntimeError, match="refused the entry"):
        criteria_admin.correct(site.service, "admin", SHIPPED, "TC07/immunisation/bands/1/min", "97",
                               seen=criteria_admin.file_version(path))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert len(audit_entries(site, "criteria.set")) == entries


def test_an_edit_waits_for_the_folder_before_it_takes_the_database(site, criteria_dir):
    """Locks are taken in one order, the criteria folder first: while the command line holds the folder and
    records its change, a web edit waits for the folder without holding the database's write lock, so the
    command's audit entry is written at once; the web edit then goes through."""
    import threading
    import time

    from dossiers import audit
    from dossiers.criteria_audit import folder_lock

    path = criteria_dir / f"{SHIPPED}.yaml"
    done = {}

    def web_edit():
        done["summary"] = criteria_admin.correct(site.service, "admin", SHIPPED, "TC07/immunisation/bands/1/min",
                                                 "95", seen=criteria_admin.file_version(path))

    with folder_lock(criteria_dir):
        editor = threading.Thread(target=web_edit)
        editor.start()
        time.sleep(0.5)  # the web edit has checked who may and now waits for the folder
        started = time.perf_counter()
        with site.service.transaction() as s:  # what the command line's audit entry does under the folder lock
            audit.append(s, actor="cli", action="criteria.set", target=SHIPPED, after="(test) recorded first")
        waited = time.perf_counter() - started
        assert "summary" not in done
    editor.join(timeout=30)
    assert waited < 5 and "bands/1/min" in done["summary"]
    assert [e.actor for e in audit_entries(site, "criteria.set")][-2:] == ["cli", "admin"]
