"""Events: a day's folder of many stories clustered into events, each briefed and asked about on its own.

`update_events` puts new articles into events (incrementally), `list_events` reads them (the web app's home
page), `split_run` groups one command's articles by event (off-topic ones apart), `route` picks the event(s)
a question is about.
"""

from agent.events.catalog import Event, EventArticle, get_event, list_events
from agent.events.route import Routing, route
from agent.events.runs import OffTopic, RunEvents, split_run
from agent.events.update import UpdateReport, update_events

__all__ = ["Event", "EventArticle", "OffTopic", "Routing", "RunEvents", "UpdateReport", "get_event",
           "list_events", "route", "split_run", "update_events"]
