// Shared by every screen: strings, the API client (bearer token in sessionStorage — no cookie
// carries authority, so cross-site requests cannot act for the user), the header, map helpers.
export const config = JSON.parse(document.getElementById('gp-config').textContent);
const strings = JSON.parse(document.getElementById('gp-strings').textContent);
export const t = (key) => strings[key] ?? key;
// a string with its {placeholders} filled: tf('blind_nights', { n: 7 }) → 近 7 个夜间未到
export const tf = (key, values) => Object.entries(values).reduce(
  (text, [k, v]) => text.replaceAll(`{${k}}`, v), t(key));
const TOKEN = 'gp_token';
export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b',
  '#e377c2', '#17becf', '#7f7f00', '#393b79'];

export class ApiError extends Error {
  constructor(status, body) {
    super(typeof body?.detail === 'string' ? body.detail : (body?.message || `HTTP ${status}`));
    this.status = status; this.body = body;
  }
}

export const token = () => sessionStorage.getItem(TOKEN);
export const setToken = (value) => value ? sessionStorage.setItem(TOKEN, value)
  : sessionStorage.removeItem(TOKEN);

export async function api(path, { method = 'GET', json, form, headers = {}, blob = false } = {}) {
  const h = { ...headers };
  if (token()) h.Authorization = `Bearer ${token()}`;
  let body;
  if (json !== undefined) { h['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
  if (form !== undefined) body = form;
  const response = await fetch(path, { method, headers: h, body, credentials: 'omit' });
  if (response.status === 401 && token()) {
    setToken(null);
    location.assign('/app/signin?expired=1');
    throw new ApiError(401, { detail: t('session_expired') });
  }
  if (!response.ok) {
    let detail = {};
    try { detail = await response.json(); } catch { detail = { detail: response.statusText }; }
    throw new ApiError(response.status, detail);
  }
  if (blob) return response;
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

// Every item of a paginated list (GET /grids, /plans, …: {items, next_offset}), page by page.
export async function apiAll(path) {
  const items = [];
  const sep = path.includes('?') ? '&' : '?';
  for (let offset = 0; offset !== null;) {
    const page = await api(`${path}${sep}limit=500&offset=${offset}`);
    items.push(...page.items);
    offset = page.next_offset;
  }
  return items;
}

// Build DOM with text only (never innerHTML with data): el('li', {class: 'x'}, 'text', child)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// Every problem of a 422 as a list (file, row, expected, found, fix); other errors as one line.
export function problemList(error) {
  const detail = error?.body?.detail;
  if (!Array.isArray(detail)) return el('p', {}, error.message || t('error'));
  return el('ul', { class: 'problems' }, detail.map((p) => el('li', {},
    el('b', {}, (p.loc || []).filter((x) => x !== 'body').join(' · ')), ' — ',
    p.expected ? `${t('expected')} ${p.expected}; ${t('found')} ${p.found}` : p.msg,
    p.fix ? ` (${t('fix')}: ${p.fix})` : '')));
}

export function flash(message, { ok = false } = {}) {
  const box = document.getElementById('flash');
  if (!box) return;
  box.replaceChildren(message instanceof Node ? message : document.createTextNode(message));
  box.className = ok ? 'ok' : '';
  box.hidden = !message;
}

export const fail = (error) => flash(el('div', {}, el('b', {}, `${t('error')}: `),
  problemList(error)));

let meCache;
export async function me() {
  meCache ??= api('/users/me');
  return meCache;
}

const NAV = [['today', ['squad_leader', 'planner', 'admin']],
  ['coverage', ['squad_leader', 'planner', 'admin']], ['grids', ['planner', 'admin']],
  ['joint', ['joint_viewer', 'planner', 'admin']], ['data', ['planner', 'admin']]];

export const homeOf = (role) => `/app/${(NAV.find(([, roles]) => roles.includes(role)) || ['signin'])[0]}`;

export function scopeText(user) {
  const s = user.scope || {};
  if (user.role === 'admin') return t('scope_all');
  const parts = [];
  if (s.districts?.length) parts.push(`${t('scope_districts')} ${s.districts.join(', ')}`);
  if (s.grids?.length) parts.push(`${t('scope_grids')} ${s.grids.join(', ')}`);
  if (s.pair?.length) parts.push(`${t('scope_pair')} ${s.pair.join(' / ')}`);
  return parts.join('; ') || t('none');
}

export function header(user) {
  const nav = document.getElementById('nav');
  nav.replaceChildren(...NAV.filter(([, roles]) => roles.includes(user.role)).map(([page]) =>
    el('a', { href: `/app/${page}`, 'aria-current': config.page === page ? 'page' : null },
      t(`nav_${page}`))));
  document.getElementById('who').replaceChildren(user.username,
    el('span', { class: 'role' }, t(`role_${user.role}`)), scopeText(user));
  const out = document.getElementById('signout');
  out.hidden = false;
  out.addEventListener('click', () => { setToken(null); location.assign('/app/signin'); });
}

// For pages behind sign-in: the user, or a redirect to sign in / a plain "not allowed".
export async function boot() {
  if (!token()) { location.assign('/app/signin'); throw new Error('not signed in'); }
  const user = await me();
  header(user);
  if (config.roles.length && !config.roles.includes(user.role)) {
    flash(`${t('forbidden')}: ${t(`role_${user.role}`)}`);
    throw new Error('forbidden');
  }
  return user;
}

// ---- maps -------------------------------------------------------------------------------
// GCJ-02 (Amap/Tencent tiles) from WGS-84: the published forward formula, applied only when the
// configured tile source is in GCJ-02; everything else stays WGS-84 as the API sends it.
const A = 6378245.0, EE = 0.00669342162296594323;
function gcjOffset(lon, lat) {
  const x = lon - 105, y = lat - 35, pi = Math.PI;
  const c = (20 * Math.sin(6 * x * pi) + 20 * Math.sin(2 * x * pi)) * 2 / 3;
  let dLat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) + c
    + (20 * Math.sin(y * pi) + 40 * Math.sin(y / 3 * pi)) * 2 / 3
    + (160 * Math.sin(y / 12 * pi) + 320 * Math.sin(y * pi / 30)) * 2 / 3;
  let dLon = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) + c
    + (20 * Math.sin(x * pi) + 40 * Math.sin(x / 3 * pi)) * 2 / 3
    + (150 * Math.sin(x / 12 * pi) + 300 * Math.sin(x / 30 * pi)) * 2 / 3;
  const rad = lat / 180 * pi, magic = 1 - EE * Math.sin(rad) ** 2, sq = Math.sqrt(magic);
  dLat = (dLat * 180) / ((A * (1 - EE)) / (magic * sq) * pi);
  dLon = (dLon * 180) / (A / sq * Math.cos(rad) * pi);
  return [dLon, dLat];
}
const inChina = (lon, lat) => lon > 72.004 && lon < 137.8347 && lat > 0.8293 && lat < 55.8271;
export function toMapLatLng(lon, lat) {
  if (config.tiles_datum === 'gcj02' && inChina(lon, lat)) {
    const [dx, dy] = gcjOffset(lon, lat);
    return L.latLng(lat + dy, lon + dx);
  }
  return L.latLng(lat, lon);
}
const coordsToLatLng = (c) => toMapLatLng(c[0], c[1]);

export function makeMap(id, options = {}) {
  const map = L.map(id, { zoomSnap: 0.25, preferCanvas: false, ...options });
  if (config.tiles) {
    L.tileLayer(config.tiles, { maxZoom: 19, attribution: t('attribution') }).addTo(map);
  }
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(t('osm_attribution'));
  return map;
}

export function geo(data, options = {}) {
  return L.geoJSON(data, { coordsToLatLng, ...options });
}

const GRADE_WEIGHT = { 1: 3.2, 2: 2.6, 3: 1.8, 4: 1.1 };
export function streetsLayer(collection) {
  return geo(collection, { interactive: false, style: (f) => ({
    color: '#8a949e', weight: GRADE_WEIGHT[f.properties.grade] || 1.2, opacity: 0.9 }) });
}

// Direction arrows along a route, drawn with the vendored Leaflet.TextPath.
export function arrows(layer, color) {
  layer.eachLayer((line) => {
    if (line.setText) line.setText('  ►  ', { repeat: true, offset: 4,
      attributes: { fill: color, 'font-size': '11px' } });
  });
}

export async function pollJob(id, onProgress, { every = 400 } = {}) {
  for (;;) {
    const job = await api(`/jobs/${id}`);
    onProgress(job);
    // a poll carries no result (it can be megabytes): fetched once, when there is one
    if (job.status === 'succeeded') job.result = (await api(job.result_url)).result;
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, every));
  }
}

