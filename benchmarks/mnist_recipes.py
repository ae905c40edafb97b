"""The course's fast MNIST recipe against keras-io's mnist_convnet recipe, in one process on one machine.

(a) course: lesson 04's convnet (course_utils.mnist_models.convnet, 824,970 parameters) trained with
    course_utils.training.fit_fast (batch 256, Adam with warm-up + cosine decay) for --course-epochs,
    once per --precisions entry: float32 (what the lessons run on a CPU) and mixed_bfloat16 (bfloat16
    compute, float32 weights: fast on CPUs with AMX or AVX512-BF16, slow on others);
(b) reference: keras-io's "Simple MNIST convnet" (Conv32 3x3 relu - MaxPool2 - Conv64 3x3 relu -
    MaxPool2 - Flatten - Dropout 0.5 - Dense 10 softmax; Adam; batch 128; 15 epochs;
    validation_split 0.1; one-hot labels and categorical cross-entropy; pixels / 255).

Both train on the same 54,000 digits (the first 90% of MNIST's training split; the last 10% is
their validation data) and are scored on the 10,000 test digits. For each it prints:

- training wall time and CPU time (user + system of every thread: less sensitive than wall time
  to other programs sharing the machine); both EXCLUDE the test-set evaluations;
- the final test accuracy;
- the time (wall, training only) at the end of the first epoch whose test accuracy reaches --target
  (a callback evaluates the test set after every epoch; that evaluation is timed separately);
- the peak resident memory of the process during that recipe (Linux: VmHWM of /proc/self/status,
  reset before each recipe; elsewhere ru_maxrss, the peak of the whole process so far);

then, for each course run, the ratios: its time to target / the reference's total training time, and
/ the reference's own time to target, in wall time and in CPU time. Run it on a quiet machine (other
programs on the cores slow the recipes unevenly):

    .venv/bin/python benchmarks/mnist_recipes.py                        # the full run, 3 to 4 minutes
    .venv/bin/python benchmarks/mnist_recipes.py --reference-epochs 3   # a shorter check
    .venv/bin/python benchmarks/mnist_recipes.py --precisions float32   # skip the bfloat16 run
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import numpy as np  # noqa: E402

from course_utils.data import as_network_input, load_mnist  # noqa: E402
from course_utils.mnist_models import convnet  # noqa: E402
from course_utils.training import fit_fast  # noqa: E402

STATUS = Path("/proc/self/status")


def reset_peak_memory() -> None:
    """Reset the kernel's record of this process's peak resident memory (Linux 4.0+), where possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_memory_mib() -> float:
    """Peak resident memory in MiB: VmHWM since the last reset on Linux, else ru_maxrss of the process."""
    if STATUS.exists():
        line = next(line for line in STATUS.read_text().splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


class TestAccuracyClock(keras.callbacks.Callback):
    """After each epoch: test accuracy, and the training time so far with the evaluations left out."""

    def __init__(self, x_test, y_test, target: float):
        super().__init__()
        self.x_test, self.y_test, self.target = x_test, y_test, target
        self.accuracies, self.wall, self.cpu = [], [], []
        self.time_to_target: float | None = None

    def on_train_begin(self, logs=None):
        self.start_wall, self.start_cpu, self.eval_wall, self.eval_cpu = time.perf_counter(), time.process_time(), 0.0, 0.0

    def on_epoch_end(self, epoch, logs=None):
        wall, cpu = time.perf_counter() - self.start_wall - self.eval_wall, time.process_time() - self.start_cpu - self.eval_cpu
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        probabilities = self.model.predict(self.x_test, batch_size=1000, verbose=0)
        accuracy = float(np.mean(np.argmax(probabilities, axis=-1) == self.y_test))
        self.eval_wall += time.perf_counter() - start_wall
        self.eval_cpu += time.process_time() - start_cpu
        self.accuracies.append(accuracy)
        self.wall.append(wall)
        self.cpu.append(cpu)
        if self.time_to_target is None and accuracy >= self.target:
            self.time_to_target = wall
        print(f"    epoch {epoch + 1:2d}: test accuracy {accuracy:.4f}, training time so far {wall:6.1f} s wall, "
              f"{cpu:6.1f} s CPU (test evaluation {self.eval_wall:.1f} s, not counted)", flush=True)


def reference_model():
    """keras-io's mnist_convnet model, layer for layer."""
    from keras import layers

    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])


