"""Benchmarks of autograd_lite against hand-written NumPy (and PyTorch, micrograd when
installed through the ``bench`` extra).

Run ``python -m benchmarks`` (or ``python benchmarks/run.py``); ``--help`` lists the
options. Every workload is checked to give the baseline's loss and gradients before it is
timed, and every ratio is taken against the baseline measured in the same round. Nothing
here runs as a timed unit test.
"""
