"""GeoMeld shard I/O: per-sample HDF5 (:mod:`.h5sample`), WebDataset shards and their index
(:mod:`.shards`, :mod:`.index`), band statistics (:mod:`.stats`) and the PyTorch loader
(:mod:`.dataset`)."""
