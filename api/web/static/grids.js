// 网格调整 (planner): a layout's units coloured by their grid's workload; click units (or type
// their ids) and move them to another grid — the library checks the move and the balance,
// contiguity and staff figures update at once; save with If-Match (a conflict says "someone
// changed this grid — reload"); redesign, compare, promote; staffing and the week roster, with
// the blind spots the officers' tracks show (streets nobody reached) next to the planned ones.
import {
  api, apiAll, boot, DAYS, el, fail, flash, geo, makeMap, problemList, runJob, streetsLayer, t,
  tf, ready,
} from './common.js';

const RAMP = ['#fff7bc', '#fec44f', '#fe9929', '#d95f0e', '#993404'];
const state = { user: null, plans: [], plan: null, grids: [], network: null, incidents: null,
  units: null, assignment: {}, figures: null, shapes: {}, changed: new Set(), selected: new Set(),
  map: null, unitLayer: null, overlay: L.featureGroup(), base: null };

const $ = (id) => document.getElementById(id);
const current = () => state.plans.find((p) => p.status === 'current'
  && p.district_code === state.plan?.district_code);

async function load() {
  state.user = await boot();
  state.map = makeMap('map');
  state.overlay.addTo(state.map);
  [state.network] = await apiAll('/networks');
  $('plan-select').addEventListener('change', () => selectPlan(+$('plan-select').value));
  document.querySelectorAll('input[name=show]').forEach((r) => r.addEventListener('change', draw));
  $('move-btn').addEventListener('click', moveSelected);
  $('save-btn').addEventListener('click', save);
  $('reload-btn').addEventListener('click', () => selectPlan(state.plan.id));
  $('promote-btn').addEventListener('click', promote);
  $('redesign-form').addEventListener('submit', redesign);
  $('compare-btn').addEventListener('click', compare);
  $('roster-btn').addEventListener('click', roster);
  $('unit-ids').addEventListener('change', () => {
    state.selected = new Set($('unit-ids').value.split(/[\s,，]+/).filter((u) => u in state.assignment));
    showSelection();
  });
  await loadPlans();
}

async function loadPlans(selectId) {
  state.plans = (await apiAll('/plans')).filter((p) => p.status !== 'archived');
  $('plan-select').replaceChildren(...state.plans.map((p) => el('option', { value: p.id },
    `${p.name} · ${p.status === 'current' ? t('plan_current') : t('plan_proposal')} (#${p.id})`)));
  const pick = selectId || state.plans.find((p) => p.status === 'proposal')?.id || state.plans[0]?.id;
  if (pick) { $('plan-select').value = pick; await selectPlan(pick); }
}

async function selectPlan(id) {
  flash('');
  $('reload-btn').hidden = true;
  state.plan = state.plans.find((p) => p.id === id);
  state.changed.clear(); state.selected.clear(); state.shapes = {};
  $('figures').replaceChildren(el('span', { class: 'hint' }, t('units_loading')));
  document.body.dataset.unitsReady = '';
  const streets = state.base ? null : api(`/app/api/streets/district/${state.plan.district_code}`);
  const [grids, layout, sets] = await Promise.all([apiAll(`/grids?plan_id=${id}`),
    api(`/app/api/plans/${id}/units`), apiAll('/incidents')]);
  state.grids = grids;
  state.incidents = sets.find((s) => s.district_code === state.plan.district_code) || null;
  state.units = layout.units;
  state.assignment = layout.assignment;
  state.figures = layout.figures;
  state.shapes = layout.shapes;
  if (streets) {
    state.base = streetsLayer(await streets);
    state.base.addTo(state.map);
  }
  $('move-to').replaceChildren(...grids.map((g) => el('option', { value: g.code },
    `${g.code} ${g.name || ''}`)));
  $('promote-btn').disabled = state.plan.status !== 'proposal';
  const onFile = grids.reduce((n, g) => n + (+(g.staff?.enforcement) || 0), 0);
  // A redesign's proposal has no officers on file yet: offer the current headcount instead.
  $('headcount').value = onFile ? '' : await currentHeadcount(layout.figures.staff_needed);
  showFigures();
  showSelection();
  await draw();
  document.body.dataset.unitsReady = '1';
  ready();
}

// Classes by share of the mean grid workload, so a balanced layout looks even (a quantile
// scale would paint 21 h and 24 h as opposites).
const BREAKS = [0.6, 0.85, 1.15, 1.5];
const BREAK_LABELS = ['<60%', '60–85%', '85–115%', '115–150%', '>150%'];
function classOf(load, loads) {
  const mean = loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length);
  const share = mean ? load / mean : 1;
  const k = BREAKS.findIndex((b) => share < b);
  return k === -1 ? BREAKS.length : k;
}

