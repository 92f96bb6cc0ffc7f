"""Small helpers the customers tests share."""


def create(client, version: str = "v1", /, **fields):
    """POST a customer through the API."""
    body = {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+44 20 1234", "company": "Engines",
            **fields}
    return client.post(f"/{version}/customers/", body, format="json")


def detail_url(customer_id, version: str = "v1") -> str:
    return f"/{version}/customers/{customer_id}/"
