// 今日巡查: pick grids, date, shift and officers; plan → progress (cancel) → map and one card per
// officer with downloads, a QR code for the phone and an A4 sheet.
import {
  api, apiAll, arrows, boot, COLORS, download, el, fail, flash, geo, km, makeMap, parseKeyPoints,
  ready, runJob, streetsLayer, t,
} from './common.js';

const SHIFT_NAME = { '08:00-16:00': 'day', '18:00-02:00': 'night' };
const state = { grids: [], network: null, plan: null, coverage: null, map: null,
  layers: L.featureGroup() };

function todayISO() {
  const d = new Date();
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}

async function load() {
  await boot();
  const plans = (await apiAll('/plans')).filter((p) => p.status === 'current');
  state.plan = plans[0] || null;
  const lists = await Promise.all(plans.map((p) => apiAll(`/grids?plan_id=${p.id}`)));
  state.grids = lists.flat();
  state.network = (await apiAll('/networks'))[0] || null;
  const box = document.getElementById('grid-list');
  box.replaceChildren(...state.grids.map((g, i) => el('label', { class: 'inline' },
    el('input', { type: 'checkbox', name: 'grid', value: g.id, checked: i === 0 }),
    `${g.code} ${g.name || ''}`)));
  document.getElementById('day').value = todayISO();
  // from the coverage screen: streets its tracks missed lately come first in this plan
  state.coverage = new URLSearchParams(location.search).get('coverage');
  const used = document.getElementById('coverage-used');
  used.textContent = state.coverage ? t('coverage_used').replace('{id}', state.coverage.slice(0, 8)) : '';
  used.hidden = !state.coverage;
  document.getElementById('recent-coverage').closest('label').hidden = !!state.coverage;
  state.map = makeMap('map');
  state.layers.addTo(state.map);
  const first = state.grids[0];
  if (first) await drawGrid(first);
  ready();
}

function selectedGrids() {
  const ids = [...document.querySelectorAll('input[name=grid]:checked')].map((i) => +i.value);
  return state.grids.filter((g) => ids.includes(g.id));
}

async function drawGrid(grid) {
  const streets = await api(`/app/api/streets/grid/${grid.id}`);
  const outline = geo(grid.geometry, { style: { color: '#12355b', weight: 3, fill: false,
    dashArray: '6 4' }, interactive: false });
  state.layers.addLayer(streetsLayer(streets));
  state.layers.addLayer(outline);
  state.map.fitBounds(outline.getBounds(), { padding: [20, 20] });
}

function officerNames() {
  return document.getElementById('officers').value.split('\n').map((s) => s.trim())
    .filter(Boolean);
}

async function loadRoster() {
  const button = document.getElementById('roster-load');
  const grid = selectedGrids()[0];
  if (!state.plan || !grid || !state.network) return;
  button.disabled = true;
  flash(t('roster_loading'), { ok: true });
  try {
    const job = await api('/jobs', { method: 'POST', json: { kind: 'roster',
      params: { plan_id: state.plan.id, network_id: state.network.id } } });
    const done = await pollJob(job.id, () => {});
    if (done.status !== 'succeeded') throw new Error(done.message);
    const day = (new Date(`${document.getElementById('day').value}T12:00:00`).getDay() + 6) % 7;
    const shift = SHIFT_NAME[document.querySelector('input[name=shift]:checked').value];
    const entry = done.result.grids.find((g) => g.grid === grid.code);
    const names = Object.entries(entry?.roster || {}).filter(([, row]) => row[day] === shift)
      .map(([name]) => name);
    document.getElementById('officers').value = names.join('\n');
    flash(names.length ? '' : t('roster_none'));
  } catch (error) { fail(error); } finally { button.disabled = false; }
}

async function planGrid(grid, params) {
  const done = await runJob('routes', { ...params, grid_id: grid.id },
    document.getElementById('jobs'), grid.code);
  if (done.status === 'succeeded') await showPlan(grid, done);
}

// why a street is left out, in the page's language (the result's reason_code; the English
// words of an older result as they are)
const reasonOf = (u) => (u.reason_code ? t(`uncovered_${u.reason_code}`) : u.reason);

function showUncovered(result) {
  const box = document.getElementById('uncovered');
  const rows = result.uncovered || [];
  box.append(el('h2', {}, `${t('uncovered')} · ${result.grid}`), rows.length
    ? el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, t('streets')),
      el('th', { class: 'num' }, t('length')), el('th', {}, t('reason')))),
    el('tbody', {}, rows.map((u) => el('tr', {}, el('td', {}, u.name || '—'),
      el('td', { class: 'num' }, `${Math.round(u.length_m)} m`), el('td', {}, reasonOf(u))))))
    : el('p', { class: 'good' }, t('no_uncovered')));
}

