"""The listing filter form's own checks, across fields (django-filter builds the fields themselves).

In: the bound filter data. Out: errors a shopper can act on; a field with an error is left out of the
filtering, so the listing still shows what the rest of the form asks for.
"""

from django import forms


class ListingFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("price_min"), cleaned.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", forms.ValidationError(
                "The max price (%(high)s) is below the min price (%(low)s): raise it or lower the min price.",
                code="price_range", params={"low": f"{low:g}", "high": f"{high:g}"},
            ))
        return cleaned