// A job's progress message is English words of the service or the library (API clients and
// logs read it); the page says the known ones in its own language — the numbers and grid codes
// they carry kept — and an unknown one only as a generic word (the words stay in the tooltip).
const PROGRESS = [
  [/^loading street network$/, 'p_network'], [/^reading tracks$/, 'p_tracks'],
  [/^matching (\d+) officer\(s\) to the streets$/, 'p_matching'],
  [/^planning routes of grid (\S+)$/, 'p_planning'], [/^grid (\S+): streets$/, 'p_grid_streets'],
  [/^grid (\S+): routes for (\d+) officer\(s\)$/, 'p_grid_routes'],
  [/^grid (\S+): key-point windows$/, 'p_grid_windows'],
  [/^grid (\S+): officers needed$/, 'p_grid_needed'], [/^grid (\S+): done$/, 'p_grid_done'],
  [/^route search for (\d+) officer\(s\)$/, 'p_search'],
  [/^(\d+) pass\(es\) left out, solving again$/, 'p_left_out'],
  [/^writing \w+$/, 'p_writing'], [/^units, partition, staffing$/, 'p_partition'],
  [/^street blocks, workload, staffing and roster$/, 'p_roster'],
  [/^reading incidents$/, 'p_incidents'], [/^reading the pair, incidents and grids$/, 'p_pair'],
  [/^projecting inputs$/, 'p_projecting'], [/^Gi\* over (\d+) incidents$/, 'p_gistar'],
  [/^boundary hotspots$/, 'p_boundary'],
  [/^joint patrols for (\d+) boundary hotspots$/, 'p_joint'],
  [/^clipping to your scope$/, 'p_scope'], [/^per-grid changes$/, 'p_changes'],
  [/^weekly trends$/, 'p_trends'], [/^hotspot profiles$/, 'p_profiles'],
  [/^(hotspots )?done$/, 'done'], [/^(queued)?$/, 'running'],
];

