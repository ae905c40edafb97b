"""Speed of the lesson-01 convolutions on a 512x512 photograph, side by side in one process.

Prints the best-of-N time of each implementation and its speed relative to the loops:
- course_utils.convolution.conv2d_loops (plain loops, for reading)
- course_utils.convolution.conv2d (vectorized: sliding_window_view + einsum)
- scipy.signal.correlate2d (the reference, single channel only)

Run: .venv/bin/python benchmarks/conv2d_speed.py
"""

import timeit

import numpy as np
import scipy.signal

from course_utils.convolution import KERNELS, conv2d, conv2d_loops
from course_utils.data import load_photo


def best_time(function, repeats: int) -> float:
    return min(timeit.repeat(function, number=1, repeat=repeats))


def main() -> None:
    gray = load_photo("camera")                  # 512 x 512
    rgb = load_photo("astronaut")                # 512 x 512 x 3
    rgb_kernel = np.random.default_rng(0).normal(size=(3, 3, 3, 8)).astype(np.float32)
    cases = {
        "512x512 gray, 3x3 edge kernel": {
            "loops": (lambda: conv2d_loops(gray, KERNELS["edge"]), 1),
            "vectorized": (lambda: conv2d(gray, KERNELS["edge"]), 5),
            "scipy.signal.correlate2d": (lambda: scipy.signal.correlate2d(gray, KERNELS["edge"], "valid"), 5),
        },
        "512x512x3 RGB, (3, 3, 3, 8) kernel": {
            "loops": (lambda: conv2d_loops(rgb, rgb_kernel), 1),
            "vectorized": (lambda: conv2d(rgb, rgb_kernel), 5),
        },
    }
    for case, implementations in cases.items():
        print(case)
        loops = None
        for name, (function, repeats) in implementations.items():
            seconds = best_time(function, repeats)
            loops = loops or seconds
            print(f"  {name:26s} {seconds * 1e3:9.1f} ms   {loops / seconds:7.1f}x the loops")


if __name__ == "__main__":
    main()
