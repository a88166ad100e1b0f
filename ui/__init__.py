"""The web interface: interface strings, HTML rendering of answers and sources, and page assets."""
