"""Accounts: a shopper's profile (department, usual sizes) and their likes (user or guest)."""

from django.conf import settings
from django.db import models

from shop.catalog.models import Gender, Product


class SizeType(models.TextChoices):
    """The kinds of sizing a shopper has a usual size for."""

    TOPS = "tops", "Tops"
    BOTTOMS = "bottoms", "Bottoms"
    SHOES = "shoes", "Shoes"


class Profile(models.Model):
    """Created on demand (profile_get_or_create), so accounts made elsewhere (admin, shell) need none."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, related_name="profile", on_delete=models.CASCADE)
    department = models.CharField(max_length=10, choices=Gender.choices, blank=True)
    # {"tops": "M", "bottoms": "32", "shoes": "42"}; keys are SizeType values, missing means unknown.
    sizes = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Profile of {self.user}"


class Like(models.Model):
    """A product a shopper likes: by the user, or by a guest's key until they sign in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="likes", on_delete=models.CASCADE
    )
    guest_key = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    product = models.ForeignKey(Product, related_name="likes", on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "product"], condition=models.Q(user__isnull=False), name="like_unique_per_user"
            ),
            models.UniqueConstraint(
                fields=["guest_key", "product"],
                condition=models.Q(user__isnull=True),
                name="like_unique_per_guest",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(guest_key__isnull=False),
                name="like_has_an_owner",
            ),
        ]

    def __str__(self):
        return f"{self.user or self.guest_key} likes {self.product_id}"
