"""The words our templates put around source sentences: section titles, divergence kinds and resolutions."""

from __future__ import annotations

from agent.text.norm import words

TITLES = {"bottom_line": "Bottom line", "what_happened": "What happened", "agreed": "What the outlets agree on",
          "differ": "Where they differ, and why", "disputed": "What is disputed",
          "single_source": "Reported by one outlet only", "watch": "What to watch", "timeline": "Timeline",
          "sources": "Sources"}
KIND_LABEL = {"timing_of_report": "Written before vs after the event", "contradiction": "Genuine contradiction",
              "number_or_date": "Different numbers or dates", "quote_altered": "Quote altered",
              "wording_drift": "Wording drift", "name_variant": "Name spelled differently", "omission": "Omission"}
RESOLUTION_LABEL = {"event_happened": "the event happened; the earlier report was written before it",
                    "superseded": "a later report changed it; the later version stands",
                    "prefer_original": "the original outlet's version stands over the copy",
                    "same_entity": "same person or place", "minor_wording": "wording only; the fact is the same",
                    "disputed": "unresolved: the outlets disagree", "not_a_conflict": "not a conflict"}
# Words our own templates add around source content; the support check looks only at the rest.
TEMPLATE_WORDS = frozenset(words(" ".join(list(KIND_LABEL.values()) + list(RESOLUTION_LABEL.values())))) | \
    frozenset("only report reports reported wrote write writes before after event done published publication "
              "planned describe independent outlet outlets quote quotes same words differently copies copy story "
              "original wording stands spelled name one unknown dates date read written earlier still call others "
              "give gives where state states denied not so it later changed change supersedes version versions "
              "found code model reads different neither preferred texts figures differ".split())
