"""What every file the project hands to a person (CSV for spreadsheets) must respect, whichever app writes it."""
