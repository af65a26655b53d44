from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "shop.cart"
    label = "cart"
    verbose_name = "Cart"

    def ready(self):
        # A guest's cart merges into the account at login.
        from . import receivers  # noqa: F401
