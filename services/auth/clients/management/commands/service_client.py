"""Manage service clients: `create NAME --scope ...` (prints the secret once), `rotate-secret`, `disable`, `list`."""

from django.core.management.base import BaseCommand, CommandError

from clients.models import ServiceClient
from clients.services import client_create, client_disable, client_rotate_secret


class Command(BaseCommand):
    help = "Create, rotate the secret of, disable or list service clients (client-credentials grant)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a client and print its secret once")
        create.add_argument("name")
        create.add_argument("--scope", nargs="+", required=True, help="scopes it may be granted")
        create.add_argument("--audience", nargs="+", default=["customers"], help="services its tokens are for")
        for action in ("rotate-secret", "disable"):
            sub.add_parser(action).add_argument("client_id")
        sub.add_parser("list")

    def handle(self, action, **options):
        if action == "create":
            try:
                client, secret = client_create(name=options["name"], scopes=options["scope"],
                                               audience=options["audience"])
            except ValueError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"client_id={client.client_id}\nclient_secret={secret}\n"
                              "Store the secret now: it is not kept and cannot be shown again.")
        elif action == "list":
            for client in ServiceClient.objects.order_by("created_at"):
                state = "active" if client.is_active else "disabled"
                self.stdout.write(f"{client.client_id} {state} scope={client.allowed_scopes} aud={client.audience}")
        else:
            client = ServiceClient.objects.filter(client_id=options["client_id"]).first()
            if client is None:
                raise CommandError(f"no client {options['client_id']}")
            if action == "disable":
                client_disable(client=client)
                self.stdout.write(f"disabled {client.client_id}")
            else:
                self.stdout.write(f"client_secret={client_rotate_secret(client=client)}")
