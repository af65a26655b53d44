"""Checkout and order history. Orders need an account: the guest cart follows the shopper in."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from shop.accounts.visitors import visitor_from_request
from shop.cart.selectors import cart_for_visitor, cart_summary

from .forms import CheckoutForm
from .selectors import order_get_for_user, orders_for_user
from .services import CheckoutError, order_place


@login_required
def checkout(request):
    visitor = visitor_from_request(request)
    cart = cart_for_visitor(visitor=visitor)
    if request.method == "POST":
        form = CheckoutForm(request.POST)
        if form.is_valid() and cart is not None:
            try:
                order = order_place(
                    cart=cart, user=request.user, address=form.address(),
                    idempotency_key=form.cleaned_data["idempotency_key"], session_key=visitor.session_key,
                )
            except CheckoutError as error:
                messages.error(request, str(error))
                return redirect("cart:detail")
            messages.success(request, f"Thank you! Your order {order.number} has been placed.")
            return redirect(order)
    else:
        form = CheckoutForm(initial={
            "idempotency_key": uuid.uuid4(), "email": request.user.email,
            "full_name": request.user.get_full_name(),
        })
    summary = cart_summary(cart=cart)
    if not summary.lines:
        messages.info(request, "Your cart is empty.")
        return redirect("cart:detail")
    return render(request, "orders/checkout.html", {"form": form, "summary": summary})


@login_required
def order_list(request):
    page_obj = Paginator(orders_for_user(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "orders/order_list.html", {"page_obj": page_obj})


@login_required
def order_detail(request, pk):
    order = order_get_for_user(user=request.user, pk=pk)
    if order is None:
        raise Http404("No such order.")
    return render(request, "orders/order_detail.html", {"order": order})
