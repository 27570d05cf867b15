// Everynode's rollout view: a list of DaemonSets and, for one, a grid of its nodes. Plain script, no build step.
// Live: each view watches the API (Kubernetes watch, newline-delimited JSON over a streamed fetch) and refreshes
// on every event; when the stream stays silent (a proxy that buffers responses) or breaks, it polls every second.
'use strict';

const TOKEN_KEY = 'everynode-token';
const STATES = ['Updated', 'Updating', 'Unavailable', 'Old', 'Held', 'Misscheduled', 'NotScheduled'];
const STATE_TEXT = {Updated: 'updated + available', Updating: 'updating', Unavailable: 'unavailable',
  Old: 'old revision', Held: 'held (partition, pause, selector, canary)', Misscheduled: 'misscheduled',
  NotScheduled: 'not scheduled'};
const PAUSED = 'everynode.dev/rollout-paused';
const PARTITION = 'everynode.dev/rollout-partition';
const POLL_MS = 1000;
const SILENT_MS = 6000;   // silent this long after opening (bookmarks come every 5 s): taken as buffered
const STALE_MS = 15000;   // bookmarks come every 5 s; a watch quiet for longer than this is taken as dead

const $ = (id) => document.getElementById(id);
let view = null;          // {stop()} of the current view
let role = null;

// ---- HTTP -------------------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : 'HTTP ' + status);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const headers = Object.assign({Accept: 'application/json'}, options.headers || {});
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = 'Bearer ' + token;
  const response = await fetch(path, Object.assign({}, options, {headers}));
  if (options.stream && response.ok) return response;
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = {message: text}; }
  if (response.status === 401) showLogin('the token was not accepted');
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

const patch = (path, body) => api(path, {method: 'PATCH', body: JSON.stringify(body),
  headers: {'Content-Type': 'application/merge-patch+json'}});

// ---- live updates -----------------------------------------------------------------------------------------------

// Runs refresh() now, on every watch event, and every second while no watch is known to be live.
function live(watchPaths, refresh) {
  const abort = new AbortController();
  const streams = watchPaths.map(() => ({opened: 0, lastByte: 0, proven: false, rv: null}));
  let running = false, again = false, stopped = false, lastRun = 0;
  const run = async () => {
    if (stopped) return;
    if (running) { again = true; return; }
    running = true;
    try { lastRun = Date.now(); await refresh(); } catch (e) { console.warn(e); }
    running = false;
    if (again) { again = false; setTimeout(run, 200); }
  };
  const isLive = (s, now) => s.proven && now - s.lastByte < STALE_MS;
  const mode = () => {
    const now = Date.now();
    if (streams.every((s) => isLive(s, now))) return 'watch';
    if (streams.some((s) => !s.proven && s.opened && now - s.opened < SILENT_MS)) return 'connecting';
    return 'polling';
  };
  const watchLoop = async (i) => {
    const s = streams[i];
    while (!stopped) {
      s.opened = Date.now();
      s.proven = false;
      try {
        const response = await api(watchPaths[i](s.rv), {stream: true, signal: abort.signal});
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffered = '';
        for (;;) {
          const {value, done} = await reader.read();
          if (done) break;
          s.lastByte = Date.now();
          s.proven = true;
          buffered += decoder.decode(value, {stream: true});
          let nl;
          let changed = false;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (!line) continue;
            const event = JSON.parse(line);
            if (event.type === 'ERROR') { s.rv = null; continue; }   // e.g. 410 Gone: start afresh
            s.rv = event.object && event.object.metadata ? event.object.metadata.resourceVersion : s.rv;
            if (event.type !== 'BOOKMARK') changed = true;
          }
          if (changed) run();
        }
      } catch (e) {
        if (stopped) return;
      }
      s.proven = false;
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  const timer = setInterval(() => {
    const m = mode();
    const badge = $('live');
    badge.dataset.mode = m;
    badge.textContent = m === 'watch' ? 'live: watch' : m === 'polling' ? 'live: polling every 1 s' : 'connecting';
    if (m !== 'watch' && Date.now() - lastRun >= POLL_MS - 100) run();
    else if (m === 'watch' && Date.now() - lastRun > 10000) run();   // nodes and events have no watch here
  }, 250);
  // The watches start after the first refresh, which tells them what to select and from which version.
  run().then(() => watchPaths.forEach((_, i) => watchLoop(i)));
  return {stop() { stopped = true; abort.abort(); clearInterval(timer); }};
}

// ---- sign-in ----------------------------------------------------------------------------------------------------

function showLogin(why) {
  if (view) { view.stop(); view = null; }
  for (const id of ['list', 'detail']) $(id).hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = why || '';
  $('signout').hidden = true;
}

async function whoami() {
  const me = await api('/everynode/v1/whoami');
  role = me.role;
  $('who').textContent = me.authentication === 'off' ? 'authentication off' : me.name + ' (' + me.role + ')';
  $('who').dataset.role = me.role;
  $('signout').hidden = me.authentication === 'off';
  return me;
}

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token').value = '';
  route();
});
$('signout').addEventListener('click', () => { sessionStorage.removeItem(TOKEN_KEY); showLogin(''); });

