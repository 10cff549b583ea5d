"""Pictures of samples: per-modality renderings, legends and the static HTML gallery."""
