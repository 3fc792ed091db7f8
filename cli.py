"""Run matcalc from a checkout without installing it: python cli.py list"""
import sys

from matcalc.cli import main

sys.exit(main())
