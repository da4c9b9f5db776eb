"""Draft community rules (hương ước, quy ước): pure rules with no I/O.

- ``parse``: a plain text or Markdown draft -> chapters and articles ("Điều N." starts an
  article, "Chương ..." lines are headings).
- ``window``: the comment window (Nghị định 61/2023/NĐ-CP: at least 30 days) and whether it
  is open at a given moment.
- ``votes``: agree / disagree tallies where a resident's last vote on an article counts.
- ``access``: who among staff may read drafts' comments and who may act on them.
- ``split``: long texts cut into short chat messages.
"""
