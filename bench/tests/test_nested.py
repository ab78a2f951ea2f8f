# SPDX-License-Identifier: MIT
"""Reading the results L1 prints on the nested harness' console."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lib import nested  # noqa: E402
from tests.fixture import full_results  # noqa: E402


class Console(unittest.TestCase):
    def test_results_between_markers_with_kernel_noise(self):
        r = full_results("hw", nested=True)
        body = json.dumps(r.to_dict(), indent=1).splitlines()
        body.insert(5, "[   42.123456] random: crng init done")
        text = "\r\n".join(["MVT-L1-RUN x", "bench: hardware KVM: Linux boot",
                            nested.BEGIN, *body, nested.END, "MVT-L1-DONE 0"])
        got = nested.results_from_console(text)
        self.assertEqual(got.to_dict(), r.to_dict())

    def test_no_markers_is_an_error(self):
        with self.assertRaises(ValueError):
            nested.results_from_console("L1 went quiet\n")


if __name__ == "__main__":
    unittest.main()
