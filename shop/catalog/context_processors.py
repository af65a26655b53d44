"""What every storefront page's header needs: the top categories and the cart's item count.

Both are lazy, so pages that do not render the header (admin, API) pay nothing for them.
"""

from django.utils.functional import SimpleLazyObject

from shop.accounts.visitors import visitor_from_request
from shop.cart.selectors import cart_item_count

from .selectors import navigation_categories


def storefront(request):
    return {
        "nav_categories": SimpleLazyObject(navigation_categories),
        "cart_count": SimpleLazyObject(lambda: cart_item_count(visitor=visitor_from_request(request))),
    }
