// The card payment page (templates/pay.liquid): Stripe.js Elements collects the card in the
// browser and confirms the order's PaymentIntent; the card never reaches the store's server.
// The order becomes paid when Stripe's webhook arrives, so success sends the shopper to the
// order status page, which says "payment processing" until then.
(function () {
  'use strict';
  var form = document.getElementById('pay-form');
  if (!form) return;
  var errors = document.getElementById('card-errors');
  var status = document.getElementById('pay-status');
  var submit = document.getElementById('pay-submit');
  var label = submit.textContent;

  function fail(message) {
    errors.textContent = message;
    status.textContent = '';
    submit.disabled = false;
    submit.textContent = label;
  }

  if (typeof window.Stripe !== 'function') {
    fail('The payment form could not load. Check your connection and reload this page.');
    submit.disabled = true;
    return;
  }
  var stripe = window.Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create('card', { hidePostalCode: false });
  card.mount('#card-element');
  card.on('change', function (event) {
    errors.textContent = event && event.error ? event.error.message : '';
  });

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (submit.disabled) return;
    submit.disabled = true;
    submit.textContent = 'Processing…';
    status.textContent = 'Confirming your payment with your bank…';
    errors.textContent = '';
    stripe.confirmCardPayment(form.dataset.clientSecret, {
      payment_method: { card: card, billing_details: { email: form.dataset.email } }
    }).then(function (result) {
      if (result.error) {
        fail((result.error && result.error.message) || 'Your card was not charged. Check the details and try again.');
        return;
      }
      status.textContent = 'Payment sent. Taking you to your order…';
      window.location.assign(form.dataset.returnUrl);
    }, function () {
      fail('We could not reach the payment provider. Your card was not charged; try again.');
    });
  });
})();
