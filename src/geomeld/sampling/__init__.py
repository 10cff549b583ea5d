"""The coordinate pool: stratified sampling, anchor import, under-represented fill, spacing/de-duplication.

Entry point: :func:`geomeld.sampling.run.run` (CLI: ``geomeld sample``). The pieces:
:mod:`~geomeld.sampling.strata` (Köppen × IGBP strata, eligibility), :mod:`~geomeld.sampling.quotas`,
:mod:`~geomeld.sampling.stratified`, :mod:`~geomeld.sampling.anchors`, :mod:`~geomeld.sampling.fill`,
:mod:`~geomeld.sampling.spacing`, :mod:`~geomeld.sampling.ids` (stable tile ids),
:mod:`~geomeld.sampling.pool` (the table) and :mod:`~geomeld.sampling.report` (summary and map).
"""
