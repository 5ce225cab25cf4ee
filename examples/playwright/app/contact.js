// The contact form: checked in the browser, answered with a thank-you.
(() => {
  const form = document.getElementById('contact');
  const thanks = document.getElementById('thanks');
  const rules = {
    name: (v) => v.trim().length > 0,
    email: (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim()),
    message: (v) => v.trim().length >= 10,
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    let ok = true;
    for (const [field, valid] of Object.entries(rules)) {
      const input = form.elements[field];
      const good = valid(input.value);
      document.getElementById(`${field}-error`).hidden = good;
      input.setAttribute('aria-invalid', String(!good));
      ok = ok && good;
    }
    if (!ok) return;
    form.hidden = true;
    thanks.textContent = `Thank you, ${form.elements.name.value.trim()}. We will answer within a day.`;
    thanks.hidden = false;
  });
})();
