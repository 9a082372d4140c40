"""Service: complaints (service cases), support questions and service records."""
