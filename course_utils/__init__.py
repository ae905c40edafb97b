"""Helpers shared by the notebooks of the CNN course.

Importing this package is cheap: it does not import TensorFlow, Keras, JAX or
PyTorch.  The modules that need a deep-learning backend import it inside
their functions.

Example:
    >>> import course_utils
    >>> info = course_utils.setup()   # doctest: +SKIP
"""

from course_utils.environment import current_seed, setup
from course_utils.profiles import current_profile

__all__ = ["setup", "current_profile", "current_seed"]
__version__ = "0.1.0"
