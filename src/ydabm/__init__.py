"""ydabm: an agent-based model of homogeneous competition among the Yangtze River Delta's 41 cities."""

__version__ = "0.1.0"

from .model import YRDModel  # noqa: E402

__all__ = ["YRDModel", "__version__"]
