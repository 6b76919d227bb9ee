// The console's one way to the hub: JSON in and out, the session cookie sent
// by the browser, the CSRF token of the session on every change.
let csrf = '';

export function setCsrf(token) { csrf = token || ''; }

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// A refusal the hub gave before doing anything (its rate limit: staff behind
// one address share it; or its database busy for a moment) is asked again
// after the seconds it named, up to three times, so that a page load or a
// click is not lost to it. A lockout ("locked", minutes) is never retried.
const RETRIED = new Set(['429 rate_limited', '503 busy']);
const MAX_TRIES = 4;
const MAX_WAIT_S = 10;

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function send(path, init) {
  for (let attempt = 1; ; attempt++) {
    const r = await fetch(`api/${path}`, init);
    let json = null;
    try { json = await r.json(); } catch { json = null; }
    if (r.ok) return json;
    const e = json && json.error ? json.error : { code: 'other', message: r.statusText };
    const wait = Number(r.headers.get('Retry-After')) || 1;
    if (attempt >= MAX_TRIES || !RETRIED.has(`${r.status} ${e.code}`) || wait > MAX_WAIT_S) {
      throw new ApiError(r.status, e.code, e.message);
    }
    await sleep(wait * 1000);
  }
}

export async function api(method, path, body) {
  const init = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET') {
    init.headers['Content-Type'] = 'application/json';
    init.headers['X-CSRF-Token'] = csrf;
    init.body = JSON.stringify(body || {});
  }
  return send(path, init);
}

// A file sent as it is (a picture: its own Content-Type), with the CSRF token.
export async function apiUpload(path, file) {
  return send(path, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': file.type, 'X-CSRF-Token': csrf }, body: file,
  });
}
