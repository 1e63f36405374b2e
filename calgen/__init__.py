"""calgen: Chinese government work plans → deadline calendars on the Chinese working-day calendar."""
from pathlib import Path as _Path

__version__ = "0.1.0"


def _check_compiled(package: _Path) -> None:
    """In a source checkout, refuse to run a module compiled (mypyc, setup.py) from an older
    version of its source: Python imports the extension before the .py beside it, so an edit
    would silently not run.  (An installed copy is not edited: nothing to check.)"""
    if not (package.parent / "pyproject.toml").is_file():
        return
    for ext in [*package.rglob("*.so"), *package.rglob("*.pyd")]:
        source = ext.with_name(ext.name.split(".", 1)[0] + ".py")
        if source.is_file() and source.stat().st_mtime > ext.stat().st_mtime:
            raise ImportError(f"{source.relative_to(package.parent)} changed after it was compiled "
                              f"({ext.name}): run `pip install -e .` again, or delete {ext.name} "
                              "to run the module as Python")


_check_compiled(_Path(__file__).resolve().parent)
