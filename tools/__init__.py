"""Maintainer scripts that regenerate the data embedded in the package (not installed with geomeld).

Run them from the repository root, e.g. ``python -m tools.minibench_build --shared ../shared/data``;
each module's docstring names its inputs. Their outputs are committed under ``src/geomeld/data/``.
"""
