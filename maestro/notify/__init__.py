"""Notifications that leave the machine: Slack, a generic JSON webhook, PagerDuty (Events API v2).

`channel` holds the config shape (imported at every start, so it stays light), `payloads` what each kind
receives, `transport` the bounded HTTP POST, and `send` the `notify` operation.
"""
