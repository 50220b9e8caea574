"""symkkt/kernel/net.py under mutation testing (issue 14, tools/mutation.py).

The kernel's view of a network: which shapes are refused, the exact output, the hidden
pre-activations, the gradient of a piece. Each test makes a wrong network or a wrong value
fail; none looks at wording.
"""

import pytest
import sympy
from sympy import Integer, Rational, sqrt

from symkkt.errors import InputError
from symkkt.kernel.net import NetSpec


def net(activation, *layers):
    return NetSpec(activation, tuple(tuple(tuple(r) for r in layer) for layer in layers))


# a 2-2-1 ReLU network with one structural zero and a shared output weight
RELU = net("relu", [["a", "b"], ["c", None]], [["v", "v"]])


def test_valid_networks_are_accepted():
    assert RELU.depth == 2 and RELU.input_dim == 2 and RELU.hidden_widths == (2,)
    assert RELU.params == ("a", "b", "c", "v")
    assert RELU.layer_params(1) == ("a", "b", "c")
    assert RELU.layer_params(2) == ("v",)
    one = net("linear", [["w1", "w2", "w3"]])            # depth 1: just the output layer
    assert one.depth == 1 and one.hidden_widths == () and one.input_dim == 3


@pytest.mark.parametrize("activation, layers", [
    ("tanh", ([["a"]],)),                                # unknown activation
    ("relu", ()),                                        # no layer
    ("relu", ([],)),                                     # empty matrix
    ("relu", ([[]],)),                                   # empty row
    ("relu", ([["a", "b"], ["c"]], [["v", "w"]])),      # ragged rows
    ("relu", ([["a", "b"]], [["v", "w"]])),              # 2 inputs to layer 2, 1 neuron before
    ("relu", ([["a"], ["b"]], [["v", "w"]], [["u", "z"]])),  # layer 3 takes 2 inputs, not 1
    ("relu", ([["a"], ["b"]], [["v", "w"], ["x", "y"]])),  # two output neurons
    ("relu", ([["a"], ["b"]], [["a", "w"]])),           # sharing across layers
    ("relu", ([["1a"], ["b"]], [["v", "w"]])),          # not an identifier
    ("relu", ([[3], ["b"]], [["v", "w"]])),              # not a string
])
def test_malformed_networks_are_refused(activation, layers):
    with pytest.raises(InputError):
        net(activation, *layers)


def test_layer_params_range():
    for bad in (0, 3, -1):
        with pytest.raises(InputError):
            RELU.layer_params(bad)


def test_sharing_detection():
    assert RELU.has_sharing is True
    assert net("relu", [["a", "b"], ["c", "d"]], [["v", "w"]]).has_sharing is False
    assert net("linear", [["a", "a"]]).has_sharing is True
    # the same name in different rows of one layer is sharing too
    assert net("relu", [["a", None], [None, "a"]], [["v", "w"]]).has_sharing is True


def test_all_active_and_json():
    deep = net("relu", [["a"], ["b"], ["c"]], [["d", "e", "f"], ["g", "h", "i"]], [["v", "w"]])
    assert deep.all_active() == ((1, 1, 1), (1, 1))
    assert RELU.to_json() == {"activation": "relu",
                              "layers": [[["a", "b"], ["c", "0"]], [["v", "v"]]]}


THETA = {"a": Integer(1), "b": Integer(-2), "c": Rational(1, 2), "v": Integer(3)}


def test_forward_relu_exact_values():
    # hidden: a*x1 + b*x2, c*x1; output v*relu(h1) + v*relu(h2)
    out, pre = RELU.forward(THETA, [Integer(4), Integer(1)])
    assert pre == [[Integer(2), Integer(2)]]
    assert out == 12
    out, pre = RELU.forward(THETA, [Integer(1), Integer(1)])
    assert pre == [[Integer(-1), Rational(1, 2)]]
    assert out == Rational(3, 2)                         # neuron 1 is off
    out, _ = RELU.forward(THETA, [Integer(-2), Integer(0)])
    assert out == 0                                      # both off (h = -2, -1)
    assert RELU.output(THETA, [Integer(4), Integer(1)]) == 12


