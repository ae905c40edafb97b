"""A per-layer table of any Keras model: output shape, activations, parameters, multiply-accumulates,
and the memory totals Ollion and Grisel's lecture prints under its VGG16 table.

Counted per image (batch axis left out):

- ``activations``: the number of values a layer outputs (the input counts as a row too).  The
  total leaves out Flatten and Reshape: their output is a view of their input, not new memory.
- ``params``: ``layer.count_params()``; ``weights`` is the same less the biases (that
  lecture's VGG16 table counts weights only, ``(3x3x3)x64 = 1,728``).
- ``macs``: multiply-accumulates of the layers that multiply by weights: Dense, Conv1D/2D/3D,
  DepthwiseConv1D/2D, SeparableConv1D/2D (depthwise step plus pointwise step) and transposed
  convolutions.  Pooling, batch normalization, additions and
  activations count 0 (a few operations per value, small beside the convolutions).  One
  multiply-accumulate is two floating-point operations.

Hand-written on purpose: reading these figures off a model is what lesson 05 teaches.

Example:
    >>> import keras
    >>> model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3), keras.layers.Flatten()])
    >>> table = layer_table(model)
    >>> [(row.output_shape, row.activations, row.params, row.macs) for row in table.rows]
    [((8, 8, 3), 192, 0, 0), ((6, 6, 4), 144, 112, 3888), ((144,), 144, 0, 0)]
    >>> table.total_params, table.activation_bytes()
    (112, 1344)
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

BYTES_PER_VALUE = 4  # float32
# Copies of the parameters that training keeps: weights and gradients; SGD with momentum adds a
# velocity, Adam two moment estimates (Ollion and Grisel's lecture: "x2 for plain SGD, x4 for Adam").
PARAMETER_COPIES = {"sgd": 2, "momentum": 3, "adam": 4}
MEGABYTE = 1_000_000
VIEW_KINDS = ("Flatten", "Reshape")


@dataclass(frozen=True)
class LayerRow:
    """One layer (or one model input) of a :class:`LayerTable`."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    activations: int
    params: int
    weights: int
    macs: int


@dataclass(frozen=True)
class LayerTable:
    """The rows of a model and their totals; prints as text, shows as a table in Jupyter."""

    model_name: str
    rows: tuple[LayerRow, ...]

    @property
    def total_activations(self) -> int:
        return sum(row.activations for row in self.rows if row.kind not in VIEW_KINDS)

    @property
    def total_params(self) -> int:
        return sum(row.params for row in self.rows)

    @property
    def total_macs(self) -> int:
        return sum(row.macs for row in self.rows)

    def activation_bytes(self, *, backward: bool = False) -> int:
        """float32 activation memory per image: the forward pass, doubled when ``backward``
        (the backward pass holds a gradient for every activation)."""
        return self.total_activations * BYTES_PER_VALUE * (2 if backward else 1)

    def parameter_bytes(self, optimizer: str | None = None) -> int:
        """float32 parameter memory; with ``optimizer`` ('sgd', 'momentum' or 'adam') the memory
        training needs for weights, gradients and the optimizer's state (x2, x3, x4)."""
        if optimizer is None:
            return self.total_params * BYTES_PER_VALUE
        if optimizer not in PARAMETER_COPIES:
            raise ValueError(f"optimizer must be None or one of {', '.join(PARAMETER_COPIES)}; got {optimizer!r}.")
        return self.total_params * BYTES_PER_VALUE * PARAMETER_COPIES[optimizer]

    def totals_text(self) -> str:
        """The totals, in the words of Ollion and Grisel's lecture (MB = 10^6 bytes)."""
        mb = lambda n: f"{n / MEGABYTE:,.1f} MB"  # noqa: E731
        copies = ", ".join(f"x{k} {name}: {mb(self.parameter_bytes(name))}" for name, k in PARAMETER_COPIES.items())
        return (f"TOTAL activations: {self.total_activations:,} x 4 bytes = {mb(self.activation_bytes())} / image "
                f"(x2 for backward: {mb(self.activation_bytes(backward=True))})\n"
                f"TOTAL parameters: {self.total_params:,} x 4 bytes = {mb(self.parameter_bytes())} ({copies})\n"
                f"TOTAL multiply-accumulates: {self.total_macs:,} = {self.total_macs / 1e9:.2f} G per image")

    def to_text(self, *, kinds: tuple[str, ...] | None = None) -> str:
        """The table as fixed-width text, then the totals; ``kinds`` keeps only those layer types."""
        if kinds is not None and (isinstance(kinds, str) or not all(isinstance(k, str) for k in kinds)):
            raise TypeError(f"kinds must be a tuple of layer type names, such as ('Conv2D', 'Dense'); got {kinds!r}.")
        header = ("layer", "type", "output shape", "activations", "params", "MACs")
        lines = [(row.name, row.kind, "x".join(map(str, row.output_shape)), f"{row.activations:,}",
                  f"{row.params:,}", f"{row.macs:,}")
                 for row in self.rows if kinds is None or row.kind in kinds]
        widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
        render = lambda line: "  ".join(  # noqa: E731
            cell.ljust(w) if i < 3 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths)))
        return "\n".join([f"{self.model_name}", render(header), *map(render, lines), self.totals_text()])

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.to_text())}</pre>"


