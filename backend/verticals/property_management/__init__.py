"""The after-hours property-management line: renters and landlords calling about the
properties the agency manages (the same properties the sales line lists)."""
