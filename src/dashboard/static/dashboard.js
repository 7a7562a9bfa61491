// switchboard dashboard: signs in with an API token (kept in sessionStorage), polls
// GET /v1/dashboard/overview and updates the tables in place, so keyboard focus survives updates.
// Every value from the server is written with textContent, never as HTML.
'use strict';

(() => {
  const TOKEN_KEY = 'switchboard.token';
  const POLL_MS = 1500;
  const $ = (id) => document.getElementById(id);

  let timer = null;
  let generation = 0; // bumps on sign-in/out so a late response from an old session is ignored
  let serverSkewMs = 0;

  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'text') node.textContent = value;
      else if (key === 'class') node.className = value;
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  function ago(isoTime) {
    if (!isoTime) return '';
    const seconds = Math.max(0, Math.round((Date.now() + serverSkewMs - Date.parse(isoTime)) / 1000));
    if (seconds < 60) return `${seconds} s ago`;
    if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
    if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
    return new Date(isoTime).toLocaleString();
  }

  function label(state) {
    return String(state).replace(/_/g, ' ');
  }

  /** Colours a badge by state; its `data-kind` class (how rows find it again) is kept. */
  function badge(node, state) {
    node.className = ['badge', node.dataset.kind, `s-${state}`].filter(Boolean).join(' ');
    setText(node, label(state));
  }

  function announce(message) {
    const node = $('announcer');
    node.textContent = '';
    // A fresh text node after clearing makes screen readers announce repeated messages too.
    window.setTimeout(() => (node.textContent = message), 30);
  }

  async function api(method, path) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const response = await fetch(path, { method, headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    return { status: response.status, body };
  }

  /** Keeps one row per key in `tbody`, creating, updating, reordering and removing as needed. */
  function syncRows(tbody, items, keyOf, create, update) {
    const existing = new Map([...tbody.rows].map((row) => [row.dataset.key, row]));
    items.forEach((item, index) => {
      const key = keyOf(item);
      let row = existing.get(key);
      if (!row) {
        row = create(item);
        row.dataset.key = key;
      }
      existing.delete(key);
      update(row, item);
      if (tbody.rows[index] !== row) tbody.insertBefore(row, tbody.rows[index] ?? null);
    });
    for (const row of existing.values()) row.remove();
  }

  // ---- accounts -------------------------------------------------------------------------------

  function accountRow(account) {
    const button = el('button', { type: 'button', class: 'probe', text: 'Re-probe', 'aria-label': `Re-probe ${account.bot} account on channel ${account.channel}` });
    button.addEventListener('click', () => probe(account.id, account.bot, account.channel, button));
    return el('tr', { 'data-account': account.id }, [
      el('td', { class: 'mono channel' }),
      el('td', {}, [el('span', { class: 'badge health', 'data-kind': 'health' }), el('span', { class: 'reason' })]),
      el('td', { class: 'num credits' }),
      el('td', { class: 'reported' }),
      el('td', { class: 'num slots' }),
      el('td', { class: 'commands' }),
      el('td', { class: 'bot-messages' }),
      el('td', {}, [button]),
    ]);
  }

  /** Replaces a cell's content with a list of lines (or a dash). */
  function setList(cell, lines) {
    const fresh = lines.length === 0 ? [document.createTextNode('—')] : [el('ul', { class: 'plain' }, lines.map((line) => el('li', { text: line })))];
    const key = JSON.stringify(lines);
    if (cell.dataset.key === key) return;
    cell.dataset.key = key;
    cell.replaceChildren(...fresh);
  }

  function updateAccountRow(row, account) {
    const [channel, health, credits, reported, slots, commands, botMessages] = row.cells;
    setText(channel, account.server ? `${account.channel} (server ${account.server})` : account.channel);
    badge(health.querySelector('.health'), account.health.state);
    const h = account.health;
    const why = [h.reason, h.detail].filter(Boolean).join(': ');
    const when = h.state === 'active' ? '' : h.until ? ` · until ${new Date(h.until).toLocaleTimeString()}` : h.nextProbeAt ? ` · next check ${new Date(h.nextProbeAt).toLocaleTimeString()}` : '';
    setText(health.querySelector('.reason'), `${why}${when}`);
    const c = account.credits;
    setText(credits, c ? `${c.used}${c.total !== undefined ? ` / ${c.total}` : ''} used${c.exhaustedAt !== undefined ? ' · out of credits' : ''}` : '—');
    // Whatever the bot last said about the account, fields as the provider names them (`someField` → "some field").
    const said = account.reported ? Object.entries(account.reported.fields).map(([k, v]) => `${k.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase()}: ${v}`) : [];
    setList(reported, said);
    const check = account.commandCheck;
    setList(commands, check ? (check.ok ? ['match what switchboard sends'] : check.problems) : []);
    const notes = (account.botMessages ?? []).map((m) => `${new Date(m.at).toLocaleTimeString()} ${m.reason}: ${m.text || `(${m.attachments} attachment(s), ${m.embeds} embed(s))`}`);
    if (account.quarantinedUntil) notes.unshift(`channel held back until ${new Date(account.quarantinedUntil).toLocaleTimeString()}`);
    setList(botMessages, notes);
    const queued = account.slots.queued > 0 ? `, ${account.slots.queued} queued` : '';
    setText(slots, `${account.slots.used} / ${account.slots.capacity} in use${queued}`);
  }

  function renderAccounts(bots) {
    const root = $('accounts');
    for (const bot of bots) {
      let block = root.querySelector(`[data-bot="${CSS.escape(bot.name)}"]`);
      if (!block) {
        block = el('div', { class: 'bot-block', 'data-bot': bot.name }, [
          el('div', { class: 'scroll' }, [
            el('table', {}, [
              el('caption', { text: bot.name }),
              el('thead', {}, [el('tr', {}, ['Channel', 'Health', 'Credits', 'Bot status', 'Slots', 'Commands', 'Bot messages not understood', 'Actions'].map((h) => el('th', { scope: 'col', text: h })))]),
              el('tbody'),
            ]),
          ]),
          el('p', { class: 'empty', text: `No ${bot.name} account configured. Add one with POST ${bot.accountPath ?? `/v1/${bot.name}/account`}/<channel>.` }),
        ]);
        root.append(block);
      }
      const table = block.querySelector('table');
      const empty = block.querySelector('.empty');
      table.hidden = bot.accounts.length === 0;
      empty.hidden = bot.accounts.length > 0;
      syncRows(table.tBodies[0], bot.accounts, (a) => a.id, accountRow, updateAccountRow);
    }
  }

  async function probe(id, bot, channel, button) {
    button.disabled = true;
    setText(button, 'Probing…');
    try {
      const { status, body } = await api('POST', `/v1/dashboard/accounts/${encodeURIComponent(id)}/probe`);
      if (status === 401) return signOut('The server no longer accepts this token. Sign in again.');
      if (status !== 200) return announce(`Re-probe of ${bot} account ${channel} failed: ${body?.error ?? `HTTP ${status}`}`);
      const h = body.account.health;
      announce(`Re-probed ${bot} account ${channel}: ${label(h.state)}${h.reason ? ` (${h.reason})` : ''}.`);
      void refresh();
    } catch (error) {
      announce(`Re-probe of ${bot} account ${channel} failed: ${error.message}`);
    } finally {
      button.disabled = false;
      setText(button, 'Re-probe');
    }
  }

  // ---- jobs -----------------------------------------------------------------------------------

  function jobRow(job) {
    return el('tr', { 'data-jobid': job.jobid }, [
      el('td', {}, [el('span', { class: 'mono jobid', title: job.jobid, text: job.jobid })]),
      el('td', { class: 'verb nowrap' }),
      el('td', {}, [el('span', { class: 'badge status', 'data-kind': 'status' })]),
      el('td', { class: 'progress-cell' }, [el('progress', { max: '1', value: '0' }), el('span', { class: 'progress-text' })]),
      el('td', { class: 'mono' }),
      el('td', { class: 'num' }),
      el('td', { class: 'result' }),
    ]);
  }

  function updateJobRow(row, job) {
    const [, verb, status, progressCell, channel, created, result] = row.cells;
    setText(verb, job.verb);
    const shown = job.queued && !['completed', 'failed', 'moderated', 'cancelled'].includes(job.status) ? 'queued' : job.status;
    badge(status.querySelector('.status'), shown);
    status.querySelector('.status').dataset.status = job.status;
    const bar = progressCell.querySelector('progress');
    const text = progressCell.querySelector('.progress-text');
    const finished = ['completed', 'failed', 'moderated', 'cancelled'].includes(job.status);
    if (job.progress && !finished) {
      bar.hidden = false;
      bar.max = job.progress.steps;
      bar.value = job.progress.step;
      const words = `step ${job.progress.step} of ${job.progress.steps}`;
      bar.setAttribute('aria-label', `Progress of job ${job.jobid}: ${words}`);
      setText(text, words);
    } else {
      // A bar is for work under way; a finished job just says how far it got.
      bar.hidden = true;
      const steps = job.progress ? job.progress.steps : 0;
      setText(text, !job.progress ? '' : job.status === 'completed' ? `done (${steps} step${steps === 1 ? '' : 's'})` : `stopped at step ${job.progress.step} of ${steps}`);
    }
    setText(channel, job.channel);
    setText(created, ago(job.created));
    const href = job.result && /^https?:\/\//.test(job.result) ? job.result : null;
    const link = result.querySelector('a');
    if (href && (!link || link.href !== href)) {
      result.replaceChildren(el('a', { href, rel: 'noreferrer', target: '_blank', text: 'Open result', 'aria-label': `Open result of job ${job.jobid}` }));
    } else if (!href && job.error) {
      // One line here; the full message is in the title and under recent failures.
      result.replaceChildren(el('span', { class: 'error-text one-line', title: job.error, text: job.error }));
    } else if (!href && !job.error && result.firstChild) {
      result.replaceChildren();
    }
  }

  function failureRow() {
    return el('tr', {}, [el('td', { class: 'num' }), el('td', { class: 'nowrap' }), el('td', {}, [el('span', { class: 'badge' })]), el('td', { class: 'error-text' }), el('td', { class: 'mono' })]);
  }

  function updateFailureRow(row, job) {
    const [when, verb, status, error, channel] = row.cells;
    setText(when, ago(job.finished ?? job.updated));
    when.title = job.finished ?? job.updated;
    setText(verb, job.verb);
    badge(status.firstChild, job.status);
    setText(error, [job.error, job.errorDetails].filter(Boolean).join(' — ') || '(no message)');
    setText(channel, job.channel);
  }

  // ---- polling and session --------------------------------------------------------------------

  async function refresh() {
    const mine = generation;
    try {
      const { status, body } = await api('GET', '/v1/dashboard/overview');
      if (mine !== generation) return;
      if (status === 401) return signOut('The server does not accept this token.');
      if (status !== 200) throw new Error(body?.error ?? `HTTP ${status}`);
      serverSkewMs = Date.parse(body.generatedAt) - Date.now();
      setText($('tenant-name'), body.tenant.name);
      $('session').hidden = false;
      renderAccounts(body.bots);
      syncRows($('jobs'), body.jobs, (j) => j.jobid, jobRow, updateJobRow);
      $('jobs-table').hidden = body.jobs.length === 0;
      $('jobs-empty').hidden = body.jobs.length > 0;
      syncRows($('failures'), body.failures, (j) => j.jobid, failureRow, updateFailureRow);
      $('failures-table').hidden = body.failures.length === 0;
      $('failures-empty').hidden = body.failures.length > 0;
      setText($('updated'), `Updated ${new Date().toLocaleTimeString()} · refreshes every ${POLL_MS / 1000} s`);
    } catch (error) {
      if (mine !== generation) return;
      setText($('updated'), `Cannot reach the server (${error.message}); retrying…`);
    }
  }

  function schedule() {
    window.clearTimeout(timer);
    const mine = generation;
    timer = window.setTimeout(async () => {
      // A tab nobody looks at does not need fresh numbers; it catches up when shown again.
      if (document.visibilityState !== 'hidden') await refresh();
      if (mine === generation) schedule();
    }, POLL_MS);
  }

  function showDashboard() {
    $('sign-in-view').hidden = true;
    $('dashboard-view').hidden = false;
    generation++;
    void refresh().then(schedule);
  }

  function signOut(message) {
    generation++;
    window.clearTimeout(timer);
    sessionStorage.removeItem(TOKEN_KEY);
    $('dashboard-view').hidden = true;
    $('session').hidden = true;
    $('accounts').replaceChildren();
    $('jobs').replaceChildren();
    $('failures').replaceChildren();
    $('sign-in-view').hidden = false;
    $('sign-in-error').textContent = message ?? '';
    $('token').value = '';
    $('token').focus();
  }

  async function signIn(event) {
    event.preventDefault();
    const token = $('token').value.trim();
    const error = $('sign-in-error');
    if (!token) {
      error.textContent = 'Enter an API token.';
      $('token').setAttribute('aria-invalid', 'true');
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    const { status } = await api('GET', '/v1/dashboard/overview').catch((e) => ({ status: 0, body: { error: e.message } }));
    if (status !== 200) {
      sessionStorage.removeItem(TOKEN_KEY);
      error.textContent = status === 401 ? 'This token was not accepted. Check it and try again.' : `Cannot reach the server (HTTP ${status}).`;
      $('token').setAttribute('aria-invalid', 'true');
      $('token').focus();
      return;
    }
    $('token').removeAttribute('aria-invalid');
    $('token').value = '';
    error.textContent = '';
    showDashboard();
    $('main').focus();
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('sign-in-form').addEventListener('submit', signIn);
    $('sign-out').addEventListener('click', () => signOut('Signed out.'));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && sessionStorage.getItem(TOKEN_KEY)) void refresh();
    });
    if (sessionStorage.getItem(TOKEN_KEY)) showDashboard();
    else $('token').focus();
  });
})();
