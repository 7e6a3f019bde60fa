"""Shipped JSON Schemas, generated from the models (``python -m origincert.document --write-schema``)."""
