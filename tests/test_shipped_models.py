"""The trained models in data/: the sha256 and test accuracies data/README.md publishes, safe loading, clear errors."""

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from course_utils import data
from course_utils.data import DataFileError, as_network_input, load_mnist
from course_utils.mnist_models import convnet
from course_utils.pretrained import SHIPPED, load_shipped_model, model_digest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "data" / "README.md").read_text()


def _published(name: str, what: str) -> str:
    """A figure data/README.md gives for a shipped model, e.g. its test accuracy or weights sha256."""
    row = next(line for line in README.splitlines() if line.startswith(f"| `{SHIPPED[name].file}`"))
    return re.search(rf"{what} `?([0-9a-f.]+)`?", row).group(1)


@pytest.mark.parametrize("name", list(SHIPPED))
def test_file_matches_the_published_sha256_and_is_small(name):
    path = ROOT / "data" / SHIPPED[name].file
    assert data.sha256_of(path) == SHIPPED[name].sha256 == _published(name, "file sha256")
    assert path.stat().st_size < 5e6


@pytest.mark.parametrize(("name", "digits"), [("mnist_convnet", range(10)), ("digits_0_4_convnet", range(5))])
def test_test_accuracy_is_the_published_one(name, digits):
    model = load_shipped_model(name)
    assert model.count_params() == convnet(num_classes=len(digits)).count_params()
    _, (x_test, y_test) = load_mnist(subset=False)
    keep = np.isin(y_test, digits)
    predicted = model.predict(as_network_input(x_test[keep]), batch_size=1000, verbose=0).argmax(axis=1)
    assert f"{(predicted == y_test[keep]).mean():.4f}" == _published(name, "test accuracy")


@pytest.mark.parametrize("name", list(SHIPPED))
def test_architecture_and_weights_have_the_published_digest(name):
    """The script prints model_digest (the .keras archive itself records the date)."""
    assert model_digest(load_shipped_model(name)) == SHIPPED[name].digest == _published(name, "digest")


def test_layers_are_those_of_the_lesson_04_convnet():
    model = load_shipped_model("mnist_convnet")
    assert [layer.name for layer in model.layers] == [layer.name for layer in convnet().layers]
    assert model.count_params() == 824_970


@pytest.fixture
def data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_DIR_VAR, str(tmp_path))
    return tmp_path


def test_missing_model_in_a_clone_says_how_to_restore_or_remake_it(tmp_path, monkeypatch):
    from course_utils import pretrained

    (tmp_path / "README.md").write_text("| `mnist.npz` | MNIST |")  # the course's own data/ folder, one file lost
    monkeypatch.delenv(data.DATA_DIR_VAR, raising=False)
    for module in (data, pretrained):
        monkeypatch.setattr(module, "data_dir", lambda: tmp_path)
    with pytest.raises(DataFileError, match="mnist_convnet.keras is missing.*git checkout -- data/mnist_convnet.keras"
                                            ".*train_shipped_models.py"):
        load_shipped_model("mnist_convnet")


def test_missing_model_in_a_course_data_dir_says_where_it_looked(data_folder):
    with pytest.raises(DataFileError, match="mnist_convnet.keras not found: COURSE_DATA_DIR=.* names a folder without "
                                            "mnist_convnet.keras. Copy data/mnist_convnet.keras"):
        load_shipped_model("mnist_convnet")


@pytest.mark.parametrize("damage", ["truncated", "byte in the middle", "byte near the end"])
def test_corrupt_model_is_reported(data_folder, damage):
    raw = bytearray((ROOT / "data" / "mnist_convnet.keras").read_bytes())
    if damage == "truncated":
        raw = raw[: len(raw) // 2]
    else:
        raw[len(raw) // 2 if damage == "byte in the middle" else -2000] ^= 0xFF
    (data_folder / "mnist_convnet.keras").write_bytes(bytes(raw))
    with pytest.raises(DataFileError, match=f"(is corrupt|is not the course's mnist_convnet).* its sha256 is [0-9a-f]{{64}}, "
                                            f"expected {SHIPPED['mnist_convnet'].sha256}.*git checkout"):
        load_shipped_model("mnist_convnet")


def test_a_remade_file_loads_and_a_different_model_is_refused(data_folder):
    """A re-save has other bytes (the archive records the date) but the same digest; changed weights do not."""
    shutil.copy(ROOT / "data" / "mnist_convnet.keras", data_folder)
    model = load_shipped_model("mnist_convnet")
    model.save(data_folder / "mnist_convnet.keras")
    assert data.sha256_of(data_folder / "mnist_convnet.keras") != SHIPPED["mnist_convnet"].sha256
    assert model_digest(load_shipped_model("mnist_convnet")) == SHIPPED["mnist_convnet"].digest
    weights = model.get_weights()
    weights[-1] = weights[-1] + 1e-3  # one bias of the output layer, nudged
    model.set_weights(weights)
    model.save(data_folder / "mnist_convnet.keras")
    with pytest.raises(DataFileError, match="is not the course's mnist_convnet: .* differ from the recorded digest"):
        load_shipped_model("mnist_convnet")


def test_a_copy_elsewhere_loads(data_folder):
    shutil.copy(ROOT / "data" / "digits_0_4_convnet.keras", data_folder)
    assert load_shipped_model("digits_0_4_convnet").output.shape[-1] == 5


def test_unknown_name_is_refused():
    with pytest.raises(ValueError, match="name must be one of mnist_convnet, digits_0_4_convnet; got 'vgg'"):
        load_shipped_model("vgg")
