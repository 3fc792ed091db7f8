import os
import sys

# Data files (deliberately wrong or malformed proofs) are inputs to tests, not tests.
collect_ignore_glob = ["data/*"]
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
os.environ.setdefault("NO_COLOR", "1")
