// Drawing one officer's route (the officer page and the A4 sheet share it).
import { arrows, geo, makeMap, streetsLayer, t } from './common.js';

export const ROUTE_COLOR = '#0b5cad';

export function drawRoute(id, route, options = {}) {
  const map = makeMap(id, options);
  if (route.streets) streetsLayer(route.streets).addTo(map);
  const line = geo(route.steps, { style: (f) => ({ color: ROUTE_COLOR, weight: 5, opacity: 0.9,
    dashArray: f.properties.deadhead ? '4 6' : null }) }).addTo(map);
  arrows(line, ROUTE_COLOR);
  geo(route.key_points, { pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 8,
    color: '#000', weight: 2, fillColor: '#f59e0b', fillOpacity: 1 }).bindTooltip(
    `${f.properties.name || f.properties.id} ${f.properties.window || ''}`,
    { permanent: true, direction: 'right', className: 'kp-label' }) }).addTo(map);
  map.fitBounds(line.getBounds(), { padding: [16, 16] });
  return { map, line };
}

export function routeMeta(route) {
  const start = (route.shift_start || '').slice(11, 16);
  const end = (route.shift_end || '').slice(11, 16);
  return `${route.grid} · ${route.officer} · ${(route.shift_start || '').slice(0, 10)} ${start}–${end}`
    + ` · ${(route.length_m / 1000).toFixed(2)} ${t('km')} · ${Math.round(route.minutes)} ${t('minutes')}`;
}

export const hhmm = (iso) => (iso ? iso.slice(11, 16) : '—');
