"""The web, the API and the command line ask one function, reading the dated procedures: editing a procedure file
(``CFC_PROCEDURES_DIR``) changes who may import on the web and on the command line alike."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from dossiers.config import Settings
from engine.workflow import procedures_directory
from webforms import create_app

CFC = Path(sys.executable).with_name("cfc")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


REFUSAL = ("nhập chỉ số từ tệp: theo quy trình (Quy trình đánh giá, công nhận (chính quyền địa phương ba cấp)) "
           "cần vai trò thành viên tổ thẩm định huyện")


def make_app(instance: Path, procedures: Path | None = None):
    settings = Settings.from_env(None, instance_dir=str(instance),
                                 procedures_dir=str(procedures) if procedures else None)
    return create_app(settings, {"TESTING": True})


def csrf(client, path: str) -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """A copy of the shipped procedures where only district users import under procedure-2019."""
    folder = tmp_path_factory.mktemp("procedures") / "procedures"
    shutil.copytree(procedures_directory(), folder)
    path = folder / "procedure-2019.yaml"
    yaml = YAML()
    data = yaml.load(path.read_text(encoding="utf-8"))
    data["steps"]["import"]["roles"] = ["district_appraiser", "district_chair"]
    data["steps"]["import"]["level"] = "district"
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return folder


def upload(app, username: str):
    """Preview an import of one value of commune1's commune (round 2024) as ``username``."""
    client = app.test_client()
    answer = client.post("/login", data={"csrf_token": csrf(client, "/login"), "username": username,
                                         "password": "demo"})
    assert answer.status_code == 302, answer.status_code
    data = b"commune_code,TC05.injured\n23335,2\n"
    return client.post("/import", data={"csrf_token": csrf(client, "/import"), "year": "2024",
                                        "file": (io.BytesIO(data), "so-lieu.csv")})


def test_editing_a_procedure_file_changes_who_may_import_on_the_web(instance, edited):
    shipped = make_app(instance)
    try:
        answer = upload(shipped, "commune1")  # as the command line allows: the preview is shown
        assert answer.status_code == 200 and "nhập chỉ số từ tệp: theo" not in answer.get_data(as_text=True)
    finally:
        shipped.extensions["cfc.engine"].dispose()
    changed = make_app(instance, edited)
    try:
        answer = upload(changed, "commune1")
        assert answer.status_code == 403
        assert REFUSAL in answer.get_data(as_text=True)
        assert upload(changed, "district1").status_code == 200
    finally:
        changed.extensions["cfc.engine"].dispose()


def test_editing_a_procedure_file_changes_who_may_import_on_the_command_line(instance, edited, tmp_path):
    template = tmp_path / "mau.csv"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["CFC_INSTANCE_DIR"] = str(instance)
    subprocess.run([str(CFC), "import", "template", "qd06-2019", "-o", str(template), "--unit", "23335",
                    "--round", "2024"], env=env, check=True, capture_output=True)
    args = [str(CFC), "import", str(template), "--round", "2024", "--as", "commune1", "--dry-run"]
    shipped = subprocess.run(args, env=env, capture_output=True, text=True)
    assert "nhập chỉ số từ tệp: theo" not in shipped.stdout + shipped.stderr
    env["CFC_PROCEDURES_DIR"] = str(edited)
    changed = subprocess.run(args, env=env, capture_output=True, text=True)
    assert changed.returncode == 1
    assert REFUSAL in changed.stdout + changed.stderr
