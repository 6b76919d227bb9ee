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

export async function api(method, path, body) {
  const init = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET') {
    init.headers['Content-Type'] = 'application/json';
    init.headers['X-CSRF-Token'] = csrf;
    init.body = JSON.stringify(body || {});
  }
  const r = await fetch(`api/${path}`, init);
  let json = null;
  try { json = await r.json(); } catch { json = null; }
  if (!r.ok) {
    const e = json && json.error ? json.error : { code: 'other', message: r.statusText };
    throw new ApiError(r.status, e.code, e.message);
  }
  return json;
}

// A file sent as it is (a picture: its own Content-Type), with the CSRF token.
export async function apiUpload(path, file) {
  const r = await fetch(`api/${path}`, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': file.type, 'X-CSRF-Token': csrf }, body: file,
  });
  let json = null;
  try { json = await r.json(); } catch { json = null; }
  if (!r.ok) {
    const e = json && json.error ? json.error : { code: 'other', message: r.statusText };
    throw new ApiError(r.status, e.code, e.message);
  }
  return json;
}
