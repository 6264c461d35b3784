"""Notification channels: every way a person is told besides the speakers.

Each channel is a package in :mod:`hub.notify.channels` (``apprise``,
``webpush``, …) with a ``transport.py`` that builds a :class:`~hub.notify.base.Transport`
for a :class:`~hub.notify.models.Target`; adding a channel means adding a folder.

The guarantee is the speakers' one: a :class:`~hub.notify.models.Notification`
row per target is written in the transaction that writes a message's
announcements (:func:`hub.notify.fanout.notify_for`); the sender
(:mod:`hub.notify.sender`) claims rows with a conditional update, retries
temporary failures with back-off, records permanent ones with their reason,
and re-sends — with the same notification id — only what a crash left
unmarked.
"""
