// The benchmark's baseline: the panel's cluster table written by hand in plain
// JavaScript. It reads the same data from the same simulator (nodes.json, then the
// Central Management node's /api/cluster/nodes and /api/cluster/status through its
// proxy prefix), draws the same nine columns, and on a refresh updates only the cells
// whose text changed, as a careful hand-written page would.
'use strict';

const OFFLINE_AFTER_MS = 60000;
const HEADERS = { Accept: 'application/json', 'X-SPS-Panel': '1' };
const rows = new Map();
let directory = [];

async function getJson(url) {
  const response = await fetch(url, { credentials: 'include', headers: HEADERS });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

function age(ms) {
  if (!(ms >= 1000)) return 'just now';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

function utc(ms) {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

function healthText(h) {
  if (!h) return '';
  const protocols = Object.entries(h.sessions || {}).filter(([, n]) => n > 0)
    .map(([p, n]) => `${p} ${n}`);
  const sessions = protocols.length
    ? `${h.total_sessions} sessions (${protocols.join(', ')})`
    : `${h.total_sessions} sessions`;
  const load = [h.load1, h.load5, h.load15].map(x => Number(x).toFixed(2)).join(' ');
  return `mem ${h.memory} · disk ${h.disk} · swap ${h.swap} · load ${load} · ${sessions}`;
}

function cellsOf(node, status, names, now) {
  const seen = status && status.last_seen ? Date.parse(status.last_seen) : NaN;
  const issues = status ? status.configuration_sync.issues : { warnings: [], errors: [] };
  const problems = [];
  if (!status || !status.last_seen) problems.push('no status report yet');
  if (!status || !status.health_status) problems.push('no health figures');
  if (status && status.sync_status === 'outdated') problems.push('configuration outdated');
  if (status && status.sync_status === 'not fetched') problems.push('configuration not fetched');
  if (issues.errors.length) problems.push(`${issues.errors.length} sync errors`);
  if (issues.warnings.length) problems.push(`${issues.warnings.length} sync warnings`);
  const offline = seen >= 0 && now - seen > OFFLINE_AFTER_MS;
  const label = offline ? 'OFFLINE' : problems.length ? 'ISSUES' : 'OK';
  return {
    statusClass: `node-row status-${label.toLowerCase()}`,
    name: names.get(node.body.address) || (status && status.fqdn) || node.body.address,
    id: node.key,
    address: node.body.address,
    fqdn: status ? status.fqdn : '',
    roles: node.body.roles.join(', '),
    status: label,
    problems: problems.join('; '),
    sync: status ? status.sync_status : 'no status entry',
    age: seen >= 0 ? age(now - seen) : 'never',
    absolute: seen >= 0 ? utc(seen) : '',
    health: healthText(status && status.health_status),
    warnings: issues.errors.concat(issues.warnings)
      .map(i => `${i.message} ${i.paths.join(' ')}`).join('\n'),
  };
}

const FIELDS = ['name', 'id', 'address', 'fqdn', 'roles', 'status', 'problems', 'sync', 'age',
  'absolute', 'health', 'warnings'];

function newRow(cells) {
  const tr = document.createElement('tr');
  tr.dataset.key = cells.id;
  const part = (parentTag, tag) => {
    const parent = document.createElement(parentTag);
    const element = document.createElement(tag);
    parent.appendChild(element);
    tr.appendChild(parent);
    return element;
  };
  const th = document.createElement('th');
  th.scope = 'row';
  const name = document.createElement('span');
  const id = document.createElement('small');
  th.append(name, id);
  tr.appendChild(th);
  const address = part('td', 'span');
  const fqdn = part('td', 'span');
  const roles = part('td', 'span');
  const status = part('td', 'span');
  status.className = 'status-label';
  const problems = document.createElement('small');
  status.parentNode.appendChild(problems);
  const sync = part('td', 'span');
  const ageSpan = part('td', 'span');
  const absolute = document.createElement('small');
  ageSpan.parentNode.appendChild(absolute);
  const health = part('td', 'span');
  const warnings = part('td', 'div');
  const elements = { name, id, address, fqdn, roles, status, problems, sync, age: ageSpan,
    absolute, health, warnings };
  for (const field of FIELDS) elements[field].textContent = cells[field];
  tr.className = cells.statusClass;
  return { tr, elements, cells };
}

function update(row, cells) {
  for (const field of FIELDS) {
    if (row.cells[field] !== cells[field]) row.elements[field].textContent = cells[field];
  }
  if (row.cells.statusClass !== cells.statusClass) row.tr.className = cells.statusClass;
  row.cells = cells;
}

async function refresh() {
  if (!directory.length) directory = (await getJson('/nodes.json')).nodes;
  const central = directory[0];
  const nodes = await getJson(`${central.prefix}/api/cluster/nodes`);
  const statuses = await getJson(`${central.prefix}/api/cluster/status`);
  performance.mark("sps-panel:cluster-answers");
  const byKey = new Map(statuses.items.map(s => [s.key, s]));
  const names = new Map(directory.map(d => [d.cluster_address, d.name]));
  const now = Date.now();
  const tbody = document.querySelector('tbody');
  const fragment = document.createDocumentFragment();
  const present = new Set();
  for (const node of nodes.items) {
    const cells = cellsOf(node, byKey.get(node.key), names, now);
    present.add(node.key);
    const row = rows.get(node.key);
    if (row) {
      update(row, cells);
    } else {
      const created = newRow(cells);
      rows.set(node.key, created);
      fragment.appendChild(created.tr);
    }
  }
  for (const [key, row] of rows) {
    if (!present.has(key)) { row.tr.remove(); rows.delete(key); }
  }
  tbody.appendChild(fragment);
  document.querySelector('.row-count').textContent =
    `${rows.size} of ${rows.size} nodes shown`;
  document.getElementById('cluster-heading').textContent = `Cluster managed by ${central.name}`;
}

document.querySelector('.refresh-now').addEventListener('click', () => {
  refresh().catch(error => { document.querySelector('.row-count').textContent = error; });
});
refresh().catch(error => { document.querySelector('.row-count').textContent = error; });
