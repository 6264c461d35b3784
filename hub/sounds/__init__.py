"""What speakers hear besides the message: prompt sounds served by the hub, and the hub's language.

``models.py`` holds :class:`PromptSound` (a levelled WAV in the node's playback
format, kept in the database and served from the data dir) and
:class:`HubSettings` (the language the hub's own prompts are worded in);
``tones.py`` generates the sounds a fresh install ships; ``audio.py`` checks and
converts uploads; ``library.py`` stores sounds and tells announcements where
to fetch them; ``views.py`` serves them.
"""
