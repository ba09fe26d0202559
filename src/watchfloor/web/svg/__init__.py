"""Server-rendered SVG for the web app: the targets world map and the activity charts.

Every function returns a string of SVG markup with all text escaped; no JavaScript is needed.
"""
