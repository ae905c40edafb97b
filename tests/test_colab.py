"""Every lesson runs in a simulated Colab: course_utils installed by the notebook's own first cell, no network.

The simulation, made afresh in a temporary folder:

- a new virtual environment whose packages are those of the environment running the tests (the pinned
  versions of what Colab preinstalls: TensorFlow, Keras, JAX, numpy, scipy, matplotlib, scikit-image,
  scikit-learn, IPython, ipywidgets, …), linked in one by one, without ``course_utils``;
- a fake ``google.colab`` module, imported at start-up as Colab's kernel does, so the setup cell's
  ``%pip install`` runs;
- that ``%pip install`` pointed at this clone (``git+file://``, so the committed tree: commit before running
  this test), with no package index and no build isolation, so nothing can be downloaded;
- a ``sitecustomize`` that refuses every connection that does not stay on this machine (the kernel's own
  sockets are local), and ``HOME`` in the temporary folder, so no Keras cache or dataset is found there;
- each notebook copied alone into ``content/`` (Colab's working folder) and executed in the ``ci`` profile.

A lesson passes when it runs top to bottom: its data and shipped models came from the installed package.
"""

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
INSTALL_URL = "git+https://github.com/keras-cnn-course/cnn-course"

NO_NETWORK = '''
import ipaddress
import socket

import google.colab  # noqa: F401  (Colab's kernel has it imported)

_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex


def _local(address) -> bool:
    if not isinstance(address, tuple):
        return True  # a Unix socket
    try:
        return ipaddress.ip_address(address[0]).is_loopback
    except ValueError:
        return address[0] == "localhost"


def _refuse(address):
    raise OSError(f"the Colab simulation has no network: connection to {address!r} refused")


def connect(self, address):
    return _connect(self, address) if _local(address) else _refuse(address)


def connect_ex(self, address):
    return _connect_ex(self, address) if _local(address) else _refuse(address)


socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
'''


def _link_packages(site: Path) -> None:
    """Link every installed package of this environment into ``site``, except course_utils."""
    ours = Path(sysconfig.get_paths()["purelib"])
    for entry in ours.iterdir():
        name = entry.name
        if name.startswith(("course_utils", "__editable__")) or name.endswith(".pth") or name == "google":
            continue
        (site / name).symlink_to(entry, target_is_directory=entry.is_dir())
    google = site / "google"  # a namespace package (protobuf & co.) that the fake google.colab joins
    google.mkdir()
    for entry in (ours / "google").iterdir():
        (google / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    (google / "colab").mkdir()
    (google / "colab" / "__init__.py").write_text('"""A stand-in for Colab\'s module, for the test."""\n')
    (site / "sitecustomize.py").write_text(NO_NETWORK)


@pytest.fixture(scope="module")
def colab(tmp_path_factory):
    """A simulated Colab: its Python, and the environment its kernel runs in."""
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True).returncode:
        pytest.skip("not a git clone: the notebook installs course_utils from the clone with git+file://")
    folder = tmp_path_factory.mktemp("colab")
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(folder / "venv")], check=True)
    python = folder / "venv" / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    _link_packages(site)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("COURSE_", "PYTHON", "KERAS_", "JUPYTER", "PIP_", "VIRTUAL_ENV"))}
    env.update(HOME=str(folder / "home"), COURSE_PROFILE="ci", PIP_NO_INDEX="1", PIP_NO_BUILD_ISOLATION="0",
               PIP_DISABLE_PIP_VERSION_CHECK="1", PATH=f"{python.parent}{os.pathsep}{env.get('PATH', '')}")
    (folder / "home").mkdir()
    return python, env, folder


def test_the_simulation_is_colab_without_course_utils_and_network(colab):
    python, env, folder = colab
    probe = ("import sys, importlib.util, socket\n"
             "assert 'google.colab' in sys.modules\n"
             "assert importlib.util.find_spec('course_utils') is None\n"
             "try:\n    socket.create_connection(('93.184.215.14', 80), timeout=5)\n"
             "except OSError as error:\n    print(error)\n")
    done = subprocess.run([python, "-c", probe], env=env, capture_output=True, text=True, cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "has no network" in done.stdout


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_lesson_runs_in_colab(colab, path):
    python, env, folder = colab
    notebook = json.loads(path.read_text(encoding="utf-8"))
    setup = "".join(notebook["cells"][1]["source"])
    assert INSTALL_URL in setup, "the setup cell no longer installs course_utils from the repository"
    # file://localhost/...: pip 23's URL parser refuses file:/// after git+ (git takes both)
    notebook["cells"][1]["source"] = setup.replace(INSTALL_URL, f"git+file://localhost{ROOT}", 1)
    content = folder / "content"
    content.mkdir(exist_ok=True)
    (content / path.name).write_text(json.dumps(notebook), encoding="utf-8")
    done = subprocess.run([python, "-m", "nbconvert", "--to", "notebook", "--execute", "--inplace",
                           "--ExecutePreprocessor.timeout=600", path.name],
                          env=env, cwd=content, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