async function draw() {
  state.overlay.clearLayers();
  const both = document.querySelector('input[name=show]:checked').value === 'both';
  if (both) return drawBoth();
  const load = Object.fromEntries(state.figures.grids.map((g) => [g.code, g.workload_h]));
  const loads = Object.values(load);
  state.unitLayer = geo(state.units, {
    style: (f) => unitStyle(f, load, loads),
    onEachFeature: (f, layer) => {
      const g = state.assignment[f.properties.unit];
      layer.bindTooltip(`${f.properties.unit} → ${g} · ${load[g] ?? '–'} h`);
      layer.on('click', () => toggle(f.properties.unit));
    },
  });
  state.overlay.addLayer(state.unitLayer);
  state.overlay.addLayer(geo({ type: 'FeatureCollection', features: Object.entries(state.shapes)
    .map(([code, geometry]) => ({ type: 'Feature', geometry, properties: { code } })) },
  { interactive: false, style: { color: '#12355b', weight: 2.5, fill: false } }));
  state.map.fitBounds(state.unitLayer.getBounds(), { padding: [10, 10] });
  $('legend').replaceChildren(el('b', {}, `${t('workload')} / ${t('mean')}: `), ...RAMP.map((c, i) => {
    const sw = el('span', { class: 'sw box' });
    sw.style.background = c;
    return el('span', {}, sw, BREAK_LABELS[i]);
  }));
}

function unitStyle(f, load, loads) {
  const unit = f.properties.unit;
  const grid = state.assignment[unit];
  const chosen = state.selected.has(unit);
  return { weight: chosen ? 4 : 0.6, color: chosen ? '#1b1f24' : '#6b7280',
    fillColor: grid in load ? RAMP[classOf(load[grid], loads)] : '#e5e7eb',
    fillOpacity: chosen ? 0.95 : 0.75, className: `unit unit-${unit}` };
}

async function drawBoth() {
  const base = current();
  const layers = [[base, '#0b5cad', null]];
  if (state.plan.id !== base?.id) layers.push([state.plan, '#b3261e', '6 4']);
  $('legend').replaceChildren();
  for (const [plan, color, dash] of layers.filter(([p]) => p)) {
    const fc = await api(`/plans/${plan.id}/grids.geojson`);
    const layer = geo(fc, { style: { color, weight: 2.5, dashArray: dash, fillOpacity: 0.05 },
      onEachFeature: (f, l) => l.bindTooltip(f.properties.code) });
    state.overlay.addLayer(layer);
    const sw = el('span', { class: 'sw' });
    sw.style.background = color;
    $('legend').append(el('span', {}, sw, `${plan.name}`));
  }
}

function toggle(unit) {
  if (state.selected.has(unit)) state.selected.delete(unit); else state.selected.add(unit);
  showSelection();
  if (state.unitLayer) {
    const load = Object.fromEntries(state.figures.grids.map((g) => [g.code, g.workload_h]));
    state.unitLayer.setStyle((f) => unitStyle(f, load, Object.values(load)));
  }
}

function showSelection() {
  $('unit-ids').value = [...state.selected].join(', ');
  $('selection').textContent = `${t('selected_units')}: ${state.selected.size}`;
}

function showFigures() {
  const f = state.figures;
  const ok = f.contiguous;
  $('figures').replaceChildren(
    el('span', { id: 'fig-balance' }, `${t('max_min')} `, el('b', {}, f.max_min ?? '–')),
    el('span', { id: 'fig-dev' }, `${t('max_dev')} `, el('b', {}, f.max_dev == null ? '–'
      : `${(f.max_dev * 100).toFixed(1)}%`)),
    el('span', { id: 'fig-contiguous' }, `${t('contiguity')} `, el('b', { class: ok ? 'good' : 'bad' },
      ok ? '✓' : '✗')),
    el('span', { id: 'fig-staff' }, `${t('staff_needed')} `, el('b', {}, f.staff_needed)),
    el('table', { class: 'grid-figures' }, el('thead', {}, el('tr', {}, el('th', {}, t('grid')),
      el('th', { class: 'num' }, t('workload')), el('th', { class: 'num' }, t('staff_needed')))),
    el('tbody', {}, f.grids.map((g) => el('tr', { 'data-code': g.code }, el('td', {}, g.code),
      el('td', { class: 'num' }, g.workload_h), el('td', { class: 'num' }, g.staff_needed))))));
}

