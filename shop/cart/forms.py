"""Cart forms. Their error messages are shown to the shopper as they are."""

from django import forms

from .services import MAX_QUANTITY


class AddToCartForm(forms.Form):
    variant = forms.IntegerField(
        min_value=1,
        error_messages={key: "Please choose a size." for key in ("required", "invalid", "min_value")},
    )
    quantity = forms.IntegerField(
        initial=1, min_value=1, max_value=MAX_QUANTITY,
        error_messages={
            "min_value": "Quantity must be at least 1.",
            "max_value": f"You can add at most {MAX_QUANTITY} of one item.",
            "invalid": "Quantity must be a whole number.",
            "required": "Please give a quantity.",
        },
    )


class UpdateQuantityForm(forms.Form):
    quantity = forms.IntegerField(
        min_value=0, max_value=MAX_QUANTITY,
        error_messages={
            "min_value": "Quantity cannot be negative.",
            "max_value": f"You can have at most {MAX_QUANTITY} of one item.",
            "invalid": "Quantity must be a whole number.",
            "required": "Please give a quantity.",
        },
    )


def first_error(form: forms.Form) -> str:
    return next(iter(e for errors in form.errors.values() for e in errors), "Please check the form.")
