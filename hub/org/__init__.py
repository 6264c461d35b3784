"""The organisation: subsystems, their departments, and the staff in each."""
