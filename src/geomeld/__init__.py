"""geomeld: semantically grounded multimodal remote-sensing datasets, verified captions and GeoMeld-FM."""

from geomeld.core.version import package_version as _package_version

__version__ = _package_version()
