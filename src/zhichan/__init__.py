"""zhichan: a city's intellectual-property public service system."""

__version__ = "0.1.0"
