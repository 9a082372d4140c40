"""Deals: deals, activities, reminders, competitors, documents, handover, fulfilment, targets."""
