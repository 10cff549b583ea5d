"""Geography helpers: offline global reference layers (land, climate, land cover, country, season)."""
