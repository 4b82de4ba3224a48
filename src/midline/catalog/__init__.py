"""The exercise catalog: validated data files loaded into typed models."""

from midline.catalog.loader import Catalog, load_catalog

__all__ = ["Catalog", "load_catalog"]
