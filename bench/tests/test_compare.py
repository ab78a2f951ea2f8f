# SPDX-License-Identifier: MIT
"""The A/B comparison of two results files (bench/compare.py)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import compare  # noqa: E402
from tests.fixture import full_results  # noqa: E402


class Compare(unittest.TestCase):
    def test_identical_runs_list_nothing(self):
        a = full_results()
        self.assertEqual(compare.rows(a, full_results(), False), [])

    def test_a_moved_median_is_listed(self):
        a, b = full_results(), full_results()
        b.series["start.minivmm.first"] = [30.0, 31.0, 32.0]   # A: 11, 12, 14
        rows = compare.rows(a, b, False)
        self.assertEqual(rows, [["start.minivmm.first", "3/3", "12.000", "31.000",
                                 f"{31 / 12:.3f}", "yes"]])

    def test_within_the_spread_is_not_flagged(self):
        a, b = full_results(), full_results()
        b.series["start.minivmm.first"] = [11.0, 13.0, 14.0]
        self.assertEqual(compare.rows(a, b, False), [])
        row = [x for x in compare.rows(a, b, True) if x[0] == "start.minivmm.first"][0]
        self.assertEqual(row[5], "")

    def test_series_of_one_run_only_are_named(self):
        a, b = full_results(), full_results()
        del b.series["netboot.first"]
        self.assertIn("Measured in one run only: netboot.first", compare.render(a, b, False))


if __name__ == "__main__":
    unittest.main()
