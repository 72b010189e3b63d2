"""Daily reconciliation (对账) of the payment platform: ``README.md`` in this folder."""
