// 数据: upload a street network, incidents (with the coordinate system of the export; a bad file
// lists every problem) and a grid layout; see what is loaded and where it comes from.
import { api, apiAll, boot, el, problemList, t, ready } from './common.js';


const $ = (id) => document.getElementById(id);

async function load() {
  const user = await boot();
  const districts = (await apiAll('/jurisdictions')).filter((j) => j.level === 3
    && (user.role === 'admin' || (user.scope.districts || []).includes(j.code)));
  document.querySelectorAll('select.district').forEach((select) => select.replaceChildren(
    ...districts.map((d) => el('option', { value: d.code }, `${d.name} ${d.code}`))));
  wire('network-form', '/networks', 'network-result');
  wire('incidents-form', '/incidents', 'incidents-result');
  wire('grids-form', '/app/api/grids/upload', 'grids-result');
  await showLoaded();
}

function wire(formId, path, resultId) {
  const form = $(formId);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const box = $(resultId);
    box.replaceChildren(el('p', { class: 'hint' }, t('loading')));
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const data = new FormData(form);
      for (const [k, v] of [...data.entries()]) if (v === '') data.delete(k);
      const saved = await api(path, { method: 'POST', form: data });
      box.replaceChildren(el('p', { class: 'good', 'data-status': 'ok' },
        `${t('uploaded')}: ${saved.name} (#${saved.id ?? saved.plan_id})`));
      await showLoaded();
    } catch (error) {
      box.replaceChildren(el('div', { 'data-status': 'error' },
        el('b', { class: 'bad' }, `${t('problems')}:`), problemList(error)));
    } finally { button.disabled = false; }
  });
}

// in a scroller: a long attribution must not widen a phone's page
function table(headers, rows) {
  return el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, el('tr', {},
    headers.map((h) => el('th', {}, h)))),
  el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c)))))));
}

async function showLoaded() {
  const [networks, sets, plans] = await Promise.all([apiAll('/networks'), apiAll('/incidents'),
    apiAll('/plans')]);
  $('loaded').replaceChildren(
    el('h3', {}, t('networks')), table(['#', t('name'), t('km'), t('attribution')],
      networks.map((n) => [n.id, n.name, (n.summary.street_km_total ?? 0).toFixed(1),
        n.summary.source || ''])),
    el('h3', {}, t('incident_sets')), table(['#', t('name'), t('district'), t('incidents')],
      sets.map((s) => [s.id, s.name + (s.synthetic ? ' (synthetic)' : ''), s.district_code,
        s.summary.count ?? ''])),
    el('h3', {}, t('layout')), table(['#', t('name'), t('district'), t('layout')],
      plans.map((p) => [p.id, p.name, p.district_code,
        p.status === 'current' ? t('plan_current') : p.status === 'proposal' ? t('plan_proposal') : p.status])));
  document.body.dataset.loaded = '1';
  ready();
}

load().catch((error) => { if (error.message !== 'forbidden') $('loaded').replaceChildren(problemList(error)); });