// ---- the list ---------------------------------------------------------------------------------------------------

function listView() {
  $('crumb').textContent = '';
  $('list').hidden = false;
  return live([() => '/apis/apps/v1/daemonsets?watch=true&allowWatchBookmarks=true&timeoutSeconds=300'], async () => {
    const list = await api('/apis/apps/v1/daemonsets');
    const rows = list.items.map((ds) => {
      const s = ds.status || {};
      const cond = (s.conditions || []).find((c) => c.type === 'Progressing');
      const href = '#/ds/' + encodeURIComponent(ds.metadata.namespace) + '/' + encodeURIComponent(ds.metadata.name);
      const tr = document.createElement('tr');
      tr.dataset.name = ds.metadata.namespace + '/' + ds.metadata.name;
      const cells = [ds.metadata.namespace, null, s.desiredNumberScheduled, s.currentNumberScheduled, s.numberReady,
        s.updatedNumberScheduled, s.numberAvailable, s.numberMisscheduled, cond ? cond.reason : ''];
      cells.forEach((v, i) => {
        const td = document.createElement('td');
        if (i === 1) {
          const a = document.createElement('a');
          a.href = href;
          a.textContent = ds.metadata.name;
          td.appendChild(a);
        } else {
          td.textContent = v === undefined || v === null ? '0' : v;
          if (i >= 2 && i <= 7) td.className = 'num';
        }
        tr.appendChild(td);
      });
      return tr;
    });
    $('ds-table').tBodies[0].replaceChildren(...rows);
    $('list-empty').hidden = rows.length > 0;
  });
}

// ---- one DaemonSet ----------------------------------------------------------------------------------------------

function detailView(namespace, name) {
  const base = '/apis/apps/v1/namespaces/' + encodeURIComponent(namespace) + '/daemonsets/' + encodeURIComponent(name);
  $('crumb').textContent = '/ ' + namespace + ' / ' + name;
  $('ds-title').textContent = 'daemonset.apps/' + name;
  $('detail').hidden = false;
  const cellsByNode = new Map();
  let current = null;
  let podSelector = null;
  let resourceVersion = null;
  const setUp = actions(base, () => current);
  const watches = [
    () => '/apis/apps/v1/namespaces/' + encodeURIComponent(namespace) + '/daemonsets?watch=true&allowWatchBookmarks=true'
      + '&timeoutSeconds=300&fieldSelector=' + encodeURIComponent('metadata.name=' + name),
    (rv) => '/api/v1/namespaces/' + encodeURIComponent(namespace) + '/pods?watch=true&allowWatchBookmarks=true'
      + '&timeoutSeconds=300' + (podSelector ? '&labelSelector=' + encodeURIComponent(podSelector) : '')
      + ((rv || resourceVersion) ? '&resourceVersion=' + (rv || resourceVersion) : ''),
  ];
  return live(watches, async () => {
    const [ds, rollout] = await Promise.all([api(base), api(base + '/rollout?cells=true')]);
    current = ds;
    resourceVersion = ds.metadata.resourceVersion;
    const labels = (ds.spec.selector && ds.spec.selector.matchLabels) || {};
    podSelector = Object.entries(labels).map(([k, v]) => k + '=' + v).join(',') || null;
    renderCounters(ds.status || {});
    renderProgressing(rollout, ds);
    renderGrid(rollout, cellsByNode);
    renderRevisions(rollout.revisions || []);
    renderNodes(rollout.nodes || {});
    setUp(ds, rollout);
    const events = await api('/api/v1/namespaces/' + encodeURIComponent(namespace) + '/events?fieldSelector='
      + encodeURIComponent('involvedObject.kind=DaemonSet,involvedObject.uid=' + ds.metadata.uid));
    renderEvents(events.items || []);
  });
}

