"""The L-layer sigmoid network used by the depth benchmark: its symbols, lets and loss."""
from __future__ import annotations


def sigmoid_network(L: int) -> dict:
    """Declarations for f = 1/2 |a_L - y|², a_i = sigmoid(W_i a_{i-1}), a_0 = x; differentiate by W1."""
    symbols = {"x": "vector(d)", "y": "vector(h)", "W1": "matrix(h, d)"}
    symbols.update({f"W{i}": "matrix(h, h)" for i in range(2, L + 1)})
    lets = {"a1": "sigmoid(W1 * x)"}
    lets.update({f"a{i}": f"sigmoid(W{i} * a{i - 1})" for i in range(2, L + 1)})
    return {"f": f"1/2 * norm(a{L} - y) ^ 2", "wrt": "W1", "symbols": symbols, "let": lets}
