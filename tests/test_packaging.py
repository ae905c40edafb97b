"""The pip and conda routes ask for the same versions, the environment has them, and CI runs the README's command."""

import importlib.metadata
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _pins(lines):
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name.strip()).lower()] = version.strip()
    return pins


REQUIREMENTS = _pins((ROOT / "requirements.txt").read_text().splitlines())


def test_requirements_pin_every_package_exactly():
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    assert all("==" in line for line in lines if line)
    assert {"tensorflow", "keras", "jupyterlab", "ipywidgets", "nbval", "scikit-image"} <= set(REQUIREMENTS)


def test_conda_environment_asks_for_the_same_versions():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert _pins(pip_section) == REQUIREMENTS
    assert "-e ." in pip_section and "-c constraints.txt" in pip_section


def test_constraints_agree_with_requirements():
    constraints = _pins((ROOT / "constraints.txt").read_text().splitlines())
    assert {name: constraints.get(name) for name in REQUIREMENTS} == REQUIREMENTS


def test_this_environment_has_the_pinned_versions():
    installed = {name: importlib.metadata.version(name) for name in REQUIREMENTS}
    assert installed == REQUIREMENTS


def _readme_commands():
    return re.findall(r"```bash\n(.+?)\n```", (ROOT / "README.md").read_text())


def test_readme_has_the_two_commands_and_ci_runs_the_test_one():
    assert _readme_commands()[:2] == ["make lab", "make test"]
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert ci[-1] == "make test"


def test_readme_lists_every_lesson_with_a_colab_badge():
    readme = (ROOT / "README.md").read_text()
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert f"(notebooks/{path.name})" in readme
        assert f"blob/main/notebooks/{path.name})" in readme
