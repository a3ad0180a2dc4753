"""The real-estate tools: each reads memory through the memory API and writes structured
episodes (and the bookings ledger); none writes free text."""
