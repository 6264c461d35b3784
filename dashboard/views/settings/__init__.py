"""Settings for admins: the overview (try it, sources, quiet hours, rule order), one page per
configuration table (saved through the configuration loader), and prompt sounds."""

from .overview import reorder_rules, settings_page
from .sounds import sounds_page
from .views import move_row, row_page, table_page

__all__ = ["move_row", "reorder_rules", "row_page", "settings_page", "sounds_page", "table_page"]
