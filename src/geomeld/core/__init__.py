"""What every stage shares: the modality registry, the sample model, errors, config, version, origins."""
