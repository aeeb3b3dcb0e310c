"""ydabm: an agent-based model of homogeneous competition among the Yangtze River Delta's 41 cities."""

__version__ = "0.1.0"

__all__ = ["YRDModel", "__version__"]


def __getattr__(name: str):
    """``ydabm.YRDModel`` imported on first use (PEP 562): ``import ydabm`` and the ``ydabm`` command
    stay light (no Mesa, pandas or SciPy) until the model is needed."""
    if name == "YRDModel":
        from .model import YRDModel
        globals()["YRDModel"] = YRDModel
        return YRDModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
