// 交界地带 (joint meeting): the pair's boundary zone only, its street vectors, the joint-patrol
// job's boundary hotspots with their 7×24 profile as a heat grid and weekly trend as a small
// chart, the proposals with meeting points and routes, and the printable sheet (PDF).
import {
  api, boot, COLORS, config, DAYS, download, el, fail, geo, makeMap, runJob, streetsLayer, t, tf,
  ready,
} from './common.js';

const state = { map: null, layers: L.featureGroup(), pairs: [], job: null };
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

async function load() {
  await boot();
  state.map = makeMap('map');
  state.layers.addTo(state.map);
  state.pairs = await api('/app/api/joint/pairs');
  $('pair-select').replaceChildren(...state.pairs.map((p, i) => el('option', { value: i },
    `${p.names[0]} ${p.pair[0]} / ${p.names[1]} ${p.pair[1]}`)));
  $('pair-select').addEventListener('change', showZone);
  $('joint-btn').addEventListener('click', runJoint);
  $('sheet-btn').addEventListener('click', () => download(
    `/app/api/jobs/${state.job.id}/meeting-sheet.pdf`, 'meeting-sheet.pdf').catch(fail));
  if (state.pairs.length) await showZone();
}

const pair = () => state.pairs[+$('pair-select').value].pair;

async function showZone() {
  state.layers.clearLayers();
  ['hotspots', 'patrols', 'joint-jobs'].forEach((id) => $(id).replaceChildren());
  $('sheet-btn').hidden = true;
  const [a, b] = pair();
  const [zone, streets] = await Promise.all([api(`/zones/${a}/${b}`),
    api(`/app/api/streets/zone/${a}/${b}`)]);
  const area = geo(zone.geometry, { interactive: false, style: { color: '#c2410c', weight: 1.5,
    fillColor: '#fdba74', fillOpacity: 0.35 } });
  state.layers.addLayer(area);
  state.layers.addLayer(streetsLayer(streets));
  state.map.fitBounds(area.getBounds(), { padding: [10, 10] });
  const sw = el('span', { class: 'sw' });
  sw.style.background = '#fdba74';
  $('legend').replaceChildren(el('span', {}, sw, `${t('zone')} ${zone.zone_width_m} m · `
    + `${(zone.border_length_m / 1000).toFixed(1)} ${t('km')}`));
  document.body.dataset.zoneReady = '1';
  ready();
}

async function runJoint() {
  const [a, b] = pair();
  try {
    const inputs = await api(`/app/api/joint/inputs/${a}/${b}`);
    const done = await runJob('joint_patrols', { code_a: a, code_b: b,
      incident_set_ids: inputs.incident_sets.map((s) => s.id).slice(0, 2),
      network_id: inputs.network_id }, $('joint-jobs'), t('run_joint'));
    if (done.status !== 'succeeded') return;
    state.job = done;
    showResult(done.result, inputs.names);
    $('sheet-btn').hidden = false;
  } catch (error) { fail(error); }
}

function showResult(result, names) {
  const flagged = result.flagged || [];
  $('hotspots').replaceChildren(...(flagged.length ? flagged.map((f) => hotspotCard(f, names))
    : [el('p', {}, t('no_hotspots'))]));
  $('patrols').replaceChildren(...flagged.map((f, i) => patrol(f, names, COLORS[i % COLORS.length])));
}

function hotspotCard(f, names) {
  const sides = Object.entries(f.incidents_by_jurisdiction || {})
    .map(([code, n]) => `${names[code] || code} ${n}`).join(' / ');
  return el('article', { class: 'card hotspot', 'data-rank': f.rank },
    el('h3', {}, `#${f.rank} · ${f.incidents} ${t('incidents')}`),
    el('p', {}, sides),
    el('p', {}, `${t('peak')}: ${f.peak_window} · ${t('trend')}: ${t(`trend_${f.trend}`)}`),
    el('h4', {}, t('heat_grid')), heatGrid(f.profile || []),
    el('h4', {}, t('trend')), spark(f.trend_detail?.weekly_counts || []));
}

function heatGrid(profile) {
  const max = Math.max(1, ...profile.flat());
  const hours = el('tr', {}, el('th', {}, ''), ...Array.from({ length: 24 }, (_, h) =>
    el('th', { scope: 'col' }, h % 6 === 0 ? String(h) : '')));
  const rows = profile.map((row, d) => el('tr', {}, el('th', { scope: 'row' }, t(DAYS[d])),
    ...row.map((n, h) => {
      const cell = el('td', { title: `${t(DAYS[d])} ${h}:00 · ${n}` });
      const k = n / max;
      cell.style.background = n ? `rgb(${255 - Math.round(75 * k)}, ${Math.round(230 * (1 - k))}, ${Math.round(160 * (1 - k))})` : '#f3f4f6';
      return cell;
    })));
  return el('table', { class: 'heat', 'aria-label': t('heat_grid') }, el('thead', {}, hours),
    el('tbody', {}, rows));
}

function spark(counts) {
  const w = 200, h = 48, max = Math.max(1, ...counts);
  const points = counts.map((n, i) => `${(i / Math.max(1, counts.length - 1)) * (w - 4) + 2},`
    + `${h - 4 - (n / max) * (h - 8)}`).join(' ');
  return svg('svg', { class: 'spark', viewBox: `0 0 ${w} ${h}`, role: 'img',
    'aria-label': `${t('trend')}: ${counts.join(', ')}` },
  svg('polyline', { points, fill: 'none', stroke: '#0b5cad', 'stroke-width': '2' }));
}

function patrol(f, names, color) {
  const j = f.joint_patrol;
  const mp = j.meeting_point;
  const marker = L.circleMarker(L.latLng(mp.lat, mp.lon), { radius: 8, color: '#000', weight: 2,
    fillColor: '#facc15', fillOpacity: 1 }).bindTooltip(`${t('meeting_point')} ${j.rank}`,
    { permanent: true, direction: 'right', className: 'kp-label' });
  state.layers.addLayer(marker);
  if (j.route?.geometry) {
    state.layers.addLayer(geo(j.route.geometry, { style: { color, weight: 4 } }));
  }
  return el('article', { class: 'card patrol', 'data-rank': j.rank },
    el('h3', {}, `#${j.rank} ${t('joint_patrols')}`),
    el('p', {}, `${t('meeting_point')}: ${meetingWords(mp)} (${mp.lon.toFixed(5)}, ${mp.lat.toFixed(5)})`),
    el('p', {}, `${t('cadence')}: ${t(`cadence_${j.cadence}`)} · ${t('lead')}: ${names[j.lead] || j.lead}`),
    j.route ? el('p', {}, `${(j.route.length_m / 1000).toFixed(2)} ${t('km')} · ${Math.round(j.route.duration_min)} ${t('minutes')}`) : null,
    j.action ? el('p', { class: 'hint' }, actionWords(j)) : null);
}

// The library words the meeting point and the action in English; the page says them from
// their data (crossing street, nearby streets; the dominant event class).
function meetingWords(mp) {
  if (config.lang === 'en') return mp.description || mp.street || '';
  const near = (mp.nearby || []).join('、');
  if (mp.street_crossing) {
    return tf(near ? 'mp_crossing_near' : 'mp_crossing', { street: mp.street || t('unnamed'), near });
  }
  return tf(near ? 'mp_line_near' : 'mp_line', { near });
}

function actionWords(j) {
  if (config.lang === 'en') return j.action;
  const key = `action_${j.dominant_class}`;
  return t(key) === key ? t('action_default') : t(key);
}

load().catch((error) => { if (error.message !== 'forbidden') fail(error); });