def test_forward_relu_at_exact_zero_input():
    # a pre-activation exactly 0 (as a radical expression) is off, not on
    theta = {"a": sqrt(2), "b": -1, "c": Integer(1), "v": Integer(1)}
    out, pre = RELU.forward(theta, [sqrt(2) / 2, Integer(1)])
    assert pre[0][0] == 0
    assert out == sqrt(2) / 2


def test_forward_linear_and_with_pattern():
    lin = net("linear", [["a", "b"], ["c", None]], [["v", "v"]])
    out, _ = lin.forward(THETA, [Integer(1), Integer(1)])
    assert out == 3 * (-1) + 3 * Rational(1, 2)          # no clipping
    # a given pattern decides the pieces, whatever the signs
    out, _ = RELU.forward(THETA, [Integer(1), Integer(1)], ((1, 0),))
    assert out == -3
    out, _ = RELU.forward(THETA, [Integer(1), Integer(1)], ((0, 1),))
    assert out == Rational(3, 2)
    out, _ = RELU.forward(THETA, [Integer(1), Integer(1)], ((1, 1),))
    assert out == Rational(-3, 2)
    # linear networks ignore a pattern
    out, _ = lin.forward(THETA, [Integer(1), Integer(1)], ((0, 0),))
    assert out == Rational(-3, 2)


def test_forward_deep_network():
    deep = net("relu", [["a"], ["b"]], [["c", "d"]], [["v"]])
    theta = {"a": Integer(1), "b": Integer(-1), "c": Integer(2), "d": Integer(5), "v": 7}
    out, pre = deep.forward(theta, [Integer(3)])
    assert pre == [[Integer(3), Integer(-3)], [Integer(6)]]
    assert out == 42
    out, pre = deep.forward(theta, [Integer(-1)])
    assert pre == [[Integer(-1), Integer(1)], [Integer(5)]]
    assert out == 35


def test_forward_wrong_input_dimension():
    with pytest.raises(InputError):
        RELU.forward(THETA, [Integer(1)])
    with pytest.raises(InputError):
        RELU.forward(THETA, [Integer(1), Integer(2), Integer(3)])


def test_signs():
    assert RELU.signs(THETA, [Integer(1), Integer(1)]) == ((-1, 1),)
    assert RELU.signs(THETA, [Integer(2), Integer(1)]) == ((0, 1),)


def test_piece_gradient():
    x = [Integer(1), Integer(1)]
    # active pattern (1, 1): Phi = v(a x1 + b x2) + v c x1
    g = RELU.piece_gradient(THETA, x, ((1, 1),))
    assert g == {"a": 3, "b": 3, "c": 3, "v": Rational(-1, 2)}
    g = RELU.piece_gradient(THETA, x, ((0, 1),))
    assert g == {"a": 0, "b": 0, "c": 3, "v": Rational(1, 2)}
    # None means every neuron active
    assert RELU.piece_gradient(THETA, x, None) == RELU.piece_gradient(THETA, x, ((1, 1),))
    # shared weight: both occurrences count
    lin = net("linear", [["a", "a"]])
    assert lin.piece_gradient({"a": Integer(5)}, [Integer(2), Integer(3)], None) == {"a": 5}


def test_check_pattern_shape():
    assert RELU.check_pattern_shape([[1, 0]], "p") == ((1, 0),)
    for bad in ([[1]], [[1, 0, 1]], [[1, 0], [1, 0]], [], [[2, 0]], [[True, 0]], [[-1, 0]]):
        with pytest.raises(InputError):
            RELU.check_pattern_shape(bad, "p")


def test_entries_after_a_structural_zero_are_checked_too():
    with pytest.raises(InputError):
        net("relu", [[None, "1a"], ["b", "c"]], [["v", "w"]])     # not an identifier
    with pytest.raises(InputError):
        net("relu", [["a", "b"], ["c", "d"]], [[None, "a"]])     # shared across layers
