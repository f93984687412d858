"""The RootCause domain: tickets and their attachments."""
