// 我的路线 (phone): the route from a signed link, kept in localStorage and behind a service
// worker so it still opens and works when the connection drops; "you are here" from the
// browser's geolocation, the next instruction and the key points ahead.
import { api, el, t, toMapLatLng, ready } from './common.js';
import { drawRoute, hhmm, routeMeta } from './routeview.js';

const linkToken = location.pathname.split('/').pop();
const KEY = `gp_route_${linkToken}`;
const state = { route: null, map: null, here: null };

async function fetchRoute() {
  try {
    const route = await api(`/app/api/r/${linkToken}`);
    localStorage.setItem(KEY, JSON.stringify(route));
    return { route, offline: false };
  } catch (error) {
    const saved = localStorage.getItem(KEY);
    if (saved && !(error.status >= 400 && error.status < 500)) {
      return { route: JSON.parse(saved), offline: true };
    }
    throw error;
  }
}

function netState(offline) {
  const box = document.getElementById('net-state');
  const off = offline || !navigator.onLine;
  box.textContent = off ? t('offline_now') : t('offline_ready');
  box.className = off ? 'state off' : 'state';
}

// Runs of steps along one street: the turn list has one instruction per run.
function runsOf(steps) {
  const runs = [];
  steps.forEach((f, i) => {
    const name = f.properties.name || '';
    if (!runs.length || runs[runs.length - 1].name !== name) runs.push({ name, first: i });
  });
  return runs;
}

function nearestStep(latlng) {
  let best = { i: 0, d: Infinity };
  state.route.steps.features.forEach((f, i) => {
    const coords = f.geometry.type === 'LineString' ? f.geometry.coordinates
      : f.geometry.coordinates.flat();
    for (const [lon, lat] of coords) {
      const d = latlng.distanceTo(toMapLatLng(lon, lat));
      if (d < best.d) best = { i, d };
    }
  });
  return best;
}

function showPosition(latlng) {
  if (!state.here) {
    state.here = L.marker(latlng, { title: t('you_are_here'), keyboard: false,
      icon: L.divIcon({ className: 'here-dot', iconSize: [18, 18] }) }).addTo(state.map);
  } else state.here.setLatLng(latlng);
  const steps = state.route.steps.features;
  const near = nearestStep(latlng);
  const runs = runsOf(steps);
  const run = runs.findLastIndex((r) => r.first <= near.i);
  const turns = state.route.turns;
  const next = turns[Math.min(run + 1, turns.length - 1)] || '';
  document.getElementById('next').replaceChildren(el('span', {}, `${t('next')}: `), next,
    el('div', { class: 'hint' }, `${t('you_are_here')} · ${Math.round(near.d)} m`));
  const atMin = steps[near.i]?.properties.arrival_min ?? 0;
  const start = new Date(state.route.shift_start).getTime();
  const ahead = state.route.visits.filter((k) => !k.arrival
    || new Date(k.arrival).getTime() >= start + atMin * 60000);
  renderAhead(ahead);
}

function renderAhead(visits) {
  document.getElementById('ahead').replaceChildren(...(visits.length ? visits.map((k) =>
    el('li', {}, `${hhmm(k.arrival)} ${k.name || k.id}`, k.window ? ` (${k.window})` : ''))
    : [el('li', {}, t('none'))]));
}

function locate() {
  const next = document.getElementById('next');
  if (!navigator.geolocation) { next.textContent = t('no_location'); return; }
  next.textContent = t('locating');
  navigator.geolocation.watchPosition(
    (p) => showPosition(L.latLng(p.coords.latitude, p.coords.longitude)),
    () => { next.textContent = t('no_location'); },
    { enableHighAccuracy: true, maximumAge: 10000, timeout: 20000 });
}

async function main() {
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' })
      .then(() => navigator.serviceWorker.ready)
      // This page and its data were fetched before the worker ran: keep copies for offline use.
      .then(() => caches.open('gridplan-web-v1'))
      .then((cache) => cache.addAll([location.pathname, `/app/api/r/${linkToken}`]))
      .then(() => { document.body.dataset.offlineReady = '1'; })
      .catch(() => {});
  }
  let found;
  try { found = await fetchRoute(); } catch {
    document.getElementById('next').textContent = t('link_invalid');
    return;
  }
  state.route = found.route;
  netState(found.offline);
  addEventListener('online', () => netState(false));
  addEventListener('offline', () => netState(true));
  document.getElementById('route-meta').textContent = routeMeta(state.route);
  state.map = drawRoute('map', state.route).map;
  document.getElementById('turns').replaceChildren(...state.route.turns.map((x) => el('li', {}, x)));
  document.getElementById('next').replaceChildren(`${t('next')}: `, state.route.turns[0] || '');
  renderAhead(state.route.visits);
  document.getElementById('locate').addEventListener('click', locate);
  ready();
}

main();
