// Custos audit explorer: a static page over the audit API. Every value from the server is written with
// textContent, never as HTML, so nothing in an event can run in the reader's browser.

const KEY_STORAGE = 'custos.explorer.key';
const MAX_PAGES = 10; // 10,000 events: beyond that, export instead
const $ = (id) => document.getElementById(id);

let key = sessionStorage.getItem(KEY_STORAGE);
let anchoredThrough = 0n;
let lastFilter = null;

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

async function api(path) {
  const response = await fetch(path, { headers: { authorization: `Bearer ${key}` } });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  return response;
}
const getJson = async (path) => (await api(path)).json();

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

async function signIn(candidate) {
  key = candidate;
  try {
    await refreshStatus();
  } catch (error) {
    key = null;
    sessionStorage.removeItem(KEY_STORAGE);
    $('sign-in-error').textContent =
      error.status === 403 ? 'This key cannot read the audit log.' : `Sign-in failed: ${error.message}`;
    return;
  }
  sessionStorage.setItem(KEY_STORAGE, key);
  $('sign-in').hidden = true;
  $('explorer').hidden = false;
  $('sign-out').hidden = false;
  $('who').textContent = `signed in as ${key.slice(0, 16)}…`;
}

async function refreshStatus() {
  const status = await getJson('/v1/audit/status');
  anchoredThrough = BigInt(status.anchoring.anchoredThroughSeq);
  $('status-head').textContent = status.events.head;
  $('status-anchored').textContent = status.anchoring.enabled
    ? `through #${status.anchoring.anchoredThroughSeq} (${status.anchoring.batches} batches, ${status.anchoring.pending} pending)`
    : 'anchoring not configured';
  $('status-indexed').textContent = status.indexer.indexedThroughBlock ?? 'not yet';
}

async function verify() {
  const target = $('status-verified');
  target.textContent = 'verifying…';
  target.className = '';
  try {
    const result = await getJson('/v1/audit/verify');
    if (result.ok) {
      const checkpointed = result.coverage.checkpointedThroughSeq;
      target.textContent =
        `verified: ${result.checked} events, ${result.anchors?.batches ?? 0} anchored batches match the chain` +
        (checkpointed ? `, signed checkpoint through #${checkpointed}` : '');
      target.className = 'ok';
    } else {
      const problem =
        result.firstBreak?.message ??
        result.anchors?.firstMismatch?.message ??
        result.checkpoints?.mismatches?.[0]?.message ??
        'the latest signed checkpoint does not verify';
      const more = result.breakCount > 1 ? ` (${result.breakCount} broken links in all)` : '';
      target.textContent = `FAILED: ${problem}${more}`;
      target.className = 'bad';
    }
  } catch (error) {
    target.textContent = `could not verify: ${error.message}`;
    target.className = 'bad';
  }
}

/**
 * Block times have one-second resolution, so entries are ordered by the second; within one, the audit log's
 * entries come first (an issuance precedes its on-chain use). Both sources keep their own order (stable sort).
 */
const second = (iso) => Math.floor(Date.parse(iso) / 1000);

/** The query's filter: a 20-byte address is a subject, a 32-byte value an attestation uid. */
function filterOf(query) {
  return query.length === 42 ? { subject: query } : { attestationUid: query.toLowerCase() };
}

async function auditEvents(filter) {
  const events = [];
  let cursor = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const params = new URLSearchParams({ ...filter, limit: '1000', ...(cursor ? { cursor } : {}) });
    const body = await getJson(`/v1/audit/events?${params}`);
    events.push(...body.events);
    cursor = body.nextCursor;
    if (!cursor) return { events, truncated: false };
  }
  return { events, truncated: true };
}

/** A subject's agent executions as the gate decided them (their state now); none for an attestation uid. */
async function agentExecutions(filter) {
  if (!filter.subject) return [];
  const params = new URLSearchParams({ caller: filter.subject, limit: '500' });
  return (await getJson(`/v1/agents/executions?${params}`)).executions;
}

