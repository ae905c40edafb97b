"""Offline MNIST and the scikit-image photographs."""

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from course_utils import data
from course_utils.data import DataFileError, load_mnist, load_photo
from course_utils.profiles import PROFILES

# Label counts published with the data (../shared/data/README.md), not computed by the code under test.
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
SHIPPED = Path(__file__).resolve().parent.parent / "data" / "mnist.npz"


def test_shipped_mnist_has_the_keras_layout_and_the_published_counts():
    (x_train, y_train), (x_test, y_test) = load_mnist(subset=False)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == TRAIN_COUNTS
    assert np.bincount(y_test).tolist() == TEST_COUNTS
    assert round(float(x_train.mean()), 4) == 33.3184


@pytest.mark.parametrize("name", ["ci", "student", "full"])
def test_profile_subset(name):
    profile = PROFILES[name]
    (x_train, y_train), (x_test, y_test) = load_mnist(profile)
    assert len(x_train) == len(y_train) == (profile.mnist_train or 60000)
    assert len(x_test) == len(y_test) == (profile.mnist_test or 10000)


@pytest.fixture
def data_folder(tmp_path, monkeypatch):
    """An empty folder that course_utils takes as its data folder."""
    monkeypatch.setenv(data.DATA_DIR_VAR, str(tmp_path))
    return tmp_path


def test_corrupt_file_is_reported_with_both_hashes(data_folder):
    raw = bytearray(SHIPPED.read_bytes())
    raw[1000] ^= 0xFF
    (data_folder / "mnist.npz").write_bytes(bytes(raw))
    with pytest.raises(DataFileError, match=f"is corrupt: its sha256 is [0-9a-f]{{64}}, expected {data.MNIST_SHA256}"):
        load_mnist()


@pytest.fixture
def package_folder(tmp_path, monkeypatch):
    """An empty folder standing for data/ beside the package (COURSE_DATA_DIR unset), as in a clone or an install."""
    monkeypatch.delenv(data.DATA_DIR_VAR, raising=False)
    monkeypatch.setattr(data, "data_dir", lambda: tmp_path)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    return tmp_path


def _no_download():
    raise AssertionError("a data folder of the user's own must not trigger a download")


def test_missing_file_in_a_clone_says_how_to_restore_it(package_folder, monkeypatch):
    (package_folder / "README.md").write_text("| `mnist.npz` | MNIST handwritten digits |")
    monkeypatch.setattr(data, "_download_mnist", _no_download)
    with pytest.raises(DataFileError, match="mnist.npz is missing .* `git checkout -- data/mnist.npz`"):
        load_mnist()


def test_installed_without_the_course_folder_it_downloads_and_says_so(package_folder, monkeypatch, capsys):
    fake = ((np.zeros((5000, 28, 28), np.uint8), np.zeros(5000, np.uint8)),
            (np.zeros((3000, 28, 28), np.uint8), np.zeros(3000, np.uint8)))
    monkeypatch.setattr(data, "_download_mnist", lambda: fake)
    (x_train, _), (x_test, _) = load_mnist(PROFILES["ci"])
    assert "Downloading it with keras.datasets.mnist.load_data()" in capsys.readouterr().out
    assert len(x_train) == PROFILES["ci"].mnist_train and len(x_test) == PROFILES["ci"].mnist_test


def _offline():
    import urllib.error

    try:
        raise urllib.error.URLError("[Errno -2] Name or service not known")
    except urllib.error.URLError as err:  # what keras.utils.get_file raises offline: a bare Exception from a URLError
        raise Exception("URL fetch failure on https://storage.googleapis.com/.../mnist.npz: None -- "
                        "[Errno -2] Name or service not known") from err


@pytest.mark.parametrize(("colab", "fix"), [(False, "installed .* without the course's data/ folder.*clone.*COURSE_DATA_DIR"),
                                            (True, "in Colab.*Upload data/mnist.npz.*internet access")])
def test_offline_without_the_course_folder_says_what_to_do_without_a_traceback(package_folder, monkeypatch, colab, fix):
    monkeypatch.setattr(data, "_download_mnist", _offline)
    if colab:
        monkeypatch.setitem(sys.modules, "google.colab", object())
    with pytest.raises(DataFileError, match=f"Downloading MNIST failed \\(URL fetch failure.*\\). .*{fix}") as caught:
        load_mnist()
    assert caught.value.__cause__ is None and caught.value.__suppress_context__, "urllib's traceback is left out"
    assert str(package_folder / "mnist.npz") in str(caught.value)


def test_a_mistyped_course_data_dir_is_named_and_nothing_is_downloaded(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_DIR_VAR, str(tmp_path / "dta"))
    monkeypatch.setattr(data, "_download_mnist", _no_download)
    with pytest.raises(DataFileError, match=r"COURSE_DATA_DIR is set to '.*dta', which is not a folder on this "
                                            r"machine \(a typo\?\)"):
        load_mnist()


def test_a_course_data_dir_without_mnist_says_so(data_folder, monkeypatch):
    monkeypatch.setattr(data, "_download_mnist", _no_download)
    with pytest.raises(DataFileError, match="mnist.npz not found: COURSE_DATA_DIR=.* names a folder without mnist.npz"):
        load_mnist()