async function showPlan(grid, job) {
  const result = job.result;
  const layers = result.layers;
  const officers = layers.officers.map((o) => o.officer);
  const legend = document.getElementById('legend');
  officers.forEach((name, i) => {
    const color = COLORS[i % COLORS.length];
    const steps = { type: 'FeatureCollection', features: layers.routes.features.filter(
      (f) => f.properties.officer === name) };
    const layer = geo(steps, { style: (f) => ({ color, weight: 4, opacity: 0.9,
      dashArray: f.properties.deadhead ? '4 6' : null }) }).bindTooltip(name);
    arrows(layer, color);
    state.layers.addLayer(layer);
    legend.append(el('span', {}, el('span', { class: 'sw', 'data-color': color }), `${grid.code} ${name}`));
  });
  legend.querySelectorAll('.sw[data-color]').forEach((s) => { s.style.background = s.dataset.color; });
  state.layers.addLayer(geo(layers.uncovered, { style: { color: '#b3261e', weight: 5,
    dashArray: '2 6' } }).bindTooltip((l) => `${t('uncovered')}: ${l.feature.properties.name || ''}
 ${reasonOf(l.feature.properties)}`));
  state.layers.addLayer(geo(layers.key_points, { pointToLayer: (f, latlng) => L.circleMarker(
    latlng, { radius: 7, color: '#000', weight: 2, fillColor: '#f59e0b', fillOpacity: 1 })
    .bindTooltip(`${f.properties.name || f.properties.id} ${f.properties.window || ''}`,
      { permanent: true, direction: 'right', className: 'kp-label' }) }));
  state.map.fitBounds(state.layers.getBounds(), { padding: [20, 20] });
  showUncovered(result);
  const cards = document.getElementById('cards');
  layers.officers.forEach((o, i) => cards.append(card(grid, job, o, COLORS[i % COLORS.length])));
}

function card(grid, job, officer, color) {
  const visits = (job.result.key_points || []).filter((k) => k.officer === officer.officer);
  const qr = el('div', { class: 'qr-box' });
  const name = officer.officer;
  const node = el('article', { class: 'officer-card', 'data-officer': name },
    el('h3', {}, `${grid.code} · ${name}`),
    el('p', {}, `${t('length')} ${km(officer.length_m)} ${t('km')} · ${Math.round(officer.minutes)} ${t('minutes')}`),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'gpx', onclick: () => download(
        `/app/api/jobs/${job.id}/officers/${encodeURIComponent(name)}/export.gpx`,
        `${grid.code}-${name}.gpx`).catch(fail) }, t('download_gpx')),
      el('button', { type: 'button', onclick: () => download(
        `/app/api/jobs/${job.id}/officers/${encodeURIComponent(name)}/export.kml`,
        `${grid.code}-${name}.kml`).catch(fail) }, t('download_kml')),
      el('button', { type: 'button', class: 'qr-btn', onclick: () => showQr(job, name, qr) }, t('qr')),
      el('button', { type: 'button', onclick: () => openSheet(job, name) }, t('print_sheet'))),
    qr,
    visits.length ? el('div', {}, el('h4', {}, t('key_point_times')), el('ul', { class: 'plain' },
      visits.map((k) => el('li', {}, `${k.name || k.id}: ${k.arrival ? k.arrival.slice(11, 16) : '—'}`
        + ` (${k.window || ''}) `, el('span', { class: k.on_time ? 'good' : 'bad' },
        k.on_time ? t('on_time') : `${t('missed')} ${k.missed || ''}`))))) : null,
    el('details', {}, el('summary', {}, `${t('turns')} (${officer.turns.length})`),
      el('ol', { class: 'turns' }, officer.turns.map((x) => el('li', {}, x)))));
  node.style.borderLeftColor = color;
  return node;
}

async function routeLink(job, officer) {
  return api('/app/api/route-links', { method: 'POST', json: { job_id: job.id, officer } });
}

async function showQr(job, officer, box) {
  try {
    const link = await routeLink(job, officer);
    box.replaceChildren(el('img', { class: 'qr', src: link.qr, alt: `${t('qr')}: ${link.url}` }),
      el('a', { href: link.path, target: '_blank', rel: 'noopener' }, t('route_title')));
  } catch (error) { fail(error); }
}

async function openSheet(job, officer) {
  try {
    const link = await routeLink(job, officer);
    window.open(`/app/sheet#${link.path.split('/').pop()}`, '_blank', 'noopener');
  } catch (error) { fail(error); }
}

document.getElementById('roster-load').addEventListener('click', loadRoster);
document.getElementById('plan-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  flash('');
  const grids = selectedGrids();
  if (!grids.length || !state.network) return;
  const names = officerNames();
  const params = { network_id: state.network.id, day: document.getElementById('day').value,
    shift: document.querySelector('input[name=shift]:checked').value,
    key_points: parseKeyPoints(document.getElementById('key-points').value), lang: document.documentElement.lang.startsWith('zh') ? 'zh' : 'en' };
  if (names.length) params.officer_names = names;
  if (state.coverage) params.coverage_job_id = state.coverage;
  else if (document.getElementById('recent-coverage').checked) params.recent_coverage = true;
  state.layers.clearLayers();
  ['legend', 'uncovered', 'cards', 'jobs'].forEach((id) => document.getElementById(id).replaceChildren());
  const button = document.getElementById('plan-btn');
  button.disabled = true;
  try {
    for (const grid of grids) await drawGrid(grid);
    await Promise.all(grids.map((g) => planGrid(g, params).catch(fail)));
  } finally { button.disabled = false; }
});

load().catch((error) => { if (error.message !== 'forbidden') fail(error); });
