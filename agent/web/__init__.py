"""`newsagent serve`: the brief, the comparison, the sources and chat as local web pages."""

from agent.web.app import create_app

__all__ = ["create_app"]
