"""Sign-up, profile, likes, and login (Django's view with a failed-attempt throttle). Logout is Django's."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shop.catalog.models import Product

from .forms import LoginForm, ProfileForm, SignupForm
from .login_throttle import client_ip, login_failure_record, login_failures_clear
from .selectors import liked_products
from .services import like_set, profile_get_or_create, profile_update
from .visitors import visitor_from_request


def _next_url(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if safe else fallback


class LoginView(auth_views.LoginView):
    """Django's login, answering 429 once one (IP, username) has failed too often (see login_throttle)."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        login_failures_clear(ip=client_ip(self.request), username=form.cleaned_data.get("username", ""))
        return super().form_valid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "throttled"):
            response.status_code = 429
        else:
            login_failure_record(ip=client_ip(self.request), username=self.request.POST.get("username", ""))
        return response


def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # login() sends user_logged_in, so the guest cart and likes follow into the new account.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to Vitrine, {user.username}!")
        return redirect(_next_url(request, "/"))
    return render(request, "accounts/signup.html", {"form": form, "next": _next_url(request, "")})


@login_required
def profile(request):
    current = profile_get_or_create(user=request.user)
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_for(current))
    if request.method == "POST" and form.is_valid():
        profile_update(user=request.user, department=form.cleaned_data["department"], sizes=form.sizes())
        messages.success(request, "Your profile has been saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


def likes(request):
    products = liked_products(visitor=visitor_from_request(request))
    page_obj = Paginator(products, 24).get_page(request.GET.get("page"))
    return render(request, "accounts/likes.html", {"page_obj": page_obj})


@require_POST
def like_toggle(request, product_id):
    product = get_object_or_404(Product.objects.active(), pk=product_id)
    liked = request.POST.get("liked") != "0"
    like_set(visitor=visitor_from_request(request, create_guest_key=True), product=product, liked=liked)
    messages.success(request, f"Saved {product.name} to your likes." if liked else f"Removed {product.name} from your likes.")
    return redirect(_next_url(request, product.get_absolute_url()))
