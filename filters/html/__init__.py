"""Everything that reads HTML: ``html_to_text``, ``remove_boilerplate`` and their machinery.

* ``html_to_text.py``, ``remove_boilerplate.py``: the two rules;
* ``parse.py``: the shared parse (raw-block cut, libxml2 with a BeautifulSoup fallback);
* ``paragraphs.py``: jusText's paragraph maker and classifier, fast;
* ``content_region.py``: the main-content region of a page, found before jusText runs;
* ``precision_rules.py``, ``repeated_blocks.py``, ``structured_data.py``: the region's rules;
* ``backends.py``: trafilatura and resiliparse as alternative backends;
* ``compiled.py`` with ``_walk.pyx``, ``_rawcut.pyx``, ``_attrstrip.pyx``: optional C speed-ups.
"""
