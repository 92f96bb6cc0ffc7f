"""The scopes customers understands, as auth issues them."""

READ = "customers:read"
WRITE = "customers:write"
ADMIN = "customers:admin"
