// api.js - the dashboard's only way to the daemon: GETs of the public API
// (DESIGN.md section 6) with conditional polling (the last ETag of each URL
// goes out as If-None-Match; a 304 reuses the cached body and tells the
// caller nothing changed), and mutating calls with the API token, asked
// for once in the page when the daemon answers 401 and kept in
// sessionStorage. Every failure is an ApiError carrying the API's
// {"error", "detail"}; nothing here touches the DOM.

const TOKEN_KEY = 'dagd.token';
const CACHE_MAX = 300;
const cache = new Map(); // url -> {etag, data}

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

let askToken = async () => null;
/** fn(reason) -> Promise<token|null>: how the page asks for the token. */
export function setTokenPrompt(fn) { askToken = fn; }

export function token() { return sessionStorage.getItem(TOKEN_KEY); }
export function setToken(t) {
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}

async function failure(r) {
  let code = null;
  let detail = null;
  try {
    const j = await r.json();
    code = j.error;
    detail = j.detail;
  } catch {
    detail = r.statusText;
  }
  return new ApiError(r.status, code, detail || `HTTP ${r.status}`);
}

function remember(url, etag, data) {
  if (!etag) return;
  cache.delete(url);
  cache.set(url, { etag, data });
  if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value);
}

/**
 * GET url as JSON. Resolves {data, changed}: changed is false when the
 * daemon answered 304 (data is then the cached body, the same object).
 */
export async function getJSON(url, { signal } = {}) {
  const hit = cache.get(url);
  const headers = { Accept: 'application/json' };
  if (hit) headers['If-None-Match'] = hit.etag;
  let r;
  try {
    r = await fetch(url, { headers, cache: 'no-store', signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'unreachable', 'the daemon does not answer');
  }
  if (r.status === 304 && hit) return { data: hit.data, changed: false };
  if (!r.ok) throw await failure(r);
  const data = await r.json();
  remember(url, r.headers.get('ETag'), data);
  return { data, changed: true };
}

/** GET url as text (logs), with the X-Log-Next-Offset header. */
export async function getText(url, { signal } = {}) {
  let r;
  try {
    r = await fetch(url, { cache: 'no-store', signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'unreachable', 'the daemon does not answer');
  }
  if (!r.ok) throw await failure(r);
  const next = r.headers.get('X-Log-Next-Offset');
  return { text: await r.text(), next: next === null ? null : Number(next) };
}

/** A streaming GET (log follow): resolves the Response for its body reader. */
export async function stream(url, signal) {
  const r = await fetch(url, { cache: 'no-store', signal });
  if (!r.ok) throw await failure(r);
  return r;
}

/**
 * A mutating call: method, url and a JSON body. On a 401 the page asks
 * for the token (once per refusal) and the call is made again with it.
 */
export async function send(method, url, body) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    const t = token();
    if (t) headers.Authorization = `Bearer ${t}`;
    let r;
    try {
      r = await fetch(url, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'unreachable', 'the daemon does not answer');
    }
    if (r.status === 401) {
      const nt = await askToken(t ? 'The token was refused.' : 'This daemon needs its API token for changes.');
      if (!nt) throw new ApiError(401, 'unauthorized', 'no API token given');
      setToken(nt);
      continue;
    }
    if (!r.ok) throw await failure(r);
    const text = await r.text();
    return text ? JSON.parse(text) : null;
  }
  throw new ApiError(401, 'unauthorized', 'the token was refused');
}
