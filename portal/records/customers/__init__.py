"""Customers: customers, contacts, sharing, transfer, the recycle bin, bulk mail and imports."""
