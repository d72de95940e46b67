// The embedding example: frames the Spanflame viewer and talks to it with postMessage
// (protocol version 1, docs/embedding.md). Copy what you need; nothing here is required.
//
//   embed-host.html                       frames ./ (the viewer beside this page)
//   embed-host.html?viewer=<url>          frames a viewer served elsewhere
//   embed-host.html?theme=dark            starts the viewer dark
//
// `window.spanflameHost` (post, messages, waitFor) is there for the end-to-end tests.

const params = new URLSearchParams(location.search);
const viewerUrl = new URL(params.get('viewer') ?? './', location.href);
// Messages go to this origin only, and only messages from it are read.
const viewerOrigin = viewerUrl.origin;
viewerUrl.searchParams.set('embed', '1');
// The viewer accepts messages from its own origin and from those named here.
viewerUrl.searchParams.set('origin', location.origin);
if (params.get('theme')) viewerUrl.searchParams.set('theme', params.get('theme'));

const frame = document.getElementById('viewer');
const log = document.getElementById('log');
const messages = [];
const waiters = [];
let nextRequestId = 1;

/** Posts `{ type: "spanflame", version: 1, ...message }` to the viewer; returns its requestId. */
function post(message, transfer = []) {
  const requestId = nextRequestId++;
  frame.contentWindow.postMessage({ type: 'spanflame', version: 1, requestId, ...message }, viewerOrigin, transfer);
  return requestId;
}

/** Resolves with the first message (already received or to come) that `test` accepts. */
function waitFor(test, timeout = 15000) {
  const found = messages.find(test);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const waiter = { test, resolve };
    waiters.push(waiter);
    setTimeout(() => {
      const i = waiters.indexOf(waiter);
      if (i >= 0) {
        waiters.splice(i, 1);
        reject(new Error(`no matching message within ${timeout} ms`));
      }
    }, timeout);
  });
}

window.addEventListener('message', (event) => {
  // Only the framed viewer, at the origin this page framed.
  if (event.source !== frame.contentWindow || event.origin !== viewerOrigin) return;
  const message = event.data;
  if (!message || message.type !== 'spanflame') return;
  messages.push(message);
  show(message);
  for (const waiter of [...waiters]) {
    if (waiter.test(message)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(message);
    }
  }
});

function show(message) {
  const item = document.createElement('li');
  if (message.kind === 'error') item.className = 'error';
  // textContent: whatever the viewer reports (function names included) stays text.
  item.textContent = `${message.kind}: ${JSON.stringify({ ...message, type: undefined, version: undefined, kind: undefined })}`;
  log.prepend(item);
  if (message.kind === 'spanSelected') showSpan(message);
}

function showSpan(message) {
  const summary = document.getElementById('span-summary');
  const unit = message.sampleType?.unit ?? '';
  summary.textContent = message.span
    ? `${message.span.name ?? message.span.spanId} (${message.scope}): total ${message.totalWeight} ${unit}`
    : `All samples: total ${message.totalWeight} ${unit}`;
  const body = document.querySelector('#top-frames tbody');
  body.replaceChildren(
    ...message.topFrames.map((f) => {
      const row = document.createElement('tr');
      for (const text of [f.name, f.selfWeight, f.totalWeight]) {
        const cell = document.createElement('td');
        cell.textContent = String(text);
        row.append(cell);
      }
      return row;
    }),
  );
}

async function sendFile(kind, file) {
  if (!file) return;
  const data = await file.arrayBuffer();
  // Transferred, not copied: the buffer moves to the viewer.
  post({ kind, data, name: file.name }, [data]);
}

async function sendUrl(kind, url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const data = await response.arrayBuffer();
  post({ kind, data, name: url }, [data]);
}

const byId = (id) => document.getElementById(id);
byId('profile-file').addEventListener('change', (e) => sendFile('loadProfile', e.target.files[0]));
byId('trace-file').addEventListener('change', (e) => sendFile('loadTrace', e.target.files[0]));
byId('load-demo').addEventListener('click', async () => {
  await sendUrl('loadProfile', new URL('demo/profile.binpb', location.href).href);
  await sendUrl('loadTrace', new URL('demo/traces.json', location.href).href);
});
byId('select-span').addEventListener('click', () =>
  post({ kind: 'selectSpan', span: byId('span-id').value.trim(), scope: byId('span-scope').value }),
);
byId('clear-span').addEventListener('click', () => post({ kind: 'selectSpan', span: null }));
byId('set-sample-type').addEventListener('click', () => {
  const value = byId('sample-type').value.trim();
  post({ kind: 'setSampleType', sampleType: /^\d+$/.test(value) ? Number(value) : value });
});
byId('theme').addEventListener('change', (e) => post({ kind: 'setTheme', theme: e.target.value }));
byId('ping').addEventListener('click', () => post({ kind: 'ping' }));
byId('clear').addEventListener('click', () => post({ kind: 'clear' }));

window.spanflameHost = { post, messages, waitFor, viewerOrigin, frame };
frame.src = viewerUrl.href;
