// The printable A4 route sheet of one officer: map, turn list, key-point times and the QR code.
// It reads the signed route link in the URL fragment (never sent to a server or a referrer).
import { api, el, t, ready } from './common.js';
import { drawRoute, hhmm, routeMeta } from './routeview.js';

async function main() {
  const linkToken = location.hash.slice(1);
  const route = await api(`/app/api/r/${linkToken}`);
  document.getElementById('sheet-h').textContent = `${t('route_title')} · ${route.officer}`;
  document.getElementById('sheet-meta').textContent = routeMeta(route);
  const qr = document.getElementById('sheet-qr');
  qr.src = `/app/api/r/${linkToken}/qr.svg`;
  qr.hidden = false;
  drawRoute('map', route, { zoomControl: false, attributionControl: true });
  document.getElementById('sheet-turns').replaceChildren(...route.turns.map((x) => el('li', {}, x)));
  document.getElementById('sheet-kp').replaceChildren(...(route.visits.length
    ? route.visits.map((k) => el('li', {}, `${hhmm(k.arrival)} ${k.name || k.id} ${k.window || ''}`))
    : [el('li', {}, t('none'))]));
  document.getElementById('print').addEventListener('click', () => window.print());
  ready();
}

main().catch((error) => { document.getElementById('sheet-h').textContent = error.message; });
