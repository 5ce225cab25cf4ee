// The to-do list, kept in localStorage so that it survives a reload.
(() => {
  const KEY = 'shard-shop-todos';
  let todos = JSON.parse(localStorage.getItem(KEY) || '[]');
  let filter = 'all';
  const list = document.getElementById('todos');
  const remaining = document.getElementById('remaining');
  const input = document.getElementById('todo-text');

  function save() {
    localStorage.setItem(KEY, JSON.stringify(todos));
  }
  function render() {
    const shown = todos.filter((t) => filter === 'all' || (filter === 'done') === t.done);
    list.replaceChildren(...shown.map((t) => {
      const li = document.createElement('li');
      li.className = t.done ? 'done' : '';
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = t.done;
      box.addEventListener('change', () => {
        t.done = box.checked;
        save();
        render();
      });
      const title = document.createElement('span');
      title.className = 'todo-title';
      title.textContent = t.text;
      label.append(box, ' ', title);
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = 'Delete';
      remove.setAttribute('aria-label', `Delete ${t.text}`);
      remove.addEventListener('click', () => {
        todos = todos.filter((x) => x !== t);
        save();
        render();
      });
      li.append(label, remove);
      return li;
    }));
    const left = todos.filter((t) => !t.done).length;
    remaining.textContent = `${left} ${left === 1 ? 'task' : 'tasks'} left`;
  }
  document.getElementById('new-todo').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    todos.push({ text, done: false });
    input.value = '';
    save();
    render();
  });
  for (const b of document.querySelectorAll('[data-filter]')) {
    b.addEventListener('click', () => {
      filter = b.dataset.filter;
      for (const o of document.querySelectorAll('[data-filter]')) o.setAttribute('aria-pressed', String(o === b));
      render();
    });
  }
  render();
})();
