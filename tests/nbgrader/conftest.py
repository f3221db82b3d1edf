"""The nbgrader end-to-end test runs only when asked: ``GAN_COURSE_NBGRADER=1`` (``make nbgrader-test``).

``make test`` (``pytest tests``) does not collect it: it needs nbgrader, which is not in requirements.txt,
and it autogrades every lesson three times (several minutes).
"""

import os

if os.environ.get("GAN_COURSE_NBGRADER") != "1":
    collect_ignore_glob = ["test_*.py"]
