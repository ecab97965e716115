"""The README example: an affine layer, relu, sigmoid, backward."""

import numpy as np

import autograd_lite as ag

rng = np.random.default_rng(0)
X = ag.Tensor(rng.standard_normal((32, 3)))
W = ag.Tensor(rng.standard_normal((3, 4)), requires_grad=True)
b = ag.Tensor(np.zeros(4), requires_grad=True)
loss = (X @ W + b).relu().sigmoid().sum()
loss.backward()
print("loss", loss.item())
print("W.grad", W.grad.shape)
print("b.grad", b.grad)