@pytest.mark.parametrize("name", ["ci", "student", "full"])
def test_a_profile_can_be_given_by_name(name):
    (x_train, _), _ = load_mnist(name)
    assert len(x_train) == (PROFILES[name].mnist_train or 60000)


def _install_npz(folder, monkeypatch, **arrays):
    """Write an npz into ``folder`` and make it the expected MNIST file (so only its content is judged)."""
    path = folder / "mnist.npz"
    np.savez(path, **arrays)
    monkeypatch.setattr(data, "MNIST_SHA256", data.sha256_of(path))


def test_object_arrays_are_never_unpickled(data_folder, monkeypatch):
    arrays = {key: np.empty(shape, dtype=object) for key, shape in data.MNIST_LAYOUT.items()}
    _install_npz(data_folder, monkeypatch, **arrays)
    with pytest.raises(DataFileError, match="not an MNIST file .* allow_pickle=False"):
        load_mnist()


def test_wrong_layout_is_reported(data_folder, monkeypatch):
    arrays = {key: np.zeros(shape, np.uint8) for key, shape in data.MNIST_LAYOUT.items()}
    arrays["x_test"] = np.zeros((10000, 32, 32), np.uint8)
    _install_npz(data_folder, monkeypatch, **arrays)
    with pytest.raises(DataFileError, match=r"x_test has shape \(10000, 32, 32\) .* expected \(10000, 28, 28\)"):
        load_mnist()


def test_sha256_is_checked_once_per_process(data_folder, monkeypatch):
    shutil.copy(SHIPPED, data_folder / "mnist.npz")
    calls = []
    real = data.sha256_of
    monkeypatch.setattr(data, "sha256_of", lambda path: calls.append(path) or real(path))
    load_mnist()
    load_mnist()
    assert len(calls) == 1


def test_photos():
    rgb = load_photo("astronaut", max_side=100)
    assert rgb.shape == (100, 100, 3) and rgb.dtype == np.float32
    assert 0 <= rgb.min() and rgb.max() <= 1
    gray = load_photo("chelsea", max_side=90, gray=True)
    assert gray.ndim == 2 and max(gray.shape) == 90
    assert load_photo("camera").shape == (512, 512)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"name": "lena"}, "name must be one of astronaut, .*; got 'lena'"),
    ({"name": "camera", "max_side": 0}, "max_side must be a positive int or None, got 0"),
])
def test_photo_bad_arguments(kwargs, words):
    with pytest.raises(ValueError, match=words):
        load_photo(**kwargs)


def test_data_readme_gives_the_sha256_and_the_credit():
    readme = (SHIPPED.parent / "README.md").read_text()
    assert data.sha256_of(SHIPPED) == data.MNIST_SHA256
    assert f"`{data.MNIST_SHA256}`" in readme
    assert "Yann LeCun, Corinna Cortes and Christopher J.C. Burges" in readme and "Share Alike 3.0" in readme


def test_as_network_input_scales_and_adds_a_channel():
    from course_utils.data import as_network_input

    x = as_network_input(np.array([[[0, 255], [51, 102]]], np.uint8))
    assert x.shape == (1, 2, 2, 1) and x.dtype == np.float32
    assert np.allclose(x[0, :, :, 0], [[0, 1], [0.2, 0.4]])
    with pytest.raises(ValueError, match="images must be uint8"):
        as_network_input(np.zeros((2, 28, 28), np.float32))


def test_missing_file_in_the_installed_copy_says_to_reinstall(package_folder, monkeypatch):
    (package_folder / "README.md").write_text("| `mnist.npz` | MNIST handwritten digits |")
    monkeypatch.setattr(data, "PACKAGED_DATA", package_folder)
    monkeypatch.setattr(data, "_download_mnist", _no_download)
    with pytest.raises(DataFileError, match="missing from the data course_utils was installed with.*force-reinstall"):
        load_mnist()


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory):
    """course_utils built into a wheel and installed into a bare folder, as pip does in Colab (no clone beside it)."""
    import shutil
    import subprocess

    target = tmp_path_factory.mktemp("site")
    root = SHIPPED.parent.parent
    source = tmp_path_factory.mktemp("src")  # a copy, so the build leaves no build/ or egg-info in the clone
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(root / name, source)
    for folder in ("course_utils", "data"):
        shutil.copytree(root / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "--target", str(target), str(source)], check=True)
    return target


def test_an_installed_wheel_carries_the_data_and_reads_it_offline(installed_wheel):
    import subprocess

    script = ("import course_utils.data as d, course_utils.pretrained as p; "
              "print(d.data_dir()); (x, _), _ = d.load_mnist('ci'); print(len(x)); "
              "print(p.load_shipped_model('mnist_convnet').count_params())")
    env = {"PYTHONPATH": str(installed_wheel), "PATH": "/usr/bin:/bin", "KERAS_BACKEND": "jax",
           "JAX_PLATFORMS": "cpu"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True,
                         cwd=installed_wheel).stdout.split()
    assert out == [str(installed_wheel / "course_utils" / "_data"), "2000", "824970"]