async function moveSelected() {
  const units = [...state.selected];
  const to = $('move-to').value;
  $('move-result').replaceChildren();
  if (!units.length) return;
  try {
    const moved = await api(`/app/api/plans/${state.plan.id}/units/move`, { method: 'POST',
      json: { assignment: state.assignment, units, to } });
    for (const u of units) state.changed.add(state.assignment[u]);
    state.changed.add(to);
    state.assignment = moved.assignment;
    state.figures = moved.figures;
    state.shapes = moved.shapes;
    state.selected.clear();
    showSelection(); showFigures(); await draw();
    $('move-result').replaceChildren(el('p', { class: 'good' }, `✓ ${units.length} → ${to}`));
  } catch (error) {
    $('move-result').replaceChildren(el('div', { class: 'refused' },
      el('b', { class: 'bad' }, `${t('move_refused')}:`), problemList(error)));
  }
}

async function save() {
  flash('');
  const byCode = Object.fromEntries(state.grids.map((g) => [g.code, g]));
  const todo = [...state.changed].filter((code) => byCode[code] && state.shapes[code]);
  try {
    // Every grid is checked before any is written, so a conflict leaves nothing half-saved
    // (the API has no multi-grid transaction; If-Match still guards each write).
    for (const code of todo) {
      const fresh = await api(`/grids/${byCode[code].id}`);
      if (fresh.version !== byCode[code].version) throw conflict();
    }
    for (const code of todo) {
      const grid = byCode[code];
      const saved = await api(`/grids/${grid.id}`, { method: 'PATCH',
        headers: { 'If-Match': `"${grid.version}"` }, json: { geometry: state.shapes[code] } });
      grid.version = saved.version;
      state.changed.delete(code);
    }
    flash(`${t('save')} ✓`, { ok: true });
  } catch (error) {
    if (error.status === 409) showConflict(); else fail(error);
  }
}

function conflict() {
  const error = new Error(t('conflict_reload'));
  error.status = 409;
  return error;
}

function showConflict() {
  flash(el('span', { class: 'conflict' }, t('conflict_reload')));
  $('reload-btn').hidden = false;
  $('reload-btn').focus();
}

async function promote() {
  flash('');
  try {
    await api(`/plans/${state.plan.id}/promote`, { method: 'POST' });
    await loadPlans(state.plan.id);
    flash(t('promoted'), { ok: true });
  } catch (error) {
    if (error.status === 409) showConflict(); else fail(error);
  }
}

async function redesign(event) {
  event.preventDefault();
  const n = +$('n-grids').value, seed = +$('seed').value;
  const params = { district_code: state.plan.district_code, network_id: state.network.id,
    n_grids: n, seed, save_as_proposal: `${t('plan_proposal')} ${n} · seed ${seed}` };
  if (state.incidents) params.incident_set_id = state.incidents.id;
  try {
    const done = await runJob('redesign', params, $('redesign-jobs'), `${t('redesign')} ${n}`);
    if (done.status === 'succeeded') await loadPlans(done.result.plan_id);
  } catch (error) { fail(error); }
}

async function compare() {
  const base = current();
  if (!base || base.id === state.plan.id) return;
  try {
    const done = await runJob('compare_plans', { plan_a: base.id, plan_b: state.plan.id },
      $('compare'), t('compare'));
    if (done.status !== 'succeeded') return;
    const r = done.result;
    const rows = ['grids', 'area_km2', 'uncovered_km2', 'overlap_km2', 'officers', 'km2_per_officer'];
    $('compare').append(el('table', { id: 'compare-table' }, el('thead', {}, el('tr', {},
      el('th', {}, t('measure')), el('th', { class: 'num' }, t('current')),
      el('th', { class: 'num' }, t('proposed')))), el('tbody', {}, rows.map((k) => el('tr', {},
      el('td', {}, t(`cmp_${k}`)), el('td', { class: 'num' }, r.a[k] ?? '–'), el('td', { class: 'num' }, r.b[k] ?? '–'))),
    el('tr', {}, el('td', {}, t('cmp_changes')), el('td', {}, ''), el('td', { class: 'num' }, r.changes.length)))));
  } catch (error) { fail(error); }
}

async function currentHeadcount(fallback) {
  const base = current();
  if (!base || base.id === state.plan.id) return fallback;
  const grids = await apiAll(`/grids?plan_id=${base.id}`);
  return grids.reduce((n, g) => n + (+(g.staff?.enforcement) || 0), 0) || fallback;
}

async function roster() {
  const params = { plan_id: state.plan.id, network_id: state.network.id };
  if ($('headcount').value) params.headcount = +$('headcount').value;
  if (state.incidents) params.incident_set_id = state.incidents.id;
  if ($('roster-coverage').checked) params.recent_coverage = true;
  $('roster').replaceChildren();
  try {
    const done = await runJob('roster', params, $('roster'), t('roster'));
    if (done.status === 'succeeded') showRoster(done.result);
  } catch (error) { fail(error); }
}

const SHIFT_LABEL = { day: 'shift_day_short', night: 'shift_night_short' };
// an observed blind spot's period → its phrase ("近 {n} 个夜间未到")
const PERIOD_LABEL = { day: 'blind_days', night: 'blind_nights', weekend: 'blind_weekend days' };

