#!/usr/bin/python3
"""Reference numbers for tests/train/golden_test.cpp, produced with PyTorch (Debian's python3-torch 1.13).

A 2 -> 3 (tanh) -> 2 network with the weights below, trained for three steps on one fixed batch of four
examples with sparse softmax cross entropy (torch.nn.CrossEntropyLoss), once with Adam (lr 0.1) and once
with SGD momentum 0.9, Nesterov (lr 0.1), plus L2 0.01 on both kernels added to the loss. Prints the
loss before each step and the final weights, in float64 with 9 significant digits.
"""
import torch

torch.set_default_dtype(torch.float32)
W1 = [[0.5, -0.3, 0.8], [-0.6, 0.2, 0.4]]  # (inputs, units), as lever stores kernels
B1 = [0.1, -0.2, 0.05]
W2 = [[0.7, -0.5], [0.3, 0.9], [-0.4, 0.2]]
B2 = [0.0, 0.1]
X = [[1.0, 2.0], [-1.5, 0.5], [0.3, -0.7], [2.0, 1.0]]
Y = [1, 0, 1, 0]
L2 = 0.01


def run(make_optimizer):
    w1 = torch.tensor(W1, requires_grad=True)
    b1 = torch.tensor(B1, requires_grad=True)
    w2 = torch.tensor(W2, requires_grad=True)
    b2 = torch.tensor(B2, requires_grad=True)
    opt = make_optimizer([w1, b1, w2, b2])
    x, y = torch.tensor(X), torch.tensor(Y)
    losses = []
    for _ in range(3):
        opt.zero_grad()
        logits = torch.tanh(x @ w1 + b1) @ w2 + b2
        data_loss = torch.nn.functional.cross_entropy(logits, y)
        loss = data_loss + L2 * (w1.pow(2).sum() + w2.pow(2).sum())
        losses.append(data_loss.item())
        loss.backward()
        opt.step()
    return losses, [w1, b1, w2, b2]


for name, make in [("adam", lambda p: torch.optim.Adam(p, lr=0.1)),
                   ("nesterov", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True))]:
    losses, params = run(make)
    print(name, "losses", ", ".join(f"{v:.9g}" for v in losses))
    for label, p in zip(["w1", "b1", "w2", "b2"], params):
        print(name, label, ", ".join(f"{v:.9g}" for v in p.detach().flatten().tolist()))
