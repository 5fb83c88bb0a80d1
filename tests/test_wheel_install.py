"""A non-editable install works: the wheel carries prompts/ and evals/, and `newsagent brief` runs from it."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVENT = {
    "a.txt": "Outlet: Harbour Gazette\nPublished: 2026-05-05\n\nThe mayor opened the Kessel bridge on Tuesday. "
             "It links the old town to the port.\nIt cost 12 million euros, the city council said.\n",
    "b.md": "---\ntitle: Kessel bridge to open\noutlet: City Radio\npublished: 2026-05-04\n---\nThe mayor is "
            "expected to open the Kessel bridge on Tuesday. The bridge will link the old town to the port.\n",
}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv holding only the built wheel; the dependencies come from this venv through a .pth line."""
    tmp = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp / "dist"), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next((tmp / "dist").glob("newsagent-*.whl"))
    venv.create(tmp / "venv", with_pip=False)
    py = tmp / "venv" / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    inst = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", site, str(wheel)],
                          capture_output=True, text=True, timeout=300)
    assert inst.returncode == 0, inst.stderr[-2000:]
    return tmp


def _run(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    py = tmp / "venv" / "bin" / "python"
    return subprocess.run([str(py), "-m", "agent", "--home", str(tmp / "ws"), *args], cwd=tmp, capture_output=True,
                          text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp)})


def test_wheel_ships_prompts_and_evals(installed):
    py = installed / "venv" / "bin" / "python"
    out = subprocess.run([str(py), "-c", "import agent, agent.resources as r; print(agent.__file__); "
                          "print(r.prompts_dir()); print(r.evals_dir())"], cwd=installed, capture_output=True,
                         text=True, check=True).stdout.split()
    assert str(installed / "venv") in out[0], "the installed package, not the checkout, must be imported"
    assert out[1].endswith("agent/_data/prompts") and (Path(out[1]) / "brief.md").is_file()
    assert (Path(out[2]) / "tolerances.yaml").is_file() and (Path(out[2]) / "cases").is_dir()


def test_installed_brief_runs_with_the_fake_model(installed):
    event = installed / "event"
    event.mkdir(exist_ok=True)
    for name, text in EVENT.items():
        (event / name).write_text(text, encoding="utf-8")
    run = _run(installed, "brief", str(event), "-m", "fake:", "--format", "json")
    assert run.returncode == 0, run.stderr[-2000:]
    brief = json.loads(run.stdout)
    sentences = [s for sec in brief["sections"] for s in sec["sentences"]]
    assert sentences and all(s["citations"] for s in sentences)
    assert {c["outlet"] for s in sentences for c in s["citations"]} == {"Harbour Gazette", "City Radio"}
