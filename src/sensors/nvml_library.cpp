// stub, replaced by the backend implementation
