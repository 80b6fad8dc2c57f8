"""Modal dialogs: fork, carry on, exercises, help."""
