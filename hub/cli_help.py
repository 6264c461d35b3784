"""``shopcrier-hub`` help: ShopCrier's own commands first, each with its one-line purpose.

Django's listing puts ``[auth]``, ``[contenttypes]`` … ``[django]`` before the
commands a shop actually runs (``load``, ``run``, ``fleet``…), sorted by app
label. Here the hub's and the dashboard's commands come first under
``[shopcrier]``; Django's follow under their usual headings. ``--version``
and ``version`` print ShopCrier's version, not Django's.
"""

from __future__ import annotations

import sys
from collections import defaultdict

from django.core.management import ManagementUtility, get_commands, load_command_class
from django.core.management.color import color_style

from node.version import version_line

PROGRAM = "shopcrier-hub"
OWN_APPS = ("hub", "dashboard")  # an app is ShopCrier's when its module is one of these or below them


def is_own(app: str) -> bool:
    return any(app == own or app.startswith(own + ".") for own in OWN_APPS)


class HubUtility(ManagementUtility):
    """Django's command-line utility with ShopCrier's listing and version."""

    def main_help_text(self, commands_only: bool = False) -> str:
        commands = get_commands()
        own = sorted(name for name, app in commands.items() if is_own(app))
        if commands_only:
            return "\n".join(own + sorted(name for name in commands if name not in own))
        style = color_style()
        lines = ["", f"Type '{PROGRAM} help <command>' for help on a command.", "", style.NOTICE("[shopcrier]")]
        width = max((len(name) for name in own), default=0)
        for name in own:
            lines.append(f"    {name.ljust(width)}  {self._summary(commands[name], name)}")
        lines += ["", "Django's commands (for developers and administrators):"]
        others: dict[str, list[str]] = defaultdict(list)
        for name, app in commands.items():
            if not is_own(app):
                others["django" if app == "django.core" else app.rpartition(".")[-1]].append(name)
        for app in sorted(others):
            lines += ["", style.NOTICE(f"[{app}]"), *(f"    {name}" for name in sorted(others[app]))]
        if self.settings_exception is not None:
            lines.append(style.NOTICE(f"Only Django's commands are listed: the settings are broken ({self.settings_exception})."))
        return "\n".join(lines)

    @staticmethod
    def _summary(app: str, name: str) -> str:
        """The first sentence of a command's ``help``; "" when it cannot be loaded."""
        try:
            text = str(load_command_class(app, name).help)
        except Exception:  # a listing must not fail because one command cannot import
            return ""
        first = text.strip().split(". ")[0].splitlines()[0] if text.strip() else ""
        return first if first.endswith(".") or not first else first + "."

    def execute(self) -> None:
        words = self.argv[1:]
        if words[:1] == ["version"] or words == ["--version"]:
            sys.stdout.write(version_line(PROGRAM) + "\n")
            return
        super().execute()
