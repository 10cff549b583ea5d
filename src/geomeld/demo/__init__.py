"""The demo: the whole GeoMeld line run offline on the embedded real data (``geomeld demo``).

:mod:`.pipeline` plans and runs the steps (each an ordinary ``geomeld`` command), :mod:`.report` writes
``report.html``, :mod:`.summary` prints the terminal summary, :mod:`.cli` is the verb; ``configs/``
holds the demo's YAMLs as package data.
"""