def run_reference(x_train, y_train, clock, epochs: int):
    model = reference_model()
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(x_train, keras.utils.to_categorical(y_train, 10), batch_size=128, epochs=epochs,
              validation_split=0.1, callbacks=[clock], verbose=0)
    return model


def run_course(x_train, y_train, clock, epochs: int):
    model = convnet()
    split = len(x_train) * 9 // 10  # the same 54,000 / 6,000 split as validation_split=0.1
    fit_fast(model, x_train[:split], y_train[:split], epochs=epochs,
             validation_data=(x_train[split:], y_train[split:]), callbacks=[clock], verbose=0)
    return model


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--course-epochs", type=int, default=3)
    parser.add_argument("--reference-epochs", type=int, default=15)
    parser.add_argument("--target", type=float, default=0.992, help="test accuracy to reach (default 0.992)")
    parser.add_argument("--precisions", nargs="+", default=["float32", "mixed_bfloat16"],
                        choices=["float32", "mixed_bfloat16"],
                        help="dtype policies to run the course recipe in (the reference always runs in float32)")
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = load_mnist(subset=False)
    x_train, x_test = as_network_input(x_train), as_network_input(x_test)
    load = f", load average {os.getloadavg()[0]:.1f} at start" if hasattr(os, "getloadavg") else ""
    print(f"Keras {keras.__version__}, backend {keras.backend.backend()}, {os.cpu_count()} CPU cores{load}")
    recipes = {f"course {args.course_epochs} ep, {precision}": (run_course, args.course_epochs, precision)
               for precision in args.precisions}
    recipes[f"reference {args.reference_epochs} ep, float32"] = (run_reference, args.reference_epochs, "float32")
    results = {}
    for name, (run, epochs, precision) in recipes.items():
        print(f"\n{name}:", flush=True)
        keras.mixed_precision.set_global_policy(precision)
        keras.utils.set_random_seed(0)
        reset_peak_memory()
        clock = TestAccuracyClock(x_test, y_test, args.target)
        run(x_train, y_train, clock, epochs)
        results[name] = clock, peak_memory_mib()
        keras.backend.clear_session()

    print(f"\n{'recipe':<30} {'train wall':>10} {'train CPU':>10} {'test acc':>9} {'to ' + format(args.target, '.1%'):>10} "
          f"{'peak RSS':>9}")
    for name, (clock, memory) in results.items():
        reached = f"{clock.time_to_target:.1f} s" if clock.time_to_target is not None else "not reached"
        print(f"{name:<30} {clock.wall[-1]:>8.1f} s {clock.cpu[-1]:>8.1f} s {clock.accuracies[-1]:>9.4f} "
              f"{reached:>10} {memory:>6.0f} MiB")
    reference, _ = results.pop(next(name for name in results if name.startswith("reference")))
    print(f"\nRatios (target: the course recipe reaches {args.target:.1%} in at most 1/5 of the reference's time):")
    for name, (course, _) in results.items():
        if course.time_to_target is None:
            print(f"{name}: did not reach {args.target:.1%}, no ratio.")
            continue
        cpu_at_target = course.cpu[course.wall.index(course.time_to_target)]
        line = (f"{name}: time to {args.target:.1%} / reference total training time = "
                f"{course.time_to_target / reference.wall[-1]:.3f} wall (1/{reference.wall[-1] / course.time_to_target:.1f}), "
                f"{cpu_at_target / reference.cpu[-1]:.3f} CPU (1/{reference.cpu[-1] / cpu_at_target:.1f})")
        if reference.time_to_target is not None:
            line += f"; / reference time to {args.target:.1%} = {course.time_to_target / reference.time_to_target:.3f} wall"
        print(line)


if __name__ == "__main__":
    main()
