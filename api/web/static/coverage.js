// 巡查覆盖: a squad leader uploads the officers' GPS tracks of a grid (POST /tracks/coverage),
// follows the job, then sees street-km walked against required by grade, the officers, key
// points reached, 盲区, and a map of the streets walked / partly / missed with the tracks drawn.
// The service already kept out officers of other squads; this screen only draws what it got.
import {
  api, apiAll, boot, COLORS, el, fail, flash, geo, km, makeMap, parseKeyPoints, ready, runJob,
  streetsLayer, t, tf,
} from './common.js';

const STATUS_COLOR = { walked: '#1a9850', partly: '#fdae61', missed: '#d73027' };
const STATUS_LABEL = { walked: 'walked', partly: 'partly', missed: 'missed_street' };
const state = { grids: [], network: null, map: null, layers: L.featureGroup() };

const pct = (x) => `${Math.round(x * 100)}%`;

async function load() {
  await boot();
  const plans = (await apiAll('/plans')).filter((p) => p.status === 'current');
  const lists = await Promise.all(plans.map((p) => apiAll(`/grids?plan_id=${p.id}`)));
  state.grids = lists.flat();
  state.network = (await apiAll('/networks')).find((n) => (n.status || 'ready') === 'ready')
    || null;
  document.getElementById('cov-grid').replaceChildren(...state.grids.map((g) => el(
    'option', { value: g.id }, `${g.code} ${g.name || ''}`)));
  state.map = makeMap('map');
  state.layers.addTo(state.map);
  if (state.grids[0]) await drawContext(state.grids[0]);
  ready();
}

function chosenGrid() {
  const id = +document.getElementById('cov-grid').value;
  return state.grids.find((g) => g.id === id);
}

async function drawContext(grid) {
  state.layers.addLayer(streetsLayer(await api(`/app/api/streets/grid/${grid.id}`)));
  drawOutline(grid);
}

function drawOutline(grid) {
  const outline = geo(grid.geometry, { style: { color: '#12355b', weight: 3, fill: false,
    dashArray: '6 4' }, interactive: false });
  state.layers.addLayer(outline);
  state.map.fitBounds(outline.getBounds(), { padding: [20, 20] });
}

function streetCollection(streets) {
  return { type: 'FeatureCollection', features: streets.map(({ geometry, ...p }) => ({
    type: 'Feature', geometry, properties: p })) };
}

async function drawCoverage(grid, result, keyPoints) {
  state.layers.clearLayers();
  await drawContext(grid);
  const streets = geo(streetCollection(result.streets), { style: (f) => ({
    color: STATUS_COLOR[f.properties.status], weight: 5, opacity: 0.9 }) })
    .bindTooltip((l) => {
      const p = l.feature.properties;
      return `${p.name || '—'} · ${t(STATUS_LABEL[p.status])} · ${p.passes}× · `
        + `${Math.round(p.walked_m)}/${Math.round(p.length_m)} m`;
    });
  state.layers.addLayer(streets);
  const officers = [...new Set(result.tracks.map((r) => r.officer))].sort();
  const colorOf = Object.fromEntries(officers.map((o, i) => [o, COLORS[i % COLORS.length]]));
  result.tracks.forEach((r) => state.layers.addLayer(geo(r.geometry, { style: {
    color: colorOf[r.officer], weight: 2, opacity: 0.95 } })
    .bindTooltip(r.officer)));
  const reached = reachedKeyPoints(result);
  keyPoints.forEach((k) => state.layers.addLayer(L.circleMarker(L.latLng(k.lat, k.lon), {
    radius: 7, color: '#000', weight: 2, fillOpacity: 1,
    fillColor: reached.get(k.id) ? STATUS_COLOR.walked : STATUS_COLOR.missed })
    .bindTooltip(`${k.name || k.id} · ${t(reached.get(k.id) ? 'reached' : 'not_reached')}`,
      { permanent: true, direction: 'auto', className: 'kp-label' })));
  state.map.fitBounds(state.layers.getBounds(), { padding: [20, 20] });
  legend(colorOf, keyPoints.length > 0);
}

