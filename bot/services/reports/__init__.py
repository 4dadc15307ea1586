"""Numbers for the yearly report and the Excel exports."""
