"""The packaging test runs only when asked: ``GAN_COURSE_PACKAGING=1`` (``make package-test`` sets it).

Without it, ``pytest tests`` (``make test``) collects nothing here: the test builds a wheel, installs it
into a temporary environment and runs every lesson from it (about 3 minutes on 2 CPU cores).
"""

import os

if os.environ.get("GAN_COURSE_PACKAGING") != "1":
    collect_ignore_glob = ["test_*.py"]
