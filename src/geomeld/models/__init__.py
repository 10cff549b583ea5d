"""GeoMeld-FM models: the ConvNeXt V2 encoder (dense-masked), modality decoders, JEPA, ITC and export.

Import the submodules directly (``geomeld.models.convnextv2``, ``geomeld.models.export``, …).
"""
