// The service status, from /api/status.
(async () => {
  const el = document.getElementById('service-status');
  try {
    const res = await fetch('/api/status');
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = await res.json();
    el.textContent = body.status === 'operational' ? 'All systems operational' : `Degraded: ${body.status}`;
    el.className = 'status ok';
  } catch (err) {
    el.textContent = `Service unavailable (${err.message})`;
    el.className = 'status down';
  }
})();
