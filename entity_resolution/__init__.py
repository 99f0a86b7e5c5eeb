"""entity_resolution package."""
