"""Evaluation over HTTP: indicators, scorecards, rectification notices and the open figures."""

from ninja import Router

from zhichan.evaluation.open_api import router as open_router
from zhichan.evaluation.rectification_api import router as rectification_router
from zhichan.evaluation.scorecards.api import router as scorecards_router

router = Router(tags=["evaluation"])
router.add_router("", scorecards_router)
router.add_router("", rectification_router)
router.add_router("", open_router)
