"""Data protection (issue 20, item 4): the retention purge, a person's data export and the
deletion of one's own account. Use cases only; the pages are the account page's
(accounts/privacy_views.py) and the command is ``flask data purge`` (data/cli.py)."""
