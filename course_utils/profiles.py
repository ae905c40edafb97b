"""The course profile: one switch, ``COURSE_PROFILE``, for how much work a notebook does.

- ``ci``: tests and CI; small subsets and few steps, each notebook well under a minute on 2 CPU cores.
- ``student`` (the default): full data, enough epochs for the lesson's point, minutes on a laptop CPU.
- ``full``: a GPU; the settings you would publish.

Example:
    >>> current_profile({"COURSE_PROFILE": "ci"}).name
    'ci'
    >>> current_profile({}).name
    'student'
    >>> PROFILES["ci"].full_data, PROFILES["student"].full_data
    (False, True)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

ENV_VAR = "COURSE_PROFILE"
DEFAULT = "student"


@dataclass(frozen=True)
class Profile:
    """Sizes a notebook reads instead of hard-coding numbers.

    ``mnist_train`` / ``mnist_test`` are subset sizes (``None``: the whole split);
    ``epochs`` is the default number of training epochs; ``image_size`` caps the
    side of photographs used in demonstrations.
    """

    name: str
    description: str
    mnist_train: int | None
    mnist_test: int | None
    epochs: int
    image_size: int

    @property
    def full_data(self) -> bool:
        """True when lessons train on the whole of MNIST (``student`` and ``full``), not a subset."""
        return self.mnist_train is None


PROFILES = {
    "ci": Profile("ci", "small subsets, few steps: for tests and CI", 2_000, 1_000, 1, 128),
    "student": Profile("student", "full data, enough epochs for the lesson's point: minutes on a laptop CPU",
                       None, None, 5, 512),
    "full": Profile("full", "publication settings: meant for a GPU", None, None, 15, 512),
}


def current_profile(environ: Mapping[str, str] | None = None) -> Profile:
    """Return the profile named by ``COURSE_PROFILE`` (``student`` when unset).

    Raises ``ValueError`` naming the variable and the allowed values for anything else.
    """
    environ = os.environ if environ is None else environ
    name = environ.get(ENV_VAR, "").strip().lower() or DEFAULT
    if name not in PROFILES:
        raise ValueError(
            f"{ENV_VAR}={environ.get(ENV_VAR)!r} is not a course profile; "
            f"allowed: {', '.join(PROFILES)} (unset means {DEFAULT!r})."
        )
    return PROFILES[name]
