"""Infrastructure: serialisation, recorders, integrity log and configuration."""
