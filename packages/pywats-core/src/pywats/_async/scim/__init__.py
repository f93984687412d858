"""The SCIM domain: user provisioning (SCIM 2.0)."""
