"""A plain (non-editable) install works from any folder: the wheel carries the model and data,
and installs nothing at the top of site-packages but `framescope`.

The wheel goes into a fresh virtual environment with `--no-deps`; its dependencies (torch,
transformers, ...) are borrowed from the test environment through a `.pth` path line, which
adds their folder to `sys.path` without running that folder's own `.pth` files - so the
repository's editable install stays invisible and only the wheel's `framescope` can be imported.
"""

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ARTICLE = REPO / "data" / "examples" / "kazakhstan_csto_2022.txt"


def _run(*command, cwd, **kwargs):
    return subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True,
                          timeout=300, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    had_build = (REPO / "build").exists()
    result = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                  "-q", "-w", out, REPO, cwd=out)
    if not had_build:  # setuptools builds in REPO/build; leave the clone as it was
        shutil.rmtree(REPO / "build", ignore_errors=True)
    assert result.returncode == 0, result.stderr
    (found,) = out.glob("framescope-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv holding the wheel; returns its bin/ folder."""
    env = tmp_path_factory.mktemp("venv")
    venv.create(env, with_pip=False)
    bin_dir = env / "bin"
    purelib = _run(bin_dir / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                   cwd=env).stdout.strip()
    (Path(purelib) / "borrowed_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", "utf-8")
    result = _run(sys.executable, "-m", "pip", "--python", bin_dir / "python", "install",
                  "--no-deps", "-q", wheel, cwd=env)
    assert result.returncode == 0, result.stderr
    return bin_dir


def test_wheel_holds_the_model_and_data_under_framescope_only(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"framescope", wheel.name.split("-")[0] + "-"
                                                 + wheel.name.split("-")[1] + ".dist-info"}
    for needed in ["framescope/models/default/model.safetensors",
                   "framescope/models/default/framescope.json",
                   "framescope/models/default/lexical.safetensors",
                   "framescope/data/taxonomy.yaml", "framescope/data/annotation_guide.md",
                   "framescope/data/raw/euvsdisinfo/cases_2015-01_2020-06.csv",
                   "framescope/inference/predict.py", "framescope/train/trainer.py"]:
        assert needed in names


def test_installed_wheel_predicts_from_python_and_the_cli_in_another_folder(installed, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE.read_text("utf-8"), "utf-8")
    code = ("import framescope, sys; from framescope import predict, DEFAULT_MODEL;"
            "assert 'site-packages' in framescope.__file__, framescope.__file__;"
            "import importlib.util as u; assert u.find_spec('inference') is None and u.find_spec('train') is None;"
            "spans = predict(open('article.txt', encoding='utf-8').read());"
            "print(sorted({s.label for s in spans}))")
    result = _run(installed / "python", "-c", code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "color_revolution" in result.stdout

    result = _run(installed / "framescope", "predict", "article.txt", "-o", "out.jsonl",
                  "--no-progress", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (record,) = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert any(s["label"] == "color_revolution" for s in record["spans"])

    result = _run(installed / "framescope", "--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("framescope ")
