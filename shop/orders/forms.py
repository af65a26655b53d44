from django import forms

from .services import Address


class CheckoutForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    address_line1 = forms.CharField(
        label="Address", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "address-line1"})
    )
    address_line2 = forms.CharField(
        label="Address (line 2)", max_length=200, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    city = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    postcode = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"autocomplete": "postal-code"}))
    country = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "country-name"}))
    # Made when the form is shown; a double submit sends the same key and finds the same order.
    idempotency_key = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"invalid": "This checkout form is out of date; please try again."}
    )

    def address(self) -> Address:
        data = self.cleaned_data
        return Address(**{name: data[name] for name in Address.__dataclass_fields__})
