/* The header's cart badge. Catalog pages are cached for everyone, so the server never writes a
   shopper's count into them: it is read here from the sf_cart_count cookie, which every cart
   change sets. Without JavaScript the Cart link still works; it just shows no number. */
(function () {
  function count() {
    var match = document.cookie.match(/(?:^|;\s*)sf_cart_count=(\d{1,6})/);
    return match ? parseInt(match[1], 10) : null;
  }
  function paint() {
    var n = count();
    if (n === null) return;   // no cart yet: keep what the server rendered
    document.querySelectorAll('[data-cart-count]').forEach(function (badge) {
      badge.textContent = String(n);
      badge.hidden = n === 0;
    });
    document.querySelectorAll('[data-cart-link]').forEach(function (link) {
      link.setAttribute('aria-label', 'Cart, ' + n + (n === 1 ? ' item' : ' items'));
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', paint);
  } else {
    paint();
  }
  // Back/forward cache: the page comes back as it was, the cart may not have.
  window.addEventListener('pageshow', function (event) { if (event.persisted) paint(); });
})();
