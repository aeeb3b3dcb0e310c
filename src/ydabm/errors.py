"""Errors a run can stop with after it started (bad input is :class:`ydabm.params.ParameterError`)."""


class Diverged(RuntimeError):
    """The economy's state stopped being finite (prices or money balances overflowed), or its R&D lost
    its stable level (the loop through the knowledge pools reached a gain of 1): the run cannot go on.
    :meth:`ydabm.model.YRDModel.step` raises it at the end of the quarter it happened in, before that
    quarter is recorded."""
