"""Terminal rendering shared by the app and the command line (numpy in, Rich out)."""
