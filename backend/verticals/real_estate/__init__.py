"""The real-estate sales line: buyers and sellers calling an agency."""
