"""One router per resource; commands are declared in a table and built by ``commanding``."""