async function search(query) {
  $('search-error').textContent = '';
  const filter = filterOf(query);
  try {
    const [{ events, truncated }, onChain, agents] = await Promise.all([
      auditEvents(filter),
      getJson(`/v1/audit/chain-events?${new URLSearchParams(filter)}`),
      agentExecutions(filter),
      refreshStatus(),
    ]);
    const entries = [
      ...events.map((e) => ({ at: second(e.createdAt), onChain: 0, render: () => offChainEntry(e) })),
      ...onChain.events.map((e) => ({ at: second(e.blockTime), onChain: 1, render: () => onChainEntry(e) })),
      ...agents.map((e) => ({ at: second(e.requestedAt), onChain: 2, render: () => executionEntry(e) })),
    ].sort((a, b) => a.at - b.at || a.onChain - b.onChain);
    $('timeline').replaceChildren(...entries.map((e) => e.render()));
    $('timeline-title').textContent =
      `${entries.length} entries for ${query}` +
      (truncated ? ' (first 10,000 audit events: export for all)' : '');
    lastFilter = filter;
    $('export-jsonl').disabled = $('export-csv').disabled = false;
  } catch (error) {
    $('search-error').textContent = `${error.code ?? 'ERROR'}: ${error.message}`;
  }
}

function details(fields) {
  const list = element('dl');
  for (const [name, value] of Object.entries(fields)) {
    if (value === null || value === undefined) continue;
    list.append(
      element('dt', name),
      element('dd', typeof value === 'object' ? JSON.stringify(value) : value),
    );
  }
  return list;
}

function entry(className, at, kind, type, badge, fields) {
  const item = element('li', undefined, className);
  item.dataset.type = type;
  item.append(element('span', new Date(at).toISOString(), 'when'), element('span', kind, 'kind'));
  item.append(element('span', type, 'type'), element('span', badge, 'badge'), details(fields));
  return item;
}

function offChainEntry(event) {
  const anchored = BigInt(event.seq) <= anchoredThrough;
  // The reason code comes first: it is what officers and regulators report on.
  const { reasonCode, ...payload } = event.payload ?? {};
  const className =
    event.type === 'screening.failed' ? 'failed' : event.type === 'attestation.revoked' ? 'revoked' : '';
  return entry(
    className,
    event.createdAt,
    'audit log',
    event.type,
    anchored ? 'anchored on-chain' : 'awaiting anchor',
    {
      'reason code': reasonCode,
      seq: event.seq,
      actor: event.actor,
      attestation: event.attestationUid,
      ...payload,
    },
  );
}

function onChainEntry(event) {
  const className = event.event === 'AttestationRevoked' ? 'on-chain revoked' : 'on-chain';
  return entry(
    className,
    event.blockTime,
    'on-chain',
    `${event.contract}.${event.event}`,
    `block ${event.blockNumber}`,
    {
      tx: event.txHash,
      ...event.args,
    },
  );
}

function executionEntry(execution) {
  return entry(
    execution.status === 'refused' ? 'failed' : 'on-chain',
    execution.requestedAt,
    'agent execution',
    'agent.execution',
    execution.reasonCode ? `${execution.status}: ${execution.reasonCode}` : execution.status,
    {
      agent: execution.agentId,
      request: execution.requestId,
      execution: execution.id,
      task: execution.taskHash,
      reason: execution.reason,
      claims: execution.claims,
      units: execution.units,
      finished: execution.finishedAt,
      tx: execution.txHash,
    },
  );
}

async function exportAs(format) {
  const params = new URLSearchParams({ ...lastFilter, format });
  try {
    const blob = await (await api(`/v1/audit/export?${params}`)).blob();
    const link = element('a');
    link.href = URL.createObjectURL(blob);
    link.download = `custos-audit.${format}`;
    link.click();
    URL.revokeObjectURL(link.href);
  } catch (error) {
    $('search-error').textContent = `${error.code ?? 'ERROR'}: ${error.message}`;
  }
}

$('sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  void signIn($('key').value.trim());
});
$('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(KEY_STORAGE);
  location.reload();
});
$('search').addEventListener('submit', (event) => {
  event.preventDefault();
  void search($('query').value.trim());
});
$('verify').addEventListener('click', () => void verify());
$('export-jsonl').addEventListener('click', () => void exportAs('jsonl'));
$('export-csv').addEventListener('click', () => void exportAs('csv'));
if (key) void signIn(key);
