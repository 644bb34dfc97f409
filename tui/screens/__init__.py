"""The screens and dialogs of the incident commander."""
