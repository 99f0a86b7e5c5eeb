"""Reading received files as raw rows: CSV and XLSX, encodings, table shape, JSON payloads, file errors."""
