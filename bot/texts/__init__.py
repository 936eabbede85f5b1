"""Every word the bot says, one module per language: ``en`` and ``es``.

A Spanish fix is made in ``es.py`` alone; the modules that speak read their texts from
here, by the same names in both languages.
"""
