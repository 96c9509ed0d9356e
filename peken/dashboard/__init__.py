"""Oscar's dashboard, forked: staff edits of shops, listings and prices follow the same rules.

Only the views that write a shop's data, a listing or a stock record are
replaced (``partners/views.py``, ``catalogue/views.py``); Oscar's class
loader finds them here because this app holds the ``dashboard`` label.
"""
