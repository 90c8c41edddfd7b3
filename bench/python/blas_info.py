"""Prints which Python peers are installed and which BLAS numpy uses, as JSON on one line."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import blas_summary, openblas_env_note  # noqa: E402

info = {"python": sys.version.split()[0], "numpy": None, "torch": None, "blas": None, "env": openblas_env_note()}
try:
    import numpy

    info["numpy"] = numpy.__version__
    info["blas"] = blas_summary()
except Exception as err:
    info["numpyError"] = str(err)
try:
    import torch

    info["torch"] = torch.__version__
except Exception as err:
    info["torchError"] = str(err)
print(json.dumps(info))