function renderCounters(status) {
  document.querySelectorAll('[data-counter]').forEach((b) => {
    b.textContent = status[b.dataset.counter] || 0;
  });
}

function renderProgressing(rollout, ds) {
  const el = $('progressing');
  const cond = ((ds.status || {}).conditions || []).find((c) => c.type === 'Progressing');
  el.dataset.status = cond ? cond.status : '';
  el.dataset.reason = rollout.reason || '';
  el.textContent = (cond ? 'Progressing=' + cond.status + ' · ' + cond.reason + ' · ' : '') + rollout.message;
}

function renderGrid(rollout, cellsByNode) {
  const grid = $('grid');
  const cells = rollout.cells || [];
  const newest = Math.max(0, ...(rollout.revisions || []).map((r) => r.revision));
  const counts = Object.fromEntries(STATES.map((s) => [s, 0]));
  const seen = new Set();
  let index = 0;
  for (const c of cells) {
    seen.add(c.node);
    counts[c.state] = (counts[c.state] || 0) + 1;
    let el = cellsByNode.get(c.node);
    if (!el) {
      el = document.createElement('div');
      el.dataset.node = c.node;
      cellsByNode.set(c.node, el);
    }
    if (grid.children[index] !== el) grid.insertBefore(el, grid.children[index] || null);
    index++;
    const revision = c.revision === null ? '' : String(c.revision);
    const cls = 'cell s-' + c.state + (c.revision !== null && c.revision < newest - 1 ? ' older' : '');
    if (el.className !== cls) el.className = cls;
    if (el.dataset.state !== c.state) el.dataset.state = c.state;
    if (el.dataset.revision !== revision) el.dataset.revision = revision;
    el.title = c.node + ' · ' + STATE_TEXT[c.state] + (revision ? ' · revision ' + revision : '');
  }
  for (const [node, el] of cellsByNode) {
    if (!seen.has(node)) { el.remove(); cellsByNode.delete(node); }
  }
  $('legend').replaceChildren(...STATES.map((s) => {
    const span = document.createElement('span');
    span.dataset.state = s;
    span.dataset.count = counts[s];
    span.style.setProperty('--c', getComputedStyle(document.documentElement).getPropertyValue('--' + s.toLowerCase()));
    span.textContent = STATE_TEXT[s] + ': ' + counts[s];
    return span;
  }));
}

function renderRevisions(revisions) {
  $('revisions').tBodies[0].replaceChildren(...revisions.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.revision = r.revision;
    for (const v of [r.revision, r.hash, r.pods, r.ready]) {
      const td = document.createElement('td');
      td.textContent = v;
      tr.appendChild(td);
    }
    return tr;
  }));
}

function renderNodes(nodes) {
  for (const key of ['pending', 'unavailable']) {
    const names = nodes[key] || [];
    $(key + '-count').textContent = '(' + names.length + ')';
    $(key).textContent = names.length === 0 ? 'none'
      : names.slice(0, 40).join(' ') + (names.length > 40 ? ' … and ' + (names.length - 40) + ' more' : '');
  }
}

