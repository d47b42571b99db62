#!/usr/bin/env python3
"""Independent reference values for statistics_test.cpp.

Written without the harness's code: Python's own `statistics` module for the
descriptive figures, and a from-scratch MT19937 (the reference algorithm of
Matsumoto and Nishimura, init_genrand seeding, as std::mt19937 uses) driving
the percentile bootstrap of mean(candidate)/mean(base) that
harness/host/statistics.h documents. Run it to regenerate the constants.
"""
import statistics


class MT19937:
    def __init__(self, seed):
        self.mt = [0] * 624
        self.mt[0] = seed & 0xFFFFFFFF
        for i in range(1, 624):
            prev = self.mt[i - 1]
            self.mt[i] = (1812433253 * (prev ^ (prev >> 30)) + i) & 0xFFFFFFFF
        self.index = 624

    def next(self):
        if self.index >= 624:
            for i in range(624):
                y = (self.mt[i] & 0x80000000) | (self.mt[(i + 1) % 624] & 0x7FFFFFFF)
                self.mt[i] = self.mt[(i + 397) % 624] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
            self.index = 0
        y = self.mt[self.index]
        self.index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        return y


def quantile7(sorted_values, q):
    h = (len(sorted_values) - 1) * q
    lo = int(h)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


def bootstrap_ratio(base, cand, resamples, seed, confidence=0.95):
    rng = MT19937(seed)
    ratios = []
    for _ in range(resamples):
        b = sum(base[rng.next() % len(base)] for _ in base) / len(base)
        c = sum(cand[rng.next() % len(cand)] for _ in cand) / len(cand)
        if b != 0:
            ratios.append(c / b)
    ratios.sort()
    tail = (1 - confidence) / 2
    return (sum(cand) / len(cand)) / (sum(base) / len(base)), quantile7(ratios, tail), \
        quantile7(ratios, 1 - tail)


def bootstrap_mean(sample, resamples, seed, confidence=0.95):
    rng = MT19937(seed)
    means = sorted(sum(sample[rng.next() % len(sample)] for _ in sample) / len(sample)
                   for _ in range(resamples))
    tail = (1 - confidence) / 2
    return sum(sample) / len(sample), quantile7(means, tail), quantile7(means, 1 - tail)


BASE = [10.2, 9.8, 10.5, 10.1, 9.9]
CAND = [11.0, 11.4, 10.9, 11.2, 11.6]
SAME = [10.0, 10.3, 9.7, 10.2, 9.9]

if __name__ == "__main__":
    print("mt19937(5489) first outputs:", [MT19937(5489).next() for _ in range(1)])
    for name, sample in (("BASE", BASE), ("CAND", CAND)):
        print(name, "mean %.17g median %.17g stdev %.17g" %
              (statistics.mean(sample), statistics.median(sample), statistics.stdev(sample)))
    print("quantile7([1,2,3,4], 0.1) = %.17g" % quantile7([1, 2, 3, 4], 0.1))
    for label, base, cand, n, seed in (("CAND/BASE", BASE, CAND, 2000, 7),
                                       ("SAME/BASE", BASE, SAME, 2000, 7),
                                       ("CAND/BASE seed 1", BASE, CAND, 10000, 1)):
        print(label, n, seed, "ratio %.17g low %.17g high %.17g" %
              bootstrap_ratio(base, cand, n, seed))
    print("mean of CAND 2000 3: mean %.17g low %.17g high %.17g" % bootstrap_mean(CAND, 2000, 3))
