// The catalog: products from /api/catalog, filtered by the search box and sorted.
(async () => {
  const list = document.getElementById('products');
  const count = document.getElementById('count');
  const empty = document.getElementById('empty');
  const search = document.getElementById('search');
  const sort = document.getElementById('sort');
  const products = await (await fetch('/api/catalog')).json();
  const order = {
    name: (a, b) => a.name.localeCompare(b.name),
    'price-asc': (a, b) => a.price - b.price,
    'price-desc': (a, b) => b.price - a.price,
  };
  function render() {
    const q = search.value.trim().toLowerCase();
    const shown = products
      .filter((p) => !q || p.name.toLowerCase().includes(q) || p.category.includes(q))
      .sort(order[sort.value]);
    list.replaceChildren(...shown.map((p) => {
      const li = document.createElement('li');
      li.dataset.id = p.id;
      const name = document.createElement('span');
      name.className = 'product-name';
      name.textContent = p.name;
      const price = document.createElement('span');
      price.className = 'product-price';
      price.textContent = `$${p.price.toLocaleString('en-US')}`;
      li.append(name, price);
      return li;
    }));
    count.textContent = `${shown.length} of ${products.length} products`;
    empty.hidden = shown.length > 0;
  }
  search.addEventListener('input', render);
  sort.addEventListener('change', render);
  render();
})();
