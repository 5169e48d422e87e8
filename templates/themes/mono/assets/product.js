// Progressive enhancement of the product page: the option picker already works as a GET form;
// with this script the price, stock, image and add-to-cart button follow the chosen options
// at once, and the address bar keeps ?variant= so the page can be shared or reloaded.
(function () {
  var root = document.querySelector('[data-product]');
  if (!root) return;
  var picker = root.querySelector('[data-picker]');
  var data = root.querySelector('template[data-variants]');
  var labelsTemplate = root.querySelector('template[data-labels]');
  if (!picker || !data || !labelsTemplate) return;
  var variants = Array.prototype.slice.call(data.content.querySelectorAll('[data-id]'));
  var labels = labelsTemplate.content.querySelector('i').dataset;
  var submit = picker.querySelector('[data-picker-submit]');
  if (submit) submit.hidden = true;

  function chosen() {
    var values = [];
    var fieldsets = picker.querySelectorAll('fieldset');
    for (var i = 0; i < fieldsets.length; i++) {
      var checked = fieldsets[i].querySelector('input:checked');
      values.push(checked ? checked.value : '');
    }
    return values.join(' / ');
  }

  function text(tag, className, value) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    el.textContent = value;
    return el;
  }

  function update() {
    var key = chosen();
    var match = null;
    for (var i = 0; i < variants.length; i++) {
      if (variants[i].dataset.options === key) { match = variants[i].dataset; break; }
    }
    var button = root.querySelector('[data-buy-button]');
    var stock = root.querySelector('[data-stock]');
    var idField = root.querySelector('[data-variant-id]');
    var priceBlock = root.querySelector('[data-price-block]');
    if (!match) {
      button.disabled = true;
      button.textContent = labels.unavailable;
      stock.textContent = labels.unavailable;
      stock.className = 'stock stock--sold_out';
      return;
    }
    idField.value = match.id;
    var available = match.available === 'true';
    button.disabled = !available;
    button.textContent = available ? labels.add : labels.soldOut;
    stock.textContent = match.stockText;
    stock.className = 'stock stock--' + match.stock;
    var price = document.createElement('p');
    price.className = 'price price--large';
    if (match.compare) {
      price.appendChild(text('span', 'visually-hidden', labels.sale));
      price.appendChild(text('span', 'price__sale', match.price));
      price.appendChild(text('span', 'visually-hidden', labels.regular));
      price.appendChild(text('s', 'price__compare', match.compare));
    } else {
      price.appendChild(text('span', '', match.price));
    }
    priceBlock.replaceChildren(price);
    var sku = root.querySelector('[data-sku]');
    if (sku) sku.textContent = match.sku;
    if (match.image) {
      var slide = root.querySelector('[data-media-id="' + match.image + '"]');
      var gallery = root.querySelector('[data-gallery]');
      if (slide && gallery) gallery.scrollTo({ left: slide.offsetLeft - gallery.offsetLeft, behavior: 'smooth' });
    }
    var url = new URL(window.location.href);
    url.searchParams.set('variant', match.id);
    ['option1', 'option2', 'option3'].forEach(function (name) { url.searchParams.delete(name); });
    history.replaceState(null, '', url.toString());
  }

  picker.addEventListener('change', update);
})();
