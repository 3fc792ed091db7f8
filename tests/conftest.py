import os
import sys

# Data files (deliberately wrong or malformed proofs) are inputs to tests, not tests.
collect_ignore_glob = ["data/*"]
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
os.environ.setdefault("NO_COLOR", "1")

# The suite's properties run the same examples every time (a run never fails on an example it has
# not failed on before); MATCALC_HYPOTHESIS=random explores new ones, as the longer opt-in runs do.
from hypothesis import settings  # noqa: E402

settings.register_profile("fixed", derandomize=True, database=None)
settings.register_profile("random")
settings.load_profile("random" if os.environ.get("MATCALC_HYPOTHESIS") == "random" else "fixed")
