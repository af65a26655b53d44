"""Cart pages: view, add, change quantity. Refusals come back as messages; nothing is lost."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shop.accounts.visitors import visitor_from_request
from shop.catalog.rails import rails_for

from .forms import AddToCartForm, UpdateQuantityForm, first_error
from .selectors import cart_for_visitor, cart_summary
from .services import CartError, cart_item_add, cart_item_set_quantity


def _back(request, fallback="cart:detail"):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def cart_detail(request):
    cart = cart_for_visitor(visitor=visitor_from_request(request))
    summary = cart_summary(cart=cart)
    return render(request, "cart/cart.html", {
        "summary": summary,
        "rails": rails_for(request, placement="cart", cart=cart),
    })


@require_POST
def cart_add(request):
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return _back(request)
    visitor = visitor_from_request(request, create_guest_key=True)
    try:
        item = cart_item_add(
            visitor=visitor, variant_id=form.cleaned_data["variant"], quantity=form.cleaned_data["quantity"]
        )
    except CartError as error:
        messages.error(request, str(error))
        return _back(request)
    messages.success(request, f"Added {item.variant.product.name} (size {item.variant.size}) to your cart.")
    return _back(request)


@require_POST
def cart_item_update(request, item_id):
    form = UpdateQuantityForm(request.POST)
    cart = cart_for_visitor(visitor=visitor_from_request(request))
    if cart is None:
        messages.error(request, "Your cart is empty.")
    elif not form.is_valid():
        messages.error(request, first_error(form))
    else:
        try:
            item = cart_item_set_quantity(cart=cart, item_id=item_id, quantity=form.cleaned_data["quantity"])
            messages.success(request, "Cart updated." if item else "Item removed from your cart.")
        except CartError as error:
            messages.error(request, str(error))
    return redirect("cart:detail")
