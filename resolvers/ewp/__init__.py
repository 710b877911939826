"""Erasmus Without Paper: bilateral mobility agreements exported as EWP Interinstitutional
Agreements (IIA API v7 `get` responses), valid against the vendored XSDs (xsd/NOTICE.md)."""