function showRoster(result) {
  const box = $('roster');
  const observed = result.observed_blind_spots;
  // grids whose tracks were measured: "no observed blind spot" means something only there
  const measured = new Set((result.coverage_jobs || []).map((j) => j.grid));
  box.append(el('p', {}, `${t('staff_needed')}: ${result.staff_needed ?? '–'} · ${t('headcount_short')} ${result.headcount ?? '–'}`));
  const source = coverageSource(result);
  if (source) box.append(source);
  for (const g of result.grids) {
    const gaps = new Set(g.shortfalls.map((s) => `${s.day}-${s.shift}`));
    const head = el('tr', {}, el('th', {}, `${g.grid} `, el('span', { class: 'hint' }, tf('officers_of_needed', { n: g.officers, need: g.needed }))),
      ...DAYS.map((d) => el('th', {}, t(d))));
    const body = Object.entries(g.roster).map(([officer, row]) => el('tr', {},
      el('th', {}, officer), ...row.map((s) => el('td', { class: s || 'off' },
        s ? t(SHIFT_LABEL[s] || s) : t('day_off')))));
    const blind = result.shifts.map((shift) => el('tr', { class: 'blind' },
      el('th', {}, `${t('blind_planned')} ${t(SHIFT_LABEL[shift] || shift)}`),
      ...DAYS.map((_, d) => gaps.has(`${d}-${shift}`)
        ? el('td', { class: 'gap', title: t('shortfall') }, '✗') : el('td', {}, ''))));
    const tracked = observed && measured.has(g.grid);
    const seen = tracked ? observedRows(g.grid, result.shifts, observed) : [];
    box.append(el('div', { class: 'scroll' }, el('table', { class: 'cal', 'data-grid': g.grid },
      el('thead', {}, head), el('tbody', {}, body, blind, seen))));
    if (tracked) box.append(observedList(g.grid, observed));
  }
}

// Which tracks the observed blind spots come from (or that none were found for this plan).
function coverageSource(result) {
  if (!result.observed_blind_spots) {
    return $('roster-coverage').checked
      ? el('p', { class: 'hint', id: 'coverage-source' }, t('roster_no_coverage')) : null;
  }
  return el('div', { class: 'hint', id: 'coverage-source' }, el('p', {},
    `${t('roster_coverage_from')} `, result.coverage_jobs.map((j) => `${j.grid} `
      + `${(j.start || '').slice(0, 16).replace('T', ' ')}–${(j.end || '').slice(11, 16)}`)
      .join('；')), el('p', {}, t('observed_cells_hint')));
}

// Per shift, a row of the days the tracks show something never reached in that shift's hours.
function observedRows(grid, shifts, observed) {
  const cells = observed.calendar.filter((c) => c.grid === grid);
  return shifts.map((shift) => el('tr', { class: 'observed' },
    el('th', {}, `${t('blind_observed')} ${t(SHIFT_LABEL[shift] || shift)}`),
    ...DAYS.map((_, d) => {
      const c = cells.find((x) => x.day === d && x.shift === shift);
      if (!c) return el('td', {}, '');
      const why = c.periods.map((p) => tf(PERIOD_LABEL[p], { n: observed.blind_days })).join('、');
      return el('td', { class: 'seen-gap', title: `${why}: ${c.street_km} ${t('km')}`
        + (c.key_points ? ` · ${t('blind_kps')} ${c.key_points}` : '') },
      c.street_km.toFixed(1), c.key_points ? el('sup', {}, `⚑${c.key_points}`) : '');
    })));
}

// The grid's observed blind spots in words: what was not reached, and the likely cause.
function observedList(grid, observed) {
  const rows = observed.rows.filter((r) => r.grid === grid);
  if (!rows.length) return el('p', { class: 'good' }, `${t('blind_observed')}: ${t('blind_none')}`);
  return el('ul', { class: 'plain blind observed-list' }, rows.map((r) => el('li', {},
    el('b', {}, tf(PERIOD_LABEL[r.period], { n: observed.blind_days })), t('colon'),
    tf('observed_km', { km: r.street_km.toFixed(2) }),
    r.names.length ? el('span', { class: 'hint' }, tf('observed_names', { names: r.names.join('、') })) : '',
    r.key_points ? tf('observed_kps', { n: r.key_points }) : '', ' — ',
    el('b', { class: `cause ${r.cause}` }, t(`cause_${r.cause}`)),
    r.rostered_share === null ? '' : tf('rostered_share', {
      share: `${Math.round(r.rostered_share * 100)}%` }))));
}

load().catch((error) => { if (error.message !== 'forbidden') fail(error); });
