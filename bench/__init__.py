"""News Atlas benchmark: the standard scoring rules and the geoparse benchmark script."""