export function progressWords(message) {
  if (config.lang === 'en') return message || '';
  for (const [pattern, key] of PROGRESS) {
    const m = pattern.exec(message || '');
    if (m) return m.slice(1).reduce((text, v, i) => text.replaceAll(`{${i + 1}}`, v ?? ''), t(key));
  }
  return t('running');
}

// Submit a job and show its progress bar with a working cancel button in ``container``; resolves
// with the finished job (any status). The line carries data-status for tests and screen readers.
// ``submit`` queues it another way (e.g. an upload that answers with the job).
export async function runJob(kind, params, container, label, {
  submit = () => api('/jobs', { method: 'POST', json: { kind, params } }) } = {}) {
  const bar = el('progress', { max: 1, value: 0, 'aria-label': `${t('progress')} ${label}` });
  const text = el('span', { class: 'hint' }, t('running'));
  const cancel = el('button', { type: 'button', class: 'danger' }, t('cancel'));
  const line = el('div', { class: 'progress', 'data-label': label },
    el('div', { class: 'jobline' }, el('b', {}, label), text, cancel), bar);
  container.append(line);
  let job;
  try {
    job = await submit();
  } catch (error) { line.remove(); throw error; }
  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    try { await api(`/jobs/${job.id}`, { method: 'DELETE' }); } catch (error) { fail(error); }
  });
  const done = await pollJob(job.id, (j) => {
    bar.value = j.progress;
    text.textContent = `${Math.round(j.progress * 100)}% ${progressWords(j.message)}`;
    text.title = j.message || '';
  });
  cancel.hidden = true;
  const word = { succeeded: 'done', cancelled: 'cancelled' }[done.status] || 'failed';
  const problems = done.error?.problems || [];
  // a failed job's input problems, every one (file, row, expected, found, fix), as a 422's
  text.textContent = t(word) + (done.status === 'failed' && !problems.length
    ? `: ${done.message}` : '');
  text.title = done.message || '';
  if (problems.length) {
    line.append(problemList({ body: { detail: problems.map((p) => ({
      loc: [p.source, p.where], ...p })) } }));
  }
  line.dataset.status = done.status;
  return done;
}

// A file the API serves behind the bearer token, saved through a blob link.
export async function download(path, filename) {
  const response = await api(path, { blob: true });
  const url = URL.createObjectURL(await response.blob());
  const a = el('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 5000);
}

// Key points typed one a line: "name, lon, lat, HH:MM-HH:MM, dwell minutes" (， or ,).
export function parseKeyPoints(text) {
  const rows = text.split('\n').map((s) => s.trim()).filter(Boolean);
  return rows.map((row, i) => {
    const [name, lon, lat, window, dwell] = row.split(/[,，]/).map((s) => s.trim());
    return { id: `K${i + 1}`, name, lon: +lon, lat: +lat, window: window || null,
      dwell_minutes: dwell ? +dwell : 0 };
  });
}

export const km = (m) => (m / 1000).toFixed(2);
export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

// The screen shows its data: a mark for the first-screen benchmark and a flag for the tests.
export function ready() {
  if (document.body.dataset.ready === '1') return;
  performance.mark('gp-ready');
  document.body.dataset.ready = '1';
}
