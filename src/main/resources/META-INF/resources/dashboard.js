// Interaction Pulse dashboard: polls the read-only JSON API every 2 s and redraws KPIs and charts.
// The interaction types and the conversion come from the API (event.types, analytics.conversion).
(() => {
  'use strict';
  const REFRESH_MS = 2000;
  const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
  const number = new Intl.NumberFormat('en');
  const $ = (id) => document.getElementById(id);
  let types = [];
  const color = (type) => PALETTE[types.indexOf(type) % PALETTE.length];

  Chart.defaults.animation = false; // live data: redraw instantly
  const charts = {
    windows: new Chart($('chart-windows'), {
      type: 'bar',
      data: { labels: [], datasets: [] },
      options: { maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
    }),
    top: new Chart($('chart-top'), {
      type: 'bar',
      data: {
        labels: [],
        datasets: [
          { label: 'interactions', data: [], backgroundColor: PALETTE[0] },
          { label: 'unique users', data: [], backgroundColor: PALETTE[4] },
        ],
      },
      options: { maintainAspectRatio: false, indexAxis: 'y' },
    }),
    unique: new Chart($('chart-unique'), {
      type: 'bar',
      data: { labels: [], datasets: [{ label: 'unique users', data: [], borderColor: PALETTE[4], backgroundColor: PALETTE[4] }] },
      options: { maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
    }),
    trending: new Chart($('chart-trending'), {
      type: 'bar',
      data: {
        labels: [],
        datasets: [
          { label: 'previous 15 min', data: [], backgroundColor: PALETTE[9] },
          { label: 'last 15 min', data: [], backgroundColor: PALETTE[3] },
        ],
      },
      options: { maintainAspectRatio: false, indexAxis: 'y' },
    }),
    sessions: new Chart($('chart-sessions'), {
      data: {
        labels: [],
        datasets: [
          { type: 'bar', label: 'sessions started', data: [], backgroundColor: PALETTE[6], yAxisID: 'y' },
          { type: 'line', label: 'mean events per session', data: [], borderColor: PALETTE[1], yAxisID: 'events' },
        ],
      },
      options: {
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true }, events: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false } } },
      },
    }),
    funnel: new Chart($('chart-funnel'), {
      type: 'bar',
      data: { labels: [], datasets: [] },
      options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
    }),
    mix: new Chart($('chart-mix'), {
      type: 'doughnut',
      data: { labels: [], datasets: [{ data: [], backgroundColor: [] }] },
      options: { maintainAspectRatio: false },
    }),
    conversion: new Chart($('chart-conversion'), {
      type: 'bar',
      data: { labels: [], datasets: [{ label: 'conversion', data: [], backgroundColor: PALETTE[2] }] },
      options: {
        maintainAspectRatio: false, plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { callback: (v) => (v * 100).toFixed(1) + '%' } } },
      },
    }),
  };

  /** One series per configured type, rebuilt only when the vocabulary changes. */
  function useTypes(configured, conversion) {
    if (JSON.stringify(configured) === JSON.stringify(types)) {
      return;
    }
    types = configured;
    charts.windows.data.datasets = types.map((t) => ({ label: t, data: [], backgroundColor: color(t) }));
    charts.mix.data.labels = types;
    charts.mix.data.datasets[0].backgroundColor = types.map(color);
    const ratio = `${conversion.numerator} / ${conversion.denominator}`;
    charts.conversion.data.datasets[0].label = ratio;
    $('conversion-caption').textContent = `Conversion of the top items, last 60 minutes (${ratio})`;
  }

  async function getJson(path) {
    const response = await fetch(path, { cache: 'no-store', signal: AbortSignal.timeout(8000) });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(body.error || `${path} answered HTTP ${response.status}`);
    }
    return body;
  }

  const item = (ref) => (ref ? `${ref.itemId} (${number.format(ref.total)})` : '–');

  function showSummary(s) {
    $('kpi-events').textContent = number.format(s.events);
    $('kpi-rate').textContent = number.format(s.eventsPerSecond);
    $('kpi-users').textContent = number.format(s.users);
    // null while unique users are off (analytics.unique-users.enabled=false) or not computed yet
    $('kpi-unique-hour').textContent = s.uniqueUsersLastHour === null ? '–' : number.format(s.uniqueUsersLastHour);
    $('kpi-items').textContent = number.format(s.items);
    $('kpi-avg').textContent = s.avgInteractionsPerUser.toFixed(2);
    $('kpi-max').textContent = item(s.maxItem);
    $('kpi-min').textContent = item(s.minItem);
    $('kpi-rejected').textContent = number.format(s.rejectedEvents);
    $('kpi-duplicates').textContent = number.format(s.duplicateEvents);
    $('kpi-lag').textContent = s.consumerLag === null ? 'unknown' : number.format(s.consumerLag);
    $('empty').hidden = s.events > 0;
  }

  function showWindows(windows) {
    const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    charts.windows.data.labels = windows.map((w) => time(w.windowStart));
    types.forEach((t, i) => { charts.windows.data.datasets[i].data = windows.map((w) => w.byType[t]); });
    charts.windows.update();
    charts.mix.data.datasets[0].data = types.map((t) => windows.reduce((sum, w) => sum + w.byType[t], 0));
    charts.mix.update();
    const uniqueOn = windows.some((w) => w.uniqueUsers !== null);
    $('figure-unique').hidden = !uniqueOn && windows.length > 0;
    charts.unique.data.labels = charts.windows.data.labels;
    charts.unique.data.datasets[0].data = windows.map((w) => w.uniqueUsers ?? 0);
    charts.unique.update();
  }

  function showTopItems(items) {
    charts.top.data.labels = items.map((i) => i.itemId);
    charts.top.data.datasets[0].data = items.map((i) => i.total);
    charts.top.data.datasets[1].data = items.map((i) => i.uniqueUsers ?? 0);
    charts.top.data.datasets[1].hidden = items.every((i) => i.uniqueUsers === null);
    charts.top.update();
    charts.conversion.data.labels = items.map((i) => i.itemId);
    charts.conversion.data.datasets[0].data = items.map((i) => i.conversion ?? 0);
    charts.conversion.update();
  }

  /** Items listed by the trending rule (analytics.trending.min-count), hidden when the API cannot answer. */
  function showTrending(trending) {
    $('figure-trending').hidden = trending === null;
    if (trending === null) {
      return;
    }
    charts.trending.data.labels = trending.items.map((i) => i.itemId);
    charts.trending.data.datasets[0].data = trending.items.map((i) => i.previous);
    charts.trending.data.datasets[1].data = trending.items.map((i) => i.current);
    charts.trending.update();
  }

  const duration = (seconds) => (seconds >= 60 ? `${(seconds / 60).toFixed(1)} min` : `${seconds.toFixed(0)} s`);

  /** Sessions: hidden when off (analytics.sessions.enabled) or when the API cannot answer. */
  function showSessions(sessions) {
    const on = sessions !== null && sessions.enabled;
    $('figure-sessions').hidden = !on;
    $('kpi-sessions').parentElement.hidden = !on;
    $('kpi-session-length').parentElement.hidden = !on;
    if (!on) {
      return;
    }
    $('kpi-sessions').textContent = number.format(sessions.sessionsStarted);
    $('kpi-session-length').textContent = sessions.meanSessionLengthSeconds === null ? '–'
      : `${duration(sessions.meanSessionLengthSeconds)}, ${sessions.meanEventsPerSession.toFixed(1)} events`;
    const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    charts.sessions.data.labels = sessions.windows.map((w) => time(w.windowStart));
    charts.sessions.data.datasets[0].data = sessions.windows.map((w) => w.sessionsStarted);
    charts.sessions.data.datasets[1].data = sessions.windows.map((w) => w.meanEventsPerSession);
    charts.sessions.update();
  }

  /** Users per step (analytics.funnel.steps) of the items most users entered; hidden when off or unanswered. */
  function showFunnel(funnel) {
    const on = funnel !== null && funnel.enabled;
    $('figure-funnel').hidden = !on;
    if (!on) {
      return;
    }
    if (JSON.stringify(charts.funnel.data.datasets.map((d) => d.label)) !== JSON.stringify(funnel.steps)) {
      charts.funnel.data.datasets = funnel.steps.map((step, i) => ({ label: step, data: [], backgroundColor: PALETTE[i % PALETTE.length] }));
      $('funnel-caption').textContent = `Funnel of the top items: users reaching ${funnel.steps.join(' → ')} within ${funnel.window} (last 60 minutes)`;
    }
    charts.funnel.data.labels = funnel.items.map((i) => i.itemId);
    funnel.steps.forEach((step, s) => { charts.funnel.data.datasets[s].data = funnel.items.map((i) => i.reached[s]); });
    charts.funnel.update();
  }

  function setStatus(state, text) {
    const status = $('status');
    status.dataset.state = state;
    status.textContent = text;
  }

  async function refresh() {
    try {
      const [summary, windows, top, trending, sessions, funnel] = await Promise.all([
        getJson('api/summary'), getJson('api/windows?minutes=60'), getJson('api/items/top?n=10&minutes=60'),
        // 15 minutes need windows that divide them: with another primary size the panel hides
        getJson('api/items/trending?n=10&minutes=15').catch(() => null), getJson('api/sessions?minutes=60').catch(() => null),
        getJson('api/funnel?minutes=60').catch(() => null),
      ]);
      useTypes(summary.types, summary.conversion);
      showSummary(summary);
      showWindows(windows);
      showTopItems(top);
      showTrending(trending);
      showSessions(sessions);
      showFunnel(funnel);
      $('error').hidden = true;
      setStatus('live', `live · updated ${new Date().toLocaleTimeString()}`);
      document.body.dataset.loaded = 'true';
    } catch (e) {
      $('error').textContent = `Cannot load the aggregates: ${e.message}. Retrying every ${REFRESH_MS / 1000} s.`;
      $('error').hidden = false;
      setStatus('error', 'error');
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  }

  refresh();
})();
