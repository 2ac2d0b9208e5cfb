"""dchkit's benchmarks: accuracy, speed and memory, side by side with Splink.

Run the suite with ``python -m benchmarks`` (or ``benchmarks/run``, which first makes sure
the ``bench`` extra is installed). The harness lives in :mod:`benchmarks.suite`.
"""
