"""R's random numbers in numpy: ``set.seed``, ``runif`` and ``rnorm`` draw for draw.

R's default generator (``RNGkind()``: "Mersenne-Twister", "Inversion") reproduced with
numpy's MT19937, and R's ``qnorm`` (Wichura's AS 241) bit for bit, so that the
C-statistic route of :func:`riskml.evaluation.minimum_sample_size` draws exactly what
R's pmsampsize draws.
"""

from __future__ import annotations

import math

import numpy as np


def _r_mersenne_twister(seed: int) -> np.random.MT19937:
    """numpy's MT19937 in the state R's ``set.seed(seed)`` leaves.

    R scrambles the seed with the linear congruential generator
    ``seed = 69069 seed + 1`` (mod 2^32): 50 times, then once for each of the 625
    words of its state, whose first word is the position (set to 624, so that the
    first draw regenerates the 624-word key) and the others the key.
    """
    state = int(seed) & 0xFFFFFFFF
    for _ in range(50):
        state = (69069 * state + 1) & 0xFFFFFFFF
    words = np.empty(625, dtype=np.uint32)
    for j in range(625):
        state = (69069 * state + 1) & 0xFFFFFFFF
        words[j] = state
    bit_generator = np.random.MT19937()
    bit_generator.state = {
        "bit_generator": "MT19937",
        "state": {"key": words[1:], "pos": 624},
    }
    return bit_generator


def _r_unif_rand(bit_generator: np.random.MT19937, size: int) -> np.ndarray:
    """R's ``unif_rand()`` for the Mersenne-Twister: a 32-bit word times 2^-32, kept
    inside (0, 1)."""
    u = bit_generator.random_raw(size).astype(np.float64) * 2.3283064365386963e-10
    u[u <= 0.0] = 0.5 * 2.328306437080797e-10
    return u


# Wichura (1988), algorithm AS 241 (PPND16): the coefficients of its three rational
# approximations, lowest degree first; R's qnorm() evaluates the same ones.
_AS241_CENTRAL = (
    (
        3.387132872796366608,
        133.14166789178437745,
        1971.5909503065514427,
        13731.693765509461125,
        45921.953931549871457,
        67265.770927008700853,
        33430.575583588128105,
        2509.0809287301226727,
    ),
    (
        1.0,
        42.313330701600911252,
        687.1870074920579083,
        5394.1960214247511077,
        21213.794301586595867,
        39307.89580009271061,
        28729.085735721942674,
        5226.495278852854561,
    ),
)
_AS241_INTERMEDIATE = (
    (
        1.42343711074968357734,
        4.6303378461565452959,
        5.7694972214606914055,
        3.64784832476320460504,
        1.27045825245236838258,
        0.24178072517745061177,
        0.0227238449892691845833,
        7.7454501427834140764e-4,
    ),
    (
        1.0,
        2.05319162663775882187,
        1.6763848301838038494,
        0.68976733498510000455,
        0.14810397642748007459,
        0.0151986665636164571966,
        5.475938084995344946e-4,
        1.05075007164441684324e-9,
    ),
)
_AS241_TAIL = (
    (
        6.6579046435011037772,
        5.4637849111641143699,
        1.7848265399172913358,
        0.29656057182850489123,
        0.026532189526576123093,
        0.0012426609473880784386,
        2.71155556874348757815e-5,
        2.01033439929228813265e-7,
    ),
    (
        1.0,
        0.59983220655588793769,
        0.13692988092273580531,
        0.0148753612908506148525,
        7.868691311456132591e-4,
        1.8463183175100546818e-5,
        1.4215117583164458887e-7,
        2.04426310338993978564e-15,
    ),
)


def _horner(coefficients, x: np.ndarray) -> np.ndarray:
    value = np.full_like(x, coefficients[-1])
    for coefficient in coefficients[-2::-1]:
        value = value * x + coefficient
    return value


def _qnorm_as241(p: np.ndarray) -> np.ndarray:
    """Standard normal quantile by AS 241 with R's operation order, so that the values
    equal R's ``qnorm`` bit for bit (scipy's ``ndtri`` differs from it in the last bit
    for most values)."""
    p = np.asarray(p, dtype=np.float64)
    q = p - 0.5
    out = np.empty_like(p)
    central = np.abs(q) <= 0.425
    r = 0.180625 - q[central] * q[central]
    # (q × numerator) / denominator, in this order, as R evaluates it
    out[central] = q[central] * _horner(_AS241_CENTRAL[0], r) / _horner(_AS241_CENTRAL[1], r)
    tail = ~central
    smaller = np.where(q[tail] > 0, 0.5 - p[tail] + 0.5, p[tail])
    # the C library's log, as R's: numpy's vectorised log differs from it in the last
    # bit for about 1 value in 10,000
    r = np.sqrt(-np.fromiter(map(math.log, smaller.tolist()), np.float64, smaller.size))
    value = np.empty_like(r)
    near = r <= 5.0
    for coefficients, rows, shift in (
        (_AS241_INTERMEDIATE, near, 1.6),
        (_AS241_TAIL, ~near, 5.0),
    ):
        x = r[rows] - shift
        value[rows] = _horner(coefficients[0], x) / _horner(coefficients[1], x)
    out[tail] = np.where(q[tail] < 0, -value, value)
    return out


def _r_rnorm(bit_generator: np.random.MT19937, size: int, mean: float) -> np.ndarray:
    """R's ``rnorm(size, mean, 1)`` by inversion: two uniforms per draw, the first
    giving 27 high bits (``BIG = 2^27``), as R's ``norm_rand()``."""
    u = _r_unif_rand(bit_generator, 2 * size)
    big = 134217728.0
    return mean + _qnorm_as241((np.floor(big * u[0::2]) + u[1::2]) / big)
