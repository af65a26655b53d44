"""Create a superuser when none exists and print its login (for `make run` on a fresh machine)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string

from shop.core.embedded import DATA_DIR


class Command(BaseCommand):
    help = "Create an admin account if there is none; print its login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        credentials = DATA_DIR / "admin-login.txt"
        if User.objects.filter(is_superuser=True).exists():
            if credentials.exists():
                self.stdout.write(f"Admin login: {credentials.read_text().strip()}")
            return
        password = get_random_string(16)
        User.objects.create_superuser(username=username, email=f"{username}@localhost", password=password)
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        credentials.write_text(f"{username} / {password}\n")
        credentials.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Created admin account. Admin login: {username} / {password}"))
