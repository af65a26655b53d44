from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shop.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # A guest's likes follow them into their account at login.
        from . import receivers  # noqa: F401