function legend(colorOf, withKeyPoints) {
  const swatch = (color, label, cls = '') => el('span', {}, el('span', {
    class: `sw ${cls}`, 'data-color': color }), label);
  const box = document.getElementById('legend');
  box.replaceChildren(...Object.entries(STATUS_COLOR).map(([s, c]) => swatch(c, t(STATUS_LABEL[s]))),
    swatch('#12355b', t('grid_outline'), 'dashed'),
    ...Object.entries(colorOf).map(([o, c]) => swatch(c, `${t('tracks')} ${o}`, 'thin')),
    ...(withKeyPoints ? [swatch(STATUS_COLOR.walked, `${t('key_points')}: ${t('reached')}`, 'dot'),
      swatch(STATUS_COLOR.missed, `${t('key_points')}: ${t('not_reached')}`, 'dot')] : []));
  box.querySelectorAll('.sw[data-color]').forEach((s) => { s.style.background = s.dataset.color; });
}

function reachedKeyPoints(result) {
  const reached = new Map();
  (result.key_points || []).forEach((v) => reached.set(v.id, reached.get(v.id) || v.ok));
  return reached;
}

function table(head, rows, numeric = []) {
  return el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, el('tr', {}, head.map((h, i) => el('th', {
    class: numeric.includes(i) ? 'num' : null }, h)))),
  el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c, i) => el('td', {
    class: numeric.includes(i) ? 'num' : null }, c)))))));
}

function byGrade(result) {
  const grades = new Map();
  result.by_grade.filter((r) => r.period === 'day').forEach((r) => {
    const g = grades.get(r.grade) || { done: 0, required: 0 };
    g.done += r.done_km; g.required += r.required_km;
    grades.set(r.grade, g);
  });
  return [...grades.entries()].sort((a, b) => a[0] - b[0]);
}

function blindSpots(result) {
  const groups = new Map();
  result.blind_spots.forEach((b) => {
    const g = groups.get(b.not_reached_in) || { km: 0, kps: 0, names: new Set() };
    if (b.kind === 'street') { g.km += b.length_m / 1000; if (b.name) g.names.add(b.name); } else g.kps += 1;
    groups.set(b.not_reached_in, g);
  });
  if (!groups.size) return el('p', { class: 'good' }, t('blind_none'));
  return el('ul', { class: 'plain blind' }, [...groups.entries()].map(([label, g]) => {
    const [n, ...what] = label.split(' ');
    return el('li', {}, el('b', {}, tf(`blind_${what.join(' ')}`, { n })), ': ',
      `${t('blind_km')} ${g.km.toFixed(2)} ${t('km')}`,
      g.kps ? ` · ${t('blind_kps')} ${g.kps}` : '',
      g.names.size ? el('span', { class: 'hint' }, ` (${[...g.names].slice(0, 6).join('、')}`
        + `${g.names.size > 6 ? '…' : ''})`) : '');
  }));
}

function summary(grid, job) {
  const r = job.result;
  const grades = byGrade(r);
  const done = grades.reduce((s, [, g]) => s + g.done, 0);
  const required = grades.reduce((s, [, g]) => s + g.required, 0);
  const walked = r.streets.reduce((s, x) => s + x.walked_m, 0);
  const length = r.streets.reduce((s, x) => s + x.length_m, 0);
  const reached = reachedKeyPoints(r);
  const box = document.getElementById('summary');
  box.replaceChildren(...[
    el('h2', {}, `${grid.code} · ${r.start.slice(0, 16).replace('T', ' ')} – ${r.end.slice(11, 16)}`),
    r.simulated ? el('p', { class: 'bad' }, t('simulated')) : null,
    el('div', { class: 'figures', id: 'coverage-figures' },
      el('span', {}, `${t('streets_walked')} `, el('b', {}, km(walked)), ` / ${km(length)} ${t('km')}`),
      el('span', {}, `${t('pass_km')} `, el('b', { id: 'pass-km' }, done.toFixed(2)),
        ` / ${required.toFixed(2)} (${pct(required ? done / required : 1)})`),
      el('span', {}, `${t('points_flagged')} ${r.points} (${r.points_flagged})`)),
    el('h3', {}, t('by_grade')),
    table([t('grade'), t('pass_km'), t('coverage_share')], grades.map(([grade, g]) => [
      grade, `${g.done.toFixed(2)} / ${g.required.toFixed(2)}`,
      pct(g.required ? g.done / g.required : 1)]), [1, 2]),
    reached.size ? el('div', {}, el('h3', {}, t('key_points_reached')), el('p', {},
      el('b', { id: 'kp-reached' }, `${[...reached.values()].filter(Boolean).length} / ${reached.size}`))) : null,
    el('h3', {}, t('blind_spots')), blindSpots(r),
    el('p', {}, el('a', { class: 'button', id: 'plan-next', href:
      `/app/today?coverage=${encodeURIComponent(job.id)}` }, t('plan_with_coverage')))]
    .filter(Boolean));
}