def _macs(layer, activations: int) -> int:
    """Multiply-accumulates per image: each output value costs one kernel slice's worth
    (``kernel.size / output channels``); a transposed convolution spreads each input value instead;
    a separable convolution is its depthwise step (one k x k window per input channel and multiplier,
    at each output position) plus its pointwise 1x1 step."""
    from keras import layers

    if isinstance(layer, (layers.Conv2DTranspose, layers.Conv1DTranspose, layers.Conv3DTranspose)):
        inputs = math.prod(layer.input.shape[1:])
        return inputs * math.prod(layer.kernel.shape) // layer.kernel.shape[-1]
    if isinstance(layer, (layers.SeparableConv1D, layers.SeparableConv2D)):
        positions = activations // layer.output.shape[-1]
        return positions * (math.prod(layer.depthwise_kernel.shape) + math.prod(layer.pointwise_kernel.shape))
    if isinstance(layer, (layers.Dense, layers.Conv1D, layers.Conv2D, layers.Conv3D, layers.DepthwiseConv1D,
                          layers.DepthwiseConv2D)):
        out_channels = layer.output.shape[-1]
        return activations * math.prod(layer.kernel.shape) // out_channels
    return 0


def _shape(tensor) -> tuple[int, ...]:
    """A tensor's shape without the batch axis, as ints."""
    return tuple(int(n) for n in tensor.shape[1:])


def layer_table(model) -> LayerTable:
    """The per-layer table of a built Keras model: one row per input, then one per layer in the
    model's order (a nested model contributes its own rows).

    Raises ``ValueError`` for a layer with several outputs or called more than once (it has
    no single output shape).
    """
    import keras

    if not isinstance(model, keras.Model) or not model.built:
        raise ValueError(f"model must be a built keras.Model (give it an Input), got {type(model).__name__}.")
    rows = [LayerRow(tensor.name, "Input", _shape(tensor), math.prod(_shape(tensor)), 0, 0, 0)
            for tensor in model.inputs]
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.Model):
            rows += [row for row in layer_table(layer).rows if row.kind != "Input"]
            continue
        calls = len(getattr(layer, "_inbound_nodes", ()))  # Keras keeps one node per call
        if calls > 1 or not hasattr(layer.output, "shape"):
            raise ValueError(f"layer {layer.name!r} is called {calls} times or has several outputs; "
                             "a table row needs one output shape.")
        output = layer.output
        shape, params, bias = _shape(output), layer.count_params(), getattr(layer, "bias", None)
        weights = params - (math.prod(bias.shape) if bias is not None else 0)
        activations = math.prod(shape)
        rows.append(LayerRow(layer.name, type(layer).__name__, shape, activations, params, weights,
                             _macs(layer, activations)))
    return LayerTable(model.name, tuple(rows))
