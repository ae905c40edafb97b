"""Inference throughput of the lesson-05 full-size builders on this machine, in the spirit of the
benchmark figure in Ollion and Grisel's lecture (Bianco et al. 2018: accuracy vs images per second
at batch size 1).

For each network (random weights: speed does not depend on them) prints its parameters, its
multiply-accumulates per image (course_utils.layer_table) and the best-of-N images per second
at batch 1 and batch 32 through ``model.predict_on_batch``, then plots images/s against parameters
into build/throughput.png.

Run: .venv/bin/python benchmarks/throughput.py [--repeats 3] [NETWORK ...]   (default: all five)
"""

import argparse
import time
from pathlib import Path

import numpy as np

from course_utils import architectures
from course_utils.layer_table import layer_table

BUILDERS = {
    "LeNet-5": architectures.lenet5,  # its 28x28 MNIST input
    "AlexNet": architectures.alexnet,
    "VGG16": architectures.vgg16,
    "GoogLeNet": architectures.googlenet,
    "ResNet50": architectures.resnet50,
}
BATCHES = (1, 32)
PLOT = Path(__file__).resolve().parent.parent / "build" / "throughput.png"


def images_per_second(model, batch: int, repeats: int) -> float:
    """Best of ``repeats`` timed calls, after one untimed call that builds the predict function."""
    images = np.random.default_rng(0).random((batch, *model.input.shape[1:]), dtype=np.float32)
    model.predict_on_batch(images)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        model.predict_on_batch(images)
        best = min(best, time.perf_counter() - start)
    return batch / best


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for batch, marker in zip(BATCHES, "os"):
        params = [r["params"] for r in results.values()]
        ax.scatter(params, [r[batch] for r in results.values()], marker=marker, label=f"batch {batch}")
        for name, r in results.items():
            ax.annotate(name, (r["params"], r[batch]), textcoords="offset points", xytext=(5, 5), fontsize=8)
    ax.set(xscale="log", yscale="log", xlabel="parameters", ylabel="images per second",
           title="Inference throughput vs parameters (random weights, this machine)")
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per batch size (best is kept)")
    parser.add_argument("networks", nargs="*", default=list(BUILDERS),
                        help=f"which networks to time, among {', '.join(BUILDERS)} (default: all)")
    args = parser.parse_args()
    unknown = [name for name in args.networks if name not in BUILDERS]
    if unknown:
        parser.error(f"unknown networks {unknown}; choose among {', '.join(BUILDERS)}")
    import keras

    print(f"Keras {keras.__version__}, backend {keras.backend.backend()}")
    print(f"{'network':10s} {'params':>12s} {'GMACs/image':>12s}" + "".join(f" {f'img/s @{b}':>11s}" for b in BATCHES))
    results = {}
    for name in args.networks:
        model = BUILDERS[name]()
        results[name] = {"params": model.count_params(), "macs": layer_table(model).total_macs}
        for batch in BATCHES:
            results[name][batch] = images_per_second(model, batch, args.repeats)
        r = results[name]
        print(f"{name:10s} {r['params']:12,d} {r['macs'] / 1e9:12.2f}" + "".join(f" {r[b]:11.1f}" for b in BATCHES),
              flush=True)
        del model
        keras.backend.clear_session()
    plot(results, PLOT)
    print(f"plot: {PLOT}")


if __name__ == "__main__":
    main()