// What the service says in English words (warnings, scope and matching notes), said from its
// data in the page's language: points flagged and left out, officers of other squads left out,
// tracks mostly off the streets, the GPS noise the matching used.
function notesOf(result) {
  const place = (where) => where.replace(/^row (\d+)$/, (_, n) => tf('row_n', { n }));
  const notes = (result.flagged || []).map((f) => tf('flagged_points', { file: f.source,
    what: t(`flag_${f.flag}`), n: f.points, places: f.places.map((where, i) => place(where)
      + ((f.found || [])[i] ? `（${f.found[i].replace(/^empty\b|(?<=, )empty$/g, t('empty'))}）` : ''))
      .join('、')
      + (f.points > f.places.length ? '…' : ''), fix: t(`flagfix_${f.flag}`) }));
  if (result.hidden_officers) notes.push(tf('scope_hidden', { n: result.hidden_officers }));
  const tracks = result.tracks || [];
  tracks.filter((r) => r.matched_share < 0.8).forEach((r) => notes.push(tf('low_match', {
    officer: r.officer, share: pct(r.matched_share) })));
  if (tracks.length) {
    notes.push(tf('gps_sigma', { list: tracks.map((r) => `${r.officer} ${Math.round(r.sigma_m)} ${t('metres')}`)
      .join('、') }));
  }
  return notes;
}

function details(result) {
  const notes = notesOf(result);
  document.getElementById('details').replaceChildren(
    el('h2', {}, t('officers')),
    table([t('officer'), t('day'), t('shift'), t('streets_walked'), t('pass_km'),
      t('outside_grid'), t('matched')], result.by_officer.map((o) => [o.officer, o.day,
      t(`shift_${o.shift}_word`), `${o.walked_km.toFixed(2)} ${t('km')}`, o.pass_km.toFixed(2),
      Math.round(o.outside_grid_min), pct(o.matched_share)]), [3, 4, 5, 6]),
    notes.length ? el('div', {}, el('h3', {}, t('notes')),
      el('ul', { class: 'hint' }, notes.map((n) => el('li', {}, n)))) : null);
}

document.getElementById('cov-grid').addEventListener('change', () => {
  state.layers.clearLayers();
  const grid = chosenGrid();
  if (grid) drawContext(grid).catch(fail);
});

document.getElementById('tracks-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  flash('');
  const grid = chosenGrid();
  const file = document.getElementById('cov-file').files[0];
  if (!grid || !file || !state.network) return;
  const keyPoints = parseKeyPoints(document.getElementById('cov-key-points').value);
  const form = new FormData();
  form.append('file', file);
  form.append('grid_id', grid.id);
  form.append('network_id', state.network.id);
  form.append('coords', document.getElementById('cov-coords').value);
  if (keyPoints.length) form.append('key_points', JSON.stringify(keyPoints));
  ['jobs', 'summary', 'details', 'legend'].forEach((id) => document.getElementById(id).replaceChildren());
  const button = document.getElementById('coverage-btn');
  button.disabled = true;
  try {
    const done = await runJob('track_coverage', null, document.getElementById('jobs'), grid.code,
      { submit: () => api('/tracks/coverage', { method: 'POST', form }) });
    if (done.status === 'succeeded') {
      await drawCoverage(grid, done.result, keyPoints);
      summary(grid, done);
      details(done.result);
    }
  } catch (error) { fail(error); } finally { button.disabled = false; }
});

// a phone turned, or a window resized: keep the whole grid and its tracks in view
let refit;
window.addEventListener('resize', () => {
  clearTimeout(refit);
  refit = setTimeout(() => {
    if (!state.map || !state.layers.getLayers().length) return;
    state.map.invalidateSize();
    state.map.fitBounds(state.layers.getBounds(), { padding: [20, 20] });
  }, 150);
});

load().catch((error) => { if (error.message !== 'forbidden') fail(error); });