function renderEvents(events) {
  const time = (e) => e.lastTimestamp || e.eventTime || e.firstTimestamp || '';
  const recent = events.slice().sort((a, b) => time(b).localeCompare(time(a))).slice(0, 12);
  $('events').replaceChildren(...recent.map((e) => {
    const li = document.createElement('li');
    li.className = e.type;
    li.dataset.reason = e.reason;
    li.textContent = time(e).replace('T', ' ').replace('Z', '') + ' ' + e.reason + ': ' + e.message
      + (e.count > 1 ? ' (×' + e.count + ')' : '');
    return li;
  }));
}

// ---- actions (admin only; the server refuses a viewer's write anyway) ----------------------------------------------

function confirmThen(text, action) {
  const dialog = $('confirm');
  $('confirm-text').textContent = text;
  dialog.onclose = async () => {
    if (dialog.returnValue !== 'ok') return;
    const result = $('action-result');
    try {
      result.textContent = await action();
      result.dataset.ok = 'true';
    } catch (e) {
      result.textContent = (e.status ? e.status + ': ' : '') + e.message;
      result.dataset.ok = 'false';
    }
  };
  dialog.returnValue = '';
  dialog.showModal();
}

function actions(base, currentDs) {
  const who = () => { const ds = currentDs(); return ds.metadata.namespace + '/' + ds.metadata.name; };
  const annotate = (key, value) => patch(base, {metadata: {annotations: {[key]: value}}});
  $('pause').onclick = () => confirmThen('Pause the rollout of ' + who() + '? Nodes not yet replaced keep their pods.',
    async () => { await annotate(PAUSED, 'true'); return 'paused'; });
  $('resume').onclick = () => confirmThen('Resume the rollout of ' + who() + '?',
    async () => { await annotate(PAUSED, null); return 'resumed'; });
  $('set-partition').onclick = () => {
    const value = $('partition').value.trim();
    confirmThen(value ? 'Keep ' + value + ' nodes of ' + who() + ' on their old revision (partition ' + value + ')?'
      : 'Remove the partition of ' + who() + '?',
    async () => { await annotate(PARTITION, value || null); return value ? 'partition set to ' + value : 'partition removed'; });
  };
  $('undo').onclick = () => {
    const revision = Number($('undo-revision').value);
    confirmThen('Roll ' + who() + ' back to revision ' + revision + '? Its template is rolled out with the strategy.',
      async () => {
        const r = await api(base + '/rollback', {method: 'POST', body: JSON.stringify({toRevision: revision}),
          headers: {'Content-Type': 'application/json'}});
        return r.message;
      });
  };
  return (ds, rollout) => {
    const admin = role === 'admin';
    const paused = ((ds.metadata.annotations || {})[PAUSED] || '') === 'true';
    for (const id of ['pause', 'resume', 'set-partition', 'undo', 'partition', 'undo-revision']) $(id).disabled = !admin;
    if (admin) { $('pause').disabled = paused; $('resume').disabled = !paused; }
    $('actions-note').textContent = admin ? '' : 'Read only: your token is a viewer\'s.';
    const partition = (ds.metadata.annotations || {})[PARTITION] || '';
    if (document.activeElement !== $('partition')) $('partition').placeholder = partition || 'e.g. 3 or 25%';
    const select = $('undo-revision');
    const options = (rollout.revisions || []).map((r) => String(r.revision));
    if (select.dataset.options !== options.join(',')) {
      const chosen = select.value;
      select.replaceChildren(...options.map((n) => { const o = document.createElement('option'); o.value = n; o.textContent = n; return o; }));
      if (options.includes(chosen)) select.value = chosen;
      select.dataset.options = options.join(',');
    }
  };
}

// ---- routing ----------------------------------------------------------------------------------------------------

async function route() {
  if (view) { view.stop(); view = null; }
  for (const id of ['login', 'list', 'detail']) $(id).hidden = true;
  try {
    await whoami();
  } catch (e) {
    if (e.status !== 401) { $('login').hidden = false; $('login-error').textContent = e.message; }
    return;
  }
  const m = location.hash.match(/^#\/ds\/([^/]+)\/([^/]+)$/);
  view = m ? detailView(decodeURIComponent(m[1]), decodeURIComponent(m[2])) : listView();
}

window.addEventListener('hashchange', route);
route();
