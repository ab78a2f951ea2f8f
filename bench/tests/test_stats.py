# SPDX-License-Identifier: MIT
"""The statistics the tables are made of (bench/lib/stats.py)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lib import stats  # noqa: E402
from lib.results import Results  # noqa: E402


class Summary(unittest.TestCase):
    def test_odd_count_median_is_the_middle_value(self):
        self.assertEqual(stats.summary([5, 1, 3]), stats.Summary(3, 1, 3, 5))

    def test_even_count_median_is_the_mean_of_the_middle_two(self):
        self.assertEqual(stats.summary([4, 1, 3, 2]), stats.Summary(4, 1, 2.5, 4))

    def test_one_value(self):
        self.assertEqual(stats.summary([7.5]), stats.Summary(1, 7.5, 7.5, 7.5))

    def test_no_values_is_none(self):
        self.assertIsNone(stats.summary([]))
        self.assertIsNone(stats.median([]))

    def test_non_numbers_are_left_out(self):
        self.assertEqual(stats.summary([2, float("nan"), None, True, 4]),
                         stats.Summary(2, 2, 3, 4))

    def test_order_does_not_matter(self):
        a = [3.2, 1.1, 9.9, 4.4, 0.5]
        self.assertEqual(stats.summary(a), stats.summary(sorted(a, reverse=True)))


class Ratio(unittest.TestCase):
    def test_ratio(self):
        self.assertAlmostEqual(stats.ratio(3, 2), 1.5)

    def test_missing_or_zero_base_is_none(self):
        self.assertIsNone(stats.ratio(None, 2))
        self.assertIsNone(stats.ratio(2, None))
        self.assertIsNone(stats.ratio(2, 0))

    def test_difference(self):
        self.assertEqual(stats.difference(5, 3), 2)
        self.assertIsNone(stats.difference(5, None))


class PerRequest(unittest.TestCase):
    def test_difference_of_medians_over_n(self):
        # medians 110 and 10: (110 - 10) * 1000 / 50 = 2000
        self.assertAlmostEqual(stats.per_request([100, 110, 500], [10, 9, 11], 50, 1000), 2000)

    def test_a_negative_cost_is_kept(self):
        # one noisy run can dip below zero; the table shows it, not hides it
        self.assertAlmostEqual(stats.per_request([9], [10], 1), -1)

    def test_missing_series_or_zero_n_is_none(self):
        self.assertIsNone(stats.per_request([], [1], 10))
        self.assertIsNone(stats.per_request([1], [], 10))
        self.assertIsNone(stats.per_request([1], [1], 0))


class Format(unittest.TestCase):
    def test_fmt(self):
        self.assertEqual(stats.fmt(1.25), "1.2")
        self.assertEqual(stats.fmt(1.26, 2), "1.26")
        self.assertEqual(stats.fmt(3, 0), "3")
        self.assertEqual(stats.fmt(None), "-")
        self.assertEqual(stats.fmt("x"), "-")

    def test_fmt_g_keeps_counts_whole(self):
        self.assertEqual(stats.fmt_g(1800.0), "1800")
        self.assertEqual(stats.fmt_g(1800.5), "1800.5")
        self.assertEqual(stats.fmt_g(None), "-")


class ResultsFile(unittest.TestCase):
    def test_round_trip(self):
        r = Results("main")
        r.add("a.b", 1)
        r.add("a.b", 2.5)
        r.values["v"] = 3
        r.commands["c"] = "cmd 'x y'"
        r.notes["n"] = "why"
        r.fail("one")
        back = Results.from_dict(r.to_dict())
        self.assertEqual(back.to_dict(), r.to_dict())

    def test_non_finite_values_are_refused(self):
        r = Results()
        with self.assertRaises(ValueError):
            r.add("x", float("inf"))

    def test_other_schema_is_refused(self):
        with self.assertRaises(ValueError):
            Results.from_dict({"schema": 99})


if __name__ == "__main__":
    unittest.main()
