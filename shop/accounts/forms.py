from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm

from shop.catalog.importer import LETTER_SIZES, SHOE_SIZES, WAIST_SIZES
from shop.catalog.models import Gender

from .login_throttle import client_ip, login_blocked, window_seconds
from .models import SizeType

SIZE_CHOICES = {
    SizeType.TOPS: LETTER_SIZES,
    SizeType.BOTTOMS: WAIST_SIZES + LETTER_SIZES,
    SizeType.SHOES: sorted(set(SHOE_SIZES["women"]) | set(SHOE_SIZES["men"]), key=int),
}


class LoginForm(AuthenticationForm):
    """Checks the failed-login throttle before the password, so a blocked guess costs no hash."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if self.request is not None and login_blocked(ip=client_ip(self.request), username=username):
            minutes = max(1, window_seconds() // 60)
            raise forms.ValidationError(
                f"Too many failed attempts to log in. Please wait {minutes} minutes and try again.", code="throttled"
            )
        return super().clean()


class SignupForm(UserCreationForm):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")


class ProfileForm(forms.Form):
    department = forms.ChoiceField(
        label="I usually shop", choices=[("", "Everything")] + list(Gender.choices), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, sizes in SIZE_CHOICES.items():
            self.fields[f"size_{kind}"] = forms.ChoiceField(
                label=f"My size: {kind.label.lower()}", required=False,
                choices=[("", "Not set")] + [(s, s) for s in sizes],
            )

    @classmethod
    def initial_for(cls, profile) -> dict:
        return {"department": profile.department} | {f"size_{k}": v for k, v in profile.sizes.items()}

    def sizes(self) -> dict[str, str]:
        return {kind.value: self.cleaned_data[f"size_{kind}"] for kind in SIZE_CHOICES}
