"""Facility entity resolution, pure: normalise -> block -> compare -> score -> cluster -> stable ids."""
