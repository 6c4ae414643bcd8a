// Runs inside autocannon's worker thread as its `setupClient` (loaded with require(), hence
// CommonJS): records every response's completion time, latency, status, endpoint, X-Cache and
// whether it carried Retry-After, every connection error, and a few error bodies, and streams
// them to the main thread over the BroadcastChannel named in NHIS_LOAD_PROBE. With
// NHIS_LOAD_SHUFFLE=1 each connection starts at a random request of the list.
'use strict';
const { BroadcastChannel } = require('node:worker_threads');

const FLUSH_MS = 250;
let channel = null;
let timer = null;
let live = 0;
let at = [];
let ms = [];
let status = [];
let group = [];
let cache = [];
let retryAfter = [];
let errors = [];
/** X-Cache values by code; 0 = no X-Cache header. */
const CACHE_CODES = { 'HIT-L1': 1, 'HIT-L2': 2, MISS: 3, STALE: 4 };
/** Error bodies kept: at most PER_KIND per status and endpoint, MAX_SAMPLES in all. */
const MAX_SAMPLES = 20;
const PER_KIND = 3;
const BODY_CHARS = 300;
let samplesKept = 0;
const kinds = new Map();
/** Endpoint names ("GET /records/:id") seen so far; samples carry their index. */
const groups = [];
const groupIndex = new Map();

/** "GET /records/123?x=1" → "GET /records/:id": one series per endpoint, not per URL. */
function groupOf(req) {
  const name = `${req?.method || 'GET'} ${(req?.path || '/').split('?')[0].replace(/\/\d+(?=\/|$)/g, '/:id')}`;
  let i = groupIndex.get(name);
  if (i === undefined) {
    i = groups.length;
    groups.push(name);
    groupIndex.set(name, i);
  }
  return i;
}

function flush() {
  if (!channel || (at.length === 0 && errors.length === 0)) return;
  channel.postMessage({
    type: 'batch',
    at: Float64Array.from(at),
    ms: Float32Array.from(ms),
    status: Uint16Array.from(status),
    group: Uint16Array.from(group),
    groups: groups.slice(),
    cache: Uint8Array.from(cache),
    retryAfter: Uint8Array.from(retryAfter),
    errors,
  });
  at = [];
  ms = [];
  status = [];
  group = [];
  cache = [];
  retryAfter = [];
  errors = [];
}

/** The X-Cache header in http-parser's flat [name, value, …] list, as a code (5 = other). */
function cacheCode(headers) {
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i];
    if (name.length === 7 && name.toLowerCase() === 'x-cache') return CACHE_CODES[headers[i + 1]] || 5;
  }
  return 0;
}

/** 1 when the flat header list has a Retry-After (what a client told to come back needs). */
function hasRetryAfter(headers) {
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i];
    if (name.length === 11 && name.toLowerCase() === 'retry-after') return 1;
  }
  return 0;
}

function open() {
  if (channel) return;
  channel = new BroadcastChannel(process.env.NHIS_LOAD_PROBE || 'nhis-load-probe');
  // Neither may keep the worker thread (and so the process) alive once autocannon is done.
  channel.unref();
  timer = setInterval(flush, FLUSH_MS);
  timer.unref();
}

/** autocannon calls this once per connection, before it connects. */
module.exports = function setupClient(client) {
  open();
  live++;
  // autocannon 9 internals: the client's request iterator holds the request list; with pipelining
  // 1 its current request is the one being answered when 'response' fires.
  const it = client.requestIterator;
  if (process.env.NHIS_LOAD_SHUFFLE === '1' && it && it.requests.length > 1) {
    it.currentRequestIndex = Math.floor(Math.random() * it.requests.length);
    it.currentRequest = it.requests[it.currentRequestIndex];
  }
  let lastCache = 0;
  let lastRetryAfter = 0;
  let wantBody = 0; // status of an error response whose body we keep
  client.on('headers', (info) => {
    lastCache = cacheCode(info?.headers || []);
    const statusCode = info?.statusCode || 0;
    // Only failures are expected to carry it: a success never pays for the scan.
    lastRetryAfter = statusCode >= 400 ? hasRetryAfter(info?.headers || []) : 0;
    if (statusCode >= 400 && samplesKept < MAX_SAMPLES) {
      const kind = `${statusCode} ${groups[groupOf(it?.currentRequest)]}`;
      const seen = kinds.get(kind) || 0;
      if (seen < PER_KIND) {
        kinds.set(kind, seen + 1);
        samplesKept++;
        wantBody = statusCode;
      }
    }
  });
  // autocannon emits the parser's whole input chunk; the body starts after the blank line when the
  // headers are in the same chunk. Only error responses pay for this.
  client.on('body', (chunk) => {
    if (!wantBody || !channel) return;
    const text = chunk.toString('utf8');
    const at = text.indexOf('\r\n\r\n');
    const req = it?.currentRequest || {};
    channel.postMessage({
      type: 'error-sample',
      sample: {
        at: Date.now(),
        status: wantBody,
        method: req.method || 'GET',
        path: req.path || '',
        body: (at >= 0 ? text.slice(at + 4) : text).slice(0, BODY_CHARS),
      },
    });
    wantBody = 0;
  });
  client.on('response', (statusCode, _bytes, responseTime) => {
    wantBody = 0;
    cache.push(lastCache);
    retryAfter.push(lastRetryAfter);
    at.push(Date.now());
    ms.push(responseTime);
    status.push(statusCode);
    group.push(groupOf(it?.currentRequest));
  });
  const failed = (kind) => errors.push({ at: Date.now(), kind, endpoint: groups[groupOf(it?.currentRequest)] });
  client.on('connError', (err) => failed((err && (err.code || err.message)) || 'connection error'));
  client.on('timeout', () => failed('timeout'));
  // autocannon destroys every client when the run ends ('done'); after the last one, say so, so
  // the main thread knows it holds every sample.
  client.on('done', () => {
    if (--live === 0) {
      flush();
      channel.postMessage({ type: 'done' });
      clearInterval(timer);
      channel.close();
      channel = null;
    }
  });
};
