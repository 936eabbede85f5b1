"""Digests: when each is due, what it says, and sending it exactly once.

``schedule`` (cadences, delivery moments, quiet hours: plain time arithmetic), ``jobs``
(one JobQueue job per delivery moment, rebuilt from the store), ``compose`` (what changed
since the last digest, then the news), ``delivery`` (the ledger pipeline: claim, send,
mark sent; plain code), ``sender`` (the digest through Telegram, its answer as an outcome)
and ``service`` (store, workers and jobs started and stopped as one).
"""
