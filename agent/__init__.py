"""newsagent: cited consensus briefs from several news articles about one event."""

__version__ = "0.1.0"
