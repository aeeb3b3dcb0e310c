"""The world the model runs on: the shipped YRD data, the transport network, synthetic geographies."""

from .world import Geography, build_geography

__all__ = ["Geography", "build_geography"]
