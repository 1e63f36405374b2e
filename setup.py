"""Build: calgen's extraction modules compiled with mypyc (README, *Speed: extraction compiled*).

The modules listed in pyproject.toml's ``[tool.calgen] compiled`` are plain, type-checked
Python; mypyc (part of mypy) compiles each into a C extension that runs the same code faster.
Each extension is optional: without a C compiler the same modules run as Python, and
CALGEN_PURE=1 in the environment skips compiling altogether.
"""
import os
import tomllib
from pathlib import Path

from setuptools import setup


def extensions() -> list:
    if os.environ.get("CALGEN_PURE"):
        return []
    from mypyc.build import mypycify

    config = tomllib.loads(Path(__file__).with_name("pyproject.toml").read_text(encoding="utf-8"))
    built = mypycify(config["tool"]["calgen"]["compiled"], opt_level="3")
    for ext in built:
        ext.optional = True          # a build without a C compiler keeps the Python modules
    return built


setup(ext_modules=extensions())
