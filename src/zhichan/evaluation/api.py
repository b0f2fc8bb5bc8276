"""Evaluation over HTTP: indicators, scorecards and the open figures."""

from ninja import Router

router = Router(tags=["evaluation"])
