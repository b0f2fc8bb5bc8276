"""Evaluation over HTTP: indicators, scorecards and the open figures."""

from ninja import Router

router = Router(tags=["evaluation"])


# The public open figures (evaluation/open_api.py).
from zhichan.evaluation.open_api import router as _open_router  # noqa: E402

router.add_router("", _open_router)
