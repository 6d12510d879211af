"""Pages of matching, one module per part; urls.py imports the modules."""
