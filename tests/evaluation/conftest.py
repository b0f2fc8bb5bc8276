from tests.evaluation.scorecard_fixtures import hand_metrics  # noqa: F401 - scorecard tests' metrics
