"""Domain rules shared by the gateway, the actions and storage: pure Python, no I/O besides data files."""
